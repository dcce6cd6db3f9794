/**
 * ARP, the Agent Registration Process (MACP section 5.1): validate the agent's attributes,
 * capabilities and CSR; ask the AMC (AAAP); only on a grant allocate the AIC, have the AMC issue
 * the credential, and keep the gateway-generated ACS with the authorized capabilities alone
 * (section 5.2). Every outcome, refusals included, is an event; a refusal stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { spkiSha256 } from '../shared/agent-credentials.ts';
import { csrRefusalsAs400, verifyCsrPem } from '../shared/csr.ts';
import { csrKeySha256 } from '../shared/csr-key.ts';
import { sha256Hex } from './registration-token.ts';
import { requireHttpUrl } from '../shared/http-url.ts';
import { badRequest, conflict, forbidden, ProblemError } from '../shared/problem.ts';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import { screenedDeclaredText } from './declared-text.ts';
import { allocateAic } from './aic-allocation.ts';
import { AmcRefusal, type AmcConsumer, type AuthorizationDecision } from './consumer.ts';
import type { Events } from './events.ts';
import type { AgwSettings } from './settings.ts';
import type { AgentDocument, AgwStore } from './store.ts';
import type { Taxonomy } from './taxonomy.ts';
import type { Acs, RegistrationRequest, RegistrationResult } from './types.ts';

export interface RegistrationDeps {
  store: AgwStore;
  settings: AgwSettings;
  taxonomy: Taxonomy;
  amc: AmcConsumer;
  events: Events;
  gatewayId: string;
  now: () => number;
}

/**
 * An AAAP denial as the agent's problem: 403 with the AMC's cause and words, a provider that could
 * not be authenticated (PROVIDER_UNKNOWN, INVALID_PROVIDER_CREDENTIAL) included. Its credentials
 * travel in the body, not in an HTTP authentication scheme, so there is no challenge a 401 could
 * carry (RFC 9110 section 15.5.2); a 403 says the credentials given are not enough (section 15.5.4).
 */
export function aaapDenial(decision: { cause?: string; detail?: string }, what: 'registration' | 'update'): ProblemError {
  return new ProblemError(403, `the AMC denied the ${what}: ${decision.detail ?? decision.cause}`, { cause: decision.cause });
}

/**
 * A hold (certificateHold, RFC 5280 section 5.3.1) freezes an agent's registration, as it does its
 * updates and heartbeats: leaving would revoke the held certificate as no longer needed, and let
 * its key register again as if nothing were held against it. The AMC resumes or revokes it first.
 */
export function heldRefusal(aic: string): ProblemError {
  return forbidden(`agent ${aic}'s credential is SUSPENDED: it leaves once the AMC resumes or revokes it`, 'CREDENTIAL_SUSPENDED');
}

/**
 * Capabilities deleted from the taxonomy while a registration or an update that holds them was
 * under way (Taxonomy.missingNow): refused as a request naming them after the deletion would be.
 */
export function deletedMeanwhile(capabilityIds: readonly string[], what: 'registration' | 'update'): ProblemError {
  const reason = 'deleted from the taxonomy while the request was under way';
  return badRequest(`${capabilityIds.join(', ')} ${capabilityIds.length > 1 ? 'were' : 'was'} ${reason}; the ${what} is not stored`, capabilityIds.map(() => ({ param: '/requestedCapabilities', reason })), 'UNKNOWN_CAPABILITY');
}

/** AICs tried for one registration when the AMC has certified the allocated ones already. */
const AIC_ATTEMPTS = 16;

