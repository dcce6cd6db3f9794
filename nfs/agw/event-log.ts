/**
 * Where the gateway keeps its recent events for GET /nagw-evts/v1/events: with MongoDB a
 * collection all replicas share (stored-event-log.ts), with the embedded engine a buffer outside
 * the heap, written to a file under the data directory (ring-event-log.ts).
 */
import type { Logger } from '../shared/logger.ts';
import { openRingEventLog } from './ring-event-log.ts';
import type { AgwSettings } from './settings.ts';
import { createStoredEventLog } from './stored-event-log.ts';
import type { AgwStore } from './store.ts';
import type { GatewayEvent } from './types.ts';

export interface EventQuery {
  type?: string;
  aic?: string;
  correlationId?: string;
  since?: Date;
  limit: number;
}

export interface EventLog {
  /** Never fails or delays its caller. */
  add(event: GatewayEvent): void;
  /** Resolves when every event added before it is kept where queries see it and written where it lasts. */
  flush(): Promise<void>;
  /** The newest first, without expired events, up to the query's limit. */
  list(query: EventQuery): Promise<GatewayEvent[]>;
  /** Writes what waits and lets go of files; the log takes no more events. */
  close(): Promise<void>;
}

export function openEventLog(deps: { store: AgwStore; settings: Pick<AgwSettings, 'maxStoredEvents' | 'eventRetentionSeconds'>; logger: Logger; now: () => number }): EventLog {
  const { store, settings, logger } = deps;
  return store.events
    ? createStoredEventLog({ collection: store.events, logger, maxStored: settings.maxStoredEvents })
    : openRingEventLog({ dataDir: store.dataDir, maxEvents: settings.maxStoredEvents, retentionSeconds: settings.eventRetentionSeconds, now: deps.now, logger });
}
