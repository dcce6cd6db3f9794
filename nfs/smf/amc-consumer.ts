/**
 * The SMF's calls to the AMC (namc-cred, found through the NRF): the CA certificate agents'
 * credentials chain to, and a credential's status. Behind an interface, so the caller check can be
 * tested with a fake.
 */
import type { components as cred } from '../../openapi/generated/namc-cred.ts';
import type { CredentialState } from '../shared/agent-auth.ts';
import { ProblemError } from '../shared/problem.ts';
import type { SbiClient } from '../shared/sbi-client.ts';

type CredentialStatus = cred['schemas']['CredentialStatus'];

export interface AmcConsumer {
  /** PEM of this domain's AMC CA. */
  caCertificate(): Promise<string>;
  credentialStatus(serialNumberHex: string): Promise<CredentialState>;
}

/** The AMC's silence must not read as a caller's fault: 503, and the caller may try again. */
const amcUnavailable = (what: string) => new ProblemError(503, `the AMC did not answer ${what}; try again`, { cause: 'AMC_UNAVAILABLE' });

export function createAmcConsumer(sbi: SbiClient): AmcConsumer {
  return {
    async caCertificate() {
      const res = await sbi.call<string>({ targetNfType: 'AMC', serviceName: 'namc-cred', method: 'GET', path: '/ca' }).catch(() => undefined);
      if (res?.status !== 200 || typeof res.data !== 'string' || !res.data.includes('BEGIN CERTIFICATE')) throw amcUnavailable('with its CA certificate');
      return res.data;
    },
    async credentialStatus(serialNumberHex) {
      const res = await sbi.call<CredentialStatus>({ targetNfType: 'AMC', serviceName: 'namc-cred', method: 'GET', path: `/credentials/${serialNumberHex}` }).catch(() => undefined);
      if (res?.status === 404) return 'UNKNOWN';
      if (res?.status !== 200) throw amcUnavailable('a credential status');
      return res.data.status;
    },
  };
}
