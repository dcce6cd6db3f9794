/**
 * Initial registration (TS 24.501 clause 5.5.1.2; TS 23.502 clause 4.2.2.2.2) with the
 * authentication in its middle (TS 24.501 clause 5.4.1): REGISTRATION REQUEST -> AUTHENTICATION
 * REQUEST -> AUTHENTICATION RESPONSE -> REGISTRATION ACCEPT -> REGISTRATION COMPLETE.
 *
 * Nothing of a UE is stored before it has proved K: the pending authentication is its own
 * single-use document, and the UE context is written only after RES checks. For a UE without an
 * agent the path is four store operations and a few HMACs, no X.509 and no call to another NF.
 */
import { randomBytes } from 'node:crypto';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import { checkAuthenticationResponse, nasIntegrityKey, protectNasMessage } from '../shared/ue-keys.ts';
import { causeOf, FiveGmmCause, status } from './fivegmm-cause.ts';
import { connectedChanges, type ProcedureDeps } from './procedure-deps.ts';
import type { UeContextDocument } from './store.ts';
import type {
  AuthenticationRequest,
  AuthenticationResponse,
  FiveGmmStatus,
  RegistrationAccept,
  RegistrationComplete,
  RegistrationReject,
  RegistrationRequest,
  UeAgentResult,
} from './types.ts';

const reject = (cause: number, detail: string): RegistrationReject => ({ messageType: 'REGISTRATION_REJECT', ...causeOf(cause, detail) });

