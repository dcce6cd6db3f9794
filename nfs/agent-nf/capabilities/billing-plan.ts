/**
 * /capability/billing-plan: the subscriber's bill so far, data usage in the billing period, the
 * plans on offer, and plan changes (effective at once; the new allowance applies to this month).
 *
 * Parameters: action (show-bill | show-usage | change-plan | list-plans, default show-bill),
 * plan (change-plan only: a plan id or name, e.g. plus-50 or "Max 150 GB").
 */
import { findPlan, plans, type Plan } from '../network-catalogue.ts';
import type { Subscription } from '../network-billing.ts';
import { completed, failed, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);

const allowance = (plan: Plan) => (plan.allowanceGb === null ? 'unlimited data' : `${plan.allowanceGb} GB`);

function usageText(subscription: Subscription): string {
  const { plan, usedGb, remainingGb, period } = subscription;
  if (remainingGb === null) return `You have used ${usedGb} GB in ${period.label} on ${plan.name} (unlimited data)`;
  if (subscription.bill.overageGb > 0) return `You have used ${usedGb} GB of your ${plan.allowanceGb} GB in ${period.label}, ${subscription.bill.overageGb} GB over the allowance`;
  return `You have used ${usedGb} GB of your ${plan.allowanceGb} GB in ${period.label}, ${remainingGb} GB left with ${period.daysInPeriod - period.dayOfPeriod} days to go`;
}

export const billingPlan: CapabilityHandler = async (task, { state }) => {
  const params = readParameters(task.parameters);
  const action = params.oneOf('action', ['show-bill', 'show-usage', 'change-plan', 'list-plans'] as const) ?? 'show-bill';
  const planText = params.string('plan', 64);
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  const currency = state.settings.currency;
  const offer = plans.map((plan) => `${plan.planId} (${allowance(plan)}, ${money(plan.monthlyPrice, currency)})`).join(', ');

  if (action === 'list-plans') {
    return completed(task, `The plans on offer are ${offer}.`, { action, plans, currency });
  }
  const subject = requireSupi(task, 'look up the subscription');
  if ('failure' in subject) return subject.failure;

  if (action === 'change-plan') {
    const plan = planText ? findPlan(planText) : undefined;
    if (!plan) {
      const why = planText ? `there is no plan called "${planText}"` : 'no plan was named';
      return failed(task, `The plan could not be changed: ${why}; the plans are ${offer}.`, { action, reason: planText ? 'UNKNOWN_PLAN' : 'MISSING_PLAN', plans });
    }
    const { subscription, changed } = await state.changePlan(subject.supi, plan.planId);
    const summary = changed
      ? `Your plan is now ${plan.name} at ${money(plan.monthlyPrice, currency)} a month (was ${subscription.previousPlan!.name}); ${usageText(subscription).replace(/^You/, 'you')}.`
      : `You are already on ${plan.name} at ${money(plan.monthlyPrice, currency)} a month, so nothing was changed.`;
    return completed(task, summary, { action, changed, subscription });
  }

  const subscription = await state.getSubscription(subject.supi);
  if (action === 'show-usage') return completed(task, `${usageText(subscription)}.`, { action, subscription });
  const { bill, plan, period } = subscription;
  const extra = bill.overageGb > 0
    ? `${money(bill.planCharge, currency)} for ${plan.name} plus ${money(bill.overageCharge, currency)} for ${bill.overageGb} GB beyond the allowance`
    : `${plan.name} with no extra charges`;
  return completed(task, `Your bill for ${period.label} so far is ${money(bill.total, currency)}: ${extra}.`, { action, subscription });
};
