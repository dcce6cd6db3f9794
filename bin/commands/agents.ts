/** `dmsc agents`: the agents registered at the AGW, found through NRF discovery. */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { X509Certificate } from '@peculiar/x509';
import { Command } from 'commander';
import { compileBodyCheck } from '../../nfs/shared/schema-validator.ts';
import { callNf, formatTable, listOf, nfAddressOption, nrfOption, serviceRoot } from './core-client.ts';
import { wholeNumber } from './whole-number.ts';
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';

type AgentRecord = reg['schemas']['AgentRecord'];

/** What the AGW lists when no limit is asked (nfs/agw/agents.ts) and the most it lists (nagw-reg.yaml). */
const agwDefaultLimit = 1000;
const agwMaxLimit = 10_000;

const limitOf = wholeNumber(1, agwMaxLimit);

function certificateSerial(pem: string): string {
  try {
    return new X509Certificate(pem).serialNumber;
  } catch {
    return '(unreadable)';
  }
}

export function agentsCommand(): Command {
  return new Command('agents')
    .description('list the agents registered at the AGW (found through the NRF): AIC, state, capabilities, A2A URL, certificate')
    .addOption(nrfOption())
    .addOption(nfAddressOption('agw'))
    .option('--json', 'print the AGW registrations as one JSON array, certificates in full PEM')
    .option('--limit <n>', `list at most n agents, in AIC order (the AGW lists ${agwDefaultLimit} unless asked; at most ${agwMaxLimit})`, limitOf)
    .action(async (options: { nrf: string; agw?: string; json?: boolean; limit?: number }) => {
      const root = await serviceRoot({ nrf: options.nrf, address: options.agw, addressOption: '--agw' }, 'AGW', 'nagw-reg');
      const limit = options.limit ?? agwDefaultLimit;
      const records = (await callNf('AGW', 'GET', `${root}/registrations?limit=${limit}`)).checked<AgentRecord[]>(listOf(await compileBodyCheck('nagw-reg.yaml', 'AgentRecord')), 'a list of agents');
      // On stderr, so that --json output stays one JSON array.
      if (records.length === limit) {
        process.stderr.write(`the first ${limit} agents by AIC are listed; more may be registered${limit < agwMaxLimit ? ` (--limit up to ${agwMaxLimit})` : ''}\n`);
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify(records)}\n`);
        return;
      }
      if (!records.length) {
        process.stdout.write(`no agents are registered at the AGW (${root})\n`);
        return;
      }
      const rows = records.map((agent) => [agent.aic, agent.state, String(agent.load), agent.capabilities.join(','), agent.a2aUrl, certificateSerial(agent.certificatePem)]);
      process.stdout.write(formatTable(['AIC', 'STATE', 'LOAD', 'CAPABILITIES', 'A2A URL', 'CERTIFICATE SERIAL'], rows));
    });
}
