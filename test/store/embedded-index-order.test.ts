import { expect } from 'chai';
import fc from 'fast-check';
import { Datastore } from '../../nfs/shared/store/nedb-internals.ts';
import type { StoredDocument } from '../../nfs/shared/store/collection.ts';
import { findInIndexOrder } from '../../nfs/shared/store/embedded-index-order.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

interface Doc extends StoredDocument {
  kind: string;
  t?: unknown;
}

// Sort keys of several types, with ties and missing values; `withArrays` adds arrays (indexed once per element).
const scalar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => new Date(Date.UTC(2030, 0, 1, 0, 0, n))) },
  { weight: 2, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant(undefined) },
);
const withArrays = fc.oneof({ weight: 14, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 3 }) });
const docsOf = (sortValue: fc.Arbitrary<unknown>) =>
  fc.uniqueArray(fc.record({ _id: fc.string({ minLength: 1, maxLength: 3 }), kind: fc.constantFrom('x', 'y'), t: sortValue }), { selector: (doc) => doc._id, maxLength: 40 });
const filter = fc.oneof(
  fc.constant({}),
  fc.constantFrom({ kind: 'x' }, { kind: 'y' }),
  fc.record({ t: fc.record({ [`$gte`]: fc.integer({ min: 0, max: 12 }) }) }),
  fc.record({ t: fc.record({ [`$lt`]: fc.integer({ min: 0, max: 12 }) }), kind: fc.constant('x') }),
  fc.integer({ min: 0, max: 12 }).map((n) => ({ t: { $gt: new Date(Date.UTC(2030, 0, 1, 0, 0, n)) } })),
);

describe('embedded engine: sorted finds with a limit walk the sort field index', () => {
  const sameAsNedb = (documents: fc.Arbitrary<Array<{ _id: string; kind: string; t: unknown }>>, walkTaken: boolean) =>
    fc.asyncProperty(documents, filter, fc.constantFrom<1 | -1>(1, -1), fc.nat(5), fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }), fc.boolean(), async (generated, query, direction, skip, limit, removeSome) => {
      const stored = generated.map(({ t, ...rest }) => (t === undefined ? rest : { ...rest, t }));
      const store = createEmbeddedStore();
      const collection = store.collection<Doc>('docs');
      await collection.createIndex({ field: 't' });
      if (stored.length) await collection.insertMany(stored);
      // Indexed alike: nedb's candidates from an index hold a document once per array element.
      const reference = new Datastore();
      await reference.ensureIndexAsync({ fieldName: 't' });
      if (stored.length) await reference.insertAsync(structuredClone(stored));
      if (removeSome) {
        await collection.deleteMany({ kind: 'y' });
        await reference.removeAsync({ kind: 'y' }, { multi: true });
      }
      const ours = await collection.find(query, { sort: { t: direction }, skip, limit });
      const sorted = reference.findAsync(query).sort({ t: direction, _id: 1 }).skip(skip);
      const theirs = (await (limit === undefined ? sorted : sorted.limit(limit))) as unknown as Doc[];
      expect(ours).to.deep.equal(theirs);
      if (walkTaken) {
        // The same query on the reference's own index, through the walk itself: it answers, and alike.
        const walked = await findInIndexOrder(reference, { filter: query, sort: { t: direction, _id: 1 }, skip, limit: limit ?? Infinity });
        expect(walked, 'the walk answered').to.deep.equal(theirs);
      }
      await store.close();
    });

  it('answers exactly what nedb sorting every match would, walking the index, for any documents (removals too), filter, direction, skip and limit or none', async () => {
    await fc.assert(sameAsNedb(docsOf(scalar), true), { numRuns: 250 });
  });

  it('leaves an index that has held an array to nedb, and still answers as nedb does', async () => {
    await fc.assert(sameAsNedb(docsOf(withArrays), false), { numRuns: 100 });
  });

  it('leaves a sort that puts _id first to nedb', async () => {
    const reference = new Datastore();
    await reference.ensureIndexAsync({ fieldName: 't' });
    await reference.insertAsync([{ _id: 'b', t: 1 }, { _id: 'a', t: 2 }]);
    expect(await findInIndexOrder(reference, { filter: {}, sort: { _id: 1, t: -1 }, skip: 0, limit: 5 })).to.equal(undefined);
    expect((await findInIndexOrder(reference, { filter: {}, sort: { t: -1, _id: 1 }, skip: 0, limit: 5 }))!.map((doc) => doc._id)).to.deep.equal(['a', 'b']);
  });

  it('returns copies: changing an answer changes nothing stored', async () => {
    const store = createEmbeddedStore();
    const collection = store.collection<Doc>('docs');
    await collection.createIndex({ field: 't' });
    await collection.insertMany([{ _id: 'a', kind: 'x', t: 1 }, { _id: 'b', kind: 'x', t: 2 }]);
    const [newest] = await collection.find({}, { sort: { t: -1 }, limit: 1 });
    newest.kind = 'changed';
    expect((await collection.findOne({ _id: 'b' }))!.kind).to.equal('x');
    await store.close();
  });
});
