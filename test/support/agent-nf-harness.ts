/**
 * The NFs with agents (the intent agent NF and capability agent NFs) in this process on port 0,
 * on a test core's store, with their agents registered at the AGW before the test goes on.
 */
import { createAgentNf, type AgentNfHandle } from '../../nfs/agent-nf/app.ts';
import { defaultCapabilityAgentSettings, defaultIntentAgentSettings, type AgentNfSettings } from '../../nfs/agent-nf/settings.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCore } from './core-harness.ts';

export interface TestAgentNf {
  handle: AgentNfHandle;
  url: string;
  close(): Promise<void>;
  /** Stops answering without deregistering anything, as a crashed NF would. */
  kill(): void;
}

export async function startTestAgentNf(core: TestCore, name: string, settings: Partial<AgentNfSettings> & Pick<AgentNfSettings, 'agents'>, options: { oauth?: boolean } = {}): Promise<TestAgentNf> {
  const base = settings.agents.some((agent) => agent.role === 'intent') ? defaultIntentAgentSettings : defaultCapabilityAgentSettings;
  const handle = await createAgentNf({ name, store: core.store, logger: createLogger({ nf: 'AGENT_NF', level: 'silent' }), nrfUri: core.nrfUrl, oauth: options.oauth, settings: { ...base, taskTimeoutMs: 500, ...settings } });
  // As listenNf serves an NF: its fast path first, then express.
  const fastPath = handle.fastPath;
  const server = createServer(fastPath ? (req, res) => fastPath(req, res, () => handle.app(req, res)) : handle.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await handle.start(url);
  await handle.whenAgentsSettled();
  const kill = () => {
    server.close();
    server.closeAllConnections();
  };
  const failed = handle.service.listHostedAgents().filter((agent) => agent.state !== 'REGISTERED');
  if (failed.length) throw new Error(`agents not registered: ${failed.map((agent) => agent.name).join(', ')}`);
  return {
    handle,
    url,
    kill,
    async close() {
      await handle.stop();
      kill();
    },
  };
}

/** The default intent agent NF and capability agent NF. */
export async function startTestAgents(core: TestCore, options: { oauth?: boolean } = {}): Promise<{ intent: TestAgentNf; capabilities: TestAgentNf; close(): Promise<void> }> {
  const capabilities = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents }, options);
  const intent = await startTestAgentNf(core, 'intent-agent', { agents: defaultIntentAgentSettings.agents }, options);
  return {
    intent,
    capabilities,
    async close() {
      await intent.close();
      await capabilities.close();
    },
  };
}
