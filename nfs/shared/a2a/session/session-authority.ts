/**
 * The initiator's calls to the SMF (nsmf-agentsession): create a session and take its artifact,
 * modify it, release it. Each call carries the calling agent's proof (agent-auth.ts: a single-use
 * JWS signed with the key of its AMC certificate, x5c that certificate) in `Authorization:
 * Bearer`, as InvokeTask does: the SMF acts only for the agent the session names (MACP
 * "Agent-to-Agent Process": the network authorizes sessions between authenticated agents).
 */
import type { components } from '../../../../openapi/generated/nsmf-agentsession.ts';
import type { AgentCallSigner } from '../../agent-auth.ts';
import type { SbiClient } from '../../sbi-client.ts';
import type { SessionAnswer } from './session-messages.ts';

type SessionCreateData = components['schemas']['SessionCreateData'];
type SessionModifyData = components['schemas']['SessionModifyData'];

/** The audience of an agent's call token at the SMF: the service, whichever SMF instance answers. */
export const SMF_CALL_AUDIENCE = 'nsmf-agentsession';

/** The `tid` of an agent's call token at the SMF: one operation on one session (or, to create, one target). */
export const smfCallTaskId = (operation: 'CreateAgentSession' | 'EstablishAgentSession' | 'UpdateAgentSession' | 'ReleaseAgentSession', subject: string) => `${operation} ${subject}`;

/** What the SMF answers to create and modify: the session and a fresh artifact. */
export interface AuthorizedSession {
  sessionId: string;
  artifact: string;
}

/** Who calls: the agent's signer and the session's capability, which the call token names. */
export interface SmfCaller {
  signer: AgentCallSigner;
  capabilityId: string;
}

/** The initiator's calls to the SMF. */
export interface SessionAuthority {
  create(request: SessionCreateData, caller: SmfCaller): Promise<AuthorizedSession>;
  modify(sessionId: string, request: SessionModifyData, caller: SmfCaller): Promise<AuthorizedSession>;
  release(sessionId: string, requestedBy: string, caller: SmfCaller): Promise<void>;
}

export class SessionRefusedError extends Error {
  constructor(readonly cause: string, readonly reason: string, readonly answer?: SessionAnswer) {
    super(`${cause}: ${reason}`);
    this.name = 'SessionRefusedError';
  }
}

type Post = (path: string, body: object, bearer: string) => Promise<{ status: number; data: unknown }>;

function authorityOver(post: Post): SessionAuthority {
  async function call<T>(path: string, body: object, expected: number, bearer: string): Promise<T> {
    const res = await post(path, body, bearer);
    const answer = (res.data ?? {}) as T & { cause?: string; detail?: string };
    if (res.status !== expected) throw new SessionRefusedError(answer.cause ?? `HTTP_${res.status}`, `the SMF refused (${res.status}): ${answer.detail ?? ''}`);
    return answer;
  }
  const sign = (caller: SmfCaller, tid: string) => caller.signer.sign({ audience: SMF_CALL_AUDIENCE, capabilityId: caller.capabilityId, taskId: tid });
  const at = (sessionId: string, operation: string) => `/sessions/${encodeURIComponent(sessionId)}/${operation}`;
  return {
    create: async (request, caller) => call<AuthorizedSession>('/sessions', request, 201, await sign(caller, smfCallTaskId('CreateAgentSession', request.targetAic))),
    modify: async (sessionId, request, caller) => call<AuthorizedSession>(at(sessionId, 'modify'), request, 200, await sign(caller, smfCallTaskId('UpdateAgentSession', sessionId))),
    release: async (sessionId, requestedBy, caller) => {
      await call(at(sessionId, 'release'), { requestedBy }, 200, await sign(caller, smfCallTaskId('ReleaseAgentSession', sessionId)));
    },
  };
}

/** How long a call to the SMF by URL may take (the SBI client bounds its own calls). */
const SMF_TIMEOUT_MS = 10_000;

/** The SMF over HTTP at its nsmf-agentsession root, e.g. `http://host:port/nsmf-agentsession/v1`. */
export function smfSessionAuthority(sessionsApi: string): SessionAuthority {
  return authorityOver(async (path, body, bearer) => {
    const res = await fetch(`${sessionsApi}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body), redirect: 'error', signal: AbortSignal.timeout(SMF_TIMEOUT_MS),
    });
    return { status: res.status, data: await res.json().catch(() => ({})) };
  });
}

/** The SMF found through the NRF (an NF's own SBI client); the agent's proof replaces any NRF token. */
export function sbiSessionAuthority(sbi: SbiClient): SessionAuthority {
  return authorityOver(async (path, body, bearer) => {
    try {
      return await sbi.call({ targetNfType: 'SMF', serviceName: 'nsmf-agentsession', method: 'POST', path, body, headers: { authorization: `Bearer ${bearer}` } });
    } catch (error) {
      throw new SessionRefusedError('SESSION_MANAGER_UNAVAILABLE', `no SMF answered: ${(error as Error).message}`);
    }
  });
}
