/**
 * The whole core in one child process, as `dmsc up` runs it, every NF on a free port, for the
 * benchmarks that drive it end to end (intent, session); resolves once every hosted agent has
 * registered at the AGW, since agents register in the background after their NFs listen.
 */
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { nfCatalog } from '../nfs/catalog.ts';
import { startChildServer, type ChildServer } from './child-process.ts';
import { serverNodeFlagsFor } from '../bin/server-node-flags.ts';

export interface HostedAgentInfo {
  name: string;
  state: string;
  aic?: string;
  a2aUrl?: string;
}

export type WholeCore = ChildServer & { urls: Record<string, string>; agents: HostedAgentInfo[] };

const dmsc = fileURLToPath(new URL('../bin/dmsc.js', import.meta.url));
const agentNfs = nfCatalog.filter((nf) => nf.nfType === 'AGENT_NF').map((nf) => nf.name);

export async function startWholeCore(): Promise<WholeCore> {
  const ports = nfCatalog.map((nf) => `${nf.name}=0`).join(',');
  const child = await startChildServer(process.execPath, [...serverNodeFlagsFor(), dmsc, 'up', '--ports', ports, '--json', '--log-level', 'error'], {}, 120_000);
  const urls = Object.fromEntries((child.info.nfs as Array<{ nf: string; url: string }>).map((nf) => [nf.nf, nf.url]));
  try {
    return { ...child, urls, agents: await registeredAgents(urls) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

async function registeredAgents(urls: Record<string, string>): Promise<HostedAgentInfo[]> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const agents = (await Promise.all(agentNfs.map((nf) => axios.get(`${urls[nf]}/nagent-tip/v1/agents`).then((res) => res.data as HostedAgentInfo[])))).flat();
    if (agents.every((agent) => agent.state === 'REGISTERED')) return agents;
    if (agents.some((agent) => agent.state === 'FAILED')) throw new Error('an agent failed to register');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('agents did not register within 30 s');
}
