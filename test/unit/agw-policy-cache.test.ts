/** The AGW's policy rules cache: a rule written while the rules are being loaded is never lost. */
import { expect } from 'chai';
import { createPolicy, POLICY_RELOAD_MS } from '../../nfs/agw/policy.ts';
import type { AgwStore, PolicyDocument } from '../../nfs/agw/store.ts';

/** A policies collection whose find answers only when the test lets it, with what was stored when it was asked. */
function slowPolicies() {
  const stored = new Map<string, PolicyDocument>();
  const held: Array<() => void> = [];
  const policies = {
    find: () => {
      const snapshot = [...stored.values()].sort((a, b) => b.priority - a.priority);
      return new Promise<PolicyDocument[]>((resolve) => held.push(() => resolve(snapshot)));
    },
    replaceOne: async (filter: { _id: string }, document: PolicyDocument) => {
      stored.set(filter._id, document);
      return { matched: 1, upserted: false };
    },
    findOne: async (filter: { _id: string }) => stored.get(filter._id) ?? null,
    findOneAndDelete: async (filter: { _id: string }) => {
      const document = stored.get(filter._id) ?? null;
      stored.delete(filter._id);
      return document;
    },
  };
  return { stored, store: { policies } as unknown as AgwStore, releaseAll: () => held.splice(0).forEach((release) => release()) };
}

describe('AGW policy rules cache', () => {
  it('keeps no load that a rule change overtook: a DENY written during a load decides the next request', async () => {
    const { store, releaseAll } = slowPolicies();
    const policy = createPolicy({ store, aicSaltHex: '00', knowsCapability: () => true, missingNow: async () => [] });
    await policy.putPolicyRule('allow-all', { effect: 'ALLOW', capabilityId: '*', actions: ['invoke'], priority: 10 });

    const loading = policy.decide({}, '/capability/location', 'invoke');
    await policy.putPolicyRule('deny-location', { effect: 'DENY', capabilityId: '/capability/location', actions: ['invoke'], priority: 500 });
    releaseAll();
    expect(await loading, 'the decision asked before the rule came').to.deep.equal({ allowed: true });

    const after = policy.decide({}, '/capability/location', 'invoke');
    releaseAll();
    expect(await after).to.deep.equal({ allowed: false, ruleId: 'deny-location' });
  });

  it('reads the rules again once they are POLICY_RELOAD_MS old, and says when another replica changed them', async () => {
    const { stored, store, releaseAll } = slowPolicies();
    let clock = 1_000_000;
    let changesSeen = 0;
    const policy = createPolicy({ store, aicSaltHex: '00', knowsCapability: () => true, missingNow: async () => [], now: () => clock, onReloadedChange: () => (changesSeen += 1) });
    const decide = async () => {
      const decision = policy.decide({}, '/capability/location', 'discover');
      releaseAll();
      return decision;
    };
    expect(await decide()).to.deep.equal({ allowed: true });
    // Another replica writes a rule into the shared store; this one has the rules cached.
    stored.set('deny-location', { _id: 'deny-location', effect: 'DENY', capabilityId: '/capability/location', actions: ['discover'], priority: 100 } as PolicyDocument);
    clock += POLICY_RELOAD_MS - 1;
    expect(await decide(), 'cached rules, still young').to.deep.equal({ allowed: true });
    expect(changesSeen).to.equal(0);
    clock += 1;
    expect(await decide(), 'read again').to.deep.equal({ allowed: false, ruleId: 'deny-location' });
    expect(changesSeen, 'answers cached on the old rules must go').to.equal(1);
    clock += POLICY_RELOAD_MS;
    expect(await decide()).to.deep.equal({ allowed: false, ruleId: 'deny-location' });
    expect(changesSeen, 'a reload that finds the same rules changes nothing').to.equal(1);
  });
});
