/**
 * The check an intent agent makes of whoever submits an intent when OAuth is on: an NRF access
 * token (TS 33.501 clause 13.4.1) whose audience is this NF and whose scope holds nagent-tip. An
 * intent names a SUPI and acts on it, so only NFs of the core (the AMF) may submit one.
 */
import { createAccessTokenVerifier } from './access-token-guard.ts';
import { ProblemError } from './problem.ts';

export function createIntentCallerCheck(options: { nrfUri: string; audience: string[] }) {
  const verify = createAccessTokenVerifier({ nrfUri: options.nrfUri, audience: options.audience });
  return async (authorization: string | undefined): Promise<void> => {
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new ProblemError(401, 'submitting an intent needs an NRF access token for nagent-tip', { cause: 'UNAUTHORIZED' });
    let scope: string;
    try {
      ({ scope } = await verify(token));
    } catch (error) {
      throw new ProblemError(401, `invalid access token: ${(error as Error).message}`, { cause: 'INVALID_TOKEN' });
    }
    if (!scope.split(' ').includes('nagent-tip')) throw new ProblemError(403, "the access token's scope does not include nagent-tip", { cause: 'INSUFFICIENT_SCOPE' });
  };
}
