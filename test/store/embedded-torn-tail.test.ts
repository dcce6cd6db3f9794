/** A collection file whose last write did not finish (nfs/shared/store/embedded-torn-tail.ts). */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { cutTornTail } from '../../nfs/shared/store/embedded-torn-tail.ts';

describe('embedded store: a last line cut short', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dmsc-torn-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('cuts the bytes after the last newline and nothing else', () => {
    const filename = path.join(dir, 'c.db');
    const whole = `${'{"_id":"a"}\n'.repeat(10_000)}`;
    writeFileSync(filename, `${whole}{"_id":"b","val`);
    expect(cutTornTail(filename)).to.equal('{"_id":"b","val'.length);
    expect(readFileSync(filename, 'utf8')).to.equal(whole);
    expect(cutTornTail(filename), 'a whole file is left as it is').to.equal(0);
    writeFileSync(filename, 'x'.repeat(70_000));
    expect(cutTornTail(filename), 'one torn line longer than a read').to.equal(70_000);
    expect(readFileSync(filename, 'utf8')).to.equal('');
    expect(cutTornTail(path.join(dir, 'none.db')), 'no file yet').to.equal(0);
  });

  it('fails the start of an NF one of whose collection files is damaged elsewhere than its last line, naming the damage', async () => {
    // The policies are first used by a request, not at start: a gateway reporting itself healthy
    // would have failed every discovery.
    writeFileSync(path.join(dir, 'agw.policies.db'), 'garbage\n{"_id":"r1","effect":"DENY"}\n');
    const store = createEmbeddedStore({ dataDir: dir, log: () => undefined });
    try {
      const opened = await openAgwStore(store, 3600).then(() => 'opened', (error: Error) => error.message);
      expect(opened).to.match(/corrupt/);
    } finally {
      await store.close().catch(() => undefined);
    }
  });

  it('opens a small collection whose last write was torn with what was written whole, saying what it dropped', async () => {
    // Three lines and a torn fourth: a quarter of the lines, over nedb's corrupt-file threshold.
    const filename = path.join(dir, 'agw.counters.db');
    writeFileSync(filename, '{"_id":"a","value":1}\n{"_id":"b","value":2}\n{"_id":"c","value":3}\n{"_id":"d","val');
    const warnings: string[] = [];
    const store = createEmbeddedStore({ dataDir: dir, log: (message) => warnings.push(message) });
    try {
      const counters = store.collection<{ _id: string; value: number }>('agw.counters');
      expect((await counters.find({}, { sort: { _id: 1 } })).map((doc) => doc._id)).to.deep.equal(['a', 'b', 'c']);
      await counters.insertOne({ _id: 'd', value: 4 });
      expect(await counters.countDocuments({})).to.equal(4);
      expect(warnings).to.deep.equal([`${filename}: its last line was cut short, a write that did not finish; its 15 bytes are dropped`]);
    } finally {
      await store.close();
    }
  });
});
