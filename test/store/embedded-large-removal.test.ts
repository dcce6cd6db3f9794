import { expect } from 'chai';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('embedded store removals of many documents', function () {
  this.timeout(30_000);

  it('removes 150,000 matching documents in one deleteMany and keeps the others', async () => {
    const store = createEmbeddedStore({});
    const docs = store.collection<{ _id: string; kind: string }>('many');
    for (let at = 0; at < 150_001; at += 5_000) {
      await docs.insertMany(Array.from({ length: Math.min(5_000, 150_001 - at) }, (_, i) => ({ _id: `d${at + i}`, kind: at + i === 150_000 ? 'keep' : 'drop' })));
    }
    expect(await docs.deleteMany({ kind: 'drop' })).to.equal(150_000);
    expect(await docs.find({}, {})).to.deep.equal([{ _id: 'd150000', kind: 'keep' }]);
    await store.close();
  });
});
