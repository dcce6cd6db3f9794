/**
 * What every capability handler is: a TIP task (MACP section 5.4) in, a task result out, with the
 * emulated network as its only dependency. Handlers answer bad input with a failed result whose
 * summary says why; they throw only when the store fails.
 */
import type { components } from '../../../openapi/generated/nagent-tip.ts';
import type { DeviceProbe } from '../device-measurement.ts';
import type { NetworkState } from '../network-state.ts';

type WireTaskRequest = components['schemas']['TaskRequest'];
type WireTaskResult = components['schemas']['TaskResult'];

/**
 * The wire shapes with open `parameters` and `data` objects: the generated types make them
 * Record<string, never> because the YAML gives them no properties. A wire TaskRequest is
 * assignable to this one.
 */
export type TaskResult = Omit<WireTaskResult, 'data'> & { data: Record<string, unknown> };
export type TaskRequest = Omit<WireTaskRequest, 'parameters' | 'inputs'> & {
  parameters: Record<string, unknown>;
  inputs?: Record<string, TaskResult>;
};

export interface CapabilityContext {
  state: NetworkState;
  now: () => number;
  /** Asks the UE's own agent for a measurement over a semantic session, where the caller may have the device asked. */
  device?: DeviceProbe;
}

export type CapabilityHandler = (task: TaskRequest, context: CapabilityContext) => Promise<TaskResult>;

export const completed = (task: TaskRequest, summary: string, data: Record<string, unknown>): TaskResult => ({
  taskId: task.taskId, capabilityId: task.capabilityId, state: 'completed', summary, data,
});

export const failed = (task: TaskRequest, summary: string, data: Record<string, unknown> = {}): TaskResult => ({
  taskId: task.taskId, capabilityId: task.capabilityId, state: 'failed', summary, data,
});

/** The Supi pattern of openapi/nagent-tip.yaml (TS 29.571 clause 5.3.2, IMSI form only). */
const supiPattern = /^imsi-[0-9]{5,15}$/;

/** The task's SUPI, or the failed result to answer when it has none or a malformed one. */
export function requireSupi(task: TaskRequest, what: string): { supi: string } | { failure: TaskResult } {
  if (task.supi === undefined || task.supi === '') {
    return { failure: failed(task, `Cannot ${what} without the subscriber's identity: the task carries no SUPI.`, { reason: 'MISSING_SUPI' }) };
  }
  if (typeof task.supi !== 'string' || !supiPattern.test(task.supi)) {
    return { failure: failed(task, `Cannot ${what}: the SUPI ${JSON.stringify(task.supi).slice(0, 40)} is not "imsi-" and 5 to 15 digits.`, { reason: 'INVALID_SUPI' }) };
  }
  return { supi: task.supi };
}

/** The completed result of a dependency with the given capability, if the task was given one. */
export function inputOf(task: TaskRequest, capabilityId: string): TaskResult | undefined {
  const inputs = task.inputs && typeof task.inputs === 'object' ? Object.values(task.inputs) : [];
  return inputs.find((input) => input && typeof input === 'object' && input.capabilityId === capabilityId && input.state === 'completed'
    && input.data !== null && typeof input.data === 'object');
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
