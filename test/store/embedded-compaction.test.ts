import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

interface Counter { _id: string; n: number }

describe('embedded store compaction as its files grow', function () {
  this.timeout(20_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dmsc-compaction-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  const fileOf = (name: string, dir = dataDir) => path.join(dir, `${name}.db`);
  const linesOf = async (name: string) => (await readFile(fileOf(name), 'utf8')).split('\n').filter(Boolean);

  /** Waits until the collection's file has fewer lines than `below` and no rewrite is under way. */
  async function rewrittenBelow(name: string, below: number): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = await linesOf(name);
      if (lines.length < below && !existsSync(`${fileOf(name)}.compacting`)) return lines;
      if (Date.now() > deadline) expect.fail(`${name}.db still has ${lines.length} lines`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The documents a store opened on a copy of the file finds (closing the live store would rewrite the file itself). */
  async function documentsInFile(name: string): Promise<Counter[]> {
    const copyDir = await mkdtemp(path.join(os.tmpdir(), 'dmsc-compaction-copy-'));
    try {
      await copyFile(fileOf(name), fileOf(name, copyDir));
      const copy = createEmbeddedStore({ dataDir: copyDir });
      const docs = await copy.collection<Counter>(name).find({}, { sort: { _id: 1 } });
      await copy.close();
      return docs;
    } finally {
      await rm(copyDir, { recursive: true, force: true });
    }
  }

  it('rewrites a file with only its live documents once the appends reach the threshold', async () => {
    const store = createEmbeddedStore({ dataDir, compactAfterAppends: 20 });
    const counters = store.collection<Counter>('counters');
    await counters.insertOne({ _id: 'heartbeats', n: 0 });
    for (let i = 1; i <= 100; i++) await counters.findOneAndUpdate({ _id: 'heartbeats' }, { $set: { n: i } });
    // The rewrite started at the 20th update; the updates made while it ran follow its document.
    expect(await rewrittenBelow('counters', 101)).to.have.length.above(1);
    // Those were appends since that rewrite too: the next write starts another.
    await counters.findOneAndUpdate({ _id: 'heartbeats' }, { $set: { n: 100 } });
    const lines = await rewrittenBelow('counters', 3);
    expect(lines.at(-1)).to.contain('"n":100');
    expect(await documentsInFile('counters')).to.deep.equal([{ _id: 'heartbeats', n: 100 }]);
    await store.close();
  });

  it('waits for twice as many appends as the collection has documents', async () => {
    const store = createEmbeddedStore({ dataDir, compactAfterAppends: 20 });
    const counters = store.collection<Counter>('counters');
    await counters.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `c${i}`, n: 0 })));
    for (let i = 0; i < 50; i++) await counters.findOneAndUpdate({ _id: `c${i}` }, { $set: { n: 1 } });
    expect(await linesOf('counters')).to.have.length(150);
    for (let i = 50; i < 100; i++) await counters.findOneAndUpdate({ _id: `c${i}` }, { $set: { n: 1 } });
    expect(await rewrittenBelow('counters', 101)).to.have.length(100);
    await store.close();
  });

  it('keeps every write made while a rewrite of several slices is under way, and the indexes', async () => {
    const store = createEmbeddedStore({ dataDir, compactAfterAppends: 20 });
    const counters = store.collection<Counter>('counters');
    await counters.createIndex({ field: 'n' });
    const expected = new Map<string, Counter>();
    for (let at = 0; at < 2_500; at += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => ({ _id: `c${String(at + i).padStart(4, '0')}`, n: 0 }));
      await counters.insertMany(batch);
      for (const doc of batch) expected.set(doc._id, doc);
    }
    // 2,500 more appends reach twice the documents: the rewrite starts during these updates.
    for (const id of [...expected.keys()]) {
      await counters.findOneAndUpdate({ _id: id }, { $set: { n: 1 } });
      expected.set(id, { _id: id, n: 1 });
    }
    // Whatever the rewrite has reached, these come after the documents it took.
    for (let i = 0; i < 300; i++) {
      const id = `c${String(i * 7).padStart(4, '0')}`;
      if (i % 3 === 0) {
        await counters.deleteMany({ _id: id });
        expected.delete(id);
      } else {
        await counters.findOneAndUpdate({ _id: id }, { $set: { n: 2 } });
        expected.set(id, { _id: id, n: 2 });
      }
    }
    await counters.insertOne({ _id: 'late', n: 3 });
    expected.set('late', { _id: 'late', n: 3 });
    // Without a rewrite the file would have 5,302 lines; with one, about 2,800.
    const lines = await rewrittenBelow('counters', 3_000);
    expect(lines.some((line) => line.includes('"$$indexCreated"') && line.includes('"fieldName":"n"')), 'the index on n').to.equal(true);
    expect(await documentsInFile('counters')).to.deep.equal([...expected.values()].sort((a, b) => (a._id < b._id ? -1 : 1)));
    await store.close();
  });

  it('appends to the file a rewrite put in place, not to the one it replaced', async () => {
    const store = createEmbeddedStore({ dataDir, compactAfterAppends: 20 });
    const counters = store.collection<Counter>('counters');
    await counters.insertOne({ _id: 'heartbeats', n: 0 });
    for (let i = 1; i <= 20; i++) await counters.findOneAndUpdate({ _id: 'heartbeats' }, { $set: { n: i } });
    await rewrittenBelow('counters', 3);
    // One append after the rename, too few to start another rewrite: read from the live file
    // itself, without closing the store (closing rewrites the file from memory).
    await counters.insertOne({ _id: 'after', n: 1 });
    expect(await documentsInFile('counters')).to.deep.equal([{ _id: 'after', n: 1 }, { _id: 'heartbeats', n: 20 }]);
    await store.close();
  });

  it('appends to the file nedb rewrote when the collection opened', async () => {
    const first = createEmbeddedStore({ dataDir });
    await first.collection<Counter>('counters').insertOne({ _id: 'x', n: 1 });
    await first.close();
    // Loading rewrites the file (nedb's own compaction): a descriptor opened before that
    // rewrite, rather than at the first append after it, would write to the replaced file.
    const reopened = createEmbeddedStore({ dataDir });
    await reopened.collection<Counter>('counters').insertOne({ _id: 'y', n: 2 });
    expect(await documentsInFile('counters')).to.deep.equal([{ _id: 'x', n: 1 }, { _id: 'y', n: 2 }]);
    await reopened.close();
  });

  it('removes a rewrite left unfinished when the collection opens again', async () => {
    const store = createEmbeddedStore({ dataDir });
    await store.collection<Counter>('counters').insertOne({ _id: 'x', n: 1 });
    await store.close();
    await writeFile(`${fileOf('counters')}.compacting`, '{"_id":"half-written"');
    const reopened = createEmbeddedStore({ dataDir });
    expect(await reopened.collection<Counter>('counters').find({}, {})).to.deep.equal([{ _id: 'x', n: 1 }]);
    expect(existsSync(`${fileOf('counters')}.compacting`)).to.equal(false);
    await reopened.close();
  });

  it('leaves the file as it was, reports the failure and keeps serving when a rewrite fails', async () => {
    const warnings: string[] = [];
    const store = createEmbeddedStore({ dataDir, compactAfterAppends: 20, log: (message) => warnings.push(message) });
    const counters = store.collection<Counter>('counters');
    await counters.insertOne({ _id: 'x', n: 0 });
    // A directory where the rewrite's temporary file would go.
    await mkdir(`${fileOf('counters')}.compacting`);
    for (let i = 1; i <= 30; i++) await counters.findOneAndUpdate({ _id: 'x' }, { $set: { n: i } });
    for (const deadline = Date.now() + 5_000; warnings.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(warnings.some((message) => message.includes('kept as it was')), warnings.join('; ')).to.equal(true);
    expect(await linesOf('counters')).to.have.length(31);
    expect(await documentsInFile('counters')).to.deep.equal([{ _id: 'x', n: 30 }]);
    expect(await counters.findOne({ _id: 'x' })).to.deep.equal({ _id: 'x', n: 30 });
    await rm(`${fileOf('counters')}.compacting`, { recursive: true });
    await store.close();
  });
});
