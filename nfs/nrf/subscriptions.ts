/**
 * NFStatusSubscribe / NFStatusUnsubscribe / NFStatusNotify (TS 29.510 clauses 5.2.2.5 and 5.2.2.6).
 * Notifications are handed to a notifier that delivers them in the background with retries, so
 * a slow or dead subscriber never slows the registration that caused them.
 */
import { randomUUID } from 'node:crypto';
import { requireHttpUrl } from '../shared/http-url.ts';
import { badRequest, notFound } from '../shared/problem.ts';
import type { NrfStore, SubscriptionRecord } from './store.ts';
import { serviceNamesOf } from './store.ts';
import type { NrfSettings } from './settings.ts';
import type { NFProfile, NotificationData, NotificationEventType, SubscriptionData } from './types.ts';

export interface StatusNotifier {
  /** Queues one notification; never waits for the subscriber. */
  send(uri: string, data: NotificationData): void;
}

export interface SubscriptionsDeps {
  store: NrfStore;
  settings: NrfSettings;
  notifier: StatusNotifier;
  nfInstanceUri: (nfInstanceId: string) => string;
  now: () => number;
}

/** Fields TS 29.510 clause 6.1.6.2.18 keeps out of notified profiles: who may see an NF is not news. */
const undisclosedFields = ['allowedPlmns', 'allowedSnpns', 'allowedNfTypes', 'allowedNfDomains', 'allowedNssais'];

export function createSubscriptions(deps: SubscriptionsDeps) {
  const { store, settings, now } = deps;

  return {
    /** NFStatusSubscribe (clause 5.2.2.5.2): the NRF assigns the id and, if none is asked for, the validity. */
    async createSubscription(sent: SubscriptionData): Promise<SubscriptionData> {
      requireHttpUrl(sent.nfStatusNotificationUri, '/nfStatusNotificationUri');
      const maxExpiry = now() + settings.subscriptionValiditySeconds * 1000;
      const asked = sent.validityTime ? Date.parse(sent.validityTime) : maxExpiry;
      if (Number.isNaN(asked)) {
        // RFC 3339 allows a leap second (":60") that the schema accepts but Date cannot hold.
        throw badRequest('validityTime is not a time this NRF can represent', [{ param: '/validityTime', reason: 'not a representable date-time' }]);
      }
      if (asked <= now()) {
        throw badRequest('validityTime is in the past', [{ param: '/validityTime', reason: 'must be in the future' }]);
      }
      const expiresAt = new Date(Math.min(asked, maxExpiry));
      const subscription: SubscriptionData = { ...sent, subscriptionId: randomUUID(), validityTime: expiresAt.toISOString() };
      await store.subscriptions.insertOne({ _id: subscription.subscriptionId!, subscription, expiresAt });
      return subscription;
    },

    /** NFStatusUnsubscribe (clause 5.2.2.5.4). */
    async removeSubscription(subscriptionId: string): Promise<void> {
      const removed = await store.subscriptions.findOneAndDelete({ _id: subscriptionId });
      if (!removed) throw notFound(`subscription ${subscriptionId} does not exist`);
    },

    /**
     * NFStatusNotify (clause 5.2.2.6) to every live subscription whose condition and events match.
     * The profile is the new one, or for NF_DEREGISTERED the last one, which is matched but not sent.
     */
    async notifyStatusEvent(event: NotificationEventType, nfInstanceId: string, profile?: NFProfile): Promise<void> {
      const live = await store.subscriptions.find({ expiresAt: { $gt: new Date(now()) } });
      const data: NotificationData = { event, nfInstanceUri: deps.nfInstanceUri(nfInstanceId) };
      if (profile && event !== 'NF_DEREGISTERED') data.nfProfile = withoutUndisclosedFields(profile);
      for (const record of live) {
        if (matches(record, event, nfInstanceId, profile)) deps.notifier.send(record.subscription.nfStatusNotificationUri, data);
      }
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;

function matches(record: SubscriptionRecord, event: NotificationEventType, nfInstanceId: string, profile?: NFProfile): boolean {
  const { reqNotifEvents, subscrCond } = record.subscription;
  if (reqNotifEvents && !reqNotifEvents.includes(event)) return false;
  if (!subscrCond) return true;
  if ('nfInstanceId' in subscrCond) return subscrCond.nfInstanceId === nfInstanceId;
  if (!profile) return false;
  if ('nfType' in subscrCond) return subscrCond.nfType === profile.nfType;
  if ('serviceName' in subscrCond) return serviceNamesOf(profile).includes(subscrCond.serviceName);
  return false;
}

function withoutUndisclosedFields(profile: NFProfile): NFProfile {
  const copy: Record<string, unknown> = { ...profile };
  for (const field of undisclosedFields) delete copy[field];
  if (Array.isArray(profile.nfServices)) {
    copy.nfServices = profile.nfServices.map((service) => {
      const serviceCopy: Record<string, unknown> = { ...service };
      for (const field of undisclosedFields) delete serviceCopy[field];
      return serviceCopy;
    });
  }
  return copy as NFProfile;
}
