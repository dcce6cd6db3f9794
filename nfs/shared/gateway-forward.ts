/**
 * The gateway's word that it forwarded a caller's call token to one agent (semantic routing,
 * nagw-route): a compact JWS signed with the AGW's own key (the key of its signed discovery
 * answers, published at /nagw-disc/v1/jwks), in the `agw-forwarded` header, naming the agent it
 * was sent to (`aud`), the call token it goes with (`ref`, that token's jti) and a short expiry.
 * A call token addressed to a capability reaches every instance the gateway tries; without this,
 * any of them could present it to another instance. With it, an instance takes such a token only
 * when the gateway sent it there.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { bearerUnauthorized, ProblemError } from './problem.ts';

export const GATEWAY_FORWARD_HEADER = 'agw-forwarded';
/** The JWS typ of a forward assertion (RFC 8725 section 3.11: explicit typing). */
export const FORWARD_TYPE = 'agw-forward+jwt';
const FORWARD_LIFETIME_SECONDS = 60;

/** The claims the gateway signs for one forward (its AnswerSigner signs them as they are). */
export function forwardClaims(gatewayId: string, agentAic: string, callTokenId: string, nowMs: number) {
  const iat = Math.floor(nowMs / 1000);
  return { iss: gatewayId, aud: agentAic, ref: callTokenId, iat, exp: iat + FORWARD_LIFETIME_SECONDS };
}

const refused = (detail: string) => bearerUnauthorized(detail, 'FORWARD_NOT_VOUCHED', { tokenSent: true });

/** How often the gateway's key set is asked for afresh after an assertion failed to verify, at most. */
const REFETCH_INTERVAL_MS = 5_000;

/**
 * Checks a forward assertion against the gateway's key set: signed by the gateway (typ
 * FORWARD_TYPE, which its signed discovery answers never carry), for this agent, for this call
 * token, not expired. The key set comes from `gatewayKeys`; when an assertion does not verify
 * with it, it is asked for afresh (the gateway's key may have changed), at most once every few
 * seconds, so failing assertions cannot make every request a fetch. A key set that cannot be had
 * is a 503: the gateway is away, the caller's credential is not at fault.
 */
export function createForwardVerifier(gatewayKeys: (fresh: boolean) => Promise<JSONWebKeySet>, now: () => number = Date.now) {
  let lastRefetch = -Infinity;
  const keySet = async (fresh: boolean) => {
    try {
      return createLocalJWKSet(await gatewayKeys(fresh));
    } catch (error) {
      throw new ProblemError(503, `the gateway's key set cannot be had to check ${GATEWAY_FORWARD_HEADER}: ${(error as Error).message}`, { cause: 'GATEWAY_KEYS_UNAVAILABLE' });
    }
  };
  const check = async (assertion: string, agentAic: string, fresh: boolean) =>
    (await jwtVerify(assertion, await keySet(fresh), { algorithms: ['ES256'], typ: FORWARD_TYPE, audience: agentAic, requiredClaims: ['exp'], currentDate: new Date(now()), clockTolerance: 5 })).payload;

  return async function verifyForward(assertion: string | undefined, expected: { agentAic: string; callTokenId: string }): Promise<void> {
    if (!assertion) throw refused(`a call token addressed to a capability is taken only as the gateway forwarded it (the ${GATEWAY_FORWARD_HEADER} header)`);
    let payload;
    try {
      payload = await check(assertion, expected.agentAic, false);
    } catch (error) {
      if (error instanceof ProblemError || now() - lastRefetch < REFETCH_INTERVAL_MS) throw asRefusal(error);
      lastRefetch = now();
      payload = await check(assertion, expected.agentAic, true).catch((again: unknown) => {
        throw asRefusal(again);
      });
    }
    if (payload.ref !== expected.callTokenId) throw refused(`the ${GATEWAY_FORWARD_HEADER} assertion is for another call token`);
  };
}

const asRefusal = (error: unknown) => (error instanceof ProblemError ? error : refused(`the ${GATEWAY_FORWARD_HEADER} assertion does not hold: ${(error as Error).message}`));

export type ForwardVerifier = ReturnType<typeof createForwardVerifier>;
