import { expect } from 'chai';
import { capabilityHandlers, type TaskRequest, type TaskResult } from '../../nfs/agent-nf/capabilities/capability-handlers.ts';
import { openNetworkState, type NetworkState } from '../../nfs/agent-nf/network-state.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const afternoon = Date.UTC(2025, 4, 14, 14, 30);

describe('capability qos-optimisation', () => {
  let store: Store;
  let clock: number;
  let state: NetworkState;
  let supi: string;
  let cellId: string;
  const now = () => clock;
  const run = (capability: string, parameters: Record<string, unknown> = {}, inputs?: Record<string, TaskResult>): Promise<TaskResult> => {
    const task: TaskRequest = { taskId: `t-${capability}`, intentId: 'intent-1', capabilityId: `/capability/${capability}`, supi, parameters, ...(inputs ? { inputs } : {}) };
    return capabilityHandlers[task.capabilityId](task, { state, now });
  };

  beforeEach(async () => {
    store = await openStore({});
    clock = afternoon;
    state = await openNetworkState({ store, now });
    // A UE whose radio carries well over 100 Mbps, so only the cell limits what it is granted.
    for (let n = 1; ; n += 1) {
      supi = `imsi-00101${String(n).padStart(10, '0')}`;
      const radio = await state.getUeRadio(supi);
      if (radio.peakDownlinkMbps > 150 && state.findCell(radio.cellId)!.capacityMbps === 1000) {
        cellId = radio.cellId;
        break;
      }
    }
    await state.setCellLoad(cellId, 40);
  });
  afterEach(() => store.close());

  it('raises a video UE to 5QI 2 with the rate asked for, and a later read and diagnosis report it', async () => {
    const result = await run('qos-optimisation', { serviceType: 'video', downlinkMbpsMin: 40, durationMinutes: 120 });
    expect(result.state).to.equal('completed');
    expect(result.summary).to.equal(`Your cell ${cellId} is 40% loaded; QoS raised to 5QI 2 with 40 Mbps guaranteed for 120 minutes (until 16:30).`);
    expect(result.data).to.include({ grant: 'full', grantedDownlinkMbps: 40 });
    expect((await state.getQosProfile(supi))).to.include({ fiveQi: 2, gbrDlMbps: 40, packetDelayBudgetMs: 150 });
    const shown = await run('qos-optimisation', { action: 'show' });
    expect(shown.summary).to.contain('5QI 2 with 40 Mbps guaranteed until 16:30');
    const diagnosis = await run('network-diagnosis');
    expect(diagnosis.summary).to.contain('Your QoS boost (5QI 2, 40 Mbps guaranteed until 16:30) is active');
    expect((diagnosis.data.qos as { fiveQi: number }).fiveQi).to.equal(2);
  });

  it('refuses a boost in a cell above the admission limit and says why', async () => {
    await state.setCellLoad(cellId, 95);
    const result = await run('qos-optimisation', { downlinkMbpsMin: 20 });
    expect(result.state).to.equal('failed');
    expect(result.summary).to.contain(`Your cell ${cellId} is 95% loaded, above the 90% admission limit`);
    expect(result.data).to.include({ reason: 'CELL_CONGESTED', cellLoadPercent: 95 });
    expect((await state.getQosProfile(supi)).isDefault).to.equal(true);
  });

  it('grants only what the cell has room for below the limit', async () => {
    await state.setCellLoad(cellId, 88);
    const result = await run('qos-optimisation', { downlinkMbpsMin: 40, serviceType: 'video' });
    expect(result.state).to.equal('completed');
    expect(result.data).to.include({ grant: 'partial', limitedBy: 'cell-load', grantedDownlinkMbps: 20 });
    expect(result.summary).to.contain('only 20 of the 40 Mbps asked for could be granted');
    expect((await state.getCell(cellId))!.loadPercent).to.equal(90);
  });

  it('replaces its own boost without counting the old reservation against it', async () => {
    await run('qos-optimisation', { downlinkMbpsMin: 100 });
    await state.setCellLoad(cellId, 85);
    // 85% base + 10% of its own boost is 95%, yet the UE's own reservation is handed back first.
    const result = await run('qos-optimisation', { downlinkMbpsMin: 30, serviceType: 'gaming' });
    expect(result.state).to.equal('completed');
    expect(result.data).to.include({ fiveQi: 3, cellLoadPercent: 85, grant: 'full', grantedDownlinkMbps: 30 });
    expect((result.data.replaced as { gbrDlMbps: number }).gbrDlMbps).to.equal(100);
  });

  it('picks the 5QI by the latency asked for', async () => {
    expect((await run('qos-optimisation', { latencyMsMax: 120 })).data.fiveQi).to.equal(1);
    expect((await run('qos-optimisation', { latencyMsMax: 60 })).data.fiveQi).to.equal(3);
    const xr = await run('qos-optimisation', { latencyMsMax: 20 });
    expect(xr.data.fiveQi).to.equal(80);
    expect(xr.summary).to.contain('10 ms delay budget');
    const tooTight = await run('qos-optimisation', { latencyMsMax: 5 });
    expect(tooTight.state).to.equal('failed');
    expect(tooTight.data.reason).to.equal('LATENCY_NOT_OFFERED');
  });

  it('guarantees the uplink asked for on a call, and names both rates', async () => {
    const result = await run('qos-optimisation', { serviceType: 'call', downlinkMbpsMin: 2, uplinkMbpsMin: 2 });
    expect(result.data).to.include({ fiveQi: 1, grantedUplinkMbps: 2, grant: 'full' });
    expect(result.summary).to.contain('QoS raised to 5QI 1 with 2 Mbps down and 2 Mbps up guaranteed');
    expect((await state.getQosProfile(supi)).gbrUlMbps).to.equal(2);
  });

  it('releases a boost back to best effort', async () => {
    await run('qos-optimisation', { downlinkMbpsMin: 10 });
    const released = await run('qos-optimisation', { action: 'release' });
    expect(released.data.released).to.equal(true);
    expect((await state.getQosProfile(supi)).fiveQi).to.equal(9);
  });

  it('fails on parameters of the wrong type or range, naming each, and changes nothing', async () => {
    const result = await run('qos-optimisation', { downlinkMbpsMin: 'fast', durationMinutes: 0, action: 'boost' });
    expect(result.state).to.equal('failed');
    expect(result.data.reason).to.equal('INVALID_PARAMETERS');
    expect(result.summary).to.contain('downlinkMbpsMin must be a number from 0.1 to 1000, not "fast"');
    expect(result.summary).to.contain('durationMinutes must be a whole number from 1 to 1440, not 0');
    expect(result.summary).to.contain('action must be one of apply, show, release');
    expect(await store.collection('netstate.qos').countDocuments({})).to.equal(0);
  });

  it('accepts numbers written as text, as TS 28.312 value ranges may carry them', async () => {
    const result = await run('qos-optimisation', { downlinkMbpsMin: '25', durationMinutes: '30' });
    expect(result.state).to.equal('completed');
    expect(result.data.grantedDownlinkMbps).to.equal(25);
  });

  it('fails a task without a SUPI', async () => {
    const result = await capabilityHandlers['/capability/qos-optimisation'](
      { taskId: 't1', intentId: 'i1', capabilityId: '/capability/qos-optimisation', parameters: {} },
      { state, now },
    );
    expect(result).to.include({ state: 'failed', taskId: 't1' });
    expect(result.summary).to.contain('no SUPI');
  });
});
