/**
 * `dmsc discover <query>`: agents for a capability id (structured discovery) or for what one wants
 * done (natural-language resolution), from the AGW found through the NRF. The answer's signature
 * is checked against the gateway's key set before anything is printed.
 */
import { Command } from 'commander';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import { compileBodyCheck } from '../../nfs/shared/schema-validator.ts';
import { callNf, formatTable, nfAddressOption, nrfOption, serviceRoot } from './core-client.ts';
import { wholeNumber } from './whole-number.ts';

type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];

const capabilityIdPattern = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;

const limitOf = wholeNumber(1, 100);

export function discoverCommand(): Command {
  return new Command('discover')
    .description('find agents: a capability id (/capability/<name>) by structured discovery, any other text by natural-language resolution')
    .argument('<query>', 'a capability id such as /capability/qos-optimisation, or what you want done, e.g. "fix my home broadband"')
    .addOption(nrfOption())
    .addOption(nfAddressOption('agw'))
    .option('--json', "print the AGW's signed answer as JSON")
    .option('--limit <n>', 'most agents answered (1 to 100)', limitOf, 10)
    .action(async (query: string, options: { nrf: string; agw?: string; json?: boolean; limit: number }) => {
      const where = { nrf: options.nrf, address: options.agw, addressOption: '--agw' };
      const root = await serviceRoot(where, 'AGW', 'nagw-disc');
      const structured = capabilityIdPattern.test(query);
      const answer = (
        structured
          ? await callNf('AGW', 'GET', `${root}/agents?${new URLSearchParams({ 'capability-id': query, limit: String(options.limit) })}`)
          : await callNf('AGW', 'POST', `${root}/resolutions`, { query, limit: options.limit })
      ).checked<DiscoveryAnswer>(await compileBodyCheck('nagw-disc.yaml', 'DiscoveryAnswer'), 'a discovery answer');
      await checkSignature(root, answer);
      // Structured discovery of an id the taxonomy lacks finds nothing, as a misspelt one would.
      if (structured && !answer.agents.length) await requireKnownCapability(where, query);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(answer)}\n`);
        return;
      }
      printAnswer(answer, structured ? 'structured discovery' : 'natural-language resolution');
    });
}

/** An Error when the gateway's taxonomy has no such capability id, rather than "no agents found" (a taxonomy it may not read is no answer). */
async function requireKnownCapability(where: { nrf: string; address?: string; addressOption: string }, capabilityId: string): Promise<void> {
  const taxonomy = await serviceRoot(where, 'AGW', 'nagw-tax');
  const entry = await callNf('AGW', 'GET', `${taxonomy}/capabilities/${capabilityId.slice('/capability/'.length)}`, undefined, { alsoAccept: [401, 403, 404] });
  if (entry.status === 404) {
    throw new Error(`${capabilityId} is not in the AGW's capability taxonomy (${taxonomy}/capabilities lists it); text such as "improve my video quality" is matched to capabilities`);
  }
}

/** The signature covers the answer without its signature member (nagw-disc.yaml, DiscoveryAnswer). */
async function checkSignature(root: string, answer: DiscoveryAnswer): Promise<void> {
  const keys = (await callNf('AGW', 'GET', `${root}/jwks`)).json() as JSONWebKeySet;
  const { signature, ...unsigned } = answer;
  try {
    const { payload } = await compactVerify(signature, createLocalJWKSet(keys));
    if (new TextDecoder().decode(payload) !== JSON.stringify(unsigned)) throw new Error('the signed payload differs from the answer');
  } catch (error) {
    throw new Error(`the AGW's answer fails its signature check (${(error as Error).message}): not trusted`);
  }
}

function printAnswer(answer: DiscoveryAnswer, how: string): void {
  const out: string[] = [];
  if (answer.capabilityMatches?.length) {
    out.push(`matched capabilities: ${answer.capabilityMatches.map((match) => `${match.capabilityId} (${match.score})`).join(', ')}`);
  }
  if (answer.clarification) out.push(answer.clarification);
  if (answer.agents.length) {
    const rows = answer.agents.map((agent, index) => [String(index + 1), agent.score.toFixed(3), agent.aic, agent.matchedCapability ?? agent.capabilities.join(','), String(agent.load ?? ''), agent.a2aUrl]);
    out.push(formatTable(['RANK', 'SCORE', 'AIC', 'CAPABILITY', 'LOAD', 'A2A URL'], rows).trimEnd());
  } else {
    out.push('no agents found');
  }
  out.push(`(${how}; answer signed by gateway ${answer.gatewayId}, signature verified)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
