/**
 * Subscriptions: each SUPI's plan (from its hash until changed) and its data usage in the current
 * billing period, a calendar month of the emulated city; usage grows through the month at a rate
 * fixed by the SUPI, so two agents asking at the same emulated time get the same answer.
 */
import type { Store } from '../shared/store/collection.ts';
import { overagePricePerGb, plans, type Plan } from './network-catalogue.ts';
import { hashUnit, type NetworkStateSettings } from '../shared/network-model.ts';

export interface Subscription {
  supi: string;
  plan: Plan;
  previousPlan: Plan | null;
  changedAt: string | null;
  period: { start: string; end: string; label: string; dayOfPeriod: number; daysInPeriod: number };
  usedGb: number;
  /** Null on an unlimited plan. */
  remainingGb: number | null;
  bill: { currency: string; planCharge: number; overageGb: number; overageCharge: number; total: number };
}

export interface BillingSystem {
  getSubscription(supi: string): Promise<Subscription>;
  /** changed is false when the SUPI is already on the plan (nothing is written). */
  changePlan(supi: string, planId: string): Promise<{ subscription: Subscription; changed: boolean }>;
}

interface SubscriptionDocument {
  _id: string;
  planId: string;
  previousPlanId: string;
  changedAtMs: number;
}

const dayMs = 86_400_000;

export async function openBillingSystem(deps: { store: Store; now: () => number; settings: NetworkStateSettings }): Promise<BillingSystem> {
  const { now, settings } = deps;
  const subscriptions = deps.store.collection<SubscriptionDocument>('netstate.subscriptions');
  const offset = settings.utcOffsetMinutes * 60_000;
  const planById = (planId: string) => plans.find((plan) => plan.planId === planId);

  const getSubscription = async (supi: string): Promise<Subscription> => {
    const doc = await subscriptions.findOne({ _id: supi });
    const plan = (doc && planById(doc.planId)) || plans[Math.floor(hashUnit(supi, 'plan') * plans.length)];
    const local = new Date(now() + offset);
    const startLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1);
    const endLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1);
    const elapsedDays = (local.getTime() - startLocal) / dayMs;
    // 0.1 to 2.5 GB a day, by SUPI.
    const usedGb = Math.round((0.1 + 2.4 * hashUnit(supi, 'usage')) * elapsedDays * 10) / 10;
    const overageGb = plan.allowanceGb === null ? 0 : Math.max(0, Math.ceil(usedGb - plan.allowanceGb));
    const overageCharge = overageGb * overagePricePerGb;
    return {
      supi,
      plan,
      previousPlan: (doc && planById(doc.previousPlanId)) || null,
      changedAt: doc ? new Date(doc.changedAtMs).toISOString() : null,
      period: {
        start: new Date(startLocal - offset).toISOString(),
        end: new Date(endLocal - offset).toISOString(),
        label: local.toLocaleDateString('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' }),
        dayOfPeriod: local.getUTCDate(),
        daysInPeriod: Math.round((endLocal - startLocal) / dayMs),
      },
      usedGb,
      remainingGb: plan.allowanceGb === null ? null : Math.max(0, Math.round((plan.allowanceGb - usedGb) * 10) / 10),
      bill: { currency: settings.currency, planCharge: plan.monthlyPrice, overageGb, overageCharge, total: plan.monthlyPrice + overageCharge },
    };
  };

  return {
    getSubscription,

    async changePlan(supi, planId) {
      if (!planById(planId)) throw new RangeError(`unknown plan ${planId}`);
      const current = await getSubscription(supi);
      if (current.plan.planId === planId) return { subscription: current, changed: false };
      await subscriptions.replaceOne(
        { _id: supi },
        { _id: supi, planId, previousPlanId: current.plan.planId, changedAtMs: now() },
        { upsert: true },
      );
      return { subscription: await getSubscription(supi), changed: true };
    },
  };
}
