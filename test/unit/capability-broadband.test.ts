import { expect } from 'chai';
import { capabilityHandlers, type TaskRequest, type TaskResult } from '../../nfs/agent-nf/capabilities/capability-handlers.ts';
import { defaultBroadbandFault } from '../../nfs/agent-nf/network-broadband.ts';
import type { BroadbandFaultCode } from '../../nfs/agent-nf/network-catalogue.ts';
import { openNetworkState, type NetworkState } from '../../nfs/agent-nf/network-state.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const morning = Date.UTC(2025, 4, 14, 9, 15);

/** The first SUPI whose line has the fault by default. */
const supiWithFault = (fault: BroadbandFaultCode | null) => {
  for (let n = 1; ; n += 1) {
    const supi = `imsi-00101${String(n).padStart(10, '0')}`;
    if (defaultBroadbandFault(supi) === fault) return supi;
  }
};

describe('capabilities of the home-broadband fault workflow (seed 004, use case 2)', () => {
  let store: Store;
  let state: NetworkState;
  let clock: number;
  const now = () => clock;
  const run = (capability: string, supi: string, parameters: Record<string, unknown> = {}, ...dependencies: TaskResult[]) => {
    const inputs = Object.fromEntries(dependencies.map((result) => [result.taskId, result]));
    const task: TaskRequest = { taskId: `t-${capability}`, intentId: 'intent-1', capabilityId: `/capability/${capability}`, supi, parameters, inputs };
    return capabilityHandlers[task.capabilityId](task, { state, now });
  };
  /** Pre-processing -> root cause -> fault handling -> validation, each given the one before. */
  const workflow = async (supi: string) => {
    const prepared = await run('data-preprocessing', supi, { domain: 'broadband', complaint: 'my broadband keeps dropping' });
    const analysed = await run('root-cause-analysis', supi, {}, prepared);
    const handled = await run('fault-handling', supi, {}, analysed);
    const validated = await run('e2e-testing', supi, {}, handled);
    return { prepared, analysed, handled, validated };
  };

  beforeEach(async () => {
    store = await openStore({});
    clock = morning;
    state = await openNetworkState({ store, now });
  });
  afterEach(() => store.close());

  it('finds a congested Wi-Fi channel, fixes it remotely, validates the service, and a later line check shows it fixed', async () => {
    const supi = supiWithFault('ROUTER_WIFI_CHANNEL_CONGESTION');
    const before = await run('broadband-troubleshooting', supi);
    expect(before.data.healthy).to.equal(false);
    const { prepared, analysed, handled, validated } = await workflow(supi);
    expect(prepared.summary).to.contain('1 active alarm (WIFI_CHANNEL_CONGESTION, minor)');
    expect((analysed.data.rootCause as { code: string }).code).to.equal('ROUTER_WIFI_CHANNEL_CONGESTION');
    expect(analysed.data.dataSource).to.equal(prepared.taskId);
    expect(handled.data).to.include({ outcome: 'REPAIRED_REMOTELY', repaired: true, needsEngineer: false });
    expect(handled.summary).to.match(/^Fixed remotely: moved the router's 2\.4 GHz Wi-Fi from channel 6 to the quieter channel 11; the WIFI_CHANNEL_CONGESTION alarm on line FTTH-\d{8} has cleared\.$/);
    expect(validated.data.passed).to.equal(true);
    expect(validated.summary).to.match(/^All 5 service tests passed on line FTTH-\d{8}: .* on channel 11\.$/);
    const after = await run('broadband-troubleshooting', supi);
    expect(after.data.healthy).to.equal(true);
    expect(after.summary).to.contain('repaired remotely');
  });

  it('repairs a PPPoE login failure the same way', async () => {
    const supi = supiWithFault('PPPOE_AUTH_FAILURE');
    const { analysed, handled, validated } = await workflow(supi);
    expect((analysed.data.rootCause as { code: string }).code).to.equal('PPPOE_AUTH_FAILURE');
    expect(handled.data.outcome).to.equal('REPAIRED_REMOTELY');
    expect(validated.data.passed).to.equal(true);
  });

  it('books an engineer for a cut fibre; validation fails until the visit, then the line check shows it repaired', async () => {
    const supi = supiWithFault('ONT_LOS');
    const { analysed, handled, validated } = await workflow(supi);
    expect(analysed.data.rootCause).to.include({ code: 'ONT_LOS', remotelyFixable: false });
    expect(handled.data).to.include({ outcome: 'ENGINEER_BOOKED', repaired: false, needsEngineer: true });
    const visit = handled.data.visit as { window: string; windowEnd: string; skill: string; engineerName: string };
    expect(visit.skill).to.equal('fibre-splicing');
    expect(handled.summary).to.contain(`cannot be fixed remotely, so engineer ${visit.engineerName} is booked for ${visit.window}`);
    expect(validated.data.passed).to.equal(false);
    expect(validated.summary).to.contain(`An engineer is booked for ${visit.window}.`);
    const scheduled = await run('maintenance-scheduling', supi, { action: 'show' });
    expect(scheduled.summary).to.equal(`Your engineer visit is ${visit.window} with ${visit.engineerName}.`);
    const again = await run('maintenance-scheduling', supi, {}, handled);
    expect(again.data.alreadyBooked).to.equal(true);
    clock = Date.parse(visit.windowEnd) + 60_000;
    const later = await run('broadband-troubleshooting', supi);
    expect(later.data.healthy).to.equal(true);
    expect(later.summary).to.contain('repaired by an engineer');
    expect((await run('e2e-testing', supi)).data.passed).to.equal(true);
  });

  it('books an engineer with the optical skill for a weak fibre signal', async () => {
    const supi = supiWithFault('OPTICAL_POWER_DEGRADED');
    const { handled } = await workflow(supi);
    expect((handled.data.visit as { skill: string }).skill).to.equal('optical');
  });

  it('finds no fault on a healthy line and repairs nothing', async () => {
    const supi = supiWithFault(null);
    const { analysed, handled, validated } = await workflow(supi);
    expect(analysed.data.rootCause).to.equal(null);
    expect(analysed.summary).to.match(/^No fault found: the line and router look normal/);
    expect(handled.data).to.include({ outcome: 'NO_FAULT', repaired: false });
    expect(validated.data.passed).to.equal(true);
    const visit = await run('maintenance-scheduling', supi, {}, handled);
    expect(visit.data.booked).to.equal(false);
  });

  it('reads a fault a scenario puts on the line', async () => {
    const supi = supiWithFault(null);
    await state.setBroadbandFault(supi, 'PPPOE_AUTH_FAILURE');
    const { handled } = await workflow(supi);
    expect(handled.data.fault).to.equal('PPPOE_AUTH_FAILURE');
  });

  it('fails root-cause analysis on a pre-processing input without line or radio data', async () => {
    const supi = supiWithFault(null);
    const bogus: TaskResult = { taskId: 'pre-1', capabilityId: '/capability/data-preprocessing', state: 'completed', summary: 'x', data: { broadband: 'nothing' } };
    const result = await run('root-cause-analysis', supi, {}, bogus);
    expect(result).to.include({ state: 'failed' });
    expect(result.summary).to.contain('pre-processing result of task pre-1 has no line or radio data');
  });

  it('collects the data itself when root-cause analysis has no pre-processing input', async () => {
    const supi = supiWithFault('ONT_LOS');
    const result = await run('root-cause-analysis', supi);
    expect(result.data.dataSource).to.equal('collected');
    expect((result.data.rootCause as { code: string }).code).to.equal('ONT_LOS');
  });

  it('fails fault handling on a root cause it does not know', async () => {
    const supi = supiWithFault('ONT_LOS');
    const odd: TaskResult = { taskId: 'rca-1', capabilityId: '/capability/root-cause-analysis', state: 'completed', summary: 'x', data: { rootCause: { code: 'SOLAR_FLARE' } } };
    const result = await run('fault-handling', supi, {}, odd);
    expect(result.state).to.equal('failed');
    expect(result.summary).to.contain('"SOLAR_FLARE" from task rca-1');
    expect(await store.collection('netstate.visits').countDocuments({})).to.equal(0);
  });

  it('repairs from the line check when asked to', async () => {
    const supi = supiWithFault('ROUTER_WIFI_CHANNEL_CONGESTION');
    const result = await run('broadband-troubleshooting', supi, { action: 'repair' });
    expect(result.data.outcome).to.equal('REPAIRED_REMOTELY');
    expect((await state.getBroadbandLine(supi)).fault).to.equal(null);
  });

  it('explains a diagnosed root cause from the knowledge base, and answers a question', async () => {
    const supi = supiWithFault('ONT_LOS');
    const { analysed } = await workflow(supi);
    const explained = await run('knowledge-qa', supi, {}, analysed);
    expect(explained.summary).to.match(/^Red LOS light on the fibre box: /);
    const answered = await run('knowledge-qa', supi, { question: 'when does my data allowance reset?' });
    expect(answered.summary).to.match(/^When your data allowance resets: /);
    const nothing = await run('knowledge-qa', supi, {});
    expect(nothing.data.reason).to.equal('MISSING_QUESTION');
  });
});
