/** The AMF's data, by domain name, on the shared collection interface. */
import type { Store } from '../shared/store/collection.ts';

export type RmState = 'RM-REGISTERED' | 'RM-DEREGISTERED';
export type CmState = 'CM-CONNECTED' | 'CM-IDLE';

/** The UE's agent as the AMF registered it at the AGW on the UE's behalf. */
export interface UeAgentRecord {
  aic: string;
  /** The registration access token (in the manner of RFC 7592) for ue-state, heartbeat and deregistration. */
  registrationAccessToken: string;
  heartbeatIntervalSeconds: number;
  /** What the AGW was last told; the timers bring it in line with cmState. */
  reportedCmState: CmState;
}

/**
 * The UE context (TS 23.502 clause 5.2.2.2.2 "UE context", reduced): one per SUPI, kept after
 * deregistration as RM-DEREGISTERED so that its 5G-GUTI still resolves (5GMM cause #10).
 */
export interface UeContextDocument {
  _id: string;
  supi: string;
  /** Unique; a new one on every registration. */
  guti: string;
  rmState: RmState;
  cmState: CmState;
  /** REGISTRATION COMPLETE received: the new 5G-GUTI is in use (TS 24.501 clause 5.5.1.2.4). */
  registrationComplete: boolean;
  intentConversionOnUe: boolean;
  /** The NAS security context; K_NASint is derived again from K and rand, never stored. */
  security?: {
    ngKsi: number;
    rand: string;
    /** The highest uplink NAS COUNT accepted; -1 before the first. */
    ulCount: number;
    /** The downlink NAS COUNT the next downlink message takes. */
    dlCount: number;
  };
  ueAgent?: UeAgentRecord;
  /** Epoch ms of the last NAS message taken while CM-CONNECTED: the inactivity timer runs from it. */
  lastActivityAt: number;
  /** Epoch ms at which the AMF owes the AGW something for the UE's agent (state, heartbeat, deregistration). */
  agentDueAt?: number;
  registeredAt: string;
}

/**
 * When the AMF must next look at a UE context (timers.ts): one document per context that has
 * something due, so the timers find their work through an index on a field every document has.
 */
export interface TimerDocument {
  _id: string;
  at: number;
}

/** An authentication waiting for its AUTHENTICATION RESPONSE; single-use, lapses by TTL. */
export interface AuthenticationDocument {
  _id: string;
  supi: string;
  rand: string;
  ngKsi: number;
  /** The UE agent's CSR and A2A URL, kept only when the subscription has a UE agent. */
  ueAgent?: { csrPem: string; a2aUrl: string };
  createdAt: Date;
}

/** Lapsed authentications are refused by their age; the TTL only clears them away. */
const authenticationRetentionSeconds = 3600;

export async function openAmfStore(store: Store) {
  const collections = {
    ueContexts: store.collection<UeContextDocument>('amf.ue-contexts'),
    authentications: store.collection<AuthenticationDocument>('amf.authentications'),
    timers: store.collection<TimerDocument>('amf.timers'),
  };
  await Promise.all([
    collections.ueContexts.createIndex({ field: 'guti', unique: true }),
    collections.timers.createIndex({ field: 'at' }),
    collections.authentications.createIndex({ field: 'createdAt', expireAfterSeconds: authenticationRetentionSeconds }),
    collections.authentications.createIndex({ field: 'supi' }),
  ]);
  return collections;
}

export type AmfStore = Awaited<ReturnType<typeof openAmfStore>>;
