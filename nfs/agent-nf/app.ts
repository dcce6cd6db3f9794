/**
 * createAgentNf(deps): an NF with agents (DESIGN.md, nfs/agent-nf), one codebase for every
 * configured instance: the intent agent NF and the capability agents NF differ only in settings.
 */
import { randomUUID } from 'node:crypto';
import { createAgentCallVerifier } from '../shared/agent-auth.ts';
import { createAmcConsumer } from '../shared/credential-status.ts';
import { createIntentCallerCheck } from '../shared/intent-caller-check.ts';
import { createAgentHost, type HostedAgentSpec } from '../shared/agent-host.ts';
import { createA2aServer } from '../shared/a2a/a2a-server.ts';
import { createSemanticSessions, type SemanticSessions } from '../shared/a2a/session/semantic-sessions.ts';
import { createSessionManagerPeer } from '../shared/a2a/session/session-manager-peer.ts';
import type { ComprehensionEngine } from '../shared/intent/comprehension.ts';
import { createIntentAgentPipeline, type IntentAgentPipeline } from '../shared/intent/intent-agent.ts';
import { createAgwResolution } from '../shared/intent/task-calls.ts';
import { sbiSessionAuthority } from '../shared/a2a/session/session-authority.ts';
import { createTaskRepeats } from '../shared/task-repeats.ts';
import type { Logger } from '../shared/logger.ts';
import { createNfLifecycle } from '../shared/nf-lifecycle.ts';
import { chainFastPaths, type NfDescriptor, type NfHandle } from '../shared/nf-host.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { createJsonPostFastPath } from '../shared/json-post-fast-path.ts';
import { agentNfFastRoutes } from './fast-routes.ts';
import { createSbiClient } from '../shared/sbi-client.ts';
import { compileBodyCheck } from '../shared/schema-validator.ts';
import { checkSettings } from '../shared/settings-file.ts';
import type { Store } from '../shared/store/collection.ts';
import { createTokenProvider } from '../shared/token-provider.ts';
import { createComprehensionEngine } from './comprehension-setup.ts';
import { createAgentDirectory } from './consumer.ts';
import { createForwardVerifier } from '../shared/gateway-forward.ts';
import { createDeviceProbe, deviceRequester } from './device-measurement.ts';
import { createTaskHandlers } from './task-handlers.ts';

const NETWORK_DIAGNOSIS = '/capability/network-diagnosis';
import { agentNfRoutes } from './routes.ts';
import { createAgentNfService, taskingKinds, type AgentNfService } from './service.ts';
import { agentNfSettingsSchema, defaultCapabilityAgentSettings, defaultIntentAgentSettings, type AgentNfSettings } from './settings.ts';
import { openAgentNfStore } from './store.ts';

export interface AgentNfDeps {
  /** The NF's name on the command line, e.g. `intent-agent`. */
  name: string;
  store: Store;
  logger: Logger;
  nrfUri: string;
  settings: AgentNfSettings;
  /** Replaces the engine the settings name (tests). */
  engine?: ComprehensionEngine;
  oauth?: boolean;
  nfInstanceId?: string;
  now?: () => number;
}

export type AgentNfHandle = NfHandle & {
  service: AgentNfService;
  /** Sessions the NF's agents accepted as targets. */
  sessions: SemanticSessions;
  /** Sessions an intent agent of this NF keeps open to capability agents, by agent name. */
  intentSessions(agentName: string): IntentAgentPipeline['sessions'] | undefined;
  whenAgentsSettled(): Promise<void>;
};

export const agentNfServiceNames = ['nagent-tip'];

