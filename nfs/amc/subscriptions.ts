/**
 * Subscriptions to the AMC's credential events (namc-cred /subscriptions): the domain's gateways,
 * one per notification URI. A gateway subscribes again every minute (the same URI gets the same
 * subscription) and deletes its subscription when it stops. One that went away without doing so
 * (killed, or moved to another address) stops answering: the first notification abandoned after
 * its retries marks it failing, until a notification is delivered or it subscribes again. The
 * number of subscribers is bounded, and a new one takes the place of the one failing longest,
 * once it has failed for EVICTABLE_AFTER_MS, rather than being refused.
 */
import { randomUUID } from 'node:crypto';
import { requireHttpUrl } from '../shared/http-url.ts';
import { forbidden, notFound } from '../shared/problem.ts';
import type { AmcStore } from './store.ts';

const maxSubscribers = 32;
/** Far longer than a gateway's interval between subscriptions (agw/credential-event-subscription.ts). */
const EVICTABLE_AFTER_MS = 5 * 60_000;

/** The NF that asked, as its NRF access token names it; undefined without OAuth. */
type Caller = { nfInstanceId: string } | undefined;

export function createSubscriptions(deps: { store: AmcStore; now: () => number }) {
  const { subscribers } = deps.store;

  /** Makes room at the bound by removing the subscriber failing longest, if it has failed long enough. */
  async function evictOneFailing(): Promise<boolean> {
    const failingBefore = new Date(deps.now() - EVICTABLE_AFTER_MS).toISOString();
    const [longestFailing] = await subscribers.find({ failingSince: { $lt: failingBefore } }, { sort: { failingSince: 1 }, limit: 1 });
    // Conditional: a subscriber that answered or subscribed again meanwhile stays.
    return longestFailing !== undefined && (await subscribers.findOneAndDelete({ _id: longestFailing._id, failingSince: { $lt: failingBefore } })) !== null;
  }

  return {
    /**
     * `created` false for a URI subscribed already: whoever subscribes it again listens there, so
     * it is no longer failing, and with OAuth on that NF now owns the subscription (a gateway back
     * at its address under another instance id can delete it at its stop).
     */
    async subscribe(notificationUri: string, caller?: Caller): Promise<{ subscriptionId: string; created: boolean }> {
      requireHttpUrl(notificationUri, '/notificationUri');
      const renewed = await subscribers.findOneAndUpdate({ notificationUri }, { $unset: { failingSince: '' }, ...(caller ? { $set: { nfInstanceId: caller.nfInstanceId } } : {}) });
      if (renewed) return { subscriptionId: renewed._id, created: false };
      // Subscribers are the domain's gateways: a few. A bound keeps strangers from crowding them out.
      if ((await subscribers.countDocuments({})) >= maxSubscribers && !(await evictOneFailing())) {
        throw forbidden(`this AMC takes at most ${maxSubscribers} subscribers`, 'TOO_MANY_SUBSCRIBERS');
      }
      const subscriptionId = randomUUID();
      try {
        await subscribers.insertOne({ _id: subscriptionId, notificationUri, ...(caller ? { nfInstanceId: caller.nfInstanceId } : {}) });
      } catch (error) {
        const raced = await subscribers.findOne({ notificationUri });
        if (raced) return { subscriptionId: raced._id, created: false };
        throw error;
      }
      return { subscriptionId, created: true };
    },

    /** With OAuth on, only the NF that made a subscription may delete it: a gateway's is not another NF's to end. */
    async unsubscribe(subscriptionId: string, caller?: Caller): Promise<void> {
      const subscription = await subscribers.findOne({ _id: subscriptionId });
      if (!subscription) throw notFound(`subscription ${subscriptionId} does not exist`, 'SUBSCRIPTION_NOT_FOUND');
      if (caller && subscription.nfInstanceId !== undefined && subscription.nfInstanceId !== caller.nfInstanceId) {
        throw forbidden(`subscription ${subscriptionId} was made by another NF`, 'NOT_THE_SUBSCRIBER');
      }
      await subscribers.findOneAndDelete({ _id: subscriptionId });
    },

    /** A notification's end (notifier.ts onOutcome): an abandoned one marks its subscriber failing, a delivered one clears the mark. */
    async recordNotificationOutcome(notificationUri: string, delivered: boolean): Promise<void> {
      if (delivered) await subscribers.findOneAndUpdate({ notificationUri, failingSince: { $exists: true } }, { $unset: { failingSince: '' } });
      else await subscribers.findOneAndUpdate({ notificationUri, failingSince: { $exists: false } }, { $set: { failingSince: new Date(deps.now()).toISOString() } });
    },
  };
}
