import { expect } from 'chai';
import fc from 'fast-check';
import { Datastore } from '../../nfs/shared/store/nedb-internals.ts';
import '../../nfs/shared/store/embedded-index-removal.ts';

interface Doc { _id: string; tag: string | string[]; n: number }
interface IndexInternals { indexes: Record<string, { getMatching(key: unknown): Doc[]; tree: { tree: { search(key: unknown): Doc[] } } }> }

/** The ids an index holds under a key, read from the index itself (a find would re-check every document). */
const indexed = (db: InstanceType<typeof Datastore>, key: string) =>
  (db as unknown as IndexInternals).indexes.tag.getMatching(key).map((doc) => doc._id).sort();

const tags = ['GOOD', 'SUSPENDED', 'REVOKED'];

describe('embedded store index removal in place', () => {
  it('keeps every index key holding exactly the documents whose field has it, through inserts, updates and removals', async () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant('insert' as const), id: fc.nat(30), tag: fc.oneof(fc.constantFrom(...tags), fc.subarray(tags, { minLength: 1 })) }),
      fc.record({ op: fc.constant('retag' as const), id: fc.nat(30), tag: fc.constantFrom(...tags) }),
      fc.record({ op: fc.constant('touch' as const), id: fc.nat(30) }),
      fc.record({ op: fc.constant('remove' as const), id: fc.nat(30) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 120 }), async (operations) => {
        const db = new Datastore({ inMemoryOnly: true });
        await db.ensureIndexAsync({ fieldName: 'tag' });
        const model = new Map<string, Doc>();
        for (const step of operations) {
          const _id = `d${step.id}`;
          if (step.op === 'insert') {
            if (model.has(_id)) continue;
            await db.insertAsync({ _id, tag: step.tag, n: 0 });
            model.set(_id, { _id, tag: step.tag, n: 0 });
          } else if (step.op === 'retag') {
            await db.updateAsync({ _id }, { $set: { tag: step.tag } });
            if (model.has(_id)) model.set(_id, { ...model.get(_id)!, tag: step.tag });
          } else if (step.op === 'touch') {
            await db.updateAsync({ _id }, { $inc: { n: 1 } });
          } else {
            await db.removeAsync({ _id }, {});
            model.delete(_id);
          }
        }
        for (const tag of tags) {
          const expected = [...model.values()].filter((doc) => (Array.isArray(doc.tag) ? doc.tag.includes(tag) : doc.tag === tag)).map((doc) => doc._id).sort();
          expect(indexed(db, tag), tag).to.deep.equal(expected);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('leaves a shared key as it was when a unique index refuses an update and nedb rolls it back', async () => {
    const db = new Datastore({ inMemoryOnly: true });
    await db.ensureIndexAsync({ fieldName: 'tag' });
    await db.ensureIndexAsync({ fieldName: 'code', unique: true });
    await db.insertAsync([{ _id: 'a', tag: 'GOOD', code: 1 }, { _id: 'b', tag: 'GOOD', code: 2 }, { _id: 'c', tag: 'GOOD', code: 3 }]);
    let refusal: unknown;
    await db.updateAsync({ _id: 'b' }, { $set: { tag: 'REVOKED', code: 1 } }).catch((error: unknown) => (refusal = error));
    expect((refusal as { errorType?: string })?.errorType).to.equal('uniqueViolated');
    expect(indexed(db, 'GOOD')).to.deep.equal(['a', 'b', 'c']);
    expect(indexed(db, 'REVOKED')).to.deep.equal([]);
  });

  it('removes a document from a shared key in the same list, not a filtered copy', async () => {
    const db = new Datastore({ inMemoryOnly: true });
    await db.ensureIndexAsync({ fieldName: 'tag' });
    await db.insertAsync([{ _id: 'a', tag: 'GOOD' }, { _id: 'b', tag: 'GOOD' }, { _id: 'c', tag: 'GOOD' }]);
    const tree = (db as unknown as IndexInternals).indexes.tag.tree.tree;
    const list = tree.search('GOOD');
    await db.updateAsync({ _id: 'b' }, { $set: { tag: 'REVOKED' } });
    expect(tree.search('GOOD')).to.equal(list);
    expect(list.map((doc) => doc._id)).to.deep.equal(['a', 'c']);
    expect(indexed(db, 'REVOKED')).to.deep.equal(['b']);
  });
});