export function createRegistration(deps: ProcedureDeps) {
  const { store, settings, subscribers, security, ueAgents, timers, logger, now } = deps;

  /** 5G-GUTI = MCC MNC AMF-ID 5G-TMSI (TS 23.003 clause 2.10.1), the 5G-TMSI random. */
  const newGuti = () => `5g-guti-${settings.mcc}${settings.mnc}${settings.amfId}${randomBytes(4).toString('hex')}`;

  /** Writes the new context; a 5G-TMSI that happens to be taken is drawn again. */
  async function storeContext(context: UeContextDocument): Promise<UeContextDocument> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await store.ueContexts.replaceOne({ _id: context._id }, context, { upsert: true });
        return context;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError) || attempt >= 5) throw error;
        context = { ...context, guti: newGuti() };
      }
    }
  }

  return {
    async registrationRequest(message: RegistrationRequest): Promise<AuthenticationRequest | RegistrationReject> {
      const subscriber = subscribers.lookup(message.supi);
      if (!subscriber) return reject(FiveGmmCause.UE_IDENTITY_CANNOT_BE_DERIVED, `${message.supi} is not a subscriber of this network`);
      const rand = randomBytes(16).toString('hex');
      // Any ngKSI tells the new security context from the one it replaces well enough here.
      const ngKsi = Number.parseInt(rand.slice(0, 2), 16) % 7;
      const authenticationContextId = randomBytes(16).toString('base64url');
      // A new REGISTRATION REQUEST abandons the SUPI's earlier authentication (TS 24.501 clause
      // 5.4.1.3.7 d): one pending challenge per SUPI, so requests alone cannot fill the store.
      await store.authentications.deleteMany({ supi: subscriber.supi });
      await store.authentications.insertOne({
        _id: authenticationContextId,
        supi: subscriber.supi,
        rand,
        ngKsi,
        // The CSR is kept only for subscriptions with a UE agent; the AMF itself never parses it.
        ...(subscriber.ueAgent && message.ueAgent ? { ueAgent: message.ueAgent } : {}),
        createdAt: new Date(now()),
      });
      return { messageType: 'AUTHENTICATION_REQUEST', ngKsi, rand, authenticationContextId };
    },

    async authenticationResponse(message: AuthenticationResponse): Promise<RegistrationAccept | RegistrationReject> {
      // Single use: taken away whatever the answer, so a RES can be tried once per challenge; of
      // concurrent answers only the one whose delete took the document goes on. (Not
      // findOneAndDelete: the embedded engine scans the whole collection for it.)
      const found = await store.authentications.findOne({ _id: message.authenticationContextId });
      const pending = found && (await store.authentications.deleteMany({ _id: found._id })) === 1 ? found : undefined;
      const subscriber = pending && subscribers.lookup(pending.supi);
      if (!pending || !subscriber || new Date(pending.createdAt).getTime() + settings.authenticationTimeoutSeconds * 1000 <= now()) {
        return reject(FiveGmmCause.PROTOCOL_ERROR_UNSPECIFIED, 'no authentication is pending under this authenticationContextId (it lapsed, was answered already, or was never sent)');
      }
      if (!checkAuthenticationResponse(subscriber.key, pending.rand, message.res)) {
        return reject(FiveGmmCause.ILLEGAL_UE, 'authentication failed: RES does not match (TS 24.501 clause 5.4.1.3.7)');
      }

      const previous = await store.ueContexts.findOne({ _id: subscriber.supi });
      // The old registration's agent goes first (also one whose deregistration is still owed), so a
      // UE that kept its agent key can register it again.
      if (previous?.ueAgent && !(await ueAgents.release(previous.ueAgent))) {
        logger.warn('the previous UE agent stays registered at the AGW', { supi: subscriber.supi, aic: previous.ueAgent.aic });
      }

      let ueAgent: UeAgentResult = { status: subscriber.ueAgent ? 'NOT_REQUESTED' : 'NOT_SUBSCRIBED' };
      let agentRecord: UeContextDocument['ueAgent'];
      if (pending.ueAgent) ({ result: ueAgent, record: agentRecord } = await ueAgents.register(subscriber.supi, pending.ueAgent));

      const registeredAt = now();
      let context: UeContextDocument = {
        _id: subscriber.supi,
        supi: subscriber.supi,
        guti: newGuti(),
        rmState: 'RM-REGISTERED',
        cmState: 'CM-CONNECTED',
        registrationComplete: false,
        intentConversionOnUe: subscriber.intentConversionOnUe,
        // Downlink NAS COUNT 0 goes to the REGISTRATION ACCEPT below.
        security: { ngKsi: pending.ngKsi, rand: pending.rand, ulCount: -1, dlCount: 1 },
        ...(agentRecord ? { ueAgent: agentRecord, agentDueAt: registeredAt + agentRecord.heartbeatIntervalSeconds * 1000 } : {}),
        lastActivityAt: registeredAt,
        registeredAt: new Date(registeredAt).toISOString(),
      };
      try {
        context = await storeContext(context);
      } catch (error) {
        // Nothing half-stored: an agent registered for a context that was not written goes again.
        if (agentRecord) await ueAgents.release(agentRecord);
        throw error;
      }
      await timers.schedule(context);
      const kNasInt = nasIntegrityKey(subscriber.key, pending.rand);
      return protectNasMessage<RegistrationAccept>(
        {
          messageType: 'REGISTRATION_ACCEPT',
          guti: context.guti,
          registrationResult: '3GPP_ACCESS',
          intentConversionOnUe: subscriber.intentConversionOnUe,
          ueAgent,
        } as RegistrationAccept,
        kNasInt,
        'downlink',
        pending.ngKsi,
        0,
      );
    },

    /** No downlink answer (undefined) unless the 5G-GUTI has no registration. */
    async registrationComplete(message: RegistrationComplete): Promise<FiveGmmStatus | undefined> {
      const verdict = await security.acceptUplink(message, (context) => {
        const connected = connectedChanges(context, deps);
        return { $set: { ...connected.$set, registrationComplete: true } };
      });
      if (verdict.kind === 'unknown') return status(FiveGmmCause.UE_IDENTITY_CANNOT_BE_DERIVED, 'no UE context has this 5G-GUTI: register again');
      if (verdict.kind === 'deregistered') return status(FiveGmmCause.IMPLICITLY_DEREGISTERED, 'this 5G-GUTI\'s registration has ended: register again');
      await timers.rescheduleIfSooner(verdict.previous, verdict.context);
      return undefined;
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
