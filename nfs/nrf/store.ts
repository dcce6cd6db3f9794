/** The NRF's data, by domain name, on the shared collection interface (DESIGN.md, "Storage"). */
import type { Store } from '../shared/store/collection.ts';
import type { NFProfile, SubscriptionData } from './types.ts';

/** One registered NF instance. Fields beside the profile exist so discovery can use indexes. */
export interface ProfileRecord {
  _id: string;
  profile: NFProfile;
  nfType: string;
  nfStatus: string;
  serviceNames: string[];
  /** Epoch ms after which the NF is overdue for a heartbeat (timer plus grace). */
  heartbeatDeadline: number;
}

export interface SubscriptionRecord {
  _id: string;
  subscription: SubscriptionData;
  /** TTL: the store removes the subscription when its validityTime has passed. */
  expiresAt: Date;
}

export interface SigningKeyRecord {
  _id: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: string;
}

export async function openNrfStore(store: Store) {
  const profiles = store.collection<ProfileRecord>('nrf.profiles');
  const subscriptions = store.collection<SubscriptionRecord>('nrf.subscriptions');
  const signingKeys = store.collection<SigningKeyRecord>('nrf.signingKeys');
  await Promise.all([
    profiles.createIndex({ field: 'nfType' }),
    profiles.createIndex({ field: 'heartbeatDeadline' }),
    // Discovery with preferred-locality looks up the local profiles first (discovery.ts).
    profiles.createIndex({ field: 'profile.locality' }),
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
    profile,
    nfType: profile.nfType,
    nfStatus: profile.nfStatus,
    serviceNames: serviceNamesOf(profile),
    heartbeatDeadline,
  };
}
