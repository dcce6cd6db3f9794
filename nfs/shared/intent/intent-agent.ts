/**
 * An intent agent's working parts, for whichever NF hosts it (an NF with agents, or an AMF that
 * comprehends intents itself): its tasks are resolved at the AGW under its own AIC and called
 * with JWSs signed by its own credential (agent-auth.ts), then run by the intent pipeline.
 */
import { createAgentCallSigner, type AgentCallSigner } from '../agent-auth.ts';
import type { HostedAgent } from '../agent-host.ts';
import type { Logger } from '../logger.ts';
import type { ComprehensionEngine } from './comprehension.ts';
import { createIntentPipeline, type IntentPipeline } from './intent-pipeline.ts';
import type { AgwResolution, TaskCaller } from './task-calls.ts';
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
}

export function createIntentAgentPipeline(deps: {
  /** The hosted agent, registered at the AGW before its first intent. */
  self: () => HostedAgent;
  agw: AgwResolution;
  caller: TaskCaller;
  engine: ComprehensionEngine;
  settings: IntentAgentSettings;
  logger: Logger;
}): IntentPipeline {
  let signing: { identity: unknown; signer: AgentCallSigner } | undefined;
  // A renewed credential is a new identity: sign with whatever the agent holds now.
  const signer = () => {
    const identity = deps.self().identity;
    if (!identity) throw new Error(`agent ${deps.self().spec.name} has no credential yet`);
    if (signing?.identity !== identity) signing = { identity, signer: createAgentCallSigner(identity) };
    return signing.signer;
  };
  const invocation = createTaskInvocation({
    resolve: async (capabilityId, options) => {
      if (!ueResidentCapabilities.has(capabilityId)) return deps.agw.resolveCapability(capabilityId, deps.self().aic, { fresh: options.fresh });
      if (!options.ueAic) return [];
      return deps.agw.resolveCapability(capabilityId, deps.self().aic, { fresh: options.fresh, aic: options.ueAic });
    },
    invoke: async (candidate, request) => {
      const bearer = await signer().sign({ audience: candidate.aic, capabilityId: request.capabilityId, taskId: request.taskId });
      return deps.caller.call(candidate, request, bearer, deps.settings.taskTimeoutMs);
    },
    maxCandidates: deps.settings.maxCandidates,
    attemptsPerCandidate: deps.settings.attemptsPerCandidate,
    onTransition: (task) => deps.logger.debug('task state', { agent: deps.self().spec.name, ...task }),
  });
  return createIntentPipeline({ engine: deps.engine, invocation });
}
