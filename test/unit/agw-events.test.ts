import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvents } from '../../nfs/agw/events.ts';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('AGW events', () => {
  async function eventsOverSpiedStore() {
    const store = await openAgwStore(createEmbeddedStore(), 3600);
    const writes: number[] = [];
    const insertMany = store.events.insertMany.bind(store.events);
    store.events.insertMany = (docs) => {
      writes.push(docs.length);
      return insertMany(docs);
    };
    const events = createEvents({ store, logger: createLogger({ nf: 'AGW', level: 'silent' }), now: Date.now, aicSaltHex: 'a1b2', maxBatch: 50, writeSlice: 20, flushIntervalMs: 60_000 });
    return { events, writes };
  }

  it('writes a batch a slice at a time, and a query sees every event recorded before it', async () => {
    const { events, writes } = await eventsOverSpiedStore();
    for (let i = 0; i < 60; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    const listed = await events.listEvents({ limit: 100 });
    expect(listed).to.have.length(60);
    expect(writes).to.deep.equal([20, 20, 10, 10]);
    expect(new Set(listed.map((event) => (event.detail as { i: number }).i)).size).to.equal(60);
  });

  it('lets other work run between the slices of a batch', async () => {
    const { events } = await eventsOverSpiedStore();
    for (let i = 0; i < 49; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success' });
    const order: string[] = [];
    const flushed = events.flushEvents().then(() => order.push('flushed'));
    setImmediate(() => order.push('other work'));
    await flushed;
    expect(order).to.deep.equal(['other work', 'flushed']);
  });

  it('keeps no index on the event type, dropping one a store has', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmsc-agw-events-'));
    const before = createEmbeddedStore({ dataDir });
    await before.collection('agw.events').createIndex({ field: 'type' });
    await before.close();
    const store = createEmbeddedStore({ dataDir });
    const events = (await openAgwStore(store, 3600)).events;
    // An index on the field would refuse this one, whose options differ.
    await events.createIndex({ field: 'type', unique: true });
    await store.close();
  });

  it('keeps at most maxStored events (plus a tenth gathering), dropping the oldest', async () => {
    const store = await openAgwStore(createEmbeddedStore(), 3600);
    let clock = Date.now();
    const events = createEvents({ store, logger: createLogger({ nf: 'AGW', level: 'silent' }), now: () => (clock += 1), aicSaltHex: 'a1b2', maxBatch: 40, writeSlice: 5, maxStored: 100 });
    for (let i = 0; i < 250; i += 1) await events.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await events.flushEvents();
    const kept = (await store.events.find({}, { sort: { time: 1 } })).map((event) => (event.detail as { i: number }).i);
    expect(kept.length).to.be.within(100, 110);
    expect(kept, 'the newest, in order').to.deep.equal(Array.from({ length: kept.length }, (_, k) => 250 - kept.length + k));
  });

  it('counts the events a store already holds when a gateway starts on it', async () => {
    const store = await openAgwStore(createEmbeddedStore(), 3600);
    let clock = Date.now();
    const logger = createLogger({ nf: 'AGW', level: 'silent' });
    const before = createEvents({ store, logger, now: () => (clock += 1), aicSaltHex: 'a1b2', maxBatch: 50, maxStored: 10_000 });
    for (let i = 0; i < 150; i += 1) await before.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await before.flushEvents();
    const after = createEvents({ store, logger, now: () => (clock += 1), aicSaltHex: 'a1b2', maxBatch: 50, maxStored: 100 });
    for (let i = 150; i < 170; i += 1) await after.recordEvent({ type: 'discovery.structured', outcome: 'success', detail: { i } });
    await after.flushEvents();
    const kept = (await store.events.find({}, { sort: { time: 1 } })).map((event) => (event.detail as { i: number }).i);
    expect(kept.length).to.be.within(100, 110);
    expect(kept[kept.length - 1]).to.equal(169);
    expect(kept[0]).to.equal(170 - kept.length);
  });
});
