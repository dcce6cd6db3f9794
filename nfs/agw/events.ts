/**
 * Observability (DMSC architecture draft, "Observability"): registrations, discoveries, routing
 * decisions and outcomes, policy denials and refused input, each a JSON log line and a stored
 * event that GET /nagw-evts/v1/events returns until it expires.
 */
import { randomUUID } from 'node:crypto';
import { currentCorrelationId } from '../shared/correlation.ts';
import type { Logger } from '../shared/logger.ts';
import type { AgwStore, EventDocument } from './store.ts';
import type { GatewayEvent } from './types.ts';

export type EventInput = Omit<EventDocument, '_id' | 'time' | 'correlationId'>;

export function createEvents(deps: { store: AgwStore; logger: Logger; now: () => number }) {
  return {
    /** Never fails the procedure that records it: an event that cannot be stored is still logged. */
    async recordEvent(input: EventInput): Promise<void> {
      const event: EventDocument = { _id: randomUUID(), time: new Date(deps.now()), correlationId: currentCorrelationId(), ...input };
      deps.logger.info('event', { ...input, eventId: event._id });
      await deps.store.events.insertOne(event).catch((error: Error) => deps.logger.warn('event not stored', { error: error.message }));
    },

    async listEvents(query: { type?: string; aic?: string; since?: string; limit?: number }): Promise<GatewayEvent[]> {
      const filter: Record<string, unknown> = {};
      if (query.type) filter.type = query.type;
      if (query.aic) filter.aic = query.aic;
      if (query.since) filter.time = { $gte: new Date(query.since) };
      const events = await deps.store.events.find(filter, { sort: { time: -1 }, limit: query.limit ?? 100 });
      return events.map(({ _id, time, ...rest }) => ({ eventId: _id, time: time.toISOString(), ...rest }));
    },
  };
}

export type Events = ReturnType<typeof createEvents>;
