/** The SMF's data, by domain name, on the shared collection interface. */
import type { SigningKeyDocument } from '../shared/signing-key.ts';
import type { Store } from '../shared/store/collection.ts';
import type { AiTrafficQos, NotificationUris, Operation, SessionState } from './types.ts';

/** One agent-to-agent session; _id is the session id (the artifact's sid). */
export interface SessionDocument {
  _id: string;
  state: SessionState;
  initiatorAic: string;
  targetAic: string;
  capabilityId: string;
  qos: AiTrafficQos;
  scope: Operation[];
  /** The scope of the original authorization: an update stays within it (MACP, Session Update). */
  authorizedScope: Operation[];
  notificationUris?: NotificationUris;
  /** jti of the artifact last issued. */
  artifactId: string;
  createdAtMs: number;
  updatedAtMs: number;
  expiresAtMs: number;
  /** Bumped on every change, so a change applies only to the version it was decided on. */
  version: number;
  establishedBy?: string;
  releasedBy?: string;
  releaseCause?: string;
  /** TTL: the store drops the record this long after it ended (or would have expired). */
  purgeAt: Date;
}

export async function openSmfStore(store: Store) {
  const collections = {
    sessions: store.collection<SessionDocument>('smf.sessions'),
    keys: store.collection<SigningKeyDocument>('smf.keys'),
  };
  await Promise.all([
    collections.sessions.createIndex({ field: 'state' }),
    collections.sessions.createIndex({ field: 'initiatorAic' }),
    collections.sessions.createIndex({ field: 'targetAic' }),
    collections.sessions.createIndex({ field: 'purgeAt', expireAfterSeconds: 0 }),
  ]);
  return collections;
}

export type SmfStore = Awaited<ReturnType<typeof openSmfStore>>;
