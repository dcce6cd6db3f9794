/**
 * The embedded engine's sweep of expired documents (what MongoDB's TTL monitor does), a slice at
 * a time with other work in between. nedb removes every match of one removeAsync in a single
 * synchronous pass that also serializes and appends a line per document, and listing the matches
 * first copies them all: 30,000 expired registration nonces, a minute's worth under load, held
 * the event loop for 110 to 150 ms in one sweep. Each slice here walks the TTL field's index from
 * its oldest key and stops at the slice, so no step costs more than its slice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { indexRoot, inKeyOrder } from './embedded-index-order.ts';
import type { Datastore } from './nedb-internals.ts';

export const ttlSweepSlice = 100;

/** Removes the documents whose `field` is a Date before `cutoff`, `slice` at a time; returns how many it removed. */
export async function removeExpiredInSlices(db: Datastore, field: string, cutoff: Date, slice = ttlSweepSlice): Promise<number> {
  const expired = { [field]: { $lt: cutoff } };
  // A TTL field without its index (nedb keeps the TTL when building the index failed): one removal.
  if (!indexRoot(db, field)) return db.removeAsync(expired, { multi: true });
  let removed = 0;
  let previousFirst: string | undefined;
  for (;;) {
    const ids = oldestBefore(db, field, cutoff, slice);
    if (ids.length === 0) return removed;
    // The cutoff again: a document written since the walk may no longer be expired.
    const count = await db.removeAsync({ _id: { $in: ids }, ...expired }, { multi: true });
    removed += count;
    if (ids.length < slice) return removed;
    // Nothing removed twice from the same start: that slice would only be found again.
    if (count === 0 && ids[0] === previousFirst) return removed;
    previousFirst = count === 0 ? ids[0] : undefined;
    await nextTurn();
  }
}

/** The ids of up to `count` documents whose `field` is a Date before `cutoff`, oldest first. */
function oldestBefore(db: Datastore, field: string, cutoff: Date, count: number): string[] {
  const ids: string[] = [];
  const root = indexRoot(db, field);
  if (!root) return ids;
  for (const node of inKeyOrder(root, 1)) {
    // nedb orders keys by type first (missing, null, numbers, strings, booleans, then Dates):
    // the keys before the Dates are passed over, and anything after them ends the walk.
    if (!(node.key instanceof Date)) {
      if (ids.length > 0) break;
      continue;
    }
    if (node.key.getTime() >= cutoff.getTime()) break;
    for (const doc of node.data) {
      ids.push(doc._id);
      if (ids.length === count) return ids;
    }
  }
  return ids;
}
