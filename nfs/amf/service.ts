/** The AMF's procedures, composed from one file per procedure; no express or store engine here. */
import type { Logger } from '../shared/logger.ts';
import { badRequest } from '../shared/problem.ts';
import type { SchemaCheck } from '../shared/schema-validator.ts';
import { createConnection } from './connection.ts';
import type { AgwConsumer } from './consumer.ts';
import type { IntentHandler } from './intent-handler.ts';
import { createNasTransport } from './nas-transport.ts';
import { createRegistration } from './registration.ts';
import { createSecurityContexts } from './security-context.ts';
import type { AmfSettings } from './settings.ts';
import type { AmfStore } from './store.ts';
import { createSubscriberDirectory } from './subscribers.ts';
import { createTimers } from './timers.ts';
import type { DownlinkNasMessage, UplinkNasMessage } from './types.ts';
import { createUeAgents } from './ue-agent.ts';

export interface AmfServiceDeps {
  store: AmfStore;
  settings: AmfSettings;
  logger: Logger;
  agw: AgwConsumer;
  intentHandler: IntentHandler;
  checkOutcome: SchemaCheck;
  now?: () => number;
}

export function createAmfService(deps: AmfServiceDeps) {
  const now = deps.now ?? Date.now;
  const subscribers = createSubscriberDirectory({ ranges: deps.settings.subscriberRanges, masterSecret: deps.settings.masterSecret });
  const security = createSecurityContexts({ store: deps.store, subscribers });
  const ueAgents = createUeAgents({ ...deps, now });
  const timers = createTimers({ ...deps, ueAgents, now });
  const procedureDeps = { ...deps, now, subscribers, security, ueAgents, timers };
  const registration = createRegistration(procedureDeps);
  const connection = createConnection(procedureDeps);
  const transport = createNasTransport(procedureDeps);

  return {
    /** One uplink NAS message in, its downlink answer out (undefined: none, as for REGISTRATION COMPLETE). */
    async handleUplinkNasMessage(message: UplinkNasMessage): Promise<DownlinkNasMessage | undefined> {
      switch (message.messageType) {
        case 'REGISTRATION_REQUEST':
          return registration.registrationRequest(message);
        case 'AUTHENTICATION_RESPONSE':
          return registration.authenticationResponse(message);
        case 'REGISTRATION_COMPLETE':
          return registration.registrationComplete(message);
        case 'SERVICE_REQUEST':
          return connection.serviceRequest(message);
        case 'DEREGISTRATION_REQUEST':
          return connection.deregistrationRequest(message);
        case 'UL_NAS_TRANSPORT':
          return transport.ulNasTransport(message);
        default:
          // The schema lets no other message through; a caller that skipped it gets a refusal, not a crash.
          throw badRequest('not an uplink NAS message this AMF knows', [{ param: '/messageType', reason: 'unknown message type' }]);
      }
    },

    /** The UE context of a SUPI, as stored (for operators and tests). */
    ueContext: (supi: string) => deps.store.ueContexts.findOne({ _id: supi }),

    /** Inactivity timers and what the AGW is owed; started by app.ts, run by hand in tests. */
    timers,
  };
}

export type AmfService = ReturnType<typeof createAmfService>;
