/**
 * The session's authorization artifact (MACP, "Agent-to-Agent Process": "a verifiable
 * authorization artifact derived from prior control-plane procedures"): a JWT signed by the SMF
 * (ES256, RFC 7519) that the initiator presents in SESSION_INIT and the target verifies against
 * GET /nsmf-agentsession/v1/jwks. The key lives in the store so every replica signs alike.
 */
import { SignJWT } from 'jose';
import { loadOrCreateSigningKey } from '../shared/signing-key.ts';
import type { SmfStore } from './store.ts';
import type { AiTrafficQos, Operation } from './types.ts';

/** The JOSE typ of a session artifact, so no other JWT of ours can pass for one (RFC 8725 section 3.11). */
export const artifactType = 'dmsc-session+jwt';

export interface ArtifactClaims {
  sid: string;
  sub: string;
  aud: string;
  cap: string;
  scope: Operation[];
  qos: AiTrafficQos;
  iat: number;
  exp: number;
  jti: string;
}

export interface ArtifactSigner {
  /** Signs the claims; iss is the SMF's. */
  sign(claims: ArtifactClaims): Promise<string>;
  jwks(): { keys: object[] };
}

export async function createArtifactSigner(store: SmfStore, issuer: string): Promise<ArtifactSigner> {
  const key = await loadOrCreateSigningKey(store.keys, 'smf-session-artifact');
  return {
    sign: ({ sid, sub, aud, cap, scope, qos, iat, exp, jti }) =>
      new SignJWT({ sid, cap, scope, qos })
        .setProtectedHeader({ alg: 'ES256', kid: key.keyId, typ: artifactType })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(key.privateKey),
    jwks: () => key.jwks(),
  };
}
