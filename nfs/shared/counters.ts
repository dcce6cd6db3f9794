/**
 * Monotonic counters in the store, safe under replicas: the counter is seeded once (a duplicate
 * seed from another replica is ignored) and then raised with one atomic update.
 */
import { DuplicateKeyError, type Collection } from './store/collection.ts';

export interface CounterDocument {
  _id: string;
  value: number;
}

export async function nextCounterValue(counters: Collection<CounterDocument>, name: string, start = 0): Promise<number> {
  const raised = await counters.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } });
  if (raised) return raised.value;
  try {
    await counters.insertOne({ _id: name, value: start });
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
  return (await counters.findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }))!.value;
}
