/**
 * Discovery of agents by what they can do (DMSC architecture draft, "Discovery"; Agent Name
 * Service section 2.2.2): structured (capability id, AIC, provider, domain, security attributes)
 * and natural language (matched by the offline matcher over the taxonomy, its agents ranked by
 * the match and their own ACS texts, acs-text-ranking.ts). Only discoverable,
 * live agents that policy lets the requester see are answered, and every answer is signed.
 */
import { badRequest, forbidden } from '../shared/problem.ts';
import { screenText } from '../shared/text-screen.ts';
import { combinedScore, createAcsTextScorer } from './acs-text-ranking.ts';
import { queryTerms } from './capability-matcher.ts';
import type { AnswerSigner } from './answer-signer.ts';
import type { Agents } from './agents.ts';
import type { Events } from './events.ts';
import type { Policy, Requester } from './policy.ts';
import type { RequesterProof } from './requester-proof.ts';
import type { AgentDocument, AgwStore } from './store.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { DiscoveredAgent, DiscoveryAnswer } from './types.ts';

/** The capabilities of an agent a requester may be shown (capabilityViewFor). */
type CapabilityView = (agent: AgentDocument) => Promise<string[]>;

/** What a signed structured answer names of its query (structuredQuery in nagw-disc.yaml). */
type AnsweredQuery = NonNullable<DiscoveryAnswer['structuredQuery']>;

/**
 * A structured discovery query: the filters an answer names (supi: a UE's agent by its UE, set
 * only for UE agents), plus the requester, and the limit as asked.
 */
export type StructuredQuery = Omit<AnsweredQuery, 'limit'> & { requesterAic?: string; limit?: number };

/**
 * The query as a signed answer names it: the requester left out and the limit applied. The
 * requester changes which agents and capabilities policy lets it see; the answer is what the
 * gateway shows it, signed for it alone unless every requester policy treats alike sees the same.
 */
function answeredQuery(query: StructuredQuery, limit: number): AnsweredQuery {
  const { requesterAic: _requester, limit: _asked, ...rest } = query;
  return { ...rest, limit };
}

export interface DiscoveryDeps {
  store: AgwStore;
  taxonomy: Taxonomy;
  agents: Agents;
  policy: Policy;
  events: Events;
  signer: AnswerSigner;
  requesterProof: RequesterProof;
  gatewayId: string;
  /** Seconds a requester may reuse an answer (the AGW's discoveryValidityPeriod setting). */
  validityPeriod: number;
  /** Changes whenever the directory changes, except liveness and load (service.ts). */
  directoryVersion: () => number;
  now: () => number;
}

/**
 * How long the live holders of a capability are reused: liveness and load may lag by this much,
 * as cached structured answers may (cached-query-fast-path.ts); any other change of the directory
 * drops them at once.
 */
const poolMaxAgeMs = 1000;
const maxPools = 1000;

