/** The agents an NF hosts (agent-nf instances, the AMF in local mode), once they have registered or given up. */
import type { AgentNfHandle } from '../../nfs/agent-nf/app.ts';
import type { NfHandle } from '../../nfs/shared/nf-host.ts';

export interface HostedAgentName {
  name: string;
  aic?: string;
}

export async function settledHostedAgents(handle: NfHandle): Promise<HostedAgentName[] | undefined> {
  const agentNf = handle as Partial<AgentNfHandle>;
  if (!agentNf.whenAgentsSettled) return undefined;
  await agentNf.whenAgentsSettled();
  if (typeof agentNf.service?.listHostedAgents !== 'function') return [];
  return agentNf.service.listHostedAgents().map((agent) => ({ name: agent.name, aic: agent.aic }));
}
