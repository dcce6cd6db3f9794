/**
 * Both ends of a device measurement without sockets: what the UE's agent answers
 * (ue-sim/ue-measurement.ts) and what the diagnosis agent accepts of an answer
 * (nfs/agent-nf/device-measurement.ts readingOf), and the sentence a diagnosis makes of it.
 */
import { expect } from 'chai';
import { deviceSentence } from '../../nfs/agent-nf/capabilities/network-diagnosis.ts';
import { readingOf } from '../../nfs/agent-nf/device-measurement.ts';
import { openNetworkState } from '../../nfs/agent-nf/network-state.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { createDeviceMeasurement, UE_MEASUREMENT } from '../../ue-sim/ue-measurement.ts';

const SUPI = 'imsi-001010000000051';
const task = (overrides: Record<string, unknown> = {}) => ({ taskId: 't1', intentId: 'i1', capabilityId: UE_MEASUREMENT, supi: SUPI, parameters: {}, ...overrides });

describe('device measurement: the UE agent\'s answer and the diagnosis agent\'s check of it', () => {
  const at = Date.UTC(2026, 4, 12, 19, 5);
  const measure = createDeviceMeasurement({ supi: SUPI, now: () => at });

  it('measures the radio the network estimates for the UE (same cell, RSRP, RSRQ and SINR at the profile load)', async () => {
    const store = createEmbeddedStore();
    try {
      const network = await (await openNetworkState({ store, now: () => at })).getUeRadio(SUPI);
      const result = await measure(task());
      expect(result.state).to.equal('completed');
      expect(result.data).to.include({ servingCellId: network.cellId, rsrpDbm: network.rsrpDbm, rsrqDb: network.rsrqDb, sinrDb: network.sinrDb, source: 'device' });
      expect(readingOf(result.data)).to.include({ servingCellId: network.cellId, rsrpDbm: network.rsrpDbm });
    } finally {
      await store.close();
    }
  });

  it('measures only its own device and only known metrics', async () => {
    expect((await measure(task({ supi: 'imsi-001010000000052' }))).data).to.include({ reason: 'NOT_THIS_DEVICE' });
    for (const metrics of ['signal', [], ['signal', 'battery'], [1], ['signal', 'signal', 'latency', 'throughput']]) {
      const result = await measure(task({ parameters: { metrics } }));
      expect(result.state, JSON.stringify(metrics)).to.equal('failed');
      expect(result.data).to.include({ reason: 'INVALID_PARAMETERS' });
    }
    const signalOnly = await measure(task({ parameters: { metrics: ['Signal'] } }));
    expect(signalOnly.data).to.have.property('rsrpDbm');
    expect(signalOnly.data).to.not.have.property('downlinkMbps');
  });

  it('takes from a device only a reading within the reported ranges, and only its known fields', () => {
    const good = { servingCellId: 'nr-cell-003', rsrpDbm: -100, rsrqDb: -12, sinrDb: 5, downlinkMbps: 80, latencyMs: 12, extra: '<script>' };
    expect(readingOf(good)).to.deep.equal({ servingCellId: 'nr-cell-003', rsrpDbm: -100, rsrqDb: -12, sinrDb: 5, downlinkMbps: 80, latencyMs: 12 });
    for (const bad of [null, 'text', { ...good, rsrpDbm: 10 }, { ...good, sinrDb: Number.NaN }, { ...good, rsrqDb: '-12' }, { ...good, servingCellId: 'x'.repeat(41) }, { ...good, servingCellId: 'cell 1; drop' }]) {
      expect(readingOf(bad), JSON.stringify(bad)).to.equal(undefined);
    }
    expect(readingOf({ ...good, downlinkMbps: -1 })).to.not.have.property('downlinkMbps');
  });

  it('says what the phone measured, or why there is no measurement', () => {
    const reading = { servingCellId: 'nr-cell-003', rsrpDbm: -100, rsrqDb: -12, sinrDb: 5 };
    expect(deviceSentence({ measured: true, ueAic: 'A', sessionId: 's', reading }, 'nr-cell-003')).to.equal('Your phone measured RSRP -100 dBm, RSRQ -12 dB and SINR 5 dB.');
    expect(deviceSentence({ measured: true, ueAic: 'A', sessionId: 's', reading }, 'nr-cell-004')).to.contain('the network sees it in nr-cell-004');
    expect(deviceSentence({ measured: false, reason: 'the phone is idle' }, 'nr-cell-003')).to.equal('No measurement from your phone: the phone is idle.');
  });
});
