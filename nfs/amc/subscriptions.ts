/**
 * Subscriptions to the AMC's credential events (namc-cred /subscriptions): the domain's gateways,
 * one per notification URI. A gateway deletes its subscription when it stops; one that went away
 * without doing so (killed, or restarted at another address) stops answering, and the first
 * notification abandoned after its retries marks it failing until a later one is delivered. The
 * number of subscribers is bounded, and a new one takes the place of the longest failing rather
 * than being refused while some subscriber no longer listens.
 */
import { randomUUID } from 'node:crypto';
import { requireHttpUrl } from '../shared/http-url.ts';
import { forbidden, notFound } from '../shared/problem.ts';
import type { AmcStore } from './store.ts';

const maxSubscribers = 32;

export function createSubscriptions(deps: { store: AmcStore; now: () => number }) {
  const { subscribers } = deps.store;
  return {
    async subscribe(notificationUri: string): Promise<{ subscriptionId: string }> {
      requireHttpUrl(notificationUri, '/notificationUri');
      const existing = await subscribers.findOne({ notificationUri });
      if (existing) return { subscriptionId: existing._id };
      // Subscribers are the domain's gateways: a few. A bound keeps strangers from crowding them out.
      if ((await subscribers.countDocuments({})) >= maxSubscribers) {
        const [longestFailing] = await subscribers.find({ failingSince: { $exists: true } }, { sort: { failingSince: 1 }, limit: 1 });
        if (!longestFailing) throw forbidden(`this AMC takes at most ${maxSubscribers} subscribers`, 'TOO_MANY_SUBSCRIBERS');
        await subscribers.findOneAndDelete({ _id: longestFailing._id });
      }
      const subscriptionId = randomUUID();
      try {
        await subscribers.insertOne({ _id: subscriptionId, notificationUri });
      } catch (error) {
        const raced = await subscribers.findOne({ notificationUri });
        if (raced) return { subscriptionId: raced._id };
        throw error;
      }
      return { subscriptionId };
    },

    async unsubscribe(subscriptionId: string): Promise<void> {
      if (!(await subscribers.findOneAndDelete({ _id: subscriptionId }))) throw notFound(`subscription ${subscriptionId} does not exist`, 'SUBSCRIPTION_NOT_FOUND');
    },

    /** A notification's end (notifier.ts onOutcome): an abandoned one marks its subscriber failing, a delivered one clears the mark. */
    async recordNotificationOutcome(notificationUri: string, delivered: boolean): Promise<void> {
      if (delivered) await subscribers.findOneAndUpdate({ notificationUri, failingSince: { $exists: true } }, { $unset: { failingSince: '' } });
      else await subscribers.findOneAndUpdate({ notificationUri, failingSince: { $exists: false } }, { $set: { failingSince: new Date(deps.now()).toISOString() } });
    },
  };
}
