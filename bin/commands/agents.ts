/** `dmsc agents`: the agents registered at the AGW, found through NRF discovery. */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { X509Certificate } from '@peculiar/x509';
import { Command } from 'commander';
import { callNf, findService, formatTable, nrfOption } from './core-client.ts';
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';

type AgentRecord = reg['schemas']['AgentRecord'];

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
    .option('--json', 'print the AGW registrations as one JSON array, certificates in full PEM')
    .action(async (options: { nrf: string; json?: boolean }) => {
      const root = await findService(options.nrf, 'AGW', 'nagw-reg');
      const records = (await callNf('AGW', 'GET', `${root}/registrations`)).json() as AgentRecord[];
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
