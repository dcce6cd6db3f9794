/**
 * The intent agent's task calls over semantic sessions (issue 5; MACP "Agent-to-Agent Process"
 * and section 5.4): a task goes to the agent the AGW resolved, inside an SMF-authorized session
 * to (that agent, the task's capability), as SESSION_DATA carrying the task; the answer must be
 * the TaskResult of that task, checked as an InvokeTask answer is. Sessions are pooled
 * (session-pool.ts), so most tasks cost one A2A message.
 */
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';
import { nodeHttpFetch } from '../a2a/node-http-fetch.ts';
import type { AgentCallSigner, AgentIdentity } from '../agent-auth.ts';
import type { Logger } from '../logger.ts';
import type { BodyCheck } from '../schema-validator.ts';
import { SessionRefusedError, type SessionAuthority } from '../a2a/session/session-authority.ts';
import { openSession, sessionClientFor } from '../a2a/session/session-client.ts';
import { createSessionPool, type SessionPool } from '../a2a/session/session-pool.ts';
import { checkedTaskResult } from './task-calls.ts';
import { TaskCallError, type TaskCandidate, type TaskRequest, type TaskResult } from './task-invocation.ts';

export interface SessionTaskCallsOptions {
  authority: SessionAuthority;
  /** The initiator as it is now (a renewed credential is a new identity) and its signer. */
  initiator(): { identity: AgentIdentity; signer: AgentCallSigner };
  checkResult: BodyCheck;
  /** Bound on SESSION_INIT and on each SESSION_DATA. */
  timeoutMs: number;
  logger: Logger;
  idleMs?: number;
  renewBeforeMs?: number;
  backgroundSweep?: boolean;
}

/**
 * Refusals that the same agent may answer differently on a second try: the SMF or the target's
 * view of the SMF being unavailable. Any other (policy, credential, capability) fails over.
 */
const transientCauses = new Set(['SESSION_MANAGER_UNAVAILABLE', 'HTTP_500', 'HTTP_502', 'HTTP_503', 'HTTP_504', 'TARGET_NF_NOT_REACHABLE', 'NF_CONGESTION']);

export function createSessionTaskCalls(options: SessionTaskCallsOptions) {
  const clients = new Map<string, Promise<Client>>();
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ fetchImpl: nodeHttpFetch })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl: nodeHttpFetch }),
  }));
  /** One SDK client per A2A endpoint: creating one reads the agent card. */
  const clientFor = (a2aUrl: string): Promise<Client> => {
    let client = clients.get(a2aUrl);
    if (!client) {
      client = sessionClientFor(a2aUrl, factory);
      client.catch(() => clients.delete(a2aUrl));
      if (clients.size > 1000) clients.clear();
      clients.set(a2aUrl, client);
    }
    return client;
  };
  const pool: SessionPool = createSessionPool({
    logger: options.logger,
    idleMs: options.idleMs,
    renewBeforeMs: options.renewBeforeMs,
    backgroundSweep: options.backgroundSweep,
    open: async (target, capabilityId) => {
      const { identity, signer } = options.initiator();
      return openSession({
        authority: options.authority, a2aUrl: target.a2aUrl, targetAic: target.aic, identity, signer, capabilityId,
        client: await clientFor(target.a2aUrl), scope: ['invoke'],
        qos: { priority: 5, latencyBudgetMs: Math.min(60_000, Math.max(1, options.timeoutMs)) },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    },
  });

  return {
    pool,
    /** One task in a session to the candidate; the session's id is told to `onSession` once known. */
    async call(candidate: TaskCandidate, request: TaskRequest, onSession: (sessionId: string) => void): Promise<TaskResult> {
      if (!candidate.a2aUrl) throw new TaskCallError('has no A2A endpoint for a semantic session', false);
      const { taskId, intentId, parameters, supi, inputs } = request;
      let answer: unknown;
      try {
        ({ value: answer } = await pool.use({ aic: candidate.aic, a2aUrl: candidate.a2aUrl }, request.capabilityId, (session) => {
          onSession(session.sessionId);
          return session.data({ taskId, intentId, parameters, ...(supi ? { supi } : {}), ...(inputs && Object.keys(inputs).length ? { inputs } : {}) }, { signal: AbortSignal.timeout(options.timeoutMs) });
        }));
      } catch (error) {
        if (error instanceof SessionRefusedError) throw new TaskCallError(`refused in the session (${error.message})`, transientCauses.has(error.cause));
        throw new TaskCallError(`unreachable or too slow in the session (${(error as Error).message})`, true);
      }
      return checkedTaskResult(options.checkResult, request, answer);
    },
    stop: () => pool.stop(),
  };
}

export type SessionTaskCalls = ReturnType<typeof createSessionTaskCalls>;
