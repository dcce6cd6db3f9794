/**
 * /capability/data-preprocessing: collects and aggregates the user-side data a diagnosis needs
 * (seed 004, use case 2, phase 1): the broadband line, its alarms and home devices, and the
 * mobile radio picture, in one structure the root-cause analysis reads.
 *
 * Parameters: domain (broadband | mobile | all, default all), complaint (free text, echoed).
 */
import type { BroadbandLine } from '../network-broadband.ts';
import type { NetworkState, QosProfile } from '../network-state.ts';
import { completed, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

export type Domain = 'broadband' | 'mobile' | 'all';

export interface MobileSnapshot {
  cellId: string;
  loadPercent: number;
  rsrpDbm: number;
  sinrDb: number;
  downlinkMbps: number;
  latencyMs: number;
  qos: QosProfile;
}

export interface UserData {
  supi: string;
  domain: Domain;
  broadband: BroadbandLine | null;
  mobile: MobileSnapshot | null;
  alarms: BroadbandLine['alarms'];
  devices: Array<{ type: 'ONT' | 'HOME_GATEWAY' | 'UE'; id: string; status: string }>;
}

export async function collectUserData(state: NetworkState, supi: string, domain: Domain): Promise<UserData> {
  const [line, radio] = await Promise.all([
    domain === 'mobile' ? null : state.getBroadbandLine(supi),
    domain === 'broadband' ? null : state.getUeRadio(supi),
  ]);
  const devices: UserData['devices'] = [];
  if (line) {
    devices.push({ type: 'ONT', id: line.lineId, status: line.lineStatus });
    devices.push({ type: 'HOME_GATEWAY', id: line.router.model, status: `${line.router.status}, WAN ${line.router.wanStatus}` });
  }
  if (radio) devices.push({ type: 'UE', id: supi, status: `attached to ${radio.cellId}` });
  return {
    supi,
    domain,
    broadband: line,
    mobile: radio && {
      cellId: radio.cellId, loadPercent: radio.cellLoadPercent, rsrpDbm: radio.rsrpDbm, sinrDb: radio.sinrDb,
      downlinkMbps: radio.downlinkMbps, latencyMs: radio.latencyMs, qos: radio.qos,
    },
    alarms: line ? line.alarms : [],
    devices,
  };
}

export const dataPreprocessing: CapabilityHandler = async (task, { state, now }) => {
  const subject = requireSupi(task, "collect the user's device and network data");
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const domain = params.oneOf('domain', ['broadband', 'mobile', 'all'] as const) ?? 'all';
  const complaint = params.string('complaint', 500);
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  const data = await collectUserData(state, subject.supi, domain);
  const parts: string[] = [];
  if (data.broadband) {
    const alarms = data.alarms.map((alarm) => `${alarm.code}, ${alarm.severity.toLowerCase()}`);
    parts.push(alarms.length
      ? `${alarms.length} active alarm${alarms.length > 1 ? 's' : ''} (${alarms.join('; ')}) on line ${data.broadband.lineId}`
      : `no active alarms on line ${data.broadband.lineId}`);
  }
  if (data.mobile) parts.push(`mobile cell ${data.mobile.cellId} at ${data.mobile.loadPercent}% load, signal ${data.mobile.rsrpDbm} dBm`);
  const what = domain === 'mobile' ? 'radio' : domain === 'broadband' ? 'line and router' : 'line, router and radio';
  return completed(task, `Collected the ${what} data: ${parts.join('; ')}.`, {
    ...data, complaint: complaint ?? null, collectedAt: new Date(now()).toISOString(),
  });
};
