/**
 * Policy (DMSC architecture draft, "Policy Manager"): rules saying which requesters may discover
 * or invoke which capabilities. The matching rule of highest priority decides (a DENY wins a
 * tie); with none, the request is allowed. A denial names the rule.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../shared/problem.ts';
import { canonicalAic } from './aic-check.ts';
import type { AgwStore, PolicyDocument } from './store.ts';
import type { PolicyRule, PolicyRuleDefinition } from './types.ts';

export interface Requester {
  aic?: string;
  providerId?: string;
  domain?: string;
}

export type PolicyDecision = { allowed: true } | { allowed: false; ruleId: string };

/**
 * How long a replica keeps the rules it read before reading them again: rules written through
 * another replica of the gateway (sharing the store, DESIGN.md "Scale beyond one machine") apply
 * here within this bound. Rules written through this one apply at once.
 */
export const POLICY_RELOAD_MS = 1_000;

/**
 * `knowsCapability` tells whether the taxonomy has an id before a rule naming it is stored;
 * `missingNow` (Taxonomy.missingNow) asks the store again after the write, so a rule and a
 * deletion of its capability that cross do not both stand (the deletion asks after its own write).
 */
export function createPolicy(deps: {
  store: AgwStore;
  aicSaltHex: string;
  knowsCapability: (capabilityId: string) => boolean | Promise<boolean>;
  missingNow: (capabilityIds: readonly string[]) => Promise<string[]>;
  now?: () => number;
  onReloadedChange?: () => void;
}) {
  const now = deps.now ?? Date.now;
  // Rules are few and read on every discovery; they are cached, reloaded after any change made
  // here, and read again once POLICY_RELOAD_MS has passed. A load that a change here overtook is
  // not kept: the generation tells, so a new DENY is never lost. Concurrent reads share one load.
  let cached: { rules: PolicyDocument[]; loadedAt: number; text: string } | undefined;
  let loading: Promise<PolicyDocument[]> | undefined;
  let generation = 0;
  const load = async (): Promise<PolicyDocument[]> => {
    const loadedFor = generation;
    const loadedAt = now();
    const loaded = await deps.store.policies.find({}, { sort: { priority: -1 } });
    if (loadedFor !== generation) return loaded;
    const text = JSON.stringify(loaded);
    // Rules that changed under this replica's cache were changed through another replica: answers
    // cached on the old rules must go too.
    if (cached && cached.text !== text) deps.onReloadedChange?.();
    cached = { rules: loaded, loadedAt, text };
    return loaded;
  };
  const rules = (): Promise<PolicyDocument[]> | PolicyDocument[] => {
    if (cached && now() - cached.loadedAt < POLICY_RELOAD_MS) return cached.rules;
    if (!loading) {
      const started: Promise<PolicyDocument[]> = load().finally(() => {
        if (loading === started) loading = undefined;
      });
      loading = started;
    }
    return loading;
  };
  const changed = () => {
    generation += 1;
    cached = undefined;
    loading = undefined; // a load under way may predate the change: later reads start their own
  };

  return {
    async listPolicyRules(): Promise<PolicyRule[]> {
      return (await rules()).map(toRule);
    },

    /** Stores the rule under its id, replacing any rule of that id; `created` when there was none (RFC 9110 section 9.3.4: 201). */
    async putPolicyRule(ruleId: string, definition: PolicyRuleDefinition): Promise<{ created: boolean; rule: PolicyRule }> {
      // A rule that could never apply is a mistake its author would not see: a DENY that denies
      // nothing. One stored before rules were checked so may be written again as it was.
      const previous = await deps.store.policies.findOne({ _id: ruleId });
      const checked = definition.capabilityId !== '*' && previous?.capabilityId !== definition.capabilityId;
      if (checked && !(await deps.knowsCapability(definition.capabilityId))) {
        throw badRequest(`${definition.capabilityId} is not in the taxonomy`, [{ param: '/capabilityId', reason: 'unknown capability id' }], 'UNKNOWN_CAPABILITY');
      }
      const { anonymous, ...identities } = definition.subject ?? {};
      const named = Object.keys(identities).filter((member) => identities[member as keyof typeof identities] !== undefined);
      if (anonymous === true && named.length) {
        throw badRequest(`a subject both anonymous and with ${named.join(', ')} matches no requester (an anonymous one gives no AIC, so has none of these)`, [{ param: '/subject/anonymous', reason: `contradicts /subject/${named[0]}` }]);
      }
      if (definition.subject?.aic) definition = { ...definition, subject: { ...definition.subject, aic: canonicalAic(definition.subject.aic, deps.aicSaltHex, '/subject/aic') } };
      // Domain names compare without regard to case (RFC 4343 section 3): kept in lower case.
      if (definition.subject?.domain) definition = { ...definition, subject: { ...definition.subject, domain: definition.subject.domain.toLowerCase() } };
      const writeId = randomUUID();
      const document = { _id: ruleId, ...definition, priority: definition.priority ?? 100, writeId } as PolicyDocument;
      const { upserted } = await deps.store.policies.replaceOne({ _id: ruleId }, document, { upsert: true });
      changed();
      if (checked && (await deps.missingNow([definition.capabilityId])).length) {
        // Undone only while the rule stored is this write's: a PUT or DELETE of it since stands.
        if (previous) await deps.store.policies.replaceOne({ _id: ruleId, writeId }, previous);
        else await deps.store.policies.findOneAndDelete({ _id: ruleId, writeId });
        changed();
        const reason = 'deleted from the taxonomy while the rule was being stored';
        throw badRequest(`${definition.capabilityId} was ${reason}; the rule is not stored`, [{ param: '/capabilityId', reason }], 'UNKNOWN_CAPABILITY');
      }
      return { created: upserted, rule: toRule(document) };
    },

    async deletePolicyRule(ruleId: string): Promise<void> {
      if (!(await deps.store.policies.findOneAndDelete({ _id: ruleId }))) throw notFound(`policy rule ${ruleId} does not exist`);
      changed();
    },

    /**
     * Requesters for whom every decision is the same, named by a class: while no rule names an
     * AIC, a provider or a domain, decisions depend only on whether the requester gave an AIC.
     * Undefined when rules name identities, so each requester is its own class.
     */
    async requesterClass(aic: string | undefined): Promise<'anonymous' | 'named' | undefined> {
      if (!aic) return 'anonymous';
      const namesIdentities = (await rules()).some(({ subject }) => subject?.aic !== undefined || subject?.providerId !== undefined || subject?.domain !== undefined);
      return namesIdentities ? undefined : 'named';
    },

    /**
     * Whether a rule could deny this requester discovery of some capability. When none could (the
     * usual case), every capability of every agent may be shown to it, and answers may be shared.
     */
    async mayHideCapabilities(requester: Requester): Promise<boolean> {
      return (await rules()).some((rule) => rule.effect === 'DENY' && rule.actions.includes('discover') && subjectMatches(rule, requester));
    },

    async decide(requester: Requester, capabilityId: string, action: 'discover' | 'invoke'): Promise<PolicyDecision> {
      const matching = (await rules()).filter((rule) => rule.actions.includes(action) && (rule.capabilityId === '*' || rule.capabilityId === capabilityId) && subjectMatches(rule, requester));
      if (!matching.length) return { allowed: true };
      const top = matching[0].priority;
      const decisive = matching.filter((rule) => rule.priority === top);
      const deny = decisive.find((rule) => rule.effect === 'DENY');
      return deny ? { allowed: false, ruleId: deny._id } : { allowed: true };
    },
  };
}

export type Policy = ReturnType<typeof createPolicy>;

function subjectMatches(rule: PolicyDocument, requester: Requester): boolean {
  const subject = rule.subject ?? {};
  if (subject.anonymous !== undefined && subject.anonymous !== !requester.aic) return false;
  if (subject.aic !== undefined && subject.aic !== requester.aic) return false;
  if (subject.providerId !== undefined && subject.providerId !== requester.providerId) return false;
  if (subject.domain !== undefined && subject.domain.toLowerCase() !== requester.domain?.toLowerCase()) return false;
  return true;
}

function toRule({ _id, writeId: _writeId, ...rest }: PolicyDocument): PolicyRule {
  return { ruleId: _id, ...rest } as PolicyRule;
}
