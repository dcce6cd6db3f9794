import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { DuplicateKeyError } from '../../nfs/shared/store/collection.ts';
import type { Collection, Store, StoredDocument } from '../../nfs/shared/store/collection.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { createMongoStore, dbNameFromUri } from '../../nfs/shared/store/mongodb-store.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

interface Profile extends StoredDocument {
  nfType: string;
  status?: string;
  load?: number;
  fqdn?: string;
  plmn?: { mcc: string; mnc: string };
  tags?: string[];
  expiresAt?: Date;
  note?: string;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the operation to fail');
}

const ids = (docs: StoredDocument[]): string[] => docs.map((d) => d._id);
const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dmsc-store-'));
  tempDirs.push(dir);
  return dir;
}

const seed: Profile[] = [
  { _id: 'amf-1', nfType: 'AMF', status: 'REGISTERED', load: 10, plmn: { mcc: '001', mnc: '01' }, tags: ['edge', 'a'] },
  { _id: 'amf-2', nfType: 'AMF', status: 'SUSPENDED', load: 50, plmn: { mcc: '001', mnc: '02' }, tags: ['core'] },
  { _id: 'smf-1', nfType: 'SMF', status: 'REGISTERED', load: 30, plmn: { mcc: '002', mnc: '01' } },
  { _id: 'udm-1', nfType: 'UDM', load: 70, tags: ['core', 'edge'] },
];

