import { expect } from 'chai';
import { openAgentNfStore } from '../../nfs/agent-nf/store.ts';
import type { Filter, Store } from '../../nfs/shared/store/collection.ts';

/** A store whose one collection records the removals asked of it. */
function recordingStore(removals: Filter[]): Store {
  const collection = { createIndex: async () => {}, deleteMany: async (filter: Filter) => (removals.push(filter), 0) };
  return { engine: 'embedded', collection: () => collection, dropAll: async () => {}, close: async () => {} } as unknown as Store;
}

describe('intent records of an NF with agents', () => {
  it('are swept past their retention at most once a minute, since the embedded engine only drops what a query meets', async () => {
    const removals: Filter[] = [];
    const store = await openAgentNfStore(recordingStore(removals), 3600);
    const t0 = 10_000_000;
    store.sweepExpiredIntents(t0);
    store.sweepExpiredIntents(t0 + 59_000);
    store.sweepExpiredIntents(t0 + 61_000);
    expect(removals).to.have.length(2);
    expect(removals[0]).to.deep.equal({ recordedAt: { $lt: new Date(t0 - 3_600_000) } });
  });
});
