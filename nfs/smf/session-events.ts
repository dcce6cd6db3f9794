/**
 * Every state change of a session is a log line (the event) and a notification to both agents'
 * callback URIs, delivered in the background with retries (notifier.ts): the procedure that
 * caused it never waits for an agent. A refused creation is an event too (a log line, counted by
 * cause), though no session exists to notify about: a UE's agent asked for while its UE is CM-IDLE
 * shows here and in refusals(), and nothing is stored.
 */
import type { Logger } from '../shared/logger.ts';
import type { Notifier } from '../shared/notifier.ts';
import type { SessionDocument } from './store.ts';
import type { SessionEvent, SessionEventNotification, SessionState } from './types.ts';

export function createSessionEvents(deps: { logger: Logger; notifier: Notifier<SessionEventNotification>; now: () => number }) {
  const refusals: Record<string, number> = {};
  return {
    createRefused(request: { initiatorAic: string; targetAic: string; capabilityId: string }, cause: string, detail: string): void {
      refusals[cause] = (refusals[cause] ?? 0) + 1;
      deps.logger.warn('agent session event', { event: 'SESSION_CREATE_REFUSED', initiatorAic: request.initiatorAic, targetAic: request.targetAic, capabilityId: request.capabilityId, cause, detail });
    },
    /** Refused creations since start, by cause. */
    refusals: (): Record<string, number> => ({ ...refusals }),

    changed(session: SessionDocument, previousState: SessionState | undefined, event: SessionEvent, cause?: string): void {
      const notification: SessionEventNotification = {
        event,
        sessionId: session._id,
        state: session.state,
        ...(previousState ? { previousState } : {}),
        initiatorAic: session.initiatorAic,
        targetAic: session.targetAic,
        capabilityId: session.capabilityId,
        qos: session.qos,
        scope: session.scope,
        ...(cause ? { cause } : {}),
        timeStamp: new Date(deps.now()).toISOString(),
      };
      deps.logger.info('agent session event', { event, sessionId: session._id, state: session.state, previousState, initiatorAic: session.initiatorAic, targetAic: session.targetAic, capabilityId: session.capabilityId, cause });
      const uris = new Set([session.notificationUris?.initiator, session.notificationUris?.target].filter((uri): uri is string => uri !== undefined));
      for (const uri of uris) deps.notifier.send(uri, notification);
    },
  };
}
