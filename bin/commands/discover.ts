/**
 * `dmsc discover <query>`: agents for a capability id (structured discovery) or for what one wants
 * done (natural-language resolution), from the AGW found through the NRF. The answer's signature
 * is checked against the gateway's key set before anything is printed.
 */
import { Command, InvalidArgumentError } from 'commander';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import { compileBodyCheck } from '../../nfs/shared/schema-validator.ts';
import { screenText } from '../../nfs/shared/text-screen.ts';
import { callNf, formatTable, NfRefusal, nfAddressOption, nrfOption, serviceRoot } from './core-client.ts';
import { wholeNumber } from './whole-number.ts';

type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];

const capabilityIdPattern = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;

const limitOf = wholeNumber(1, 100);

export function discoverCommand(): Command {
  return new Command('discover')
    .description('find agents: a capability id (/capability/<name>) by structured discovery, any other text by natural-language resolution')
    .argument('<query>', 'a capability id such as /capability/qos-optimisation, or what you want done, e.g. "fix my home broadband"', checkedQuery)
    .addOption(nrfOption())
    .addOption(nfAddressOption('agw'))
    .option('--json', "print the AGW's signed answer as JSON")
    .option('--limit <n>', 'most agents answered (1 to 100)', limitOf, 10)
    .action(async (query: string, options: { nrf: string; agw?: string; json?: boolean; limit: number }) => {
      const structured = capabilityIdPattern.test(query);
      const where = { nrf: options.nrf, address: options.agw, addressOption: '--agw' };
      const root = await serviceRoot(where, 'AGW', 'nagw-disc');
      const url = structured ? `${root}/agents?${new URLSearchParams({ 'capability-id': query, limit: String(options.limit) })}` : `${root}/resolutions`;
      const answered = await (structured ? callNf('AGW', 'GET', url) : callNf('AGW', 'POST', url, { query, limit: options.limit })).catch((error: Error) => {
        // An id the gateway's taxonomy lacks is told as such.
        if (error instanceof NfRefusal && error.problemCause === 'UNKNOWN_CAPABILITY') {
          throw new Error(`${query} is not in the AGW's capability taxonomy; text such as "improve my video quality" is matched to capabilities`);
        }
        throw error;
      });
      // When the answer came, before the key set is asked for (another round trip).
      const answeredAt = Date.now();
      const answer = answered.checked<DiscoveryAnswer>(await compileBodyCheck('nagw-disc.yaml', 'DiscoveryAnswer'), 'a discovery answer');
      await checkSignature(root, answer);
      requireAnswerTo(answer, structured ? { capabilityId: query, limit: options.limit } : { text: query, limit: options.limit }, answeredAt);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(answer)}\n`);
        return;
      }
      printAnswer(answer, structured ? 'structured discovery' : 'natural-language resolution');
    });
}

/** Longest natural-language query the AGW takes (nagw-disc.yaml, ResolveNaturalLanguage). */
const MAX_QUERY_LENGTH = 2000;

/**
 * A capability id, or text to resolve; a usage error (exit 2) for what is neither: nothing
 * visible, too long, or something written as a capability id that is not one (a capital
 * letter, an underscore), which would otherwise be resolved as text and find something else.
 */
function checkedQuery(query: string): string {
  if (capabilityIdPattern.test(query)) return query;
  if (query.startsWith('/capability/')) {
    throw new InvalidArgumentError(`${JSON.stringify(query)} is not a capability id: /capability/ and a name of lower-case letters, digits and hyphens (e.g. /capability/qos-optimisation)`);
  }
  if (!query.trim()) throw new InvalidArgumentError('the query is empty: give a capability id or what you want done');
  if (query.length > MAX_QUERY_LENGTH) throw new InvalidArgumentError(`the query is ${query.length} characters long; at most ${MAX_QUERY_LENGTH}`);
  return query;
}

/** Clock difference between this machine and the gateway's tolerated in an answer's times. */
const CLOCK_ALLOWANCE_MS = 5_000;

/**
 * A signed answer is the answer to this question, made now: its structuredQuery (or, for text,
 * its query as the gateway screened it) is what was asked, and it is within its validityPeriod
 * (nagw-disc.yaml). Otherwise a signed answer to another query, or an old one, sent again by
 * whoever answers at that address, would be printed as verified.
 */
export function requireAnswerTo(answer: DiscoveryAnswer, asked: { capabilityId: string; limit: number } | { text: string; limit: number }, nowMs: number): void {
  if (answer.agents.length > asked.limit) throw new Error(`the AGW's signed answer holds ${answer.agents.length} agents, more than the ${asked.limit} asked for: not trusted`);
  if ('capabilityId' in asked) {
    const answered = answer.structuredQuery;
    if (answered?.capabilityId !== asked.capabilityId || answered.limit !== asked.limit || Object.keys(answered).length !== 2) {
      throw new Error(`the AGW's signed answer is for another query (${JSON.stringify(answered ?? null)}), not capability-id ${asked.capabilityId} with limit ${asked.limit}: not trusted`);
    }
  } else if (answer.query !== screenText(asked.text).text) {
    throw new Error(`the AGW's signed answer is for another query (${JSON.stringify(answer.query ?? null)}), not ${JSON.stringify(asked.text)}: not trusted`);
  }
  const issuedAt = Date.parse(answer.issuedAt);
  const usableUntil = issuedAt + (answer.validityPeriod ?? 0) * 1000 + CLOCK_ALLOWANCE_MS;
  if (!(issuedAt <= nowMs + CLOCK_ALLOWANCE_MS && nowMs <= usableUntil)) {
    throw new Error(`the AGW's signed answer was issued at ${answer.issuedAt}, for ${answer.validityPeriod ?? 0} s: not an answer made now (this machine's clock reads ${new Date(nowMs).toISOString()}): not trusted`);
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
