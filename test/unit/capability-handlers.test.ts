/**
 * Properties of the whole set of capability handlers: each id of the AGW taxonomy that a network
 * agent serves has one; any task, however odd its parameters, SUPI, inputs or time, gets a
 * well-formed, JSON-safe result instead of an exception; reads are deterministic per SUPI.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { defaultTaxonomy } from '../../nfs/agw/default-taxonomy.ts';
import { capabilityHandlers, type TaskRequest, type TaskResult } from '../../nfs/agent-nf/capabilities/capability-handlers.ts';
import { openNetworkState, type NetworkState } from '../../nfs/agent-nf/network-state.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const ids = Object.keys(capabilityHandlers);
const supis = fc.stringMatching(/^imsi-[0-9]{5,15}$/);
const times = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) });
const parameterNames = ['action', 'latencyMsMax', 'downlinkMbpsMin', 'serviceType', 'durationMinutes', 'plan', 'question', 'cellId',
  'horizonHours', 'domain', 'complaint', 'fault', 'urgency', 'service', 'symptom'];
const values = fc.oneof(
  fc.constantFrom('apply', 'show', 'release', 'check', 'repair', 'book', 'show-bill', 'show-usage', 'change-plan', 'list-plans', 'plus-50',
    'unlimited', 'nr-cell-004', 'broadband', 'mobile', 'all', 'ONT_LOS', 'PPPOE_AUTH_FAILURE', 'high', 'video', 'gaming', 'wifi slow', '12', '0.5'),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: -10, max: 2000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const parameters = fc.dictionary(fc.constantFrom(...parameterNames), values, { maxKeys: 4 });
const inputs = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.record({
  taskId: fc.string({ maxLength: 8 }),
  capabilityId: fc.constantFrom(...ids),
  state: fc.constantFrom('completed' as const, 'failed' as const),
  summary: fc.string({ maxLength: 20 }),
  data: fc.oneof(fc.object({ maxDepth: 2 }), fc.record({ rootCause: fc.oneof(fc.constant(null), fc.record({ code: fc.constantFrom('ONT_LOS', 'WEAK_COVERAGE', 'CELL_CONGESTION', 'x') })) })),
}), { maxKeys: 2 });

/** Handlers a plain read answers the same for the same SUPI and time, whatever else happened. */
const readOnly = ['location', 'cell-load-analytics', 'network-diagnosis', 'broadband-troubleshooting', 'billing-plan', 'data-preprocessing',
  'root-cause-analysis', 'e2e-testing'].map((name) => `/capability/${name}`);

const expectWellFormed = (result: TaskResult, task: TaskRequest) => {
  expect(result.taskId).to.equal(task.taskId);
  expect(result.capabilityId).to.equal(task.capabilityId);
  expect(['completed', 'failed']).to.include(result.state);
  expect(result.summary).to.be.a('string').that.matches(/^\S.*[.!?)]$/s);
  expect(result.summary.length).to.be.lessThan(600);
  expect(result.data).to.be.an('object');
  // What crosses HTTP must survive JSON: no undefined, NaN or Infinity anywhere.
  expect(JSON.parse(JSON.stringify(result))).to.deep.equal(result);
};

describe('capability handlers', () => {
  let store: Store;
  let state: NetworkState;
  let clock: number;
  const now = () => clock;
  const task = (capabilityId: string, supi: string | undefined, params: Record<string, unknown> = {}): TaskRequest =>
    ({ taskId: 'task-1', intentId: 'intent-1', capabilityId, parameters: params, ...(supi === undefined ? {} : { supi }) });

  beforeEach(async () => {
    store = await openStore({});
    clock = Date.UTC(2025, 4, 14, 19, 5);
    state = await openNetworkState({ store, now });
  });
  afterEach(() => store.close());

  it('has a handler for every network capability of the AGW taxonomy, and for nothing else', () => {
    const served = defaultTaxonomy.map((entry) => entry.capabilityId)
      .filter((id) => !['/capability/intent-recognition', '/capability/personal-assistant', '/capability/ue-measurement'].includes(id));
    expect([...ids].sort()).to.deep.equal(served.sort());
  });

  it('completes a minimal task of every capability (knowledge-qa asks for a question)', async () => {
    for (const id of ids) {
      const request = task(id, 'imsi-001010000000001');
      const result = await capabilityHandlers[id](request, { state, now });
      expectWellFormed(result, request);
      if (id === '/capability/knowledge-qa') expect(result.data.reason).to.equal('MISSING_QUESTION');
      else expect(result.state, `${id}: ${result.summary}`).to.equal('completed');
    }
  });

  it('fails a task that needs a SUPI and has none, or a malformed one, saying so', async () => {
    for (const id of ids.filter((candidate) => candidate !== '/capability/knowledge-qa')) {
      const missing = await capabilityHandlers[id](task(id, undefined), { state, now });
      expect(missing, id).to.include({ state: 'failed' });
      expect(missing.data.reason, id).to.equal('MISSING_SUPI');
      const malformed = await capabilityHandlers[id](task(id, 'imsi-12'), { state, now });
      expect(malformed.data.reason, id).to.equal('INVALID_SUPI');
      expect(malformed.summary).to.contain('"imsi-12"');
    }
  });

  it('answers any task with a well-formed result and never throws', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...ids), supis, parameters, fc.option(inputs), times, async (id, supi, params, given, at) => {
      clock = at;
      const request: TaskRequest = { ...task(id, supi, params), ...(given ? { inputs: given as Record<string, TaskResult> } : {}) };
      expectWellFormed(await capabilityHandlers[id](request, { state, now }), request);
    }), { numRuns: 300 });
  });

  it('reads the same answer for the same SUPI and time in two independent networks', async () => {
    const other = await openNetworkState({ store: await openStore({}), now });
    await fc.assert(fc.asyncProperty(fc.constantFrom(...readOnly), supis, times, async (id, supi, at) => {
      clock = at;
      const request = task(id, supi);
      expect(await capabilityHandlers[id](request, { state, now })).to.deep.equal(await capabilityHandlers[id](request, { state: other, now }));
    }), { numRuns: 60 });
  });

  it('fails on a parameters value that is not an object', async () => {
    const request = { ...task('/capability/location', 'imsi-001010000000001'), parameters: 'fast please' as unknown as Record<string, unknown> };
    const qos = await capabilityHandlers['/capability/qos-optimisation']({ ...request, capabilityId: '/capability/qos-optimisation' }, { state, now });
    expect(qos.data.reason).to.equal('INVALID_PARAMETERS');
    expect(qos.summary).to.contain('parameters must be an object');
  });
});