export function createRegistration(deps: RegistrationDeps) {
  const { store, settings, events, now } = deps;

  /** Refusals are recorded as events and thrown; nothing else happens. */
  const refuse = async (error: ProblemError, fields: { aic?: string; detail?: Record<string, unknown> } = {}): Promise<never> => {
    await events.recordEvent({ type: 'agent.registration', outcome: 'refused', cause: error.cause, ...fields, detail: { reason: error.message, ...fields.detail } });
    throw error;
  };

  /** The keys of the registrations under way in this gateway (register). */
  const registeringKeys = new Set<string>();

  async function register(sent: RegistrationRequest): Promise<RegistrationResult> {
    const request = screenedAttributes(sent);
    if ((request.agent.kind === 'ue-agent') !== (request.onBehalfOf !== undefined)) {
      throw badRequest('onBehalfOf is required for a ue-agent and only for one', [{ param: '/onBehalfOf', reason: 'goes with kind ue-agent' }]);
    }
    // The AMC then checks that the request comes from this provider (AAAP with its credentials).
    if (request.onBehalfOf && !settings.onBehalfProviders.includes(request.provider.providerId)) {
      throw forbidden(`provider ${request.provider.providerId} may not register an agent on a UE's behalf`, 'ON_BEHALF_NOT_PERMITTED');
    }
    requireHttpUrl(request.endpoints.a2aUrl, '/endpoints/a2aUrl');
    if (request.endpoints.invokeUrl) requireHttpUrl(request.endpoints.invokeUrl, '/endpoints/invokeUrl');
    const resolved = deps.taxonomy.resolveRequested(request.requestedCapabilities);
    // Preliminary validation (MACP section 5.1): the CSR is shaped as one, and names the key the
    // registration is for. Its proof of possession is checked by the AMC in AAAP, which gets the
    // CSR (authorizeAndBind), so it is checked once per registration however the NFs are deployed.
    const publicKeySha256 = await csrRefusalsAs400(() => csrKeySha256(request.csrPem));
    // The nonce before the key: a registration that succeeded, sent again as it was, is a replay.
    try {
      await store.nonces.insertOne({ _id: request.nonce, seenAt: new Date(now()), publicKeySha256, gatewayId: deps.gatewayId });
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw conflict(`nonce ${request.nonce} was used by a registration that succeeded or is under way: a replayed registration`, 'REPLAYED_REGISTRATION');
      throw error;
    }
    let keyHeld = false;
    try {
      // One registration of a key at a time in this gateway: a second one under way at once
      // would get a grant, an AIC and a certificate before the store's unique key refused it.
      // (Replicas still meet at that unique index.) Taken before anything is awaited.
      const keyBusy = registeringKeys.has(publicKeySha256);
      if (!keyBusy) {
        registeringKeys.add(publicKeySha256);
        keyHeld = true;
      }
      if (keyBusy || (await store.agents.findOne({ publicKeySha256 }))) {
        // Only the key's holder learns that it is registered: a CSR of someone else's (public)
        // key without its proof of possession is refused as such (the whole check, shared/csr.ts).
        await csrRefusalsAs400(() => verifyCsrPem(request.csrPem));
        throw conflict('an agent with this key is registered already, or being registered; a new registration needs a new key', 'KEY_ALREADY_REGISTERED');
      }
      return await authorizeAndBind(request, resolved.capabilityIds, resolved.matches, publicKeySha256);
    } catch (error) {
      // The nonce is only spent by a registration that succeeded; if it cannot be given back, the
      // agent retries with another, and the registration's own failure is what it is told.
      await store.nonces.findOneAndDelete({ _id: request.nonce }).catch(() => undefined);
      throw error;
    } finally {
      if (keyHeld) registeringKeys.delete(publicKeySha256);
    }
  }

  /**
   * Revokes every credential of the AIC that is still good or suspended, as the AMC lists them:
   * the one this gateway knows, and a renewed one whose notice has not reached it (notices are
   * retried a few times, in the AMC's memory). Throws if the AMC cannot be asked or refuses,
   * unless the gateway knows the agent's credential revoked already: such an agent may leave
   * without the AMC. `refuseHeld` (an agent leaving): a suspended credential, listed so or held
   * while this runs, is not revoked, and the leaving is refused (heldRefusal).
   */
  async function revokeCredentialsOf(agent: Pick<AgentDocument, '_id' | 'credentialStatus'>, reason: 'cessationOfOperation' | 'superseded', options: { refuseHeld?: boolean } = {}): Promise<void> {
    let credentials;
    try {
      credentials = await deps.amc.listCredentials(agent._id);
    } catch (error) {
      if (agent.credentialStatus !== 'REVOKED') throw error;
      return;
    }
    // The AMC's word, which a notice of a suspension may not have brought to the gateway yet.
    if (options.refuseHeld && credentials.some((credential) => credential.status === 'SUSPENDED')) throw heldRefusal(agent._id);
    try {
      for (const credential of credentials) {
        if (credential.status !== 'GOOD' && credential.status !== 'SUSPENDED') continue;
        if (!options.refuseHeld) {
          await deps.amc.revokeCredential(credential.serialNumber, reason);
          continue;
        }
        // Revoked only while GOOD: a hold the AMC placed since it listed them stands.
        const revoked = await deps.amc.revokeCredential(credential.serialNumber, reason, 'GOOD');
        if (!revoked && (await deps.amc.credentialStatus(credential.serialNumber)).status === 'SUSPENDED') throw heldRefusal(agent._id);
      }
    } catch (error) {
      // A hold found while leaving stands whatever the gateway knew.
      if (agent.credentialStatus !== 'REVOKED' || (error instanceof ProblemError && error.cause === 'CREDENTIAL_SUSPENDED')) throw error;
    }
  }

  /** Revokes the AIC's good credentials that certify this key (never another agent's, whose AIC this may have been). */
  async function revokeCertificatesOfKey(aic: string, publicKeySha256: string): Promise<void> {
    for (const credential of await deps.amc.listCredentials(aic)) {
      if (credential.status !== 'GOOD' && credential.status !== 'SUSPENDED') continue;
      if (!credential.certificatePem || (await spkiSha256(credential.certificatePem)) !== publicKeySha256) continue;
      await deps.amc.revokeCredential(credential.serialNumber, 'cessationOfOperation');
      await events.recordEvent({ type: 'agent.registration', outcome: 'failure', aic, cause: 'CERTIFICATE_REVOKED', detail: { reason: `the certificate the AMC made for ${aic} without the gateway hearing of it is revoked`, serialNumber: credential.serialNumber } });
    }
  }

  /**
   * A UE has one agent: the AMF registers a new one when the UE registers again, and a release of
   * the old one it still owes (the AGW was unreachable, say) must not leave two for discovery by
   * SUPI to choose between. The agents registered for the SUPI before the new one was stored
   * (read then, so two registrations under way at once never remove each other) are revoked as
   * superseded and removed; one whose revocation fails stays, its failure recorded, and goes with
   * the UE's next registration.
   */
  async function supersedeUeAgents(earlier: readonly AgentDocument[], newestAic: string): Promise<void> {
    for (const older of earlier) {
      try {
        await revokeCredentialsOf(older, 'superseded');
      } catch (error) {
        await events.recordEvent({ type: 'agent.deregistered', outcome: 'failure', aic: older._id, detail: { reason: `not superseded by ${newestAic}: ${(error as Error).message}` } });
        continue;
      }
      await store.agents.findOneAndDelete({ _id: older._id });
      await events.recordEvent({ type: 'agent.deregistered', outcome: 'success', aic: older._id, detail: { reason: `superseded by ${newestAic}, the newer agent of the same UE` } });
    }
  }

  /**
   * The AIC and its certificate. The AMC issues one certificate per AIC; an AIC it has certified
   * already (this gateway's counters behind the AMC's records: a data directory restored from an
   * older copy, say) is passed over for the next, and the grant, unspent by the refusal, serves
   * that one. A bounded number of times: each try also moves the counter on.
   */
  async function allocateAndCertify(request: RegistrationRequest, decision: { grantId?: string; providerIndex?: string }, publicKeySha256: string) {
    for (let attempt = 1; ; attempt += 1) {
      const { aic, ontologyAic } = await allocateAic({ store, scheme: settings.aicScheme }, { providerIndex: decision.providerIndex!, name: request.agent.name, version: request.agent.version });
      const issuance = { grantId: decision.grantId!, aic, csrPem: request.csrPem };
      try {
        return { aic, ontologyAic, credential: await deps.amc.issueCredential(issuance) };
      } catch (error) {
        const passedOver = error instanceof AmcRefusal && error.amcCause === 'AIC_ALREADY_ISSUED';
        if (answerLost(error)) {
          // The AMC may have made the certificate all the same. The same issuance again is
          // answered with it (credentials.ts), and the registration goes on; failing that, a
          // certificate of this key the AMC lists for the AIC is revoked, since no agent will hold it.
          const resent = await deps.amc.issueCredential(issuance).catch(() => undefined);
          if (resent) return { aic, ontologyAic, credential: resent };
          await revokeCertificatesOfKey(aic, publicKeySha256).catch((revocation: Error) =>
            events.recordEvent({ type: 'agent.registration', outcome: 'failure', aic, cause: 'REVOCATION_FAILED', detail: { reason: `a certificate the AMC may have made for ${aic} could not be looked for and revoked: ${revocation.message}` } }),
          );
        }
        if (!passedOver || attempt === AIC_ATTEMPTS) throw error;
        await events.recordEvent({ type: 'agent.registration', outcome: 'failure', aic, cause: error.amcCause, detail: { reason: `${aic} was certified before; the next AIC is tried`, attempt } });
      }
    }
  }

  async function authorizeAndBind(request: RegistrationRequest, capabilityIds: string[], matches: RegistrationResult['capabilityMatches'], publicKeySha256: string) {
    const decision = await deps.amc.authorize({
      gateway: { nfInstanceId: deps.gatewayId, domain: settings.domain },
      provider: request.provider,
      agent: { name: request.agent.name, version: request.agent.version, kind: request.agent.kind },
      requestedCapabilities: capabilityIds,
      publicKeySha256,
      csrPem: request.csrPem,
      purpose: 'REGISTRATION',
    });
    if (decision.decision !== 'GRANT') throw aaapDenial(decision, 'registration');
    const certified = await allocateAndCertify(request, decision, publicKeySha256);
    try {
      return await bind(request, decision, certified, matches, publicKeySha256);
    } catch (error) {
      // A registration that fails after the certificate was made (the key won by a concurrent
      // registration, the store failing) must not leave a good certificate for an agent no
      // gateway knows: the AMC revokes it. If that fails too, the event says which serial is left.
      await deps.amc.revokeCredential(certified.credential.serialNumber, 'cessationOfOperation').catch((revocation: Error) =>
        events.recordEvent({ type: 'agent.registration', outcome: 'failure', aic: certified.aic, cause: 'REVOCATION_FAILED', detail: { reason: `the certificate of a failed registration is still good: ${revocation.message}`, serialNumber: certified.credential.serialNumber } }),
      );
      throw error;
    }
  }

  async function bind(
    request: RegistrationRequest,
    decision: AuthorizationDecision,
    { aic, ontologyAic, credential }: Awaited<ReturnType<typeof allocateAndCertify>>,
    matches: RegistrationResult['capabilityMatches'],
    publicKeySha256: string,
  ): Promise<RegistrationResult> {
    const granted = decision.grantedCapabilities ?? [];
    const registrationAccessToken = randomBytes(32).toString('base64url');
    const acs = buildAcs({ request, aic, ontologyAic, granted, credential, acsVersion: 1 });
    const document: AgentDocument = {
      _id: aic,
      providerId: request.provider.providerId,
      providerIndex: decision.providerIndex!,
      name: request.agent.name,
      version: request.agent.version,
      kind: request.agent.kind,
      domain: acs.domain,
      capabilityIds: granted,
      gdpr: request.agent.securityAttributes?.gdpr === true,
      a2aUrl: request.endpoints.a2aUrl,
      invokeUrl: request.endpoints.invokeUrl ?? request.endpoints.a2aUrl,
      acs,
      certificatePem: credential.certificatePem,
      credentialSerial: credential.serialNumber,
      credentialStatus: 'GOOD',
      publicKeySha256,
      registrationNonce: request.nonce,
      registrationTokenSha256: sha256Hex(registrationAccessToken),
      liveUntil: liveUntil(),
      load: 0,
      lastHeartbeat: new Date(now()).toISOString(),
      ...(request.onBehalfOf ? { supi: request.onBehalfOf.supi, cmState: request.onBehalfOf.cmState } : {}),
    };
    const earlierOfTheUe = request.onBehalfOf ? await store.agents.find({ supi: request.onBehalfOf.supi }) : [];
    try {
      await store.agents.insertOne(document);
    } catch (error) {
      // The same key won a concurrent registration (the certificate is revoked by the caller).
      if (error instanceof DuplicateKeyError) throw conflict('an agent with this key is registered already; a new registration needs a new key', 'KEY_ALREADY_REGISTERED');
      throw error;
    }
    const deleted = await deps.taxonomy.missingNow(granted);
    if (deleted.length) {
      await store.agents.findOneAndDelete({ _id: aic }); // the caller revokes its certificate
      throw deletedMeanwhile(deleted, 'registration');
    }
    const denied = decision.deniedCapabilities ?? [];
    await events.recordEvent({ type: 'agent.registered', outcome: 'success', aic, detail: { capabilities: granted, ...(denied.length ? { deniedCapabilities: denied } : {}), providerId: request.provider.providerId, kind: request.agent.kind } });
    // The new agent is stored and answered for; the older agents of its UE are cleanup, whose
    // failure is recorded and left for the UE's next registration, not this one's answer.
    if (earlierOfTheUe.length) {
      await supersedeUeAgents(earlierOfTheUe, aic).catch((error: Error) =>
        events.recordEvent({ type: 'agent.deregistered', outcome: 'failure', detail: { reason: `the older agents of the UE were not all superseded by ${aic}: ${error.message}` } }),
      );
    }
    return {
      aic,
      ontologyAic,
      capabilityIds: granted,
      ...(matches?.length ? { capabilityMatches: matches } : {}),
      ...(decision.deniedCapabilities?.length ? { deniedCapabilities: decision.deniedCapabilities } : {}),
      certificatePem: credential.certificatePem,
      caCertificatePem: credential.caCertificatePem,
      acs,
      heartbeatIntervalSeconds: settings.heartbeatIntervalSeconds,
      registrationAccessToken,
    };
  }

  const liveUntil = () => now() + (settings.heartbeatIntervalSeconds + settings.heartbeatGraceSeconds) * 1000;

  function buildAcs(input: {
    request: Pick<RegistrationRequest, 'agent' | 'provider' | 'endpoints' | 'onBehalfOf'>;
    aic: string;
    ontologyAic?: string;
    granted: string[];
    credential: { serialNumber: string; notAfter: string };
    acsVersion: number;
  }): Acs {
    const { agent } = input.request;
    return {
      aic: input.aic,
      ...(input.ontologyAic ? { ontologyAic: input.ontologyAic } : {}),
      name: agent.name,
      ...(agent.description ? { description: agent.description } : {}),
      version: agent.version,
      kind: agent.kind,
      providerId: input.request.provider.providerId,
      // The gateway's own domain: an agent cannot declare itself into another (policy keys on it).
      domain: settings.domain,
      capabilities: input.granted.map((capabilityId) => ({ capabilityId, taxonomyVersion: deps.taxonomy.versionOf(capabilityId) })),
      endpoints: input.request.endpoints,
      ...(agent.securityAttributes ? { securityAttributes: agent.securityAttributes } : {}),
      // One form, so the live filter's text comparison is a comparison of times (discovery.ts).
      security: { credentialSerialNumber: input.credential.serialNumber, credentialNotAfter: new Date(input.credential.notAfter).toISOString(), authentication: ['x509'] },
      ...(input.request.onBehalfOf ? { onBehalfOf: { supi: input.request.onBehalfOf.supi } } : {}),
      acsVersion: input.acsVersion,
      lastModified: new Date(now()).toISOString(),
    };
  }

  return {
    async registerAgent(request: RegistrationRequest): Promise<RegistrationResult> {
      try {
        return await register(request);
      } catch (error) {
        const detail = { name: request.agent.name, providerId: request.provider.providerId };
        if (error instanceof ProblemError && error.status < 500) return refuse(error, { detail });
        // A failure (the AMC unreachable or refusing the gateway, the store failing) is an outcome too.
        await events.recordEvent({ type: 'agent.registration', outcome: 'failure', cause: (error instanceof ProblemError && error.cause) || 'SYSTEM_FAILURE', detail: { reason: (error as Error).message, ...detail } });
        throw error;
      }
    },
    buildAcs,
    liveUntil,
    revokeCredentialsOf,
  };
}

export type Registration = ReturnType<typeof createRegistration>;

/**
 * An agent's name and description become part of what others read (its ACS, handed to AI agents):
 * kept as screened (declared-text.ts).
 */
function screenedAttributes(request: RegistrationRequest): RegistrationRequest {
  const { description } = request.agent;
  return {
    ...request,
    agent: { ...request.agent, name: screenedDeclaredText('/agent/name', request.agent.name), ...(description !== undefined ? { description: screenedDeclaredText('/agent/description', description) } : {}) },
  };
}

/**
 * Whether an issuance failed without an answer the gateway can trust to mean "nothing was made":
 * no HTTP answer at all (a timeout, a lost connection: 504 from the SBI client, or an error of
 * its own), a 5xx from the AMC, or an AMC that saw the grant spent (another instance may be
 * signing with it). A refusal of the request (key, gateway, token, the agent's CSR) made nothing.
 */
function answerLost(error: unknown): boolean {
  if (error instanceof AmcRefusal) return error.amcCause === 'GRANT_INVALID';
  return !(error instanceof ProblemError) || error.status >= 500;
}
