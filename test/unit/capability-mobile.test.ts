import { expect } from 'chai';
import { capabilityHandlers, type TaskRequest, type TaskResult } from '../../nfs/agent-nf/capabilities/capability-handlers.ts';
import { openNetworkState, type NetworkState } from '../../nfs/agent-nf/network-state.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { openStore } from '../../nfs/shared/store/open-store.ts';

const afternoon = Date.UTC(2025, 4, 14, 14, 30);

describe('capabilities location, cell-load-analytics, network-diagnosis, wireless-network-optimisation', () => {
  let store: Store;
  let state: NetworkState;
  let clock: number;
  const now = () => clock;
  const run = (capability: string, supi: string | undefined, parameters: Record<string, unknown> = {}, inputs?: Record<string, TaskResult>) => {
    const task: TaskRequest = { taskId: `t-${capability}`, intentId: 'intent-1', capabilityId: `/capability/${capability}`, parameters, ...(supi ? { supi } : {}), ...(inputs ? { inputs } : {}) };
    return capabilityHandlers[task.capabilityId](task, { state, now });
  };
  /** The first SUPI whose radio (at 30% load in its cell) satisfies pick. */
  const supiWhere = async (pick: (rsrpDbm: number, sinrDb: number) => boolean) => {
    for (let n = 1; n < 5000; n += 1) {
      const supi = `imsi-00101${String(n).padStart(10, '0')}`;
      const { cellId } = await state.getUeRadio(supi);
      await state.setCellLoad(cellId, 30);
      const radio = await state.getUeRadio(supi);
      if (pick(radio.rsrpDbm, radio.sinrDb)) return { supi, cellId };
    }
    throw new Error('no SUPI found');
  };

  beforeEach(async () => {
    store = await openStore({});
    clock = afternoon;
    state = await openNetworkState({ store, now });
  });
  afterEach(() => store.close());

  it('locates a UE in the same cell every time, within the cell radius', async () => {
    const first = await run('location', 'imsi-001019876543210');
    const second = await run('location', 'imsi-001019876543210');
    expect(first.data).to.deep.equal(second.data);
    expect(first.summary).to.match(/^Your device is in cell nr-cell-0\d\d \(tracking area 0001\d\d\), at about 51\.\d+, -?0\.\d+ within \d+ m\.$/);
  });

  it('diagnoses from the emulated load of the UE cell: healthy at 30%, congestion at 95%', async () => {
    const { supi, cellId } = await supiWhere((rsrp, sinr) => rsrp > -95 && sinr > 10);
    const quiet = await run('network-diagnosis', supi);
    expect(quiet.data).to.include({ healthy: true, cellLoadPercent: 30 });
    expect(quiet.summary).to.match(new RegExp(`^Your connection looks healthy: cell ${cellId} is 30% loaded`));
    await state.setCellLoad(cellId, 95);
    const busy = await run('network-diagnosis', supi);
    expect(busy.data).to.include({ healthy: false, cellLoadPercent: 95 });
    expect((busy.data.findings as Array<{ code: string }>)[0].code).to.equal('CELL_CONGESTION');
    expect(busy.summary).to.contain(`Cell ${cellId} is 95% loaded`);
    expect(busy.summary).to.contain('waiting for a quieter hour');
    expect(busy.data.downlinkMbps as number).to.be.lessThan(quiet.data.downlinkMbps as number);
  });

  it('uses the cell load a cell-load-analytics input gives for the UE cell', async () => {
    const { supi, cellId } = await supiWhere(() => true);
    const analysis = await run('cell-load-analytics', supi);
    expect(analysis.data).to.include({ cellId, loadPercent: 30 });
    const fromInput = { ...analysis, data: { ...analysis.data, loadPercent: 88 } };
    const diagnosis = await run('network-diagnosis', supi, {}, { [analysis.taskId]: fromInput });
    expect(diagnosis.data.cellLoadPercent).to.equal(88);
    expect(diagnosis.data.sources).to.deep.equal([`${analysis.taskId} (cell-load-analytics)`]);
    const elsewhere = { ...fromInput, data: { ...fromInput.data, cellId: 'nr-cell-000' } };
    expect((await run('network-diagnosis', supi, {}, { x: elsewhere })).data.cellLoadPercent).to.equal(30);
  });

  it('reports a cell load override, the quietest hour ahead, and refuses an unknown cell', async () => {
    await state.setCellLoad('nr-cell-005', 91);
    const result = await run('cell-load-analytics', undefined, { cellId: 'nr-cell-005', horizonHours: 24 });
    expect(result.state).to.equal('completed');
    expect(result.data).to.include({ loadPercent: 91, level: 'congested', overridden: true });
    expect(result.data.forecast).to.have.length(24);
    expect(result.summary).to.match(/^Cell nr-cell-005 is 91% loaded now \(congested\); over the next 24 hours it is usually quietest at 0[2-5]:00/);
    const unknown = await run('cell-load-analytics', undefined, { cellId: 'nr-cell-077' });
    expect(unknown).to.include({ state: 'failed' });
    expect(unknown.data.reason).to.equal('UNKNOWN_CELL');
    const bad = await run('cell-load-analytics', undefined, { cellId: 'nr-cell-005', horizonHours: 100 });
    expect(bad.data.reason).to.equal('INVALID_PARAMETERS');
  });

  it('analyses the cell a location input names', async () => {
    const located: TaskResult = { taskId: 'loc-1', capabilityId: '/capability/location', state: 'completed', summary: 'x', data: { cellId: 'nr-cell-011' } };
    const result = await run('cell-load-analytics', 'imsi-001010000000001', {}, { 'loc-1': located });
    expect(result.data.cellId).to.equal('nr-cell-011');
  });

  it('optimises the radio for a UE with weak signal, and the next diagnosis measures the better signal', async () => {
    const { supi } = await supiWhere((rsrp) => rsrp < -108);
    const before = await run('network-diagnosis', supi);
    const optimised = await run('wireless-network-optimisation', supi);
    expect(optimised.data.changed).to.equal(true);
    expect(optimised.data.actions).to.include('ANTENNA_TILT_AND_POWER');
    const after = await run('network-diagnosis', supi);
    expect((after.data.radio as { rsrpDbm: number }).rsrpDbm).to.equal((before.data.radio as { rsrpDbm: number }).rsrpDbm + 3);
    expect(optimised.summary).to.contain(`your signal went from ${(before.data.radio as { rsrpDbm: number }).rsrpDbm} to`);
  });

  it('leaves a cell alone when the UE signal is already good', async () => {
    const { supi, cellId } = await supiWhere((rsrp, sinr) => rsrp > -90 && sinr > 10);
    const result = await run('wireless-network-optimisation', supi);
    expect(result.data.changed).to.equal(false);
    expect(result.summary).to.contain('already good');
    expect((await state.getCell(cellId))!.rsrpOffsetDb).to.equal(0);
  });
});
