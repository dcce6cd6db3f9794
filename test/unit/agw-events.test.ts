import { expect } from 'chai';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventLog } from '../../nfs/agw/event-log.ts';
import { createEvents } from '../../nfs/agw/events.ts';
import { createStoredEventLog } from '../../nfs/agw/stored-event-log.ts';
import { openAgwStore, type EventDocument } from '../../nfs/agw/store.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

const logger = createLogger({ nf: 'AGW', level: 'silent' });

describe('AGW events kept in a store collection (the MongoDB engine\'s way, here over the embedded one)', () => {
  function eventsOverSpiedCollection(options: { maxBatch?: number; writeSlice?: number; maxStored?: number; now?: () => number } = {}) {
    const collection = createEmbeddedStore().collection<EventDocument>('agw.events');
    const writes: number[] = [];
    const insertMany = collection.insertMany.bind(collection);
    collection.insertMany = (docs) => {
      writes.push(docs.length);
      return insertMany(docs);
    };
    const log = createStoredEventLog({ collection, logger, flushIntervalMs: 60_000, maxBatch: options.maxBatch ?? 50, writeSlice: options.writeSlice ?? 20, maxStored: options.maxStored });
    const events = createEvents({ log, logger, now: options.now ?? Date.now, aicSaltHex: 'a1b2' });
    return { events, writes, collection };
  }

  it('writes a batch a slice at a time, and a query sees every event recorded before it', async () => {
    const { events, writes } = eventsOverSpiedCollection();
    for (let i = 0; i < 60; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    const listed = await events.listEvents({ limit: 100 });
    expect(listed).to.have.length(60);
    expect(writes).to.deep.equal([20, 20, 10, 10]);
    expect(new Set(listed.map((event) => (event.detail as { i: number }).i)).size).to.equal(60);
  });

  it('lets other work run between the slices of a batch', async () => {
    const { events } = eventsOverSpiedCollection();
    for (let i = 0; i < 49; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success' });
    const order: string[] = [];
    const flushed = events.flushEvents().then(() => order.push('flushed'));
    setImmediate(() => order.push('other work'));
    await flushed;
    expect(order).to.deep.equal(['other work', 'flushed']);
  });

  it('keeps at most maxStored events (plus a tenth gathering), dropping the oldest', async () => {
    let clock = Date.now();
    const { events, collection } = eventsOverSpiedCollection({ maxBatch: 40, writeSlice: 5, maxStored: 100, now: () => (clock += 1) });
    for (let i = 0; i < 250; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await events.flushEvents();
    const kept = (await collection.find({}, { sort: { time: 1 } })).map((event) => (event.detail as { i: number }).i);
    expect(kept.length).to.be.within(100, 110);
    expect(kept, 'the newest, in order').to.deep.equal(Array.from({ length: kept.length }, (_, k) => 250 - kept.length + k));
  });

  it('counts the events a store already holds when a gateway starts on it', async () => {
    const collection = createEmbeddedStore().collection<EventDocument>('agw.events');
    let clock = Date.now();
    const now = () => (clock += 1);
    const before = createEvents({ log: createStoredEventLog({ collection, logger, maxBatch: 50, maxStored: 10_000 }), logger, now, aicSaltHex: 'a1b2' });
    for (let i = 0; i < 150; i += 1) await before.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await before.flushEvents();
    const after = createEvents({ log: createStoredEventLog({ collection, logger, maxBatch: 50, maxStored: 100 }), logger, now, aicSaltHex: 'a1b2' });
    for (let i = 150; i < 170; i += 1) await after.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await after.flushEvents();
    const kept = (await collection.find({}, { sort: { time: 1 } })).map((event) => (event.detail as { i: number }).i);
    expect(kept.length).to.be.within(100, 110);
    expect(kept[kept.length - 1]).to.equal(169);
    expect(kept[0]).to.equal(170 - kept.length);
  });
});

describe('AGW events with the embedded engine', () => {
  it('are no collection of the store: recorded, listed and written to their own file, not agw.events.db', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmsc-agw-events-'));
    const store = createEmbeddedStore({ dataDir });
    const agwStore = await openAgwStore(store, 3600);
    expect(agwStore.events).to.equal(undefined);
    const events = createEvents({ log: openEventLog({ store: agwStore, settings: { maxStoredEvents: 1000, eventRetentionSeconds: 3600 }, logger, now: Date.now }), logger, now: Date.now, aicSaltHex: 'a1b2' });
    await events.recordEvent({ type: 'discovery.structured', outcome: 'success' });
    expect((await events.listEvents({})).map((event) => event.type)).to.deep.equal(['discovery.structured']);
    await events.closeEvents();
    await store.close();
    const files = await readdir(dataDir);
    expect(files).to.include('agw.events.jsonl');
    expect(files).not.to.include('agw.events.db');
  });
});
