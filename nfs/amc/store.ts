/** The AMC's data, by domain name, on the shared collection interface. */
import type { Store } from '../shared/store/collection.ts';
import { readEachOnce } from '../shared/store/read-each-once.ts';
import type { AgentKind } from './providers.ts';

export interface CaRecord {
  _id: 'ca';
  certificatePem: string;
  privateKeyPkcs8Pem: string;
  createdAt: string;
}

export interface ProviderRecord {
  _id: string;
  providerIndex: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  allowedCapabilities: string[];
  /** The kinds of agent the provider may register; absent in accounts made before kinds were kept: every kind. */
  allowedAgentKinds?: AgentKind[];
  /** HMAC-SHA-256 of the secret under secretSalt: secrets are random and long, so a fast hash is enough. */
  secretHash: string;
  secretSalt: string;
}

export interface GrantRecord {
  _id: string;
  providerId: string;
  providerIndex: string;
  grantedCapabilities: string[];
  publicKeySha256: string;
  /** The gateway that asked for the grant; with OAuth on, only it may use the grant. */
  gatewayNfInstanceId?: string;
  used: boolean;
  /** TTL: a lapsed grant disappears. */
  expiresAt: Date;
}

export type CredentialState = 'GOOD' | 'SUSPENDED' | 'REVOKED';

export interface CredentialRecord {
  _id: string;
  aic: string;
  status: CredentialState;
  notBefore: string;
  notAfter: string;
  certificatePem: string;
  publicKeySha256: string;
  /**
   * csr-fingerprint.ts of the CSR the certificate was made from: a renewal's CSR must be one no
   * certificate was made from (credentials.ts). Absent on records made before it was kept.
   */
  csrFingerprint?: string;
  /** The AAAP grant an issuance spent (absent for a renewal): a repeat of that issuance gets this credential. */
  grantId?: string;
  /** The gateway whose grant the issuance spent (a renewal keeps it); absent on records made before it was kept. */
  gatewayNfInstanceId?: string;
  revokedAt?: string;
  /**
   * When the status last changed, or a renewal made the credential (ISO 8601): what a gateway
   * that missed notifications reads back (ListCredentials changed-since). Absent on a credential
   * an issuance made and nothing changed since, and on records made before it was kept.
   */
  statusChangedAt?: string;
  reason?: string;
  supersededBy?: string;
  /** Set while a renewal of this certificate is under way, since renewingSince (ISO 8601). */
  renewing?: boolean;
  renewingSince?: string;
  /** The certificate a renewal made this one to replace (absent for an issuance), and when that renewal claimed it (its renewingSince). */
  renewalOf?: string;
  renewalClaimedAt?: string;
}

export interface CounterRecord {
  _id: string;
  value: number;
}

export interface SubscriberRecord {
  _id: string;
  notificationUri: string;
  /** When a notification to it was first abandoned since its last delivery (ISO 8601); absent while it answers. */
  failingSince?: string;
  /** The NF that subscribed, with OAuth on: only it may delete the subscription. */
  nfInstanceId?: string;
}

export async function openAmcStore(store: Store) {
  const collections = {
    ca: store.collection<CaRecord>('amc.ca'),
    providers: store.collection<ProviderRecord>('amc.providers'),
    grants: store.collection<GrantRecord>('amc.grants'),
    credentials: store.collection<CredentialRecord>('amc.credentials'),
    counters: store.collection<CounterRecord>('amc.counters'),
    subscribers: store.collection<SubscriberRecord>('amc.subscribers'),
  };
  await Promise.all([
    collections.providers.createIndex({ field: 'providerIndex', unique: true }),
    collections.grants.createIndex({ field: 'expiresAt', expireAfterSeconds: 0 }),
    collections.credentials.createIndex({ field: 'aic' }),
    collections.credentials.createIndex({ field: 'status' }),
    // A compromised key is looked for at every grant and issuance (credentials.ts keyCompromised).
    collections.credentials.createIndex({ field: 'publicKeySha256' }),
    // A gateway reads the changes since it last looked (ListCredentials changed-since).
    collections.credentials.createIndex({ field: 'statusChangedAt', sparse: true }),
    // Only certificates under renewal have it: the sweep of abandoned renewals reads a few.
    collections.credentials.createIndex({ field: 'renewingSince', sparse: true }),
    collections.subscribers.createIndex({ field: 'notificationUri', unique: true }),
  ]);
  await readEachOnce(collections);
  return collections;
}

export type AmcStore = Awaited<ReturnType<typeof openAmcStore>>;
