/**
 * /capability/ue-measurement on the device: what the UE's modem reports of its serving cell
 * (TS 38.215: SS-RSRP clause 5.1.1, SS-RSRQ clause 5.1.3, SS-SINR clause 5.1.5) and the
 * throughput and round trip the device sees. It measures the radio of the shared emulated network
 * (nfs/shared/network-model.ts): the cell its SUPI camps on by default and the load that cell
 * carries by the daily profile, so the device agrees with the network's estimate unless a scenario
 * moved the UE or changed the cell, which the device cannot know.
 *
 * Parameters: metrics (optional list of signal, throughput, latency; all of them by default).
 */
import type { TaskRequest, TaskResult } from '../nfs/shared/intent/task-invocation.ts';
import { cellGrid, defaultCellIndex, defaultNetworkStateSettings, profileLoadPercent, radioConditions, type NetworkStateSettings } from '../nfs/shared/network-model.ts';

export const UE_MEASUREMENT = '/capability/ue-measurement';
export const deviceMetrics = ['signal', 'throughput', 'latency'] as const;
type DeviceMetric = (typeof deviceMetrics)[number];

export interface DeviceMeasurementOptions {
  supi: string;
  now?: () => number;
  network?: NetworkStateSettings;
}

const failed = (task: TaskRequest, summary: string, reason: string): TaskResult =>
  ({ taskId: task.taskId, capabilityId: task.capabilityId, state: 'failed', summary, data: { reason } as TaskResult['data'] });

/** The metrics asked for, or a reason the parameters are refused. */
function metricsOf(parameters: Record<string, unknown> | undefined): DeviceMetric[] | { problem: string } {
  const asked = parameters?.metrics;
  if (asked === undefined) return [...deviceMetrics];
  if (!Array.isArray(asked) || asked.length === 0 || asked.length > deviceMetrics.length) return { problem: `metrics must be a list of ${deviceMetrics.join(', ')}` };
  const metrics: DeviceMetric[] = [];
  for (const metric of asked) {
    const known = deviceMetrics.find((name) => typeof metric === 'string' && name === metric.trim().toLowerCase());
    if (!known) return { problem: `metrics must be a list of ${deviceMetrics.join(', ')}, not ${JSON.stringify(metric).slice(0, 40)}` };
    if (!metrics.includes(known)) metrics.push(known);
  }
  return metrics;
}

/** The device's answer to a measurement task; it only ever measures itself, whatever SUPI a task names. */
export function createDeviceMeasurement(options: DeviceMeasurementOptions): (task: TaskRequest) => Promise<TaskResult> {
  const now = options.now ?? Date.now;
  const network = options.network ?? defaultNetworkStateSettings;
  const cells = cellGrid(network.centre);
  return async (task) => {
    if (task.supi !== undefined && task.supi !== options.supi) return failed(task, `This device is ${options.supi} and measures only itself, not ${String(task.supi).slice(0, 40)}.`, 'NOT_THIS_DEVICE');
    const metrics = metricsOf(task.parameters as Record<string, unknown> | undefined);
    if ('problem' in metrics) return failed(task, `The measurement could not be made: ${metrics.problem}.`, 'INVALID_PARAMETERS');
    const at = now();
    const cell = cells[defaultCellIndex(options.supi, cells.length)];
    const radio = radioConditions(options.supi, profileLoadPercent(cell, at, network.utcOffsetMinutes));
    const data: Record<string, unknown> = { supi: options.supi, source: 'device', servingCellId: cell.cellId, tac: cell.tac, band: cell.band, measuredAt: new Date(at).toISOString() };
    const parts: string[] = [];
    if (metrics.includes('signal')) {
      Object.assign(data, { rsrpDbm: radio.rsrpDbm, rsrqDb: radio.rsrqDb, sinrDb: radio.sinrDb });
      parts.push(`RSRP ${radio.rsrpDbm} dBm, RSRQ ${radio.rsrqDb} dB, SINR ${radio.sinrDb} dB`);
    }
    if (metrics.includes('throughput')) {
      data.downlinkMbps = radio.downlinkMbps;
      parts.push(`${radio.downlinkMbps} Mbps down`);
    }
    if (metrics.includes('latency')) {
      data.latencyMs = radio.latencyMs;
      parts.push(`${radio.latencyMs} ms round trip`);
    }
    return {
      taskId: task.taskId, capabilityId: task.capabilityId, state: 'completed',
      summary: `The device measures ${parts.join(', ')} on cell ${cell.cellId} (${cell.band}).`,
      data: data as TaskResult['data'],
    };
  };
}
