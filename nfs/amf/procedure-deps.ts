/** What the AMF's procedures share; built once in service.ts. */
import type { Logger } from '../shared/logger.ts';
import type { SchemaCheck } from '../shared/schema-validator.ts';
import type { Update } from '../shared/store/collection.ts';
import type { IntentHandler } from './intent-handler.ts';
import type { SecurityContexts } from './security-context.ts';
import type { Timers } from './timers.ts';
import type { AmfSettings } from './settings.ts';
import type { AmfStore, UeContextDocument } from './store.ts';
import type { SubscriberDirectory } from './subscribers.ts';
import type { UeAgents } from './ue-agent.ts';

export interface ProcedureDeps {
  store: AmfStore;
  settings: AmfSettings;
  subscribers: SubscriberDirectory;
  security: SecurityContexts;
  ueAgents: UeAgents;
  timers: Timers;
  intentHandler: IntentHandler;
  /** Checks an intent's outcome against nagent-tip.yaml IntentOutcome before it goes to the UE. */
  checkOutcome: SchemaCheck;
  logger: Logger;
  now: () => number;
}

/**
 * The UE is (again) CM-CONNECTED: the inactivity timer restarts, and when the AGW was last told
 * otherwise the UE agent's state is owed to it now.
 */
export function connectedChanges(context: UeContextDocument, deps: Pick<ProcedureDeps, 'settings' | 'now'>): Update {
  const owed = context.ueAgent && context.ueAgent.reportedCmState !== 'CM-CONNECTED';
  return {
    $set: {
      cmState: 'CM-CONNECTED',
      lastActivityAt: deps.now(),
      ...(owed ? { agentDueAt: deps.now() } : {}),
    },
  };
}
