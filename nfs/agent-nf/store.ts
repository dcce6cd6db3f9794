/** The data of an NF with agents, by domain name, on the shared collection interface. */
import type { Store } from '../shared/store/collection.ts';

/** An intent's outcome with its tasks, kept for a while for GET .../intents/{intentId}. */
export interface IntentRecord {
  _id: string;
  agentName: string;
  /** JSON text of the IntentOutcome: intents carry user-chosen values and are stored as sent. */
  outcomeJson: string;
  recordedAt: Date;
}

export async function openAgentNfStore(store: Store, intentRetentionSeconds: number) {
  const collections = {
    intents: store.collection<IntentRecord>('agentnf.intents'),
  };
  await collections.intents.createIndex({ field: 'recordedAt', expireAfterSeconds: intentRetentionSeconds });
  return collections;
}

export type AgentNfStore = Awaited<ReturnType<typeof openAgentNfStore>>;
