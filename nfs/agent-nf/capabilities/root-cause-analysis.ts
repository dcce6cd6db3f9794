/**
 * /capability/root-cause-analysis: the most likely root cause, its impact scope and the
 * recommendations (seed 004, use case 2, phase 2), from the data-preprocessing result. When the
 * workflow gave none, it collects the data itself, as the draft's analysis agent triggers data
 * recollection when information is insufficient.
 *
 * Inputs: a data-preprocessing result. Parameters: domain (broadband | mobile | all), used only
 * when it collects the data itself.
 */
import { broadbandFaults, type BroadbandFault } from '../network-catalogue.ts';
import { completed, failed, inputOf, isRecord, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { collectUserData, type UserData } from './data-preprocessing.ts';
import { radioFindings } from './network-diagnosis.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

export interface RootCause {
  code: string;
  domain: 'broadband' | 'mobile';
  description: string;
  confidence: number;
  impactScope: string;
  remotelyFixable: boolean;
  recommendations: string[];
}

const severityRank = { CRITICAL: 0, MAJOR: 1, MINOR: 2 } as const;

/** The broadband fault the data points at: the worst alarm, else a measurement out of range. */
function broadbandCause(line: NonNullable<UserData['broadband']>): { fault: BroadbandFault; evidence: string } | undefined {
  const alarms = [...line.alarms].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  for (const alarm of alarms) {
    const fault = Object.values(broadbandFaults).find((entry) => entry.alarm.code === alarm.code);
    if (fault) return { fault, evidence: `alarm ${alarm.code} (${alarm.severity}) from the ${alarm.source}` };
  }
  if (line.lineStatus === 'DOWN') return { fault: broadbandFaults.ONT_LOS, evidence: 'line status DOWN with no optical signal' };
  if (line.opticalRxPowerDbm !== null && line.opticalRxPowerDbm < -27) return { fault: broadbandFaults.OPTICAL_POWER_DEGRADED, evidence: `ONT receive power ${line.opticalRxPowerDbm} dBm` };
  if (line.pppoeSession === 'AUTH_FAILED') return { fault: broadbandFaults.PPPOE_AUTH_FAILURE, evidence: 'PPPoE session AUTH_FAILED' };
  if (line.router.wifiUtilisationPercent > 85) return { fault: broadbandFaults.ROUTER_WIFI_CHANNEL_CONGESTION, evidence: `Wi-Fi channel ${line.router.wifiUtilisationPercent}% utilised` };
  return undefined;
}

/** A data-preprocessing result's data, if it has the shape collectUserData gives. */
function asUserData(data: Record<string, unknown>): UserData | undefined {
  const broadband = data.broadband;
  const mobile = data.mobile;
  const lineOk = broadband === null || (isRecord(broadband) && Array.isArray(broadband.alarms) && isRecord(broadband.router) && typeof broadband.lineId === 'string');
  const mobileOk = mobile === null || (isRecord(mobile) && typeof mobile.cellId === 'string' && typeof mobile.loadPercent === 'number'
    && typeof mobile.rsrpDbm === 'number' && typeof mobile.sinrDb === 'number');
  return lineOk && mobileOk && (broadband !== null || mobile !== null) ? (data as unknown as UserData) : undefined;
}

export const rootCauseAnalysis: CapabilityHandler = async (task, { state }) => {
  const subject = requireSupi(task, 'analyse the root cause');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const domain = params.oneOf('domain', ['broadband', 'mobile', 'all'] as const) ?? 'all';
  const problem = parameterFailure(task, params);
  if (problem) return problem;

  const prepared = inputOf(task, '/capability/data-preprocessing');
  let data: UserData;
  let dataSource: string;
  if (prepared) {
    const parsed = asUserData(prepared.data);
    if (!parsed) return failed(task, `The pre-processing result of task ${prepared.taskId} has no line or radio data to analyse.`, { reason: 'INVALID_INPUT' });
    data = parsed;
    dataSource = prepared.taskId;
  } else {
    data = await collectUserData(state, subject.supi, domain);
    dataSource = 'collected';
  }

  const evidence: string[] = [];
  let rootCause: RootCause | null = null;
  const found = data.broadband ? broadbandCause(data.broadband) : undefined;
  if (found) {
    const { fault } = found;
    evidence.push(found.evidence);
    rootCause = {
      code: fault.code, domain: 'broadband', description: fault.description, confidence: data.alarms.length ? 0.92 : 0.7,
      impactScope: fault.code === 'ROUTER_WIFI_CHANNEL_CONGESTION' ? "this home's Wi-Fi devices" : `line ${data.broadband!.lineId} only`,
      remotelyFixable: fault.remotelyFixable,
      recommendations: fault.remotelyFixable ? [`fix it remotely (${fault.remedy})`] : [`send an engineer (${fault.skill}) to ${fault.remedy}`],
    };
  }
  // A radio finding is the root cause of a mobile complaint; next to a healthy line it is only
  // worth a mention, so a home-broadband complaint is not blamed on the mobile cell.
  const [finding] = data.mobile ? radioFindings(data.mobile.loadPercent, data.mobile.rsrpDbm, data.mobile.sinrDb, state.settings.admissionLimitPercent) : [];
  if (!rootCause && finding && !data.broadband) {
    evidence.push(finding.text);
    rootCause = {
      code: finding.code, domain: 'mobile', description: finding.text, confidence: 0.75,
      impactScope: finding.code === 'CELL_CONGESTION' ? `every user of cell ${data.mobile!.cellId}` : `this device where it is in cell ${data.mobile!.cellId}`,
      remotelyFixable: finding.code !== 'CELL_CONGESTION', recommendations: [finding.recommendation],
    };
  }
  const aside = finding && rootCause?.domain !== 'mobile' ? ` Separately, the mobile side shows ${finding.text}.` : '';
  const noFault = data.broadband
    ? `No fault found: the line and router${data.mobile && !finding ? ' and the mobile radio' : ''} look normal, so the problem is most likely a device in the home.`
    : `No fault found: the radio in cell ${data.mobile!.cellId} looks normal (${data.mobile!.rsrpDbm} dBm, ${data.mobile!.loadPercent}% load), so the problem is most likely on the device.`;
  const summary = rootCause
    ? `Most likely root cause: ${rootCause.description} (${rootCause.code}, ${Math.round(rootCause.confidence * 100)}% confidence), affecting ${rootCause.impactScope}; recommended: ${rootCause.recommendations[0]}.${aside}`
    : `${noFault}${aside}`;
  return completed(task, summary, {
    domain: rootCause?.domain ?? (data.broadband ? 'broadband' : 'mobile'), rootCause, evidence, observations: finding && rootCause?.domain !== 'mobile' ? [finding] : [], dataSource,
  });
};
