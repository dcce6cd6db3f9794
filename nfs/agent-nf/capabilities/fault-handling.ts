/**
 * /capability/fault-handling: automatic recovery from the diagnosed root cause (seed 004, use case
 * 2, phase 3). A fault that can be fixed remotely is fixed; one that cannot makes the handler ask
 * for the best engineer visit, as the draft's fault handling agent triggers the scheduling agent.
 * Radio root causes get a radio optimisation; congestion is not a fault to repair.
 *
 * Inputs: a root-cause-analysis result (data.rootCause). Without one: parameters.fault, else the
 * line's current fault. Parameters: fault (a broadband fault code), urgency (low | medium | high).
 */
import type { EngineerVisit, BroadbandLine } from '../network-broadband.ts';
import { broadbandFaultCodes, broadbandFaults, isBroadbandFaultCode, type BroadbandFaultCode, type Urgency } from '../network-catalogue.ts';
import type { NetworkState } from '../network-state.ts';
import { completed, failed, inputOf, isRecord, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';
import { optimiseRadio } from './wireless-network-optimisation.ts';

export interface FaultOutcome {
  outcome: 'NO_FAULT' | 'ALREADY_CLEARED' | 'REPAIRED_REMOTELY' | 'ENGINEER_BOOKED' | 'ENGINEER_ALREADY_BOOKED';
  fault: BroadbandFaultCode | null;
  repaired: boolean;
  needsEngineer: boolean;
  remedy: string | null;
  visit: EngineerVisit | null;
  line: BroadbandLine;
}

/** Repairs the line's fault or books the visit it needs; wanted null means whatever the line has. */
export async function handleBroadbandFault(state: NetworkState, supi: string, wanted: BroadbandFaultCode | null, urgency?: Urgency): Promise<FaultOutcome> {
  const line = await state.getBroadbandLine(supi);
  const none = { repaired: false, needsEngineer: false, remedy: null, visit: null, line };
  if (line.fault === null) return { ...none, outcome: wanted ? 'ALREADY_CLEARED' : 'NO_FAULT', fault: wanted };
  // The line is the truth: when it now shows another fault than the analysis saw, that one is handled.
  const fault = broadbandFaults[line.fault];
  if (fault.remotelyFixable) {
    const repair = await state.repairBroadbandFault(supi, fault.code);
    if (!repair.repaired) return { ...none, outcome: 'ALREADY_CLEARED', fault: fault.code, line: repair.line };
    return { ...none, outcome: 'REPAIRED_REMOTELY', fault: fault.code, repaired: true, remedy: fault.remedyDone, line: repair.line };
  }
  const booking = await state.bookEngineerVisit(supi, { fault: fault.code, skill: fault.skill, urgency: urgency ?? fault.urgency });
  return {
    ...none, outcome: booking.alreadyBooked ? 'ENGINEER_ALREADY_BOOKED' : 'ENGINEER_BOOKED', fault: fault.code,
    needsEngineer: true, remedy: fault.remedy, visit: booking.visit,
  };
}

export function describeFaultOutcome(result: FaultOutcome): string {
  const { line, visit } = result;
  switch (result.outcome) {
    case 'NO_FAULT':
      return `No fault is present on broadband line ${line.lineId}, so nothing needed repairing.`;
    case 'ALREADY_CLEARED':
      return `The ${result.fault} fault on broadband line ${line.lineId} has already cleared; nothing needed repairing.`;
    case 'REPAIRED_REMOTELY':
      return `Fixed remotely: ${result.remedy}; the ${broadbandFaults[result.fault!].alarm.code} alarm on line ${line.lineId} has cleared.`;
    default: {
      const fault = broadbandFaults[result.fault!];
      const booked = result.outcome === 'ENGINEER_ALREADY_BOOKED' ? 'is already booked' : 'is booked';
      return `The fault (${fault.description}) cannot be fixed remotely, so engineer ${visit!.engineerName} ${booked} for ${visit!.window} to ${fault.remedy}.`;
    }
  }
}

export const faultHandling: CapabilityHandler = async (task, { state }) => {
  const subject = requireSupi(task, 'handle the fault');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const faultParam = params.oneOf('fault', broadbandFaultCodes);
  const urgency = params.oneOf('urgency', ['low', 'medium', 'high'] as const);
  const problem = parameterFailure(task, params);
  if (problem) return problem;

  const analysis = inputOf(task, '/capability/root-cause-analysis');
  if (analysis) {
    const rootCause = analysis.data.rootCause;
    if (rootCause === null) {
      const line = await state.getBroadbandLine(subject.supi);
      return completed(task, `Root-cause analysis found no fault, so nothing was repaired on line ${line.lineId}.`, { domain: 'broadband', outcome: 'NO_FAULT', repaired: false, needsEngineer: false, line });
    }
    const code = isRecord(rootCause) ? rootCause.code : undefined;
    if (code === 'CELL_CONGESTION') {
      return completed(task, 'Congestion in the cell is not a fault to repair; a QoS boost or a quieter hour is what helps.', { domain: 'mobile', outcome: 'NOT_REPAIRABLE', repaired: false, needsEngineer: false });
    }
    if (code === 'WEAK_COVERAGE' || code === 'LOW_SINR') {
      const radio = await optimiseRadio(state, subject.supi);
      const summary = radio.actions.length
        ? `Optimised cell ${radio.cellId} (${radio.actions.join(', ').toLowerCase().replaceAll('_', ' ')}): your signal went from ${radio.before.rsrpDbm} dBm, SINR ${radio.before.sinrDb} dB to ${radio.after.rsrpDbm} dBm, SINR ${radio.after.sinrDb} dB.`
        : `Cell ${radio.cellId} has no radio optimisation left to apply; your signal stays at ${radio.before.rsrpDbm} dBm.`;
      return completed(task, summary, { domain: 'mobile', outcome: radio.actions.length ? 'OPTIMISED' : 'NOT_REPAIRABLE', repaired: radio.actions.length > 0, needsEngineer: false, radio });
    }
    if (!isBroadbandFaultCode(code)) {
      return failed(task, `The root cause ${JSON.stringify(code ?? null).slice(0, 40)} from task ${analysis.taskId} is not a fault this handler knows how to repair.`, { reason: 'UNKNOWN_ROOT_CAUSE' });
    }
    const outcome = await handleBroadbandFault(state, subject.supi, code, urgency);
    return completed(task, describeFaultOutcome(outcome), { domain: 'broadband', ...outcome });
  }
  const outcome = await handleBroadbandFault(state, subject.supi, faultParam ?? null, urgency);
  return completed(task, describeFaultOutcome(outcome), { domain: 'broadband', ...outcome });
};
