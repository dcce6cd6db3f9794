/**
 * The capability logic of the hosted capability agents, bound to the emulated network state in the
 * store. Two sets over the same state: one for callers the network authenticated (task calls with
 * a network agent's credential, semantic sessions the SMF authorized), where a diagnosis may ask
 * the UE's own agent for a measurement (device), and one for plain A2A clients, where it may not:
 * an anonymous caller does not get to make a subscriber's phone measure.
 */
import type { Store } from '../shared/store/collection.ts';
import { capabilityHandlers } from './capabilities/capability-handlers.ts';
import type { DeviceProbe } from './device-measurement.ts';
import { openNetworkState } from './network-state.ts';
import type { TaskHandler } from './service.ts';

export interface TaskHandlerSets {
  authenticated: Record<string, TaskHandler>;
  open: Record<string, TaskHandler>;
}

export async function createTaskHandlers(deps: { store: Store; now?: () => number; device?: DeviceProbe }): Promise<TaskHandlerSets> {
  const now = deps.now ?? Date.now;
  const state = await openNetworkState({ store: deps.store, now });
  const bind = (device?: DeviceProbe): Record<string, TaskHandler> =>
    Object.fromEntries(Object.entries(capabilityHandlers).map(([capabilityId, handler]) => [capabilityId, (task: Parameters<TaskHandler>[0]) => handler(task, { state, now, ...(device ? { device } : {}) })]));
  return { authenticated: bind(deps.device), open: bind() };
}
