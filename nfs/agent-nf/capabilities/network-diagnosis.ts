/**
 * /capability/network-diagnosis: why a UE's mobile connection is slow or failing, from its radio
 * conditions, its cell's load and its QoS profile. It takes the serving cell from a location
 * input and the load from a cell-load-analytics input when the workflow supplies them, and reads
 * the network itself otherwise.
 *
 * Parameters: symptom (optional free text, echoed in data).
 */
import { localTime } from '../../shared/network-model.ts';
import type { DeviceMeasurement } from '../device-measurement.ts';
import { completed, inputOf, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

export interface Finding {
  code: 'CELL_CONGESTION' | 'WEAK_COVERAGE' | 'LOW_SINR';
  text: string;
  recommendation: string;
}

/**
 * A word for an SS-RSRP (TS 38.215 clause 5.1.1), as users read signal bars; "weak" is exactly
 * what radioFindings counts as weak coverage, so an answer never calls a signal both.
 */
export const signalQuality = (rsrpDbm: number) => (rsrpDbm >= -90 ? 'good' : rsrpDbm >= -110 ? 'fair' : 'weak');

/** The radio findings for a load and radio reading, worst first. */
export function radioFindings(loadPercent: number, rsrpDbm: number, sinrDb: number, admissionLimitPercent: number): Finding[] {
  const findings: Finding[] = [];
  if (loadPercent >= 85) {
    findings.push({
      code: 'CELL_CONGESTION', text: `congestion in the cell (${loadPercent}% loaded)`,
      recommendation: loadPercent < admissionLimitPercent ? 'a QoS boost would reserve capacity for you' : 'waiting for a quieter hour would help, since the cell admits no QoS boost while this busy',
    });
  }
  if (rsrpDbm < -110) findings.push({ code: 'WEAK_COVERAGE', text: `weak coverage (${rsrpDbm} dBm)`, recommendation: 'a radio optimisation of the cell could strengthen the signal' });
  if (sinrDb < 3) findings.push({ code: 'LOW_SINR', text: `interference (SINR ${sinrDb} dB)`, recommendation: 'interference coordination with the neighbouring cells could help' });
  return findings;
}

/** A sentence on what the device measured, or why there is no measurement. */
export function deviceSentence(device: DeviceMeasurement, networkCellId: string): string {
  if (!device.measured) return `No measurement from your phone: ${device.reason}.`;
  const { reading } = device;
  const throughput = reading.downlinkMbps !== undefined ? `, ${reading.downlinkMbps} Mbps down` : '';
  const cell = reading.servingCellId === networkCellId ? '' : ` (it reports cell ${reading.servingCellId}, the network sees it in ${networkCellId})`;
  return `Your phone measured RSRP ${reading.rsrpDbm} dBm, RSRQ ${reading.rsrqDb} dB and SINR ${reading.sinrDb} dB${throughput}${cell}.`;
}

export const networkDiagnosis: CapabilityHandler = async (task, { state, now, device: askDevice }) => {
  const subject = requireSupi(task, 'diagnose the connection');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const symptom = params.string('symptom', 200);
  const problem = parameterFailure(task, params);
  if (problem) return problem;

  // Asked while the network is read: the device's answer is bounded by the probe's own time limit.
  const devicePending = askDevice?.(subject.supi);
  const radio = await state.getUeRadio(subject.supi);
  const sources: string[] = [];
  // Inputs from the workflow win when they are about the cell the UE is in.
  const located = inputOf(task, '/capability/location');
  if (located && located.data.cellId === radio.cellId) sources.push(`${located.taskId} (location)`);
  const analysed = inputOf(task, '/capability/cell-load-analytics');
  const analysedLoad = analysed && analysed.data.cellId === radio.cellId && typeof analysed.data.loadPercent === 'number'
    && analysed.data.loadPercent >= 0 && analysed.data.loadPercent <= 100 ? analysed.data.loadPercent : undefined;
  if (analysedLoad !== undefined) sources.push(`${analysed!.taskId} (cell-load-analytics)`);
  const loadPercent = analysedLoad ?? radio.cellLoadPercent;

  const findings = radioFindings(loadPercent, radio.rsrpDbm, radio.sinrDb, state.settings.admissionLimitPercent);
  const qos = radio.qos;
  const qosText = qos.isDefault ? '' : qos.gbrDlMbps !== null
    ? `Your QoS boost (5QI ${qos.fiveQi}, ${qos.gbrDlMbps} Mbps guaranteed until ${localTime(Date.parse(qos.expiresAt!), state.settings.utcOffsetMinutes)}) is active`
    : `Your QoS boost (5QI ${qos.fiveQi}, ${qos.packetDelayBudgetMs} ms delay budget until ${localTime(Date.parse(qos.expiresAt!), state.settings.utcOffsetMinutes)}) is active`;
  const measured = `cell ${radio.cellId} is ${loadPercent}% loaded and your signal is ${signalQuality(radio.rsrpDbm)} (${radio.rsrpDbm} dBm, SINR ${radio.sinrDb} dB), giving about ${radio.downlinkMbps} Mbps and ${radio.latencyMs} ms`;
  let summary: string;
  if (findings.length === 0) {
    summary = `Your connection looks healthy: ${measured}.${qosText ? ` ${qosText}.` : ''}`;
  } else {
    const [main] = findings;
    const cause = `The main cause is ${main.text}; ${qos.isDefault || main.code !== 'CELL_CONGESTION' ? main.recommendation : 'your QoS boost already reserves capacity for you'}.`;
    summary = `${measured[0].toUpperCase()}${measured.slice(1)}. ${cause}`;
  }
  const device = await devicePending;
  if (device) summary = `${summary} ${deviceSentence(device, radio.cellId)}`;
  return completed(task, summary, {
    supi: subject.supi, symptom: symptom ?? null, cellId: radio.cellId, tac: radio.tac, cellLoadPercent: loadPercent,
    radio: { rsrpDbm: radio.rsrpDbm, rsrqDb: radio.rsrqDb, sinrDb: radio.sinrDb },
    downlinkMbps: radio.downlinkMbps, latencyMs: radio.latencyMs, qos, findings,
    healthy: findings.length === 0, sources: [...(sources.length ? sources : ['network state']), ...(device?.measured ? [`session ${device.sessionId} (ue-measurement)`] : [])],
    ...(device ? { device } : {}),
    diagnosedAt: new Date(now()).toISOString(),
  });
};

