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
  const intents = store.collection<IntentRecord>('agentnf.intents');
  await intents.createIndex({ field: 'recordedAt', expireAfterSeconds: intentRetentionSeconds });
  let lastSweep = 0;
  return {
    intents,
    /**
     * The embedded engine removes expired documents only when a query meets them, and intent
     * records are read by id: without a sweep they would pile up for as long as the NF runs.
     * At most once a minute, in the background.
     */
    sweepExpiredIntents(now: number): void {
      if (now - lastSweep < 60_000) return;
      lastSweep = now;
      void intents.deleteMany({ recordedAt: { $lt: new Date(now - intentRetentionSeconds * 1000) } }).catch(() => (lastSweep = 0));
    },
  };
}

export type AgentNfStore = Awaited<ReturnType<typeof openAgentNfStore>>;
