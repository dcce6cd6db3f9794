/**
 * The target agent's calls to the SMF (found through the NRF, nsmf-agentsession): the key set
 * that signs session artifacts, and the reports of SESSION_ACCEPT (establish) and
 * SESSION_TERMINATE (release), each with the reporting agent's proof (its call token for the SMF,
 * session-authority.ts). Behind an interface so the session logic can be tested with a fake.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { SbiClient } from '../../sbi-client.ts';

export interface SessionManagerPeer {
  /** A key resolver over the SMF's JWKS; `refresh` fetches it again (a key rotated, or a kid unknown). */
  artifactKeys(refresh?: boolean): Promise<JWTVerifyGetKey>;
  /** `proof`: the reporting agent's JWS for the SMF (aud nsmf-agentsession, tid "EstablishAgentSession <sessionId>"). */
  reportEstablished(sessionId: string, reportedBy: string, proof: string): Promise<void>;
  /** `proof`: as for establish, tid "ReleaseAgentSession <sessionId>". */
  reportReleased(sessionId: string, requestedBy: string, proof: string, cause?: string): Promise<void>;
}

export interface SessionManagerPeerOptions {
  /** A refetch of the JWKS at most this often, so bad kids cannot make us hammer the SMF. */
  minRefreshMs?: number;
  now?: () => number;
}

export function createSessionManagerPeer(sbi: SbiClient, options: SessionManagerPeerOptions = {}): SessionManagerPeer {
  const now = options.now ?? Date.now;
  const minRefreshMs = options.minRefreshMs ?? 30_000;
  let keys: { resolve: JWTVerifyGetKey; at: number } | undefined;
  let loading: Promise<JWTVerifyGetKey> | undefined;

  async function load(): Promise<JWTVerifyGetKey> {
    const res = await sbi.call<JSONWebKeySet>({ targetNfType: 'SMF', serviceName: 'nsmf-agentsession', method: 'GET', path: '/jwks' });
    if (res.status !== 200 || !Array.isArray(res.data?.keys)) throw new Error(`the SMF's JWKS answered ${res.status}`);
    keys = { resolve: createLocalJWKSet(res.data), at: now() };
    return keys.resolve;
  }

  const post = async (path: string, body: object, what: string, proof: string) => {
    // The agent's proof replaces any NRF token: the SMF acts for agents on their own credential.
    const res = await sbi.call<{ detail?: string }>({ targetNfType: 'SMF', serviceName: 'nsmf-agentsession', method: 'POST', path, body, headers: { authorization: `Bearer ${proof}` } });
    if (res.status !== 200) throw new Error(`the SMF answered ${res.status} to ${what}: ${res.data?.detail ?? ''}`);
  };

  return {
    async artifactKeys(refresh = false) {
      if (keys && !(refresh && now() - keys.at >= minRefreshMs)) return keys.resolve;
      loading ??= load().finally(() => {
        loading = undefined;
      });
      return loading;
    },
    reportEstablished: (sessionId, reportedBy, proof) => post(`/sessions/${encodeURIComponent(sessionId)}/establish`, { reportedBy }, 'establish', proof),
    reportReleased: (sessionId, requestedBy, proof, cause) => post(`/sessions/${encodeURIComponent(sessionId)}/release`, { requestedBy, ...(cause ? { cause } : {}) }, 'release', proof),
  };
}
