/**
 * Every state change of a session is a log line (the event) and a notification to both agents'
 * callback URIs, delivered in the background with retries (notifier.ts): the procedure that
 * caused it never waits for an agent.
 */
import type { Logger } from '../shared/logger.ts';
import type { Notifier } from '../shared/notifier.ts';
import type { SessionDocument } from './store.ts';
import type { SessionEvent, SessionEventNotification, SessionState } from './types.ts';

export function createSessionEvents(deps: { logger: Logger; notifier: Notifier<SessionEventNotification>; now: () => number }) {
  return {
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
