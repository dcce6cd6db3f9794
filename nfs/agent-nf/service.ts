/**
 * The procedures of an NF with agents (MACP section 5.4): its intent agent takes intents and runs
 * them as tasks; its capability agents answer tasks from agents whose call credential checks out
 * and only for capabilities the gateway granted them. No express here; errors are ProblemErrors.
 */
import { keptUuid } from '../shared/kept-uuid.ts';
import type { components } from '../../openapi/generated/nagent-tip.ts';
import type { AgentCallVerifier } from '../shared/agent-auth.ts';
import type { AgentHost, HostedAgent } from '../shared/agent-host.ts';
import type { IntentPipeline, IntentRequest, IntentOutcome } from '../shared/intent/intent-pipeline.ts';
import type { TaskRequest, TaskResult } from '../shared/intent/task-invocation.ts';
import type { Logger } from '../shared/logger.ts';
import type { TaskRepeats } from '../shared/task-repeats.ts';
import { bearerUnauthorized, forbidden, notFound, ProblemError } from '../shared/problem.ts';
import type { AgentDirectory } from './consumer.ts';
import type { ForwardVerifier } from '../shared/gateway-forward.ts';
import type { AgentNfStore } from './store.ts';
import { bearerTokenOf } from '../shared/bearer-token.ts';

type HostedAgentView = components['schemas']['HostedAgent'];

export type TaskHandler = (task: TaskRequest) => Promise<TaskResult>;

export interface AgentNfServiceDeps {
  host: AgentHost;
  store: AgentNfStore;
  logger: Logger;
  /** The intent pipeline of each hosted intent agent, by agent name. */
  pipelines: ReadonlyMap<string, IntentPipeline>;
  verifier: AgentCallVerifier;
  /** The capability logic, by capability id. */
  taskHandlers: Readonly<Record<string, TaskHandler>>;
  /** Who a caller is at the AGW. */
  directory: AgentDirectory;
  /** The gateway's word on a routed call (gateway-forward.ts). */
  verifyForward: ForwardVerifier;
  /**
   * With OAuth on: checks the NRF access token of whoever submits an intent (an AMF), since the
   * intent agent acts on the SUPI it is given. Without it the core's SBI is trusted, as every SBI is.
   */
  intentCallers?: (authorization: string | undefined) => Promise<void>;
  /** First answers of tasks, shared with the NF's semantic sessions. */
  repeats: TaskRepeats;
}

/**
 * The agent kinds that may task the network's capability agents (InvokeTask, directly or routed
 * by the AGW) and have a UE's device asked on their behalf: the network's own. UE agents and
 * third parties are refused here; a third party reaches a capability in an A2A session the SMF
 * sets up. A kind is what the provider's account allows (AMC, allowedAgentKinds).
 */
export const taskingKinds = new Set(['nf-agent', 'capability-agent']);

