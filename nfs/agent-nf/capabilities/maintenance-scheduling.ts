/**
 * /capability/maintenance-scheduling: the best engineer visit for a fault by the engineers'
 * skills, their distance and the fault's urgency (seed 004, use case 2, phase 3), or the visit
 * already booked.
 *
 * Inputs: a fault-handling or root-cause-analysis result naming the fault; a fault-handling
 * result that needed no engineer means no visit. Parameters: action
 * (book | show, default book), fault (a broadband fault code), urgency (low | medium | high).
 */
import { broadbandFaultCodes, broadbandFaults, isBroadbandFaultCode, type BroadbandFaultCode } from '../network-catalogue.ts';
import { completed, inputOf, isRecord, requireSupi, type CapabilityHandler, type TaskRequest } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

/** The fault a dependency reported: fault handling's fault, else the analysis's root cause. */
function faultFromInputs(task: TaskRequest): BroadbandFaultCode | undefined {
  const handled = inputOf(task, '/capability/fault-handling')?.data.fault;
  if (isBroadbandFaultCode(handled)) return handled;
  const rootCause = inputOf(task, '/capability/root-cause-analysis')?.data.rootCause;
  return isRecord(rootCause) && isBroadbandFaultCode(rootCause.code) ? rootCause.code : undefined;
}

export const maintenanceScheduling: CapabilityHandler = async (task, { state }) => {
  const subject = requireSupi(task, 'schedule an engineer');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const action = params.oneOf('action', ['book', 'show'] as const) ?? 'book';
  const faultParam = params.oneOf('fault', broadbandFaultCodes);
  const urgencyParam = params.oneOf('urgency', ['low', 'medium', 'high'] as const);
  const problem = parameterFailure(task, params);
  if (problem) return problem;

  if (action === 'show') {
    const visit = await state.findEngineerVisit(subject.supi);
    const summary = !visit ? 'No engineer visit is booked for you.'
      : visit.status === 'BOOKED' ? `Your engineer visit is ${visit.window} with ${visit.engineerName}.`
        : `Your last engineer visit was ${visit.window} with ${visit.engineerName}; none is booked now.`;
    return completed(task, summary, { action, visit });
  }
  // The draft's fault handler calls for a visit only when automatic repair fails.
  const handled = inputOf(task, '/capability/fault-handling');
  if (handled && handled.data.needsEngineer === false && faultParam === undefined) {
    return completed(task, 'No engineer visit is needed: the fault was handled without one.', { action, booked: false, visit: null });
  }
  const code = faultParam ?? faultFromInputs(task) ?? (await state.getBroadbandLine(subject.supi)).fault;
  const fault = code ? broadbandFaults[code] : undefined;
  // A visit without a known fault is a general home-network check at low urgency.
  const booking = await state.bookEngineerVisit(subject.supi, {
    fault: code ?? null, skill: fault?.skill ?? 'home-network', urgency: urgencyParam ?? fault?.urgency ?? 'low',
  });
  const { visit } = booking;
  const purpose = fault ? fault.remedy : 'check the home network and devices';
  const summary = booking.alreadyBooked
    ? `Engineer ${visit.engineerName} is already booked for ${visit.window} to ${purpose}.`
    : `Engineer ${visit.engineerName} (${visit.skill}, ${visit.distanceKm} km away) is booked for ${visit.window} to ${purpose}.`;
  return completed(task, summary, { action, booked: true, alreadyBooked: booking.alreadyBooked, visit });
};
