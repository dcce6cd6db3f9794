import { expect } from 'chai';
import { appendFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_FILE, openRingEventLog, PREVIOUS_EVENTS_FILE } from '../../nfs/agw/ring-event-log.ts';
import type { GatewayEvent } from '../../nfs/agw/types.ts';
import { createLogger } from '../../nfs/shared/logger.ts';

const logger = createLogger({ nf: 'AGW', level: 'silent' });
const start = Date.parse('2026-01-01T00:00:00Z');
const event = (i: number, at = start + i): GatewayEvent => ({ eventId: `e${i}`, time: new Date(at).toISOString(), type: 'discovery.structured', outcome: 'success', detail: { i } });
const ids = (events: GatewayEvent[]) => events.map((one) => one.eventId);
const everything = { limit: 10_000 };

describe('AGW ring event log (embedded engine)', () => {
  let dataDir: string;
  let clock: number;
  const open = (over: { maxEvents?: number; retentionSeconds?: number; flushIntervalMs?: number } = {}) =>
    openRingEventLog({ dataDir, maxEvents: 100, retentionSeconds: 3600, now: () => clock, logger, ...over });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dmsc-ring-events-'));
    clock = start + 1_000_000;
  });

  it('answers after a restart on the data directory for the events before it, newest first', async () => {
    const before = open();
    for (let i = 0; i < 10; i += 1) before.add(event(i));
    await before.close();
    const after = open();
    expect(ids(await after.list(everything))).to.deep.equal(Array.from({ length: 10 }, (_, k) => `e${9 - k}`));
    after.add(event(10));
    await after.close();
    expect(ids(await open().list({ limit: 2 }))).to.deep.equal(['e10', 'e9']);
  });

  it('writes to its file every flushIntervalMs without being asked', async () => {
    const log = open({ flushIntervalMs: 5 });
    log.add(event(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readFile(join(dataDir, EVENTS_FILE), 'utf8')).to.equal(`${JSON.stringify(event(1))}\n`);
    await log.close();
  });

  it('starts a new file once one holds maxEvents lines, keeping one previous file, and reads the newest maxEvents back', async () => {
    const log = open();
    for (let i = 0; i < 250; i += 1) {
      log.add(event(i));
      if (i % 40 === 39) await log.flush();
    }
    await log.close();
    expect((await readdir(dataDir)).sort()).to.deep.equal([EVENTS_FILE, PREVIOUS_EVENTS_FILE].sort());
    const lines = async (name: string) => (await readFile(join(dataDir, name), 'utf8')).split('\n').filter(Boolean).length;
    // 120 lines (three flushes of 40) made the first file previous, 240 the second; 10 since.
    expect([await lines(PREVIOUS_EVENTS_FILE), await lines(EVENTS_FILE)]).to.deep.equal([120, 10]);
    const kept = ids(await open().list(everything));
    expect(kept).to.deep.equal(Array.from({ length: 100 }, (_, k) => `e${249 - k}`));
  });

  it('skips a line that is not a whole event, such as the last one of a process killed mid-write', async () => {
    const before = open();
    before.add(event(1));
    before.add(event(2));
    await before.close();
    await appendFile(join(dataDir, EVENTS_FILE), 'not json\n{"eventId":"e3","time":"2026-01-01T00:');
    const after = open();
    expect(ids(await after.list(everything))).to.deep.equal(['e2', 'e1']);
    after.add(event(4));
    await after.close();
    expect(ids(await open().list(everything)), 'a line added after the torn one').to.include('e4');
  });

  it('lists no expired event, and does not read expired ones back', async () => {
    const log = open({ retentionSeconds: 60 });
    log.add(event(1, clock - 120_000));
    log.add(event(2, clock - 30_000));
    expect(ids(await log.list(everything))).to.deep.equal(['e2']);
    expect(ids(await log.list({ since: new Date(clock - 10_000), limit: 10 }))).to.deep.equal([]);
    await log.close();
    clock += 40_000;
    expect(ids(await open({ retentionSeconds: 60 }).list(everything))).to.deep.equal([]);
  });

  it('keeps events in memory only without a data directory; after close still lists and writes events', async () => {
    const memory = openRingEventLog({ maxEvents: 100, retentionSeconds: 3600, now: () => clock, logger });
    memory.add(event(1));
    expect(ids(await memory.list(everything))).to.deep.equal(['e1']);
    const filed = open();
    filed.add(event(2));
    await filed.close();
    filed.add(event(3));
    await filed.flush();
    expect(ids(await filed.list(everything))).to.deep.equal(['e3', 'e2']);
    // Requests the server answers while it closes are recorded after the log's close.
    expect(await readFile(join(dataDir, EVENTS_FILE), 'utf8')).to.equal(`${JSON.stringify(event(2))}\n${JSON.stringify(event(3))}\n`);
  });

  it('lets one log of the process write a directory\'s file: a second keeps its events in memory', async () => {
    const first = open();
    const second = open();
    first.add(event(1));
    second.add(event(2));
    await Promise.all([first.flush(), second.flush()]);
    expect(ids(await second.list(everything))).to.deep.equal(['e2']);
    expect(await readFile(join(dataDir, EVENTS_FILE), 'utf8')).to.equal(`${JSON.stringify(event(1))}\n`);
    await Promise.all([first.close(), second.close()]);
  });

  it('starts a new file once one holds as many bytes as the ring, before maxEvents lines, and lists after a start what it listed before', async () => {
    const log = open();
    const large = (i: number): GatewayEvent => ({ ...event(i), detail: { i, reason: 'r'.repeat(1400) } });
    for (let i = 0; i < 100; i += 1) {
      log.add(large(i));
      if (i % 10 === 9) await log.flush();
    }
    const before = ids(await log.list(everything));
    await log.close();
    const lines = async (name: string) => (await readFile(join(dataDir, name), 'utf8')).split('\n').filter(Boolean).length;
    // A ring of 100 events * 1 kB: about 70 lines of some 1,500 bytes fill a file.
    expect(await lines(PREVIOUS_EVENTS_FILE)).to.be.within(60, 80);
    expect(before.length, 'the ring is bound by bytes here').to.be.below(100);
    expect(ids(await open().list(everything))).to.deep.equal(before);
  });

  it('reads a file a chunk at a time, lines straddling the chunks', async () => {
    const before = open();
    for (let i = 0; i < 30; i += 1) before.add({ ...event(i), detail: { text: 'ü✓'.repeat(i) } });
    await before.close();
    const after = openRingEventLog({ dataDir, maxEvents: 100, retentionSeconds: 3600, now: () => clock, logger, readChunkBytes: 64 });
    const read = await after.list(everything);
    expect(read.map((one) => one.detail)).to.deep.equal(Array.from({ length: 30 }, (_, k) => ({ text: 'ü✓'.repeat(29 - k) })));
  });
});
