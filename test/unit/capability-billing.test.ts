import { expect } from 'chai';
import { capabilityHandlers, type TaskRequest } from '../../nfs/agent-nf/capabilities/capability-handlers.ts';
import { openNetworkState, type NetworkState } from '../../nfs/agent-nf/network-state.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const midMonth = Date.UTC(2025, 4, 14, 12, 0);

describe('capability billing-plan', () => {
  let store: Store;
  let state: NetworkState;
  const now = () => midMonth;
  const run = (parameters: Record<string, unknown>, supi: string | null = 'imsi-001010000000123') => {
    const task: TaskRequest = { taskId: 't-billing', intentId: 'intent-1', capabilityId: '/capability/billing-plan', parameters, ...(supi ? { supi } : {}) };
    return capabilityHandlers[task.capabilityId](task, { state, now });
  };

  beforeEach(async () => {
    store = await openStore({});
    state = await openNetworkState({ store, now });
  });
  afterEach(() => store.close());

  it('shows the bill so far with the plan price and any charges beyond the allowance', async () => {
    const result = await run({});
    const subscription = result.data.subscription as { plan: { monthlyPrice: number; name: string }; bill: { total: number; overageGb: number } };
    expect(result.state).to.equal('completed');
    expect(result.summary).to.match(/^Your bill for May 2025 so far is £\d+\.\d\d: /);
    expect(subscription.bill.total).to.equal(subscription.plan.monthlyPrice + subscription.bill.overageGb * 3);
    expect(result.summary).to.contain(subscription.plan.name);
  });

  it('changes the plan, and later bills in this and a newly opened network use the new plan', async () => {
    const before = (await run({ action: 'show-usage' })).data.subscription as { plan: { planId: string } };
    const target = before.plan.planId === 'max-150' ? 'Unlimited' : 'Max 150 GB';
    const changed = await run({ action: 'change-plan', plan: target });
    expect(changed.state).to.equal('completed');
    expect(changed.data.changed).to.equal(true);
    expect(changed.summary).to.match(new RegExp(`^Your plan is now ${target} at £\\d+\\.00 a month \\(was `));
    expect((await run({ action: 'show-bill' })).summary).to.contain(target);
    const reopened = await openNetworkState({ store, now });
    expect((await reopened.getSubscription('imsi-001010000000123')).plan.name).to.equal(target);
    const same = await run({ action: 'change-plan', plan: target });
    expect(same.data.changed).to.equal(false);
    expect(same.summary).to.contain('already on');
  });

  it('finds a plan by a loose name: its start or its allowance', async () => {
    expect(((await run({ action: 'change-plan', plan: 'max' })).data.subscription as { plan: { planId: string } }).plan.planId).to.equal('max-150');
    expect(((await run({ action: 'change-plan', plan: '50GB' })).data.subscription as { plan: { planId: string } }).plan.planId).to.equal('plus-50');
  });

  it('fails a plan change to a plan that does not exist, listing the plans, and stores nothing', async () => {
    const result = await run({ action: 'change-plan', plan: 'Gold Premium' });
    expect(result.state).to.equal('failed');
    expect(result.data.reason).to.equal('UNKNOWN_PLAN');
    expect(result.summary).to.contain('there is no plan called "Gold Premium"; the plans are essential-10');
    const missing = await run({ action: 'change-plan' });
    expect(missing.data.reason).to.equal('MISSING_PLAN');
    expect(await store.collection('netstate.subscriptions').countDocuments({})).to.equal(0);
  });

  it('fails on an unknown action or a plan that is not text', async () => {
    const result = await run({ action: 'refund', plan: 42 });
    expect(result.state).to.equal('failed');
    expect(result.summary).to.contain('action must be one of show-bill, show-usage, change-plan, list-plans, not "refund"');
    expect(result.summary).to.contain('plan must be a non-empty text');
  });

  it('reports the same usage for a SUPI every time and different usage for different SUPIs', async () => {
    const usage = async (supi: string) => ((await run({ action: 'show-usage' }, supi)).data.subscription as { usedGb: number }).usedGb;
    expect(await usage('imsi-001010000000123')).to.equal(await usage('imsi-001010000000123'));
    const spread = new Set(await Promise.all(['1', '2', '3', '4', '5'].map((n) => usage(`imsi-00101000000000${n}`))));
    expect(spread.size).to.be.greaterThan(3);
  });

  it('lists the plans without a SUPI but needs one for a bill', async () => {
    const plans = await run({ action: 'list-plans' }, null);
    expect(plans.summary).to.contain('unlimited (unlimited data, £40.00)');
    const bill = await run({}, null);
    expect(bill.state).to.equal('failed');
    expect(bill.data.reason).to.equal('MISSING_SUPI');
  });
});