export function createDiscovery(deps: DiscoveryDeps) {
  const { store, policy, events, now } = deps;
  const acsTextScore = createAcsTextScorer();

  // A credential past its notAfter is good no more (RFC 5280 section 4.1.2.5), though the AMC
  // sends no notice of it: its ISO 8601 text compares as the time it names.
  const unexpiredFilter = () => ({ 'acs.security.credentialNotAfter': { $gt: new Date(now()).toISOString() } });

  /**
   * Who asks: their AIC (checked), and their provider and domain when they are registered here.
   * An agent registered here whose credential is suspended or revoked is refused, 403
   * CREDENTIAL_<status>, as it is on its own operations (agents.ts): it may neither find nor call.
   * So is one whose certificate is past its notAfter (403 CREDENTIAL_EXPIRED): the AMC no longer
   * vouches for the provider and domain it would be judged by (RFC 5280 clause 4.1.2.5).
   */
  async function checkedRequester(aicText: string | undefined, param: string): Promise<Requester> {
    if (!aicText) return {};
    const aic = deps.agents.canonicalAic(aicText, param);
    // The usual requester, registered and unexpired, in one lookup: the expiry as a condition,
    // which costs the embedded engine far less than projecting a field inside the ACS would.
    const unexpired = await store.agents.findOne({ _id: aic, ...unexpiredFilter() }, { fields: ['providerId', 'domain', 'credentialStatus'] });
    if (unexpired) {
      requireGoodCredential(aic, unexpired.credentialStatus);
      return { aic, providerId: unexpired.providerId, domain: unexpired.domain };
    }
    // Otherwise not registered here, or expired: the whole record, which few requests read.
    const registered = await store.agents.findOne({ _id: aic });
    if (!registered) return { aic };
    requireGoodCredential(aic, registered.credentialStatus);
    throw forbidden(`the requester ${aic}'s certificate expired at ${registered.acs.security.credentialNotAfter}`, 'CREDENTIAL_EXPIRED');
  }

  function requireGoodCredential(aic: string, status: AgentDocument['credentialStatus']): void {
    if (status !== 'GOOD') throw forbidden(`the requester ${aic}'s credential is ${status}`, `CREDENTIAL_${status}`);
  }

  /** checkedRequester for one operation: a refusal (a malformed or mistyped AIC too) is recorded as an event of its type. */
  async function requesterOf(aicText: string | undefined, asking: { type: string; param?: string; capabilityId?: string }): Promise<Requester> {
    if (!aicText) return {};
    return events.recordingRefusals(asking.type, { aicText, capabilityId: asking.capabilityId }, () => checkedRequester(aicText, asking.param ?? 'query requester-aic'));
  }

  /**
   * requesterOf for a discovery, once the request has proven the requester it names, or named none
   * (requester-proof.ts): the proof's refusal is an event of the operation too.
   */
  async function provenRequesterOf(aicText: string | undefined, authorization: string | undefined, asking: { type: string; param?: string; capabilityId?: string }): Promise<Requester> {
    if (!deps.requesterProof.required) return requesterOf(aicText, asking);
    const requesterAic = await events.recordingRefusals(asking.type, { aicText, capabilityId: asking.capabilityId }, () => deps.requesterProof.discoveryRequester(aicText, authorization));
    return requesterOf(requesterAic, asking);
  }

  // Each condition is its own field, so concurrent updates of one cannot leave a stale verdict.
  const liveFilter = () => ({ credentialStatus: 'GOOD', cmState: { $ne: 'CM-IDLE' }, liveUntil: { $gt: now() }, ...unexpiredFilter() });

  // Natural-language answers ask for several capabilities each, and structured ones mostly for one:
  // the store would copy thousands of candidates for every such query at 100,000 agents.
  const pools = new Map<string, { version: number; at: number; agents: AgentDocument[] }>();

  /** Live holders of one capability, least loaded first (read only: shared between answers). */
  async function poolOf(capabilityId: string, limit: number): Promise<readonly AgentDocument[]> {
    const size = poolSize(limit);
    const key = `${size} ${capabilityId}`;
    const version = deps.directoryVersion();
    const known = pools.get(key);
    if (known && known.version === version && now() - known.at < poolMaxAgeMs) return known.agents;
    const agents = leastLoaded(await store.agents.find({ ...liveFilter(), capabilityIds: capabilityId }, { limit: size }));
    if (pools.size >= maxPools) pools.clear();
    pools.set(key, { version, at: now(), agents });
    return agents;
  }

  /**
   * What an answer shows a requester of an agent's capabilities: those policy lets it discover,
   * in the agent's list and in its ACS. An agent found by its domain, say, does not tell a
   * requester it may not discover one of the agent's capabilities that the agent offers it. Null
   * when no rule could deny the requester any capability (policy.mayHideCapabilities): everything
   * is shown, as to every such requester.
   */
  async function capabilityViewFor(requester: Requester): Promise<CapabilityView | null> {
    if (!(await policy.mayHideCapabilities(requester))) return null;
    const decided = new Map<string, boolean>();
    return async (agent) => {
      const shown: string[] = [];
      for (const capabilityId of agent.capabilityIds) {
        let allowed = decided.get(capabilityId);
        if (allowed === undefined) decided.set(capabilityId, (allowed = (await policy.decide(requester, capabilityId, 'discover')).allowed));
        if (allowed) shown.push(capabilityId);
      }
      return shown;
    };
  }

  /** The agents of `agents` with a capability the view shows, each with what it shows (all of them without a view). */
  async function shownThrough(view: CapabilityView | null, agents: readonly AgentDocument[]): Promise<Array<{ agent: AgentDocument; shown?: string[] }>> {
    if (!view) return agents.map((agent) => ({ agent }));
    const kept: Array<{ agent: AgentDocument; shown: string[] }> = [];
    for (const agent of agents) {
      const shown = await view(agent);
      if (shown.length) kept.push({ agent, shown });
    }
    return kept;
  }

  async function signed(answer: Omit<DiscoveryAnswer, 'signature' | 'gatewayId' | 'issuedAt'>): Promise<DiscoveryAnswer> {
    const unsigned = { gatewayId: deps.gatewayId, issuedAt: new Date(now()).toISOString(), validityPeriod: deps.validityPeriod, ...answer };
    return { ...unsigned, signature: await deps.signer.sign(unsigned) };
  }

  /** An agent as answered; `shown`: the capabilities the requester may see, when not all (capabilityViewFor). */
  const toDiscovered = (agent: AgentDocument, score: number, matchedCapability?: string, shown?: string[]): DiscoveredAgent => ({
    aic: agent._id,
    score,
    ...(matchedCapability ? { matchedCapability } : {}),
    capabilities: shown ?? agent.capabilityIds,
    a2aUrl: agent.a2aUrl,
    load: agent.load,
    acs: shown ? { ...agent.acs, capabilities: agent.acs.capabilities.filter(({ capabilityId }) => shown.includes(capabilityId)) } : agent.acs,
  });

  /** The signed answer's UTF-8 JSON (what the fast path sends; see AnswerSigner.signedJson). */
  /**
   * `authorization`: the request's Authorization header, what proves the requester named
   * (requester-proof.ts). A failure of the store or the signer is an event too.
   */
  function discoverAgentsJson(query: StructuredQuery, authorization?: string): Promise<Buffer> {
    return events.recordingFailures('discovery.structured', { capabilityId: query.capabilityId }, () => answerStructured(query, authorization));
  }

  async function answerStructured(query: StructuredQuery, authorization?: string): Promise<Buffer> {
    const requester = await provenRequesterOf(query.requesterAic, authorization, { type: 'discovery.structured', capabilityId: query.capabilityId });
    // An id the taxonomy lacks (a typo, say) is refused, as registration and routing refuse it:
    // an empty answer would say no agent offers a capability that does not exist.
    if (query.capabilityId && !(await deps.taxonomy.knows(query.capabilityId))) {
      const refusal = badRequest(`${query.capabilityId} is not in the taxonomy`, [{ param: 'query capability-id', reason: 'unknown capability id' }], 'UNKNOWN_CAPABILITY');
      await events.recordEvent({ type: 'discovery.structured', outcome: 'refused', aic: requester.aic, capabilityId: query.capabilityId, cause: refusal.cause, detail: { reason: refusal.message } });
      throw refusal;
    }
    if (query.capabilityId) {
      const decision = await policy.decide(requester, query.capabilityId, 'discover');
      if (!decision.allowed) {
        await events.recordEvent({ type: 'policy.denied', outcome: 'refused', aic: requester.aic, capabilityId: query.capabilityId, cause: 'POLICY_DENIED', detail: { ruleId: decision.ruleId, action: 'discover' } });
        throw forbidden(`policy rule ${decision.ruleId} denies discovery of ${query.capabilityId} to this requester`, 'POLICY_DENIED');
      }
    }
    const limit = query.limit ?? 10;
    const gdpr = query.securityAttributes?.includes('gdpr') === true;
    const view = await capabilityViewFor(requester);
    // By capability alone, to a requester shown everything: the capability's pool of live holders
    // answers, with no other filter to apply, in an answer shared by every such requester.
    if (query.capabilityId && !query.aic && !query.providerId && !query.domain && !query.supi && !gdpr && !view) {
      const pool = await poolOf(query.capabilityId, limit);
      await events.recordEvent({ type: 'discovery.structured', outcome: 'success', aic: requester.aic, capabilityId: query.capabilityId, detail: { results: Math.min(pool.length, limit) } });
      return signedPoolAnswer(pool, query.capabilityId, limit);
    }
    const filter: Record<string, unknown> = liveFilter();
    if (query.aic) filter._id = await events.recordingRefusals('discovery.structured', { aicText: query.aic, capabilityId: query.capabilityId }, () => deps.agents.canonicalAic(query.aic!, 'query aic'));
    if (query.providerId) filter.providerId = query.providerId;
    // The gateway's domain is kept in lower case (app.ts): domain names ignore case (RFC 4343 section 3).
    if (query.domain) filter.domain = query.domain.toLowerCase();
    if (query.supi) filter.supi = query.supi;
    if (gdpr) filter.gdpr = true;
    // Last, so the embedded engine picks the capability index for its candidates.
    if (query.capabilityId) filter.capabilityIds = query.capabilityId;
    const pool = leastLoaded(await store.agents.find(filter, { limit: poolSize(limit) }));
    // An agent is shown if policy lets the requester discover any of its capabilities (one asked
    // for is), with those alone; the event counts the agents it hid.
    const shown = await shownThrough(view, pool);
    const hiddenByPolicy = pool.length - shown.length;
    const ranked = shown.slice(0, limit).map(({ agent, shown: capabilities }) => toDiscovered(agent, 1, query.capabilityId, capabilities));
    await events.recordEvent({ type: 'discovery.structured', outcome: 'success', aic: requester.aic, capabilityId: query.capabilityId, detail: { results: ranked.length, ...(hiddenByPolicy ? { hiddenByPolicy } : {}) } });
    return signedAnswerOf(ranked, answeredQuery(query, limit));
  }

  const signedAnswerOf = (agents: DiscoveredAgent[], structuredQuery: AnsweredQuery) =>
    deps.signer.signedJson({ gatewayId: deps.gatewayId, issuedAt: new Date(now()).toISOString(), validityPeriod: deps.validityPeriod, structuredQuery, agents });

  // An answer by capability alone names no requester: every requester policy lets discover the
  // capability gets the same agents from the same pool. It is encoded and signed once per pool
  // (and limit), not once per requester: that work was most of what an uncached discovery
  // allocated, and the collections of it were the tail of its latency. A pool serves limits up to
  // a fifth of its size; the answers of a few are kept with it, and go when it is replaced.
  const poolAnswers = new WeakMap<readonly AgentDocument[], Map<number, Buffer>>();
  const answersPerPool = 4;
  function signedPoolAnswer(pool: readonly AgentDocument[], capabilityId: string, limit: number): Buffer {
    let byLimit = poolAnswers.get(pool);
    if (!byLimit) poolAnswers.set(pool, (byLimit = new Map()));
    const known = byLimit.get(limit);
    if (known) return known;
    const body = signedAnswerOf(pool.slice(0, limit).map((agent) => toDiscovered(agent, 1, capabilityId)), { capabilityId, limit });
    if (byLimit.size >= answersPerPool) byLimit.clear();
    byLimit.set(limit, body);
    return body;
  }

  async function resolveText(request: { query: string; requesterAic?: string; limit?: number }, authorization?: string): Promise<DiscoveryAnswer> {
    const requester = await provenRequesterOf(request.requesterAic, authorization, { type: 'discovery.natural_language', param: '/requesterAic' });
    const screened = screenText(request.query);
    if (screened.verdict === 'BLOCK') {
      await events.recordEvent({ type: 'security.prompt_injection', outcome: 'refused', aic: requester.aic, cause: 'CONTENT_REJECTED', detail: { rules: screened.rules } });
      throw badRequest(`the query is refused: ${screened.reason ?? screened.rules.join(', ')}`, [{ param: '/query', reason: 'looks like an instruction to an AI system' }], 'CONTENT_REJECTED');
    }
    const limit = request.limit ?? 10;
    const matches = deps.taxonomy.match(screened.text, 5);
    const view = await capabilityViewFor(requester);
    const requestTerms = queryTerms(screened.text);
    // Each agent once, with its best score over the capabilities it was found through.
    const candidates = new Map<string, { agent: AgentDocument; score: number; capabilityId: string }>();
    // A natural-language answer leaves out what policy denies instead of refusing the query;
    // the event says what was left out and by which rule.
    const deniedByPolicy: Array<{ capabilityId: string; ruleId: string }> = [];
    for (const match of matches) {
      // Matches come best first: once `limit` agents score more than an agent of this one could
      // (a full ACS text match; an equal score would be ranked by load), neither it nor a later
      // one changes the answer.
      if (candidates.size >= limit && countAbove(candidates.values(), combinedScore(match.score, 1)) >= limit) break;
      const decision = await policy.decide(requester, match.capabilityId, 'discover');
      if (!decision.allowed) {
        deniedByPolicy.push({ capabilityId: match.capabilityId, ruleId: decision.ruleId });
        continue;
      }
      for (const agent of await poolOf(match.capabilityId, limit)) {
        const score = combinedScore(match.score, acsTextScore(requestTerms, agent));
        const known = candidates.get(agent._id);
        if (!known || score > known.score) candidates.set(agent._id, { agent, score, capabilityId: match.capabilityId });
      }
    }
    const ranked = [...candidates.values()].sort((a, b) => b.score - a.score || a.agent.load - b.agent.load).slice(0, limit);
    const agents: DiscoveredAgent[] = [];
    for (const { agent, score, capabilityId } of ranked) agents.push(toDiscovered(agent, score, capabilityId, await view?.(agent)));
    await events.recordEvent({ type: 'discovery.natural_language', outcome: 'success', aic: requester.aic, detail: { capabilities: matches.map((match) => match.capabilityId), results: agents.length, ...(deniedByPolicy.length ? { deniedByPolicy } : {}) } });
    return signed({
      query: screened.text,
      capabilityMatches: matches,
      ...(matches.length ? {} : { clarification: 'No network capability matches this request. Could you say what you would like the network to do, for example "improve my video quality" or "fix my home broadband"?' }),
      agents,
    });
  }

  return {
    requesterOf,
    checkedRequester,
    /** The requester a discovery request may speak for (requester-proof.ts); the cached fast path asks before it answers. */
    discoveryRequester: deps.requesterProof.discoveryRequester,
    liveFilter,
    discoverAgentsJson,

    async discoverAgents(query: StructuredQuery, authorization?: string): Promise<DiscoveryAnswer> {
      return JSON.parse((await discoverAgentsJson(query, authorization)).toString('utf8')) as DiscoveryAnswer;
    },

    /**
     * The text is screened and matched onto capabilities; their live holders are ranked by the
     * match and their ACS texts (acs-text-ranking.ts), then by load.
     */
    resolveNaturalLanguage(request: { query: string; requesterAic?: string; limit?: number }, authorization?: string): Promise<DiscoveryAnswer> {
      return events.recordingFailures('discovery.natural_language', {}, () => resolveText(request, authorization));
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;

/**
 * Answers are ranked by load within a pool of live holders: all of them when there are few, the
 * first poolSize otherwise. Sorting every holder of a popular capability in the store on each
 * query would cost the embedded engine a full sort of thousands of records; a pool keeps
 * discovery fast at 100,000 agents and still prefers idle instances.
 */
function poolSize(limit: number): number {
  return Math.max(limit * 5, 50);
}

/** How many of the candidates score more than `bound`. */
function countAbove(candidates: Iterable<{ score: number }>, bound: number): number {
  let count = 0;
  for (const { score } of candidates) if (score > bound) count += 1;
  return count;
}

function leastLoaded(agents: AgentDocument[]): AgentDocument[] {
  return [...agents].sort((a, b) => a.load - b.load);
}