/** The behaviour every engine must show; written once, run on each engine. */
function describeStoreContract(name: string, makeStore: () => Promise<Store>, engine: { ttlRemovesOnRead: boolean }): void {
  describe(name, () => {
    let store: Store;
    let profiles: Collection<Profile>;
    let n = 0;

    beforeEach(async () => {
      store = await makeStore();
      // A fresh collection per test: indexes outlive dropAll.
      profiles = store.collection<Profile>(`profiles_${n++}`);
    });
    afterEach(async () => {
      await store.dropAll();
      await store.close();
    });

    const insertSeed = async (): Promise<void> => {
      for (const doc of seed) await profiles.insertOne(doc);
    };
    const findIds = async (filter: Record<string, unknown>): Promise<string[]> => ids(await profiles.find(filter, { sort: { _id: 1 } }));

    it('inserts a batch with insertMany and finds every document of it', async () => {
      await profiles.insertMany(seed.map((doc) => ({ ...doc, _id: `batch-${doc._id}` })));
      expect(await profiles.countDocuments({ _id: { $in: seed.map((doc) => `batch-${doc._id}`) } })).to.equal(seed.length);
      await profiles.insertMany([]);
    });

    it('returns an inserted document from findOne as it was given, Dates included', async () => {
      const doc: Profile = { _id: 'nrf-1', nfType: 'NRF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'], expiresAt: new Date('2030-01-02T03:04:05Z') };
      await profiles.insertOne(doc);
      const found = await profiles.findOne({ _id: 'nrf-1' });
      expect(found).to.deep.equal(doc);
      expect(found?.expiresAt).to.be.instanceOf(Date);
      expect(await profiles.findOne({ _id: 'nope' })).to.equal(null);
    });

    it('returns only the named fields and _id from findOne with fields, and a copy the store does not share', async () => {
      await profiles.insertOne({ _id: 'p', nfType: 'SMF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'] });
      const found = await profiles.findOne({ _id: 'p' }, { fields: ['nfType', 'plmn', 'status'] });
      expect(found).to.deep.equal({ _id: 'p', nfType: 'SMF', plmn: { mcc: '001', mnc: '01' } });
      found!.plmn!.mcc = '999';
      expect((await profiles.findOne({ _id: 'p' }))?.plmn).to.deep.equal({ mcc: '001', mnc: '01' });
      expect(await profiles.findOne({ _id: 'nope' }, { fields: ['nfType'] })).to.equal(null);
    });

    it('drops fields whose value is undefined, as MongoDB does', async () => {
      await profiles.insertOne({ _id: 'u', nfType: 'AMF', status: undefined, plmn: { mcc: '001', mnc: undefined as unknown as string } });
      const found = await profiles.findOne({ _id: 'u' });
      expect(found).to.deep.equal({ _id: 'u', nfType: 'AMF', plmn: { mcc: '001' } });
    });

    it('rejects a second insert with the same _id with DuplicateKeyError and keeps the first', async () => {
      await profiles.insertOne({ _id: 'a', nfType: 'AMF' });
      const err = await rejectionOf(profiles.insertOne({ _id: 'a', nfType: 'SMF' }));
      expect(err).to.be.instanceOf(DuplicateKeyError);
      expect(await profiles.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', nfType: 'AMF' });
    });

    it('rejects an insert that breaks a unique index with DuplicateKeyError and stores nothing', async () => {
      await profiles.createIndex({ field: 'fqdn', unique: true });
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'amf.example' });
      const err = await rejectionOf(profiles.insertOne({ _id: 'b', nfType: 'AMF', fqdn: 'amf.example' }));
      expect(err).to.be.instanceOf(DuplicateKeyError);
      expect(await profiles.findOne({ _id: 'b' })).to.equal(null);
      expect(await profiles.countDocuments({})).to.equal(1);
    });

    it('rejects replaceOne and findOneAndUpdate that break a unique index and leaves both documents unchanged', async () => {
      await profiles.createIndex({ field: 'fqdn', unique: true });
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'a.example' });
      await profiles.insertOne({ _id: 'b', nfType: 'AMF', fqdn: 'b.example' });
      expect(await rejectionOf(profiles.replaceOne({ _id: 'b' }, { _id: 'b', nfType: 'X', fqdn: 'a.example' }))).to.be.instanceOf(DuplicateKeyError);
      expect(await rejectionOf(profiles.findOneAndUpdate({ _id: 'b' }, { $set: { fqdn: 'a.example' } }))).to.be.instanceOf(DuplicateKeyError);
      expect(await profiles.find({}, { sort: { _id: 1 } })).to.deep.equal([
        { _id: 'a', nfType: 'AMF', fqdn: 'a.example' },
        { _id: 'b', nfType: 'AMF', fqdn: 'b.example' },
      ]);
    });

    it('finds through a sparse index by its field, and still sorts and lists the documents without it', async () => {
      await profiles.createIndex({ field: 'fqdn', sparse: true });
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'b.example' });
      await profiles.insertOne({ _id: 'b', nfType: 'AMF' });
      await profiles.insertOne({ _id: 'c', nfType: 'SMF', fqdn: 'a.example' });
      expect(await profiles.find({ fqdn: 'a.example' })).to.deep.equal([{ _id: 'c', nfType: 'SMF', fqdn: 'a.example' }]);
      expect((await profiles.find({}, { sort: { fqdn: 1 } })).map((doc) => doc._id), 'the document without fqdn too').to.have.members(['a', 'b', 'c']);
      expect(await profiles.countDocuments({ nfType: 'AMF' })).to.equal(2);
      await profiles.findOneAndDelete({ _id: 'c' });
      expect(await profiles.find({ fqdn: 'a.example' })).to.deep.equal([]);
    });

    it('matches $in and $nin on a scalar field', async () => {
      await insertSeed();
      expect(await findIds({ nfType: { $in: ['SMF', 'UDM'] } })).to.deep.equal(['smf-1', 'udm-1']);
      expect(await findIds({ nfType: { $nin: ['AMF'] } })).to.deep.equal(['smf-1', 'udm-1']);
    });

    it('matches $lt, $lte, $gt and $gte on numbers', async () => {
      await insertSeed();
      expect(await findIds({ load: { $gt: 10, $lt: 70 } })).to.deep.equal(['amf-2', 'smf-1']);
      expect(await findIds({ load: { $gte: 10, $lte: 30 } })).to.deep.equal(['amf-1', 'smf-1']);
    });

    it('matches $ne, including documents that lack the field', async () => {
      await insertSeed();
      expect(await findIds({ status: { $ne: 'REGISTERED' } })).to.deep.equal(['amf-2', 'udm-1']);
    });

    it('matches $exists true and false', async () => {
      await insertSeed();
      expect(await findIds({ status: { $exists: false } })).to.deep.equal(['udm-1']);
      expect(await findIds({ tags: { $exists: true } })).to.deep.equal(['amf-1', 'amf-2', 'udm-1']);
    });

    it('matches $or and $and', async () => {
      await insertSeed();
      expect(await findIds({ $or: [{ nfType: 'SMF' }, { load: { $gte: 70 } }] })).to.deep.equal(['smf-1', 'udm-1']);
      expect(await findIds({ $and: [{ nfType: 'AMF' }, { load: { $gt: 20 } }] })).to.deep.equal(['amf-2']);
    });

    it('matches dotted paths into nested objects', async () => {
      await insertSeed();
      expect(await findIds({ 'plmn.mcc': '001' })).to.deep.equal(['amf-1', 'amf-2']);
      expect(await findIds({ 'plmn.mcc': '001', 'plmn.mnc': '02' })).to.deep.equal(['amf-2']);
    });

    it('matches equality on an array element against documents whose array contains it', async () => {
      await insertSeed();
      expect(await findIds({ tags: 'edge' })).to.deep.equal(['amf-1', 'udm-1']);
      expect(await findIds({ tags: { $in: ['core'] } })).to.deep.equal(['amf-2', 'udm-1']);
    });

    it('sorts by several keys in order, then skips and limits', async () => {
      await insertSeed();
      const sorted = await profiles.find({}, { sort: { nfType: 1, load: -1 } });
      expect(ids(sorted)).to.deep.equal(['amf-2', 'amf-1', 'smf-1', 'udm-1']);
      const page = await profiles.find({}, { sort: { load: -1 }, skip: 1, limit: 2 });
      expect(ids(page)).to.deep.equal(['amf-2', 'smf-1']);
    });

    it('breaks sort ties by _id so that pages neither overlap nor miss documents', async () => {
      // With an index on the sort field, neither engine would otherwise return ties in _id order.
      await profiles.createIndex({ field: 'nfType' });
      for (const id of ['d', 'b', 'e', 'a', 'c']) await profiles.insertOne({ _id: id, nfType: 'AMF' });
      const first = await profiles.find({ nfType: 'AMF' }, { sort: { nfType: 1 }, limit: 3 });
      const second = await profiles.find({ nfType: 'AMF' }, { sort: { nfType: 1 }, skip: 3, limit: 3 });
      expect([...ids(first), ...ids(second)]).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    });

    it('pages through an indexed date field newest first and oldest first, with a filter, a range on the field and ties by _id', async () => {
      await profiles.createIndex({ field: 'expiresAt' });
      const start = Date.UTC(2030, 0, 1);
      const docs: Profile[] = Array.from({ length: 60 }, (_, i) => ({
        _id: `p${String((i * 37) % 60).padStart(2, '0')}`,
        nfType: i % 3 === 0 ? 'AMF' : 'SMF',
        expiresAt: new Date(start + Math.floor(i / 4) * 1000), // four documents at each instant
      }));
      await profiles.insertMany(docs);
      const expected = (keep: (doc: Profile) => boolean, direction: 1 | -1) => docs
        .filter(keep)
        .sort((a, b) => direction * (a.expiresAt!.getTime() - b.expiresAt!.getTime()) || (a._id < b._id ? -1 : 1))
        .map((doc) => doc._id);
      const since = new Date(start + 5000);
      const cases = [
        { filter: {}, direction: -1 as const, skip: 0, limit: 10, keep: () => true },
        { filter: { nfType: 'AMF' }, direction: -1 as const, skip: 3, limit: 5, keep: (doc: Profile) => doc.nfType === 'AMF' },
        { filter: { expiresAt: { $gte: since } }, direction: -1 as const, skip: 0, limit: 100, keep: (doc: Profile) => doc.expiresAt! >= since },
        { filter: { expiresAt: { $lt: since }, nfType: 'SMF' }, direction: 1 as const, skip: 2, limit: 7, keep: (doc: Profile) => doc.expiresAt! < since && doc.nfType === 'SMF' },
        { filter: { nfType: 'UDM' }, direction: -1 as const, skip: 0, limit: 5, keep: () => false },
      ];
      for (const { filter, direction, skip, limit, keep } of cases) {
        const found = await profiles.find(filter, { sort: { expiresAt: direction }, skip, limit });
        expect(ids(found), JSON.stringify({ filter, direction, skip })).to.deep.equal(expected(keep, direction).slice(skip, skip + limit));
      }
    });

    it('replaceOne replaces the whole first match and, without upsert, inserts nothing when none matches', async () => {
      await insertSeed();
      const replaced = await profiles.replaceOne({ _id: 'smf-1' }, { _id: 'smf-1', nfType: 'SMF', note: 'new' });
      expect(replaced).to.deep.equal({ matched: 1, upserted: false });
      expect(await profiles.findOne({ _id: 'smf-1' })).to.deep.equal({ _id: 'smf-1', nfType: 'SMF', note: 'new' });
      const missed = await profiles.replaceOne({ _id: 'pcf-1' }, { _id: 'pcf-1', nfType: 'PCF' });
      expect(missed).to.deep.equal({ matched: 0, upserted: false });
      expect(await profiles.findOne({ _id: 'pcf-1' })).to.equal(null);
    });

    it('replaceOne with upsert inserts when none matches and replaces when one does', async () => {
      const inserted = await profiles.replaceOne({ _id: 'pcf-1' }, { _id: 'pcf-1', nfType: 'PCF', load: 1 }, { upsert: true });
      expect(inserted).to.deep.equal({ matched: 0, upserted: true });
      expect(await profiles.findOne({ _id: 'pcf-1' })).to.deep.equal({ _id: 'pcf-1', nfType: 'PCF', load: 1 });
      const replaced = await profiles.replaceOne({ _id: 'pcf-1' }, { _id: 'pcf-1', nfType: 'PCF', load: 2 }, { upsert: true });
      expect(replaced).to.deep.equal({ matched: 1, upserted: false });
      expect(await profiles.find({})).to.deep.equal([{ _id: 'pcf-1', nfType: 'PCF', load: 2 }]);
    });

    it('findOneAndUpdate applies $set, $inc, $unset and $push and returns the document after the update', async () => {
      await insertSeed();
      const after = await profiles.findOneAndUpdate(
        { _id: 'amf-1' },
        { $set: { status: 'SUSPENDED', 'plmn.mnc': '09' }, $inc: { load: 5 }, $unset: { tags: true }, $push: { heartbeats: 1 } },
      );
      const expected = { _id: 'amf-1', nfType: 'AMF', status: 'SUSPENDED', load: 15, plmn: { mcc: '001', mnc: '09' }, heartbeats: [1] };
      expect(after).to.deep.equal(expected);
      expect(await profiles.findOne({ _id: 'amf-1' })).to.deep.equal(expected);
    });

    it('findOneAndUpdate with $pull removes the matching array elements', async () => {
      await insertSeed();
      const after = await profiles.findOneAndUpdate({ _id: 'udm-1' }, { $pull: { tags: 'core' } });
      expect(after?.tags).to.deep.equal(['edge']);
    });

    it('findOneAndUpdate returns null and changes nothing when nothing matches', async () => {
      await insertSeed();
      expect(await profiles.findOneAndUpdate({ _id: 'nope' }, { $set: { status: 'X' } })).to.equal(null);
      expect(await profiles.countDocuments({ status: 'X' })).to.equal(0);
      expect(await profiles.countDocuments({})).to.equal(seed.length);
    });

    it('findOneAndUpdate refuses an update without $-operators instead of replacing the document', async () => {
      await insertSeed();
      const err = await rejectionOf(profiles.findOneAndUpdate({ _id: 'amf-1' }, { nfType: 'X' } as never));
      expect(err).to.be.instanceOf(Error);
      expect((await profiles.findOne({ _id: 'amf-1' }))?.nfType).to.equal('AMF');
    });

    it('updateMany updates every match and returns how many matched', async () => {
      await insertSeed();
      expect(await profiles.updateMany({ nfType: 'AMF' }, { $set: { status: 'DEREGISTERED' } })).to.equal(2);
      expect(await findIds({ status: 'DEREGISTERED' })).to.deep.equal(['amf-1', 'amf-2']);
      expect(await profiles.updateMany({ nfType: 'NEF' }, { $set: { status: 'X' } })).to.equal(0);
    });

    it('findOneAndDelete returns the deleted document, then null once none matches', async () => {
      await insertSeed();
      expect(await profiles.findOneAndDelete({ _id: 'smf-1' })).to.deep.equal(seed[2]);
      expect(await profiles.findOne({ _id: 'smf-1' })).to.equal(null);
      expect(await profiles.findOneAndDelete({ _id: 'smf-1' })).to.equal(null);
      expect(await profiles.countDocuments({})).to.equal(seed.length - 1);
    });

    it('findOneAndDelete hands each document to exactly one of many concurrent callers', async () => {
      await insertSeed();
      const taken = await Promise.all(Array.from({ length: 10 }, () => profiles.findOneAndDelete({})));
      const got = taken.filter((d): d is Profile => d !== null).map((d) => d._id).sort();
      expect(got).to.deep.equal(seed.map((d) => d._id).sort());
      expect(await profiles.countDocuments({})).to.equal(0);
    });

    it('deleteMany removes every match and returns the count', async () => {
      await insertSeed();
      expect(await profiles.deleteMany({ nfType: 'AMF' })).to.equal(2);
      expect(await findIds({})).to.deep.equal(['smf-1', 'udm-1']);
      expect(await profiles.deleteMany({ nfType: 'AMF' })).to.equal(0);
    });

    it('countDocuments counts only the matches', async () => {
      await insertSeed();
      expect(await profiles.countDocuments({ status: 'REGISTERED' })).to.equal(2);
      expect(await profiles.countDocuments({ nfType: 'NEF' })).to.equal(0);
      expect(await profiles.countDocuments({})).to.equal(4);
    });

    it('createIndex twice with the same spec is not an error and the index stays enforced', async () => {
      await profiles.createIndex({ field: 'fqdn', unique: true });
      await profiles.createIndex({ field: 'fqdn', unique: true });
      await profiles.createIndex({ field: 'load' });
      await profiles.createIndex({ field: 'load' });
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'x' });
      expect(await rejectionOf(profiles.insertOne({ _id: 'b', nfType: 'AMF', fqdn: 'x' }))).to.be.instanceOf(DuplicateKeyError);
    });

    it('dropIndex removes an index (a unique one stops refusing duplicates), and dropping it again or one never made is no error', async () => {
      await profiles.createIndex({ field: 'fqdn', unique: true });
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'x' });
      await profiles.dropIndex('fqdn');
      await profiles.dropIndex('fqdn');
      await profiles.dropIndex('never-indexed');
      await profiles.insertOne({ _id: 'b', nfType: 'AMF', fqdn: 'x' });
      expect(ids(await profiles.find({ fqdn: 'x' }))).to.deep.equal(['a', 'b']);
    });

    it('createIndex refuses an index on the same field with other options', async () => {
      await profiles.createIndex({ field: 'fqdn', unique: true });
      expect(await rejectionOf(profiles.createIndex({ field: 'fqdn' }))).to.be.instanceOf(Error);
    });

    it('accepts a TTL index and keeps serving documents whose date is still ahead', async () => {
      await profiles.createIndex({ field: 'expiresAt', expireAfterSeconds: 60 });
      await profiles.insertOne({ _id: 'fresh', nfType: 'AMF', expiresAt: new Date() });
      expect(ids(await profiles.find({}))).to.deep.equal(['fresh']);
    });

    if (engine.ttlRemovesOnRead) {
      it('removes a document once its TTL field is older than expireAfterSeconds', async () => {
        await profiles.createIndex({ field: 'expiresAt', expireAfterSeconds: 1 });
        await profiles.insertOne({ _id: 'old', nfType: 'AMF', expiresAt: new Date(Date.now() - 5000) });
        await profiles.insertOne({ _id: 'new', nfType: 'AMF', expiresAt: new Date() });
        expect(await profiles.findOne({ _id: 'old' })).to.equal(null);
        expect(ids(await profiles.find({}))).to.deep.equal(['new']);
        expect(await profiles.countDocuments({})).to.equal(1);
      });

      it('leaves documents past their TTL out of a sorted find with a limit on the TTL field', async () => {
        await profiles.createIndex({ field: 'expiresAt', expireAfterSeconds: 1 });
        // 'new' first: its write takes the sweep of expired documents due behind a write (once a minute), so 'old' is still stored when the find runs.
        await profiles.insertOne({ _id: 'new', nfType: 'AMF', expiresAt: new Date() });
        await profiles.insertOne({ _id: 'old', nfType: 'AMF', expiresAt: new Date(Date.now() - 5000) });
        expect(ids(await profiles.find({}, { sort: { expiresAt: 1 }, limit: 5 }))).to.deep.equal(['new']);
      });
    }

    it('keeps the stored document when the caller mutates what it inserted or replaced', async () => {
      const doc: Profile = { _id: 'a', nfType: 'AMF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'] };
      await profiles.insertOne(doc);
      doc.nfType = 'CHANGED';
      doc.plmn!.mcc = '999';
      doc.tags!.push('y');
      expect(await profiles.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', nfType: 'AMF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'] });
      const replacement: Profile = { _id: 'a', nfType: 'SMF', tags: ['r'] };
      await profiles.replaceOne({ _id: 'a' }, replacement);
      replacement.tags!.push('s');
      expect(await profiles.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', nfType: 'SMF', tags: ['r'] });
    });

    it('keeps the stored document when the caller mutates what find, findOne or findOneAndUpdate returned', async () => {
      await profiles.insertOne({ _id: 'a', nfType: 'AMF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'] });
      const one = await profiles.findOne({ _id: 'a' });
      one!.plmn!.mcc = '999';
      const [many] = await profiles.find({ _id: 'a' });
      many.tags!.push('y');
      const updated = await profiles.findOneAndUpdate({ _id: 'a' }, { $set: { status: 'R' } });
      updated!.nfType = 'CHANGED';
      expect(await profiles.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', nfType: 'AMF', plmn: { mcc: '001', mnc: '01' }, tags: ['x'], status: 'R' });
    });

    it('dropAll empties every collection the store opened', async () => {
      const other = store.collection<Profile>(`others_${n}`);
      await insertSeed();
      await other.insertOne({ _id: 'o', nfType: 'NEF' });
      await store.dropAll();
      expect(await profiles.countDocuments({})).to.equal(0);
      expect(await other.countDocuments({})).to.equal(0);
      await profiles.insertOne({ _id: 'again', nfType: 'AMF' });
      expect(await profiles.countDocuments({})).to.equal(1);
    });

    it('refuses operations once closed', async () => {
      const closing = await makeStore();
      const held = closing.collection<Profile>('held');
      await closing.close();
      expect(() => closing.collection('held')).to.throw(/closed/);
      expect(await rejectionOf(held.findOne({}))).to.match(/closed/);
    });
  });
}