export function createAgentNfService(deps: AgentNfServiceDeps) {
  const agentOf = (name: string, role: HostedAgent['spec']['role']): HostedAgent => {
    const agent = deps.host.get(name);
    if (!agent || agent.spec.role !== role) throw notFound(`this NF hosts no ${role} agent named ${name}`);
    if (agent.state !== 'REGISTERED') throw new ProblemError(503, `agent ${name} is not registered at the AGW yet (${agent.state})`, { cause: 'AGENT_NOT_REGISTERED' });
    return agent;
  };

  return {
    listHostedAgents(): HostedAgentView[] {
      return deps.host.list().map((agent) => ({
        name: agent.spec.name,
        role: agent.spec.role,
        capabilities: agent.capabilityIds ?? agent.spec.capabilities,
        state: agent.state,
        ...(agent.aic ? { aic: agent.aic, a2aUrl: agent.a2aUrl, invokeUrl: agent.invokeUrl } : {}),
      }));
    },

    async submitIntent(agentName: string, request: IntentRequest, authorization?: string): Promise<IntentOutcome> {
      const agent = agentOf(agentName, 'intent');
      await deps.intentCallers?.(authorization);
      const pipeline = deps.pipelines.get(agentName);
      if (!pipeline) throw notFound(`agent ${agentName} takes no intents`);
      if ((request.text === undefined) === (request.operatorIntent === undefined)) {
        throw new ProblemError(400, 'an intent is either text or operatorIntent, exactly one of them', {
          cause: 'MANDATORY_IE_INCORRECT',
          invalidParams: [{ param: '/text', reason: 'exactly one of text and operatorIntent' }],
        });
      }
      agent.inFlight += 1;
      try {
        const intentId = keptUuid();
        const outcome = await pipeline.handle(request, intentId);
        await deps.store.intents.insertOne({ _id: intentId, agentName, outcomeJson: JSON.stringify(outcome), recordedAt: new Date() });
        deps.logger.info('intent handled', { intentId, supi: request.supi, outcome: outcome.outcome, tasks: outcome.tasks.map((task) => `${task.capability}:${task.state}`), totalMs: outcome.timings.totalMs });
        return outcome;
      } finally {
        agent.inFlight -= 1;
      }
    },

    /** An intent's outcome names its SUPI and what was found for it: with OAuth on, read only by NFs of the core, as submitted. */
    async getIntent(agentName: string, intentId: string, authorization?: string): Promise<IntentOutcome> {
      await deps.intentCallers?.(authorization);
      const record = await deps.store.intents.findOne({ _id: intentId, agentName });
      if (!record) throw notFound(`agent ${agentName} has no record of intent ${intentId}`);
      return JSON.parse(record.outcomeJson) as IntentOutcome;
    },

    async invokeTask(agentName: string, authorization: string | undefined, request: TaskRequest, forwarded?: string): Promise<TaskResult> {
      const agent = agentOf(agentName, 'capability');
      const token = bearerTokenOf(authorization);
      if (!token) throw bearerUnauthorized('a task call needs "Authorization: Bearer <the calling agent\'s JWS>"', 'UNAUTHORIZED', { tokenSent: false });
      // Audience: this agent, or the capability for a call the AGW's semantic routing forwards
      // (the caller addressed /capability/<name>, not an instance), bound to this task (agent-auth.ts).
      const caller = await deps.verifier.verify(token, {
        audience: agent.aic!,
        routed: { audience: request.capabilityId, task: request, vouched: (callTokenId) => deps.verifyForward(forwarded, { agentAic: agent.aic!, callTokenId }) },
        capabilityId: request.capabilityId,
        taskId: request.taskId,
      });
      const registration = await deps.directory.registration(caller.callerAic);
      if (!registration || registration.state !== 'ACTIVE') throw forbidden(`the caller ${caller.callerAic} is not an active agent at the AGW`, 'CALLER_NOT_REGISTERED');
      if (!taskingKinds.has(registration.kind)) throw forbidden(`a ${registration.kind} may not task capability agents: only the network's own agents (${[...taskingKinds].join(', ')}) do`, 'CALLER_NOT_ALLOWED');
      if (!agent.capabilityIds?.includes(request.capabilityId)) {
        throw forbidden(`agent ${agentName} holds no grant for ${request.capabilityId}`, 'CAPABILITY_NOT_HELD');
      }
      const handler = deps.taskHandlers[request.capabilityId];
      if (!handler) throw forbidden(`agent ${agentName} has no logic for ${request.capabilityId}`, 'CAPABILITY_NOT_HELD');
      agent.inFlight += 1;
      try {
        const result = await deps.repeats.once({ agent: agentName, caller: caller.callerAic, intentId: request.intentId, taskId: request.taskId }, () => handler(request));
        deps.logger.debug('task answered', { agent: agentName, caller: caller.callerAic, taskId: request.taskId, capability: request.capabilityId, state: result.state });
        return result;
      } finally {
        agent.inFlight -= 1;
      }
    },
  };
}

export type AgentNfService = ReturnType<typeof createAgentNfService>;
