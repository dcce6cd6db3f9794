/**
 * An intent agent's working parts, for whichever NF hosts it (an NF with agents, or an AMF that
 * comprehends intents itself): its tasks are resolved at the AGW under its own AIC and carried in
 * semantic sessions the SMF authorized, opened under its own credential (agent-auth.ts), then run
 * by the intent pipeline (issue 5: "the intent agent opens sessions to capability agents").
 */
import { createAgentCallSigner, type AgentCallSigner, type AgentIdentity } from '../agent-auth.ts';
import type { HostedAgent } from '../agent-host.ts';
import type { SessionAuthority } from '../a2a/session/session-authority.ts';
import type { Logger } from '../logger.ts';
import type { BodyCheck } from '../schema-validator.ts';
import type { ComprehensionEngine } from './comprehension.ts';
import { createIntentPipeline, type IntentPipeline } from './intent-pipeline.ts';
import { createSessionTaskCalls, type SessionTaskCalls } from './session-task-calls.ts';
import type { AgwResolution } from './task-calls.ts';
import { createTaskInvocation } from './task-invocation.ts';

/**
 * Capabilities that live on the UE itself (its agent: seed 000, "UE OS agent"): such a task goes
 * to the requesting UE's own agent (IntentRequest.ueAic) and never to another UE's.
 */
const ueResidentCapabilities = new Set(['/capability/ue-measurement', '/capability/personal-assistant']);

export interface IntentAgentSettings {
  taskTimeoutMs: number;
  maxCandidates: number;
  attemptsPerCandidate: number;
  /** A pooled session unused this long is terminated. */
  sessionIdleSeconds?: number;
}

/** The intent pipeline plus the sessions it keeps, which end when the hosting NF stops. */
export type IntentAgentPipeline = IntentPipeline & { sessions: SessionTaskCalls['pool']; stop(): Promise<void> };

export function createIntentAgentPipeline(deps: {
  /** The hosted agent, registered at the AGW before its first intent. */
  self: () => HostedAgent;
  agw: AgwResolution;
  /** The SMF, for the sessions' authorization. */
  authority: SessionAuthority;
  /** The TaskResult schema of nagent-tip.yaml. */
  checkResult: BodyCheck;
  engine: ComprehensionEngine;
  settings: IntentAgentSettings;
  logger: Logger;
  /** Whether idle sessions are swept by a timer (tests sweep by hand). */
  backgroundSweep?: boolean;
}): IntentAgentPipeline {
  let signing: { identity: AgentIdentity; signer: AgentCallSigner } | undefined;
  // A renewed credential is a new identity: sign with whatever the agent holds now.
  const initiator = () => {
    const identity = deps.self().identity;
    if (!identity) throw new Error(`agent ${deps.self().spec.name} has no credential yet`);
    if (signing?.identity !== identity) signing = { identity, signer: createAgentCallSigner(identity) };
    return signing;
  };
  const calls = createSessionTaskCalls({
    authority: deps.authority,
    initiator,
    checkResult: deps.checkResult,
    timeoutMs: deps.settings.taskTimeoutMs,
    logger: deps.logger,
    idleMs: (deps.settings.sessionIdleSeconds ?? 60) * 1000,
    backgroundSweep: deps.backgroundSweep,
  });
  const invocation = createTaskInvocation({
    resolve: async (capabilityId, options) => {
      if (!ueResidentCapabilities.has(capabilityId)) return deps.agw.resolveCapability(capabilityId, deps.self().aic, { fresh: options.fresh });
      if (!options.ueAic) return [];
      return deps.agw.resolveCapability(capabilityId, deps.self().aic, { fresh: options.fresh, aic: options.ueAic });
    },
    invoke: (candidate, request, record) => calls.call(candidate, request, (sessionId) => record({ sessionId })),
    maxCandidates: deps.settings.maxCandidates,
    attemptsPerCandidate: deps.settings.attemptsPerCandidate,
    onTransition: (task) => deps.logger.debug('task state', { agent: deps.self().spec.name, ...task }),
  });
  return { ...createIntentPipeline({ engine: deps.engine, invocation }), sessions: calls.pool, stop: () => calls.stop() };
}
