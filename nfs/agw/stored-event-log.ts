/**
 * Recent events in a store collection (MongoDB: every replica of the gateway writes to and reads
 * from one collection; its TTL index removes what the retention period expires). Events are
 * written in batches (every flushIntervalMs, or sooner when many wait) so that recording one
 * costs a discovery no write of its own; a query writes what waits first, so it sees every event.
 * A batch is written a slice at a time, letting requests in between, and at most maxStored
 * events are kept, the oldest dropped first, also a slice at a time: at a few thousand
 * discoveries a second the retention period alone would keep millions.
 */
import type { Collection } from '../shared/store/collection.ts';
import type { Logger } from '../shared/logger.ts';
import type { EventLog, EventQuery } from './event-log.ts';
import type { EventDocument } from './store.ts';
import type { GatewayEvent } from './types.ts';

export function createStoredEventLog(deps: {
  collection: Collection<EventDocument>;
  logger: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
  writeSlice?: number;
  maxStored?: number;
}): EventLog {
  const { collection, flushIntervalMs = 200, maxBatch = 500, writeSlice = 25, maxStored = 100_000 } = deps;
  let waiting: EventDocument[] = [];
  let timer: NodeJS.Timeout | undefined;
  // Batches are written one after another: flush() resolves when every event recorded before it
  // is stored. Dropping the oldest follows each batch on a chain of its own, which a query does
  // not wait for.
  let writing: Promise<void> = Promise.resolve();
  let dropping: Promise<void> = Promise.resolve();

  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  // The times of the events this process stored or found at its start, oldest first (with some
  // the TTL index may have removed since): they tell which events are the oldest without sorting
  // the collection on every batch. The bound is per process: replicas sharing a store each keep
  // their own count, so together they may keep several times maxStored.
  const times: number[] = [];
  let timesLoaded: Promise<boolean> | undefined;
  const loadTimes = () =>
    (timesLoaded ??= collection.find({}, { sort: { time: 1 } }).then(
      (events) => {
        for (const event of events) times.push(event.time.getTime());
        return true;
      },
      (error: Error) => {
        deps.logger.warn('stored events not counted; trying again with the next batch', { error: error.message });
        timesLoaded = undefined;
        return false;
      },
    ));

  async function write(batch: EventDocument[]): Promise<void> {
    // Counted from the store first: a batch counted before the load would be counted twice.
    const counting = await loadTimes();
    for (let at = 0; at < batch.length; at += writeSlice) {
      if (at > 0) await nextTurn();
      const slice = batch.slice(at, at + writeSlice);
      await collection.insertMany(slice).then(
        () => {
          if (counting) for (const event of slice) times.push(event.time.getTime());
        },
        (error: Error) => deps.logger.warn('events not stored', { count: slice.length, error: error.message }),
      );
    }
  }

  /** Drops the oldest events past maxStored, once a tenth more have gathered, writeSlice * 2 at a time. */
  async function dropOldest(): Promise<void> {
    if (!(await loadTimes())) return;
    if (times.length <= maxStored + Math.ceil(maxStored / 10)) return;
    while (times.length > maxStored) {
      await nextTurn();
      const count = Math.min(times.length - maxStored, writeSlice * 2);
      // Events of one millisecond go together; the cut falls after the last of them.
      const cutoff = times[count - 1];
      let dropped = count;
      while (dropped < times.length && times[dropped] === cutoff) dropped += 1;
      const removed = await collection.deleteMany({ time: { $lte: new Date(cutoff) } }).catch((error: Error) => {
        deps.logger.warn('old events not dropped', { error: error.message });
        return undefined;
      });
      if (removed === undefined) return;
      times.splice(0, dropped);
    }
  }

  function writeWaiting(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (waiting.length) {
      const batch = waiting;
      waiting = [];
      writing = writing.then(() => write(batch));
      const written = writing;
      dropping = dropping.then(() => written).then(dropOldest);
    }
    return writing;
  }

  return {
    add({ eventId, time, ...rest }: GatewayEvent): void {
      waiting.push({ _id: eventId, time: new Date(time), ...rest });
      if (waiting.length >= maxBatch) void writeWaiting();
      else if (!timer) {
        timer = setTimeout(() => void writeWaiting(), flushIntervalMs);
        timer.unref();
      }
    },

    async flush(): Promise<void> {
      await writeWaiting();
      await dropping;
    },

    async list(query: EventQuery): Promise<GatewayEvent[]> {
      await writeWaiting();
      const filter: Record<string, unknown> = {};
      if (query.type) filter.type = query.type;
      if (query.correlationId) filter.correlationId = query.correlationId;
      if (query.aic) filter.aic = query.aic;
      if (query.since) filter.time = { $gte: query.since };
      const events = await collection.find(filter, { sort: { time: -1 }, limit: query.limit });
      return events.map(({ _id, time, ...rest }) => ({ eventId: _id, time: time.toISOString(), ...rest }));
    },

    async close(): Promise<void> {
      await writeWaiting();
      await dropping;
    },
  };
}
