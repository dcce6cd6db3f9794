/**
 * Ranking of the agents a natural-language request reaches by their own ACS texts: semantic
 * discovery resolves a request "to the most relevant agents" from "comprehensive, detailed
 * descriptive information for all agents" (Agent Name Service,
 * draft-fu-nmop-agent-communication-framework section 2.2.2). The request is matched onto the
 * taxonomy first (capability-matcher.ts), which finds the capabilities and so the agents; among
 * those, an agent whose name and description say more of what was asked ranks higher. The texts
 * are compared term by term as the capability matcher processes them (stop words dropped, a light
 * stemmer), so "fix my home broadband" meets "Fixes home broadband".
 */
import { queryTerms } from './capability-matcher.ts';
import type { AgentDocument } from './store.ts';

/**
 * Weight of the ACS text in an answer's score: the capability match stays first, the text orders
 * agents of one capability and near ones (0.8 for the capability, 0.2 for the text).
 */
export const ACS_TEXT_WEIGHT = 0.2;

/**
 * The share (0..1) of a request's terms that an agent's ACS name and description contain. The
 * agent's terms are kept with its document, which the gateway's pools of live holders share
 * between requests (discovery.ts), so each is processed once while its pool lives.
 */
export function createAcsTextScorer() {
  const termsOf = new WeakMap<AgentDocument, ReadonlySet<string>>();
  const agentTerms = (agent: AgentDocument): ReadonlySet<string> => {
    let terms = termsOf.get(agent);
    if (!terms) termsOf.set(agent, (terms = new Set(queryTerms(`${agent.acs.name} ${agent.acs.description ?? ''}`))));
    return terms;
  };
  return (requestTerms: readonly string[], agent: AgentDocument): number => {
    if (!requestTerms.length) return 0;
    const terms = agentTerms(agent);
    return requestTerms.filter((term) => terms.has(term)).length / requestTerms.length;
  };
}

/** An answer's score: the capability's match and the agent's ACS text, rounded to three decimals. */
export function combinedScore(capabilityScore: number, acsTextScore: number): number {
  return Math.round(((1 - ACS_TEXT_WEIGHT) * capabilityScore + ACS_TEXT_WEIGHT * acsTextScore) * 1000) / 1000;
}
