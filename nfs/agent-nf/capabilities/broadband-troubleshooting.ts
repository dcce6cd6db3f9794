/**
 * /capability/broadband-troubleshooting: the line check behind "is my home broadband OK" (seed 004,
 * use case 2, without the full multi-agent workflow): line, ONT, PPPoE session, router and Wi-Fi,
 * with the alarms. action repair also applies the remote fix or books an engineer, as the fault
 * handler does.
 *
 * Parameters: action (check | repair, default check).
 */
import { broadbandFaults } from '../network-catalogue.ts';
import type { BroadbandLine, EngineerVisit } from '../network-broadband.ts';
import { completed, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { describeFaultOutcome, handleBroadbandFault } from './fault-handling.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

/** One or two sentences on a line's health, with the booked visit when there is one. */
export function describeLine(line: BroadbandLine, visit: EngineerVisit | null): string {
  if (line.fault === null) {
    const repaired = line.lastRepair ? ` (repaired ${line.lastRepair.by === 'engineer' ? 'by an engineer' : 'remotely'}: ${line.lastRepair.action})` : '';
    return `Your broadband line ${line.lineId} is working${repaired}: fibre signal ${line.opticalRxPowerDbm} dBm, internet session up, ${line.wiredThroughputMbps} Mbps of your ${line.planDownMbps} Mbps plan at the router.`;
  }
  const fault = broadbandFaults[line.fault];
  const next = visit && visit.status === 'BOOKED' && visit.fault === line.fault
    ? `An engineer is booked for ${visit.window}.`
    : fault.remotelyFixable ? 'It can be fixed remotely.' : 'It needs an engineer visit to repair.';
  return `Your broadband line ${line.lineId} has a fault: ${fault.description} (alarm ${fault.alarm.code}, ${fault.alarm.severity.toLowerCase()}). ${next}`;
}

export const broadbandTroubleshooting: CapabilityHandler = async (task, { state, now }) => {
  const subject = requireSupi(task, 'check the home broadband line');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const action = params.oneOf('action', ['check', 'repair'] as const) ?? 'check';
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  if (action === 'repair') {
    const outcome = await handleBroadbandFault(state, subject.supi, null);
    return completed(task, describeFaultOutcome(outcome), { domain: 'broadband', action, ...outcome });
  }
  const [line, visit] = await Promise.all([state.getBroadbandLine(subject.supi), state.findEngineerVisit(subject.supi)]);
  return completed(task, describeLine(line, visit), {
    domain: 'broadband', action, healthy: line.fault === null, line, visit, checkedAt: new Date(now()).toISOString(),
  });
};
