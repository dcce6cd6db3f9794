/** The capability agents' call to the AMC: a caller credential's status. Behind an interface for tests. */
import type { components as cred } from '../../openapi/generated/namc-cred.ts';
import type { CredentialState } from '../shared/agent-auth.ts';
import type { SbiClient } from '../shared/sbi-client.ts';

type CredentialStatus = cred['schemas']['CredentialStatus'];

export interface AmcConsumer {
  credentialStatus(serialNumberHex: string): Promise<CredentialState>;
}

export function createAmcConsumer(sbi: SbiClient): AmcConsumer {
  return {
    async credentialStatus(serialNumberHex) {
      const res = await sbi.call<CredentialStatus>({ targetNfType: 'AMC', serviceName: 'namc-cred', method: 'GET', path: `/credentials/${serialNumberHex}` });
      if (res.status === 404) return 'UNKNOWN';
      if (res.status !== 200) throw new Error(`AMC credential status answered ${res.status}`);
      return res.data.status;
    },
  };
}
