/** The NRF's data, by domain name, on the shared collection interface (DESIGN.md, "Storage"). */
import type { SigningKeyDocument } from '../shared/signing-key.ts';
import type { Store } from '../shared/store/collection.ts';
import type { NFProfile, SubscriptionData } from './types.ts';

/**
 * One registered NF instance. The profile is kept as JSON text: it holds whatever members an NF
 * sends (TS 29.510 lets it add its own), and member names such as "a.b" or "$x" that a document
 * store refuses must round-trip too. The fields discovery filters on are copied beside it.
 */
export interface ProfileRecord {
  _id: string;
  profileJson: string;
  nfType: string;
  nfStatus: string;
  serviceNames: string[];
  locality?: string;
  allowedNfTypes?: string[];
  /** Epoch ms after which the NF is overdue for a heartbeat (timer plus grace). */
  heartbeatDeadline: number;
}

export interface SubscriptionRecord {
  _id: string;
  subscription: SubscriptionData;
  /** TTL: the store removes the subscription when its validityTime has passed. */
  expiresAt: Date;
}


export async function openNrfStore(store: Store) {
  const profiles = store.collection<ProfileRecord>('nrf.profiles');
  const subscriptions = store.collection<SubscriptionRecord>('nrf.subscriptions');
  const signingKeys = store.collection<SigningKeyDocument>('nrf.signingKeys');
  await Promise.all([
    profiles.createIndex({ field: 'nfType' }),
    profiles.createIndex({ field: 'heartbeatDeadline' }),
    // Discovery with preferred-locality looks up the local profiles first (discovery.ts).
    profiles.createIndex({ field: 'locality' }),
    subscriptions.createIndex({ field: 'expiresAt', expireAfterSeconds: 0 }),
  ]);
  return { profiles, subscriptions, signingKeys };
}

export type NrfStore = Awaited<ReturnType<typeof openNrfStore>>;

/** Service names offered by a profile, from nfServices and the Release 17 nfServiceList map. */
export function serviceNamesOf(profile: NFProfile): string[] {
  const services = [...(profile.nfServices ?? []), ...Object.values(profile.nfServiceList ?? {})];
  return [...new Set(services.map((service) => service.serviceName))];
}

export function toProfileRecord(profile: NFProfile, heartbeatDeadline: number): ProfileRecord {
  return {
    _id: profile.nfInstanceId,
    profileJson: JSON.stringify(profile),
    nfType: profile.nfType,
    nfStatus: profile.nfStatus,
    serviceNames: serviceNamesOf(profile),
    ...(profile.locality !== undefined ? { locality: profile.locality } : {}),
    ...(profile.allowedNfTypes ? { allowedNfTypes: profile.allowedNfTypes } : {}),
    heartbeatDeadline,
  };
}

export function profileOf(record: ProfileRecord): NFProfile {
  return JSON.parse(record.profileJson) as NFProfile;
}
