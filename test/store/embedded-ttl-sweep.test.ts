import { expect } from 'chai';
import { Datastore } from '../../nfs/shared/store/nedb-internals.ts';
import { removeExpiredInSlices } from '../../nfs/shared/store/embedded-ttl-sweep.ts';

/** An in-memory nedb collection with a TTL index on seenAt, and a record of each removeAsync's ids. */
async function noncesWith(expired: number, fresh: number, ageMs = 120_000) {
  const db = new Datastore({ inMemoryOnly: true });
  await db.ensureIndexAsync({ fieldName: 'seenAt', expireAfterSeconds: 60 });
  const past = Date.now() - ageMs;
  await db.insertAsync(Array.from({ length: expired }, (_, i) => ({ _id: `old-${i}`, seenAt: new Date(past + i) })));
  await db.insertAsync(Array.from({ length: fresh }, (_, i) => ({ _id: `new-${i}`, seenAt: new Date() })));
  const removals: string[][] = [];
  const removeAsync = db.removeAsync.bind(db);
  db.removeAsync = (query: { _id?: { $in: string[] } }, options: object) => {
    removals.push(query._id?.$in ?? ['(every match)']);
    return removeAsync(query, options);
  };
  // Counted without a query, which would itself drop what has expired.
  const stored = () => db.getAllData().length;
  return { db, removals, stored, cutoff: new Date(Date.now() - Math.min(60_000, ageMs / 2)) };
}

describe('embedded store TTL sweep in slices', () => {
  it('removes every expired document, at most a slice per removal, and keeps the fresh ones', async () => {
    const { db, removals, stored, cutoff } = await noncesWith(1_200, 7);
    expect(await removeExpiredInSlices(db, 'seenAt', cutoff, 500)).to.equal(1_200);
    expect(removals.map((ids) => ids.length)).to.deep.equal([500, 500, 200]);
    expect(stored()).to.equal(7);
  });

  it('lets other work run between slices', async () => {
    const { db, stored, cutoff } = await noncesWith(1_200, 0);
    const sweep = removeExpiredInSlices(db, 'seenAt', cutoff, 500);
    // Another turn of the event loop comes before the sweep ends.
    await new Promise((resolve) => setImmediate(resolve));
    const midway = stored();
    await sweep;
    expect(midway).to.be.within(1, 1_199);
    expect(stored()).to.equal(0);
  });

  it('keeps a document written again after the sweep listed it', async () => {
    // 30 s old with a 60 s TTL: past the cutoff given, not yet expired for nedb, so it can be written again.
    const { db, removals, stored, cutoff } = await noncesWith(1_200, 0, 30_000);
    const removeAsync = db.removeAsync;
    db.removeAsync = async (query: { _id: { $in: string[] } }, options: object) => {
      if (removals.length === 0) await db.updateAsync({ _id: 'old-0' }, { $set: { seenAt: new Date() } });
      return removeAsync(query, options);
    };
    expect(await removeExpiredInSlices(db, 'seenAt', cutoff, 500)).to.equal(1_199);
    expect(stored()).to.equal(1);
    expect(db.getAllData()[0]._id).to.equal('old-0');
  });

  it('removes nothing when nothing has expired', async () => {
    const { db, removals, stored, cutoff } = await noncesWith(0, 3);
    expect(await removeExpiredInSlices(db, 'seenAt', cutoff)).to.equal(0);
    expect(removals).to.deep.equal([]);
    expect(stored()).to.equal(3);
  });

  it('passes over keys that are not Dates, as the old single removal did', async () => {
    const { db, stored, cutoff } = await noncesWith(150, 0);
    await db.insertAsync([{ _id: 'number', seenAt: 1 }, { _id: 'string', seenAt: '2020-01-01' }, { _id: 'none' }]);
    expect(await removeExpiredInSlices(db, 'seenAt', cutoff, 100)).to.equal(150);
    expect(db.getAllData().map((doc) => doc._id).sort()).to.deep.equal(['none', 'number', 'string']);
    expect(stored()).to.equal(3);
  });

  it('removes in one removal for a TTL field without its index', async () => {
    const { db, removals, stored, cutoff } = await noncesWith(0, 0);
    await db.insertAsync(Array.from({ length: 250 }, (_, i) => ({ _id: `x-${i}`, expiresAt: new Date(cutoff.getTime() - 1000 - i) })));
    await db.insertAsync({ _id: 'later', expiresAt: new Date() });
    expect(await removeExpiredInSlices(db, 'expiresAt', cutoff, 100)).to.equal(250);
    expect(removals).to.deep.equal([['(every match)']]);
    expect(stored()).to.equal(1);
  });
});
