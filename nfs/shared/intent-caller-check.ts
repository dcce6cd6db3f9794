/**
 * The check an intent agent makes of whoever submits an intent when OAuth is on: an NRF access
 * token (TS 33.501 clause 13.4.1) whose audience is this NF and whose scope holds nagent-tip. An
 * intent names a SUPI and acts on it, so only NFs of the core (the AMF) may submit one.
 */
import { checkAccessToken, createAccessTokenVerifier } from './access-token-guard.ts';

export function createIntentCallerCheck(options: { nrfUri: string; audience: string[] }) {
  const verify = createAccessTokenVerifier({ nrfUri: options.nrfUri, audience: options.audience });
  return async (authorization: string | undefined): Promise<void> => {
    await checkAccessToken(verify, authorization, 'nagent-tip');
  };
}
