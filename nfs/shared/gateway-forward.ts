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
import { ProblemError } from './problem.ts';

export const GATEWAY_FORWARD_HEADER = 'agw-forwarded';
const FORWARD_LIFETIME_SECONDS = 60;

/** The claims the gateway signs for one forward (its AnswerSigner signs them as they are). */
export function forwardClaims(gatewayId: string, agentAic: string, callTokenId: string, nowMs: number) {
  const iat = Math.floor(nowMs / 1000);
  return { iss: gatewayId, aud: agentAic, ref: callTokenId, iat, exp: iat + FORWARD_LIFETIME_SECONDS };
}

const refused = (detail: string) => new ProblemError(401, detail, { cause: 'FORWARD_NOT_VOUCHED' });

/**
 * Checks a forward assertion against the gateway's key set (fetched by `gatewayKeys`, asked again
 * once when a key is unknown, as after a key change): signed by the gateway, for this agent,
 * for this call token, not expired.
 */
export function createForwardVerifier(gatewayKeys: (fresh: boolean) => Promise<JSONWebKeySet>, now: () => number = Date.now) {
  return async function verifyForward(assertion: string | undefined, expected: { agentAic: string; callTokenId: string }): Promise<void> {
    if (!assertion) throw refused(`a call token addressed to a capability is taken only as the gateway forwarded it (the ${GATEWAY_FORWARD_HEADER} header)`);
    let payload;
    for (const fresh of [false, true]) {
      try {
        ({ payload } = await jwtVerify(assertion, createLocalJWKSet(await gatewayKeys(fresh)), { algorithms: ['ES256'], audience: expected.agentAic, currentDate: new Date(now()), clockTolerance: 5 }));
        break;
      } catch (error) {
        if (fresh || (error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw refused(`the ${GATEWAY_FORWARD_HEADER} assertion does not hold: ${(error as Error).message}`);
      }
    }
    if (payload?.exp === undefined) throw refused(`the ${GATEWAY_FORWARD_HEADER} assertion has no expiry`);
    if (payload.ref !== expected.callTokenId) throw refused(`the ${GATEWAY_FORWARD_HEADER} assertion is for another call token`);
  };
}

export type ForwardVerifier = ReturnType<typeof createForwardVerifier>;