describe('store', () => {
  after(async () => {
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  });

  describeStoreContract('embedded engine in memory', async () => createEmbeddedStore({}), { ttlRemovesOnRead: true });

  describeStoreContract('embedded engine with a data directory', async () => createEmbeddedStore({ dataDir: await tempDir() }), {
    ttlRemovesOnRead: true,
  });

  describe('embedded engine persistence', () => {
    it('finds every acknowledged write, update and delete after close and reopen on the same directory', async () => {
      const dataDir = path.join(await tempDir(), 'nested', 'data');
      const first = createEmbeddedStore({ dataDir });
      const profiles = first.collection<Profile>('nf-profiles');
      await profiles.createIndex({ field: 'fqdn', unique: true });
      for (const doc of seed) await profiles.insertOne({ ...doc, fqdn: `${doc._id}.example` });
      await profiles.findOneAndUpdate({ _id: 'amf-1' }, { $set: { status: 'SUSPENDED' }, $inc: { load: 1 }, $push: { tags: 'b' } });
      await profiles.updateMany({ nfType: 'AMF' }, { $set: { expiresAt: new Date('2031-01-01T00:00:00Z') } });
      await profiles.replaceOne({ _id: 'smf-1' }, { _id: 'smf-1', nfType: 'SMF', fqdn: 'smf-1.example', note: 'replaced' });
      await profiles.replaceOne({ _id: 'pcf-1' }, { _id: 'pcf-1', nfType: 'PCF', fqdn: 'pcf-1.example' }, { upsert: true });
      await profiles.findOneAndDelete({ _id: 'udm-1' });
      await profiles.deleteMany({ _id: 'amf-2' });
      const expected = await profiles.find({});
      await first.close();

      expect(await readdir(dataDir)).to.deep.equal(['nf-profiles.db']);
      const second = createEmbeddedStore({ dataDir });
      const reopened = second.collection<Profile>('nf-profiles');
      const found = await reopened.find({});
      expect(ids(found)).to.deep.equal(['amf-1', 'pcf-1', 'smf-1']);
      expect(found).to.deep.equal(expected);
      expect(found[0].expiresAt).to.be.instanceOf(Date);
      expect(found[0]).to.include({ status: 'SUSPENDED', load: 11 });
      const err = await rejectionOf(reopened.insertOne({ _id: 'dup', nfType: 'AMF', fqdn: 'amf-1.example' }));
      expect(err, 'the unique index survives a reopen').to.be.instanceOf(DuplicateKeyError);
      await second.close();
    });

    it('does not bring back a dropped index when the directory is opened again', async () => {
      const dataDir = await tempDir();
      const first = createEmbeddedStore({ dataDir });
      await first.collection<Profile>('nf-profiles').createIndex({ field: 'fqdn', unique: true });
      await first.collection<Profile>('nf-profiles').dropIndex('fqdn');
      await first.close();
      const second = createEmbeddedStore({ dataDir });
      const reopened = second.collection<Profile>('nf-profiles');
      await reopened.insertOne({ _id: 'a', nfType: 'AMF', fqdn: 'x' });
      await reopened.insertOne({ _id: 'b', nfType: 'AMF', fqdn: 'x' });
      expect(await reopened.countDocuments({ fqdn: 'x' })).to.equal(2);
      await second.close();
    });

    it('close waits for writes still in flight', async () => {
      const dataDir = await tempDir();
      const first = createEmbeddedStore({ dataDir });
      const profiles = first.collection<Profile>('nf-profiles');
      const writes = Array.from({ length: 50 }, (_, i) => profiles.insertOne({ _id: `nf-${String(i).padStart(2, '0')}`, nfType: 'AMF' }));
      await first.close(); // the writes are not awaited: close alone must flush them
      const second = createEmbeddedStore({ dataDir });
      expect(await second.collection<Profile>('nf-profiles').countDocuments({})).to.equal(50);
      await second.close();
      await Promise.all(writes);
    });

    it('applies a TTL index again after a reopen once createIndex is called again', async () => {
      const dataDir = await tempDir();
      const first = createEmbeddedStore({ dataDir });
      // Written before the TTL index exists, so the sweep behind writes cannot remove it here.
      await first.collection<Profile>('subs').insertOne({ _id: 'old', nfType: 'AMF', expiresAt: new Date(Date.now() - 5000) });
      await first.collection<Profile>('subs').createIndex({ field: 'expiresAt', expireAfterSeconds: 1 });
      await first.close();
      expect(await readFile(path.join(dataDir, 'subs.db'), 'utf8')).to.contain('"_id":"old"');
      const second = createEmbeddedStore({ dataDir });
      const subs = second.collection<Profile>('subs');
      await subs.createIndex({ field: 'expiresAt', expireAfterSeconds: 1 });
      expect(await subs.findOne({ _id: 'old' })).to.equal(null);
      await second.close();
    });

    it('sweeps expired documents behind a write, though no query ever meets them', async () => {
      const dataDir = await tempDir();
      const store = createEmbeddedStore({ dataDir });
      const nonces = store.collection<Profile>('nonces');
      await nonces.createIndex({ field: 'expiresAt', expireAfterSeconds: 1 });
      await nonces.insertOne({ _id: 'old', nfType: 'AMF', expiresAt: new Date(Date.now() - 5000) });
      await nonces.insertOne({ _id: 'fresh', nfType: 'AMF', expiresAt: new Date() });
      await store.close(); // the compaction writes what the store still holds
      const file = await readFile(path.join(dataDir, 'nonces.db'), 'utf8');
      expect(file).to.contain('"_id":"fresh"');
      expect(file).not.to.contain('"_id":"old"');
    });

    it('refuses collection names that are not plain file names', () => {
      const store = createEmbeddedStore({});
      for (const bad of ['../etc', 'a/b', '.hidden', '']) expect(() => store.collection(bad), bad).to.throw(/invalid collection name/);
    });

    it('openStore chooses the embedded engine when no MongoDB URI is given', async () => {
      const store = await openStore({});
      expect(store.engine).to.equal('embedded');
      await store.close();
    });
  });

  describe('MongoDB engine', () => {
    const uri = process.env.MONGODB_URI;

    before(() => {
      if (!uri) console.log('    MongoDB contract suite not run: MONGODB_URI is not set');
    });

    it('reads the database name from the URI path', () => {
      expect(dbNameFromUri('mongodb://db:27017/nrf?replicaSet=rs0')).to.equal('nrf');
      expect(dbNameFromUri('mongodb+srv://u:p@cluster.example/core')).to.equal('core');
      expect(dbNameFromUri('mongodb://db:27017/')).to.equal(undefined);
      expect(dbNameFromUri('mongodb://db:27017')).to.equal(undefined);
    });

    it('gives up after the bounded retries, logging each failed attempt without the password', async () => {
      const lines: string[] = [];
      const err = await rejectionOf(
        createMongoStore({
          uri: 'mongodb://dmsc:secret@127.0.0.1:1/dmsc',
          connectRetries: 1,
          retryDelayMs: 10,
          serverSelectionTimeoutMS: 200,
          log: (msg) => lines.push(msg),
        }),
      );
      expect(String(err)).to.match(/not reachable after 2 attempts/);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/attempt 1 of 2.*retrying in 10 ms/);
      expect(lines[1]).to.match(/attempt 2 of 2.*giving up/);
      expect(lines.join('\n') + String(err)).not.to.include('secret');
    });

    if (uri) {
      const dbName = `dmsc_contract_${process.pid}_${Date.now()}`;
      after(async () => {
        const client = await MongoClient.connect(uri);
        await client.db(dbName).dropDatabase();
        await client.close();
      });

      describeStoreContract('MongoDB engine contract', () => createMongoStore({ uri, dbName, connectRetries: 0 }), { ttlRemovesOnRead: false });

      it('creates a TTL index with expireAfterSeconds on the server', async () => {
        const store = await createMongoStore({ uri, dbName, connectRetries: 0 });
        await store.collection('ttl_check').createIndex({ field: 'expiresAt', expireAfterSeconds: 30 });
        await store.close();
        const client = await MongoClient.connect(uri);
        const indexes = await client.db(dbName).collection('ttl_check').indexes();
        await client.close();
        expect(indexes.find((i) => i.key.expiresAt === 1)?.expireAfterSeconds).to.equal(30);
      });

      it('openStore chooses MongoDB when a URI is given', async () => {
        const store = await openStore({ mongodbUri: uri });
        expect(store.engine).to.equal('mongodb');
        await store.close();
      });
    }
  });
});
