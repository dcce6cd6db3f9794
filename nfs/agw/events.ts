/**
 * Observability (DMSC architecture draft, "Observability"): registrations, discoveries, routing
 * decisions and outcomes, policy denials and refused input, each a JSON log line and an event that
 * GET /nagw-evts/v1/events returns until it expires or newer ones push it out (event-log.ts:
 * where events are kept depends on the store's engine).
 */
import { randomUUID } from 'node:crypto';
import { parseAic } from '../shared/aic.ts';
import { currentCorrelationId } from '../shared/correlation.ts';
import { badRequest, ProblemError } from '../shared/problem.ts';
import type { Logger } from '../shared/logger.ts';
import { canonicalAic } from './aic-check.ts';
import type { EventLog } from './event-log.ts';
import type { EventDocument } from './store.ts';
import type { GatewayEvent } from './types.ts';

export type EventInput = Omit<EventDocument, '_id' | 'time' | 'correlationId'>;

export function createEvents(deps: { log: EventLog; logger: Logger; now: () => number; aicSaltHex: string }) {
  /** Never fails or delays the procedure that records it. */
  async function recordEvent(input: EventInput): Promise<void> {
    const event: GatewayEvent = { eventId: randomUUID(), time: new Date(deps.now()).toISOString(), correlationId: currentCorrelationId(), ...input };
    // winston formats a line before its transports drop it by level: only format lines that are written.
    if (deps.logger.isInfoEnabled()) deps.logger.info('event', { ...input, eventId: event.eventId });
    deps.log.add(event);
  }

  /**
   * A refusal as an event of the operation refused: its cause and words, and the AIC it concerns
   * when the text names one (a malformed or mistyped AIC is named only in the reason).
   */
  function recordRefusal(type: string, refusal: ProblemError, about: { aicText?: string; capabilityId?: string }): Promise<void> {
    const parsed = about.aicText === undefined ? undefined : parseAic(about.aicText, { saltHex: deps.aicSaltHex });
    return recordEvent({ type, outcome: 'refused', cause: refusal.cause, ...(parsed?.ok ? { aic: parsed.aic.text } : {}), ...(about.capabilityId ? { capabilityId: about.capabilityId } : {}), detail: { reason: refusal.message } });
  }

  return {
    recordEvent,

    /**
     * What `work` answers; a refusal it throws (a 4xx ProblemError) is recorded first, as an event
     * of the operation `type` about the AIC text and capability given (recordRefusal).
     */
    async recordingRefusals<T>(type: string, about: { aicText?: string; capabilityId?: string }, work: () => T | Promise<T>): Promise<T> {
      try {
        return await work();
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) await recordRefusal(type, error, about);
        throw error;
      }
    },

    /**
     * What `work` answers; an unexpected failure it throws (not a ProblemError: the store failing,
     * say) is recorded first as a failure of the operation `type`, cause SYSTEM_FAILURE. Refusals
     * and the failures an operation answers on purpose are recorded where they are decided.
     */
    async recordingFailures<T>(type: string, about: { aic?: string; capabilityId?: string }, work: () => Promise<T>): Promise<T> {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof ProblemError)) {
          await recordEvent({ type, outcome: 'failure', cause: 'SYSTEM_FAILURE', ...(about.aic ? { aic: about.aic } : {}), ...(about.capabilityId ? { capabilityId: about.capabilityId } : {}), detail: { reason: (error as Error)?.message ?? String(error) } });
        }
        throw error;
      }
    },

    /** Every event recorded so far kept where queries and a restart find it. */
    flushEvents: (): Promise<void> => deps.log.flush(),

    /** Lets go of the log's files; for the gateway's stop. */
    closeEvents: (): Promise<void> => deps.log.close(),

    async listEvents(query: { type?: string; aic?: string; correlationId?: string; since?: string; limit?: number }): Promise<GatewayEvent[]> {
      // The schema's date-time takes a leap second (RFC 3339 section 5.7), which Date cannot hold:
      // an Invalid Date would compare false with every time and lift the filter, retention included.
      if (query.since !== undefined && Number.isNaN(Date.parse(query.since))) {
        throw badRequest(`since ${query.since} is not a time this gateway can compare`, [{ param: 'query since', reason: 'not a representable time' }]);
      }
      return deps.log.list({
        type: query.type,
        correlationId: query.correlationId,
        aic: query.aic ? canonicalAic(query.aic, deps.aicSaltHex, 'query aic') : undefined,
        since: query.since ? new Date(query.since) : undefined,
        limit: query.limit ?? 100,
      });
    },
  };
}

export type Events = ReturnType<typeof createEvents>;
