/**
 * A relying party's question to the AMC (namc-cred, found through the NRF): what is the status
 * of this credential now? Capability agents ask it of their callers, and any session target (the
 * UE's agent too) of its initiators. The AMC leaves this open, since relying parties are not NFs.
 */
import type { components as cred } from '../../openapi/generated/namc-cred.ts';
import type { CredentialState } from './agent-auth.ts';
import type { SbiClient } from './sbi-client.ts';

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
