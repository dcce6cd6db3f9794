/**
 * Who may act on a session: only an agent of it, proven (MACP "Agent-to-Agent Process": sessions
 * are authorized between authenticated agents; seed 003). Each create, establish, modify and
 * release carries the acting agent's call token (nfs/shared/agent-auth.ts) in `Authorization:
 * Bearer`, as InvokeTask does: chain to the AMC's CA, the AIC its certificate names, status GOOD at
 * the AMC, aud "nsmf-agentsession", cap the session's capability, tid the operation and its
 * subject, single use. The AIC the request names must be the one proven. Refusals are counted by
 * cause and logged.
 */
import { createAgentCallVerifier } from '../shared/agent-auth.ts';
import { SMF_CALL_AUDIENCE } from '../shared/a2a/session/session-authority.ts';
import type { Logger } from '../shared/logger.ts';
import { bearerUnauthorized, forbidden, ProblemError } from '../shared/problem.ts';
import type { AmcConsumer } from './amc-consumer.ts';
import { bearerTokenOf } from '../shared/bearer-token.ts';

/** How long the AMC's CA certificate is used before it is read again. */
const CA_REFRESH_MS = 300_000;

export interface CallerExpectation {
  /** The AIC the request names as the acting agent, and the field that names it. */
  aic: string;
  param: string;
  capabilityId: string;
  /** The token's tid: smfCallTaskId(operation, subject). */
  taskId: string;
}

export interface AgentCallers {
  /** Resolves when the authorization proves the named agent; throws a ProblemError (401 or 403) otherwise. */
  check(authorization: string | undefined, expected: CallerExpectation): Promise<void>;
  /** Refusals so far, by cause. */
  refusals(): Record<string, number>;
}

export function createAgentCallers(deps: { amc: AmcConsumer; logger: Logger; now?: () => number }): AgentCallers {
  const now = deps.now ?? Date.now;
  let anchors: { pems: string[]; at: number } | undefined;
  const verifier = createAgentCallVerifier({ trustAnchors: () => anchors?.pems ?? [], credentialStatus: deps.amc.credentialStatus, now });
  const refusals: Record<string, number> = {};

  async function loadAnchors(): Promise<void> {
    if (anchors && now() - anchors.at < CA_REFRESH_MS) return;
    anchors = { pems: [await deps.amc.caCertificate()], at: now() };
  }

  function refuse(error: ProblemError, expected: CallerExpectation): never {
    const cause = error.cause ?? 'UNAUTHORIZED';
    refusals[cause] = (refusals[cause] ?? 0) + 1;
    deps.logger.warn('session operation refused: the caller is not the agent it names', { cause, aic: expected.aic, operation: expected.taskId.split(' ')[0], detail: error.message });
    throw error;
  }

  return {
    async check(authorization, expected) {
      const token = bearerTokenOf(authorization);
      if (!token) refuse(bearerUnauthorized('a session operation needs "Authorization: Bearer <the acting agent\'s JWS>"', 'AGENT_CREDENTIAL_REQUIRED', { tokenSent: false }), expected);
      await loadAnchors();
      let callerAic: string;
      try {
        ({ callerAic } = await verifier.verify(token, { audience: SMF_CALL_AUDIENCE, capabilityId: expected.capabilityId, taskId: expected.taskId }));
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) refuse(error, expected);
        throw error;
      }
      if (callerAic.toLowerCase() !== expected.aic.toLowerCase()) {
        refuse(forbidden(`the caller proves ${callerAic}, not ${expected.aic} (${expected.param})`, 'CALLER_NOT_THE_AGENT_NAMED'), expected);
      }
    },
    refusals: () => ({ ...refusals }),
  };
}
