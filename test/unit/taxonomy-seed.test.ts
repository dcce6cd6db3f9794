/** When the AGW writes its default taxonomy (nfs/agw/taxonomy.ts): on the store's first start only. */
import { expect } from 'chai';
import { defaultTaxonomy } from '../../nfs/agw/default-taxonomy.ts';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createTaxonomy } from '../../nfs/agw/taxonomy.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('AGW default taxonomy', () => {
  const start = async (store: Awaited<ReturnType<typeof openAgwStore>>) => createTaxonomy({ store, seed: defaultTaxonomy, minMatchScore: 0.3 });

  it('is written on the first start, and a taxonomy the operator emptied stays empty across a restart', async () => {
    const store = await openAgwStore(createEmbeddedStore(), 3600);
    const first = await start(store);
    const seeded = await first.getTaxonomy();
    expect(seeded.capabilities.map((capability) => capability.capabilityId)).to.have.members(defaultTaxonomy.map((entry) => entry.capabilityId));
    for (const { capabilityId } of seeded.capabilities) await first.deleteCapability(capabilityId.slice('/capability/'.length));
    const restarted = await (await start(store)).getTaxonomy();
    expect(restarted.capabilities).to.deep.equal([]);
    expect(restarted.version).to.be.above(seeded.version);
  });

  it('finishes a seeding a stopped process began', async () => {
    const store = await openAgwStore(createEmbeddedStore(), 3600);
    // As a first start stopped after it marked the seeding and wrote one entry.
    await store.counters.insertOne({ _id: 'taxonomySeeding', value: 1 });
    await store.counters.insertOne({ _id: 'taxonomyVersion', value: 1 });
    const [one] = defaultTaxonomy;
    await store.taxonomy.insertOne({ _id: one.capabilityId, name: one.name, description: one.description, synonyms: one.synonyms ?? [], parameters: [], version: 1 });
    const finished = await (await start(store)).getTaxonomy();
    expect(finished.capabilities).to.have.length(defaultTaxonomy.length);
    expect(await store.counters.findOne({ _id: 'taxonomySeeding' })).to.equal(null);
  });
});