export async function createAgentNf(deps: AgentNfDeps): Promise<AgentNfHandle> {
  const { settings } = deps;
  const nfInstanceId = deps.nfInstanceId ?? randomUUID();
  const store = await openAgentNfStore(deps.store, settings.intentRetentionSeconds);
  const lifecycle = createNfLifecycle({ nrfUri: deps.nrfUri, nfType: 'AGENT_NF', nfInstanceId, serviceNames: agentNfServiceNames, logger: deps.logger });
  const sbi = createSbiClient({
    nrf: lifecycle.nrf,
    self: { nfInstanceId, nfType: 'AGENT_NF' },
    tokens: deps.oauth ? createTokenProvider({ nrfUri: deps.nrfUri, nfInstanceId, nfType: 'AGENT_NF' }) : undefined,
  });
  const specs: HostedAgentSpec[] = settings.agents.map((agent) => ({
    ...agent,
    invokePath: `/nagent-tip/v1/agents/${agent.name}/${agent.role === 'intent' ? 'intents' : 'tasks'}`,
    a2aPath: `/a2a/${agent.name}`,
  }));
  const host = createAgentHost({ sbi, logger: deps.logger, provider: settings.provider, agents: specs });
  const agw = createAgwResolution(sbi);
  const amc = createAmcConsumer(sbi);
  const checkResult = await compileBodyCheck('nagent-tip.yaml', 'TaskResult');
  const authority = sbiSessionAuthority(sbi);

  const pipelines = new Map<string, IntentAgentPipeline>();
  const intentAgents = specs.filter((spec) => spec.role === 'intent');
  const engine = intentAgents.length ? (deps.engine ?? createComprehensionEngine(settings.comprehension, (why) => deps.logger.warn('unusable answer from the chat-completions engine', { why }))) : undefined;
  for (const spec of intentAgents) {
    pipelines.set(spec.name, createIntentAgentPipeline({ self: () => host.get(spec.name)!, agw, authority, checkResult, engine: engine!, settings, logger: deps.logger }));
  }

  // A diagnosis asks the UE's own agent for a measurement over a semantic session (issue 5), as the hosted diagnosis agent.
  const device = createDeviceProbe({
    sbi,
    logger: deps.logger,
    timeoutMs: settings.deviceMeasurementTimeoutMs,
    initiator: () => host.list().find((agent) => agent.state === 'REGISTERED' && agent.capabilityIds?.includes(NETWORK_DIAGNOSIS))?.identity,
  });
  const handlerSets = specs.some((spec) => spec.role === 'capability') ? await createTaskHandlers({ store: deps.store, now: deps.now, device }) : { authenticated: {}, open: {} };
  const directory = createAgentDirectory(sbi, { now: deps.now });
  // InvokeTask admits only the network's own agents (service.ts taskingKinds): the device may be asked for them.
  const forNetworkAgents = mapHandlers(handlerSets.authenticated, (call) => (task) => deviceRequester.run({ mayAskDevice: true }, () => call(task)));
  const taskHandlers = forNetworkAgents;
  // In a session the SMF authorized the initiator, whatever its kind; the device is asked only for a network agent.
  const sessionHandlersFor = async (initiatorAic: string) => {
    const registration = await directory.registration(initiatorAic);
    return registration?.state === 'ACTIVE' && taskingKinds.has(registration.kind) ? forNetworkAgents : handlerSets.authenticated;
  };
  // One memory of first answers for InvokeTask and sessions: a repeated task is answered once either way.
  const repeats = createTaskRepeats({ now: deps.now });
  const service = createAgentNfService({
    host,
    store,
    logger: deps.logger,
    pipelines,
    verifier: createAgentCallVerifier({ trustAnchors: host.trustAnchors, credentialStatus: amc.credentialStatus, now: deps.now }),
    directory,
    verifyForward: createForwardVerifier(directory.gatewayKeys, deps.now),
    intentCallers: deps.oauth ? createIntentCallerCheck({ nrfUri: deps.nrfUri, audience: ['AGENT_NF', nfInstanceId] }) : undefined,
    taskHandlers,
    repeats,
  });
  // Public A2A (issue 5): each agent's card and JSON-RPC under /a2a/{name}, in front of the SBI app.
  // Semantic sessions ride on the A2A extension; the SMF (its JWKS, establish and release) is found through the NRF.
  const sessions = createSemanticSessions({ smf: createSessionManagerPeer(sbi, { now: deps.now }), credentialStatus: amc.credentialStatus, logger: deps.logger, now: deps.now, repeats });
  const a2a = createA2aServer({ agent: host.get, handlers: handlerSets.open, sessionHandlers: sessionHandlersFor, logger: deps.logger, provider: { organization: settings.provider.providerId }, sessions });

  let agentsSettled = false;
  return {
    name: deps.name,
    nfType: 'AGENT_NF',
    nfInstanceId,
    app: createSbiApp({ nf: 'AGENT_NF', logger: deps.logger, specs: ['nagent-tip.yaml'], routes: agentNfRoutes(service), isReady: () => agentsSettled }),
    fastPath: chainFastPaths(a2a.fastPath, createJsonPostFastPath({ routes: await agentNfFastRoutes(service), logger: deps.logger })),
    service,
    sessions,
    intentSessions: (agentName) => pipelines.get(agentName)?.sessions,
    whenAgentsSettled: () => host.whenSettled(),
    async start(apiRoot) {
      await lifecycle.start(apiRoot);
      host.start(apiRoot);
      void host.whenSettled().then(() => (agentsSettled = true));
    },
    async stop() {
      // Pooled sessions end while the agents and the SMF still know them.
      await Promise.all([...pipelines.values()].map((pipeline) => pipeline.stop()));
      await host.stop();
      await lifecycle.stop();
    },
  };
}

function agentNfDescriptor(name: string, defaultPort: number, defaults: AgentNfSettings, summary: string): NfDescriptor {
  return {
    name,
    nfType: 'AGENT_NF',
    defaultPort,
    summary,
    settingsSchema: agentNfSettingsSchema,
    create: (context) =>
      createAgentNf({
        name,
        store: context.store,
        logger: context.logger,
        nrfUri: context.nrfUri,
        oauth: context.oauth,
        nfInstanceId: context.nfInstanceId,
        settings: { ...defaults, ...checkSettings<AgentNfSettings>(name, agentNfSettingsSchema, context.settings) },
      }),
  };
}

export const intentAgentDescriptor = agentNfDescriptor('intent-agent', 29700, defaultIntentAgentSettings, 'NF with agent: the intent agent (comprehension, workflow, task-based invocation)');
export const capabilityAgentsDescriptor = agentNfDescriptor('capability-agents', 29701, defaultCapabilityAgentSettings, 'NF with agents: QoS, diagnosis, location, analytics, broadband, billing capability agents');

function mapHandlers<T>(handlers: Readonly<Record<string, T>>, wrap: (call: T) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(handlers).map(([capabilityId, call]) => [capabilityId, wrap(call)]));
}
