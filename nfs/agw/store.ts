/** The AGW's data, by domain name, on the shared collection interface. */
import type { Store } from '../shared/store/collection.ts';
import type { CounterDocument } from '../shared/counters.ts';
import type { SigningKeyDocument } from '../shared/signing-key.ts';
import type { Acs, AgentKind, CmState } from './types.ts';
import { readEachOnce } from '../shared/store/read-each-once.ts';

/** One registered agent; the fields discovery filters on are kept beside the ACS. */
export interface AgentDocument {
  _id: string;
  providerId: string;
  providerIndex: string;
  name: string;
  version: string;
  kind: AgentKind;
  domain: string;
  capabilityIds: string[];
  gdpr: boolean;
  a2aUrl: string;
  invokeUrl: string;
  acs: Acs;
  certificatePem: string;
  credentialSerial: string;
  credentialStatus: 'GOOD' | 'SUSPENDED' | 'REVOKED';
  publicKeySha256: string;
  /** The nonce of the registration that stored it (unstored-issuances.ts); absent on agents stored before it was kept. */
  registrationNonce?: string;
  /** SHA-256 of the registration access token; the token itself is shown once, to the registrant. */
  registrationTokenSha256: string;
  /** Epoch ms until which the agent counts as alive without another heartbeat. */
  liveUntil: number;
  load: number;
  lastHeartbeat: string;
  supi?: string;
  /** A UE's agent is discoverable only while this is CM-CONNECTED (MACP section 8). */
  cmState?: CmState;
}

export interface TaxonomyDocument {
  _id: string;
  name: string;
  description: string;
  synonyms: string[];
  parameters?: Array<{ name: string; type: string; description?: string; required?: boolean }>;
  version: number;
}

export interface OntologyDocument {
  _id: string;
  ontologySerial: string;
}

export interface NonceDocument {
  _id: string;
  /** TTL: a nonce is remembered for a day, longer than any registration takes. */
  seenAt: Date;
  /** The key its registration certifies: a registration the gateway stopped in leaves it (unstored-issuances.ts). */
  publicKeySha256?: string;
  /** The NF instance ID of the gateway (replica) that took the registration, whose grants certified it. */
  gatewayId?: string;
}

export interface PolicyDocument {
  _id: string;
  effect: 'ALLOW' | 'DENY';
  priority: number;
  subject?: { aic?: string; providerId?: string; domain?: string; anonymous?: boolean };
  capabilityId: string;
  actions: Array<'discover' | 'invoke'>;
  /** Which PUT wrote it (policy.ts): that PUT undoes its write only while it is still there. Not part of the rule. */
  writeId?: string;
}

export interface EventDocument {
  _id: string;
  time: Date;
  type: string;
  outcome: 'success' | 'refused' | 'failure';
  aic?: string;
  capabilityId?: string;
  cause?: string;
  detail?: Record<string, unknown>;
  correlationId?: string;
}


export async function openAgwStore(store: Store, eventRetentionSeconds: number) {
  // Recent events are a collection only in MongoDB, which all replicas share; the embedded engine
  // would keep each one as a document in the heap, so they are kept apart (ring-event-log.ts). An
  // embedded store of an earlier release kept them in agw.events.db: that file is left unread.
  // No index on the event type: an earlier release had one, and a store that has it loses it here.
  const events = store.engine === 'mongodb' ? store.collection<EventDocument>('agw.events') : undefined;
  const collections = {
    agents: store.collection<AgentDocument>('agw.agents'),
    taxonomy: store.collection<TaxonomyDocument>('agw.taxonomy'),
    ontologies: store.collection<OntologyDocument>('agw.ontologies'),
    counters: store.collection<CounterDocument>('agw.counters'),
    nonces: store.collection<NonceDocument>('agw.nonces'),
    policies: store.collection<PolicyDocument>('agw.policies'),
    keys: store.collection<SigningKeyDocument>('agw.keys'),
  };
  await Promise.all([
    collections.agents.createIndex({ field: 'capabilityIds' }),
    collections.agents.createIndex({ field: 'publicKeySha256', unique: true }),
    collections.agents.createIndex({ field: 'credentialSerial' }),
    // Only UE agents have a SUPI: discovery by SUPI and one agent per UE look it up.
    collections.agents.createIndex({ field: 'supi', sparse: true }),
    collections.nonces.createIndex({ field: 'seenAt', expireAfterSeconds: 86_400 }),
    ...(events ? [events.createIndex({ field: 'time', expireAfterSeconds: eventRetentionSeconds }), events.dropIndex('type')] : []),
  ]);
  await readEachOnce(collections);
  return { ...collections, events, dataDir: store.dataDir };
}

export type AgwStore = Awaited<ReturnType<typeof openAgwStore>>;
