/** The AGW's policy rules cache: a rule written while the rules are being loaded is never lost. */
import { expect } from 'chai';
import { createPolicy } from '../../nfs/agw/policy.ts';
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
    findOneAndDelete: async (filter: { _id: string }) => {
      const document = stored.get(filter._id) ?? null;
      stored.delete(filter._id);
      return document;
    },
  };
  return { store: { policies } as unknown as AgwStore, releaseAll: () => held.splice(0).forEach((release) => release()) };
}

describe('AGW policy rules cache', () => {
  it('keeps no load that a rule change overtook: a DENY written during a load decides the next request', async () => {
    const { store, releaseAll } = slowPolicies();
    const policy = createPolicy({ store, aicSaltHex: '00' });
    await policy.putPolicyRule('allow-all', { effect: 'ALLOW', capabilityId: '*', actions: ['invoke'], priority: 10 });

    const loading = policy.decide({}, '/capability/location', 'invoke');
    await policy.putPolicyRule('deny-location', { effect: 'DENY', capabilityId: '/capability/location', actions: ['invoke'], priority: 500 });
    releaseAll();
    expect(await loading, 'the decision asked before the rule came').to.deep.equal({ allowed: true });

    const after = policy.decide({}, '/capability/location', 'invoke');
    releaseAll();
    expect(await after).to.deep.equal({ allowed: false, ruleId: 'deny-location' });
  });
});
