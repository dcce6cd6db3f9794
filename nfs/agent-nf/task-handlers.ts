/** The capability logic of the hosted capability agents, bound to the emulated network state in the store. */
import type { Store } from '../shared/store/collection.ts';
import { capabilityHandlers } from './capabilities/capability-handlers.ts';
import { openNetworkState } from './network-state.ts';
import type { TaskHandler } from './service.ts';

export async function createTaskHandlers(deps: { store: Store; now?: () => number }): Promise<Record<string, TaskHandler>> {
  const now = deps.now ?? Date.now;
  const state = await openNetworkState({ store: deps.store, now });
  return Object.fromEntries(Object.entries(capabilityHandlers).map(([capabilityId, handler]) => [capabilityId, (task) => handler(task, { state, now })]));
}
