/**
 * What follows registration (MACP section 4.1; Agent Name Service section 2.2.1): update of
 * capabilities, endpoints and version (re-authorized by AAAP, a new ACS version), deregistration
 * (the credential is revoked), liveness heartbeats, the UE's connection state reported by the
 * AMF, and credential status changes pushed by the AMC.
 */
import { canonicalAic as checkAic } from './aic-check.ts';
import { requireRegistrationToken } from './registration-token.ts';
import { requireHttpUrl } from '../shared/http-url.ts';
import { conflict, forbidden, notFound, ProblemError } from '../shared/problem.ts';
import { aaapDenial, deletedMeanwhile, heldRefusal, type Registration, type RegistrationDeps } from './registration.ts';
import type { AgentDocument } from './store.ts';
import type { AgentRecord, CmState, CredentialEvent, RegistrationUpdate } from './types.ts';

export function createAgents(deps: RegistrationDeps & { registration: Registration }) {
  const { store, settings, events, now } = deps;

  const canonicalAic = (text: string, param = '{aic}') => checkAic(text, settings.aicScheme.saltHex, param);

  async function find(aicText: string): Promise<AgentDocument> {
    const aic = canonicalAic(aicText);
    const agent = await store.agents.findOne({ _id: aic });
    if (!agent) throw notFound(`no agent ${aic} is registered here`, 'AGENT_NOT_FOUND');
    return agent;
  }

  /**
   * The agent an operation names, and, when the operation is the registrant's own (heartbeat, UE
   * state, deregistration), the proof that the caller holds its registration access token. A
   * malformed, mistyped or unknown AIC and a wrong token are refusals, and like every refusal
   * are recorded as an event of the operation's type.
   */
  async function findFor(type: string, aicText: string, registrant?: { authorization: string | undefined }): Promise<AgentDocument> {
    return events.recordingRefusals(type, { aicText }, async () => {
      const agent = await find(aicText);
      if (registrant) requireRegistrationToken(registrant.authorization, agent.registrationTokenSha256, agent._id);
      return agent;
    });
  }

  function stateOf(agent: AgentDocument): AgentRecord['state'] {
    if (agent.credentialStatus !== 'GOOD') return agent.credentialStatus;
    if (Date.parse(agent.acs.security.credentialNotAfter) <= now()) return 'EXPIRED';
    if (agent.cmState === 'CM-IDLE') return 'UE_IDLE';
    return agent.liveUntil > now() ? 'ACTIVE' : 'STALE';
  }

  function toRecord(agent: AgentDocument): AgentRecord {
    return {
      aic: agent._id,
      state: stateOf(agent),
      capabilities: agent.capabilityIds,
      a2aUrl: agent.a2aUrl,
      certificatePem: agent.certificatePem,
      load: agent.load,
      lastHeartbeat: agent.lastHeartbeat,
      ...(agent.cmState ? { cmState: agent.cmState } : {}),
      acs: agent.acs,
    };
  }

  /** The agent an operation found was deregistered before its write: 404, recorded as the operation's refusal. */
  async function goneMeanwhile(type: string, agent: AgentDocument): Promise<never> {
    const refusal = notFound(`agent ${agent._id} was deregistered meanwhile`, 'AGENT_NOT_FOUND');
    await events.recordEvent({ type, outcome: 'refused', aic: agent._id, cause: refusal.cause, detail: { reason: refusal.message } });
    throw refusal;
  }

  const requireGood = (agent: AgentDocument) => {
    if (agent.credentialStatus !== 'GOOD') throw forbidden(`agent ${agent._id}'s credential is ${agent.credentialStatus}`, `CREDENTIAL_${agent.credentialStatus}`);
  };

  return {
    canonicalAic,
    stateOf,

    async listRegistrations(limit = 1000): Promise<AgentRecord[]> {
      return (await store.agents.find({}, { sort: { _id: 1 }, limit })).map(toRecord);
    },

    async getRegistration(aic: string): Promise<AgentRecord> {
      return toRecord(await findFor('agent.lookup', aic));
    },

    /** Update re-runs AAAP with the provider's credentials: a wider scope needs the AMC's grant. */
    async updateRegistration(aicText: string, update: RegistrationUpdate): Promise<AgentRecord> {
      const agent = await findFor('agent.updated', aicText);
      try {
        requireGood(agent);
        if (update.provider.providerId !== agent.providerId) throw forbidden(`agent ${agent._id} belongs to another provider`, 'NOT_OWNER');
        const capabilityIds = update.requestedCapabilities ? deps.taxonomy.resolveRequested(update.requestedCapabilities).capabilityIds : agent.capabilityIds;
        const endpoints = update.endpoints ?? agent.acs.endpoints;
        requireHttpUrl(endpoints.a2aUrl, '/endpoints/a2aUrl');
        if (endpoints.invokeUrl) requireHttpUrl(endpoints.invokeUrl, '/endpoints/invokeUrl');
        const decision = await deps.amc.authorize({
          gateway: { nfInstanceId: deps.gatewayId, domain: settings.domain },
          provider: update.provider,
          agent: { name: agent.name, version: update.version ?? agent.version, kind: agent.kind },
          requestedCapabilities: capabilityIds,
          publicKeySha256: agent.publicKeySha256,
          purpose: 'UPDATE',
        });
        if (decision.decision !== 'GRANT') throw aaapDenial(decision, 'update');
        const denied = decision.deniedCapabilities ?? [];
        if (denied.length) {
          throw forbidden(`the AMC does not grant ${denied.join(', ')}${decision.detail ? ` (${decision.detail})` : ''}`, decision.cause ?? 'SCOPE_NOT_PERMITTED');
        }
        const acs = deps.registration.buildAcs({
          request: { agent: { name: agent.name, version: update.version ?? agent.version, kind: agent.kind, description: agent.acs.description, securityAttributes: agent.acs.securityAttributes }, provider: update.provider, endpoints, onBehalfOf: undefined },
          aic: agent._id,
          ontologyAic: agent.acs.ontologyAic,
          granted: capabilityIds,
          credential: { serialNumber: agent.credentialSerial, notAfter: agent.acs.security.credentialNotAfter },
          acsVersion: agent.acs.acsVersion + 1,
        });
        if (agent.acs.onBehalfOf) acs.onBehalfOf = agent.acs.onBehalfOf;
        // Written only over the ACS it was built from: a renewal, another update or a
        // deregistration that landed while the AMC was asked changed what this one read.
        const updated = await store.agents.findOneAndUpdate(
          { _id: agent._id, 'acs.acsVersion': agent.acs.acsVersion },
          { $set: { acs, capabilityIds, version: acs.version, a2aUrl: endpoints.a2aUrl, invokeUrl: endpoints.invokeUrl ?? endpoints.a2aUrl } },
        );
        if (!updated) {
          if (!(await store.agents.findOne({ _id: agent._id }, { fields: ['kind'] }))) throw notFound(`agent ${agent._id} was deregistered meanwhile`, 'AGENT_NOT_FOUND');
          throw conflict(`agent ${agent._id}'s ACS changed while this update was authorized (a renewal or another update); send it again`, 'ACS_CHANGED');
        }
        const deleted = await deps.taxonomy.missingNow(capabilityIds.filter((id) => !agent.capabilityIds.includes(id)));
        if (deleted.length) {
          // Undone as it was written: only over this update's own ACS.
          await store.agents.findOneAndUpdate(
            { _id: agent._id, 'acs.acsVersion': acs.acsVersion },
            { $set: { acs: agent.acs, capabilityIds: agent.capabilityIds, version: agent.version, a2aUrl: agent.a2aUrl, invokeUrl: agent.invokeUrl } },
          );
          throw deletedMeanwhile(deleted, 'update');
        }
        await events.recordEvent({ type: 'agent.updated', outcome: 'success', aic: agent._id, detail: { acsVersion: acs.acsVersion, capabilities: capabilityIds } });
        return toRecord(updated);
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) {
          await events.recordEvent({ type: 'agent.updated', outcome: 'refused', aic: agent._id, cause: error.cause, detail: { reason: error.message } });
        }
        throw error;
      }
    },

    async deregisterAgent(aicText: string, authorization: string | undefined): Promise<void> {
      const agent = await findFor('agent.deregistered', aicText, { authorization });
      // Revoked first: if the AMC cannot be reached the agent stays registered and a retry works.
      // A suspended agent stays (heldRefusal), as the gateway or the AMC knows it.
      try {
        if (agent.credentialStatus === 'SUSPENDED') throw heldRefusal(agent._id);
        await deps.registration.revokeCredentialsOf(agent, 'cessationOfOperation', { refuseHeld: true });
      } catch (error) {
        const refused = error instanceof ProblemError && error.status < 500;
        const reason = refused ? (error as Error).message : `the agent stays registered: its credential could not be revoked: ${(error as Error).message}`;
        await events.recordEvent({ type: 'agent.deregistered', outcome: refused ? 'refused' : 'failure', aic: agent._id, cause: (error as ProblemError).cause, detail: { reason } });
        throw error;
      }
      // Of concurrent deregistrations of one agent, the one that deletes it answers for it.
      if (!(await store.agents.findOneAndDelete({ _id: agent._id }))) await goneMeanwhile('agent.deregistered', agent);
      await events.recordEvent({ type: 'agent.deregistered', outcome: 'success', aic: agent._id });
    },

    /** Returns true when the agent was STALE, i.e. the heartbeat brings it back into discovery. */
    async heartbeat(aicText: string, authorization: string | undefined, load?: number): Promise<boolean> {
      const agent = await findFor('agent.heartbeat', aicText, { authorization });
      if (agent.credentialStatus !== 'GOOD') {
        await events.recordEvent({ type: 'agent.heartbeat', outcome: 'refused', aic: agent._id, cause: `CREDENTIAL_${agent.credentialStatus}` });
        requireGood(agent);
      }
      const beaten = await store.agents.findOneAndUpdate(
        { _id: agent._id },
        { $set: { liveUntil: deps.registration.liveUntil(), lastHeartbeat: new Date(now()).toISOString(), ...(load !== undefined ? { load } : {}) } },
      );
      if (!beaten) await goneMeanwhile('agent.heartbeat', agent);
      return agent.liveUntil <= now();
    },

    /** A UE's agent is discoverable only while its UE is CM-CONNECTED (MACP section 8). */
    async reportUeState(aicText: string, authorization: string | undefined, cmState: CmState): Promise<void> {
      const agent = await findFor('agent.ue_state', aicText, { authorization });
      if (agent.kind !== 'ue-agent') {
        const refusal = conflict(`agent ${agent._id} is not a UE's agent`, 'NOT_A_UE_AGENT');
        await events.recordEvent({ type: 'agent.ue_state', outcome: 'refused', aic: agent._id, cause: refusal.cause, detail: { reason: refusal.message } });
        throw refusal;
      }
      if (!(await store.agents.findOneAndUpdate({ _id: agent._id }, { $set: { cmState } }))) await goneMeanwhile('agent.ue_state', agent);
      await events.recordEvent({ type: 'agent.ue_state', outcome: 'success', aic: agent._id, detail: { cmState } });
    },

    /**
     * The AMC's credential events are only a cue: whoever posts one, the gateway asks the AMC
     * for the AIC's credentials and keeps what the AMC says (the newest good or suspended one;
     * otherwise revoked). A renewal brings the new certificate and a new ACS version.
     */
    async applyCredentialEvent(event: CredentialEvent): Promise<void> {
      const aic = await events.recordingRefusals('agent.credential', { aicText: event.aic }, () => canonicalAic(event.aic, '/aic'));
      await followAmc(aic, { event: event.event });
    },

    /**
     * The safety net under the AMC's notices, which the AMC retries a few times, in its memory
     * only: the credentials whose status changed since this gateway last looked (kept in the
     * store, so a gateway back from a stop catches up as well), each change this gateway does not
     * know followed as a notice would be. Looked at after each subscription (app.ts), so what
     * changed before it is read here and what changes after it is notified. Answers how many
     * agents changed.
     */
    async catchUpCredentialChanges(): Promise<number> {
      const last = (await store.counters.findOne({ _id: CREDENTIAL_CHANGES_READ }))?.value;
      let since = new Date(last === undefined ? 0 : last - CATCH_UP_MARGIN_MS).toISOString();
      // The mark is the AMC's own time of the latest change read, so the two clocks need not agree.
      let latest = last;
      let followed = 0;
      for (;;) {
        const changes = await deps.amc.listChangedCredentials(since);
        for (const change of changes) {
          const changedAt = Date.parse(change.statusChangedAt ?? '');
          if (changedAt > (latest ?? 0)) latest = changedAt;
          const agent = await store.agents.findOne({ _id: change.aic }, { fields: ['credentialSerial', 'credentialStatus'] });
          if (!agent || (agent.credentialSerial === change.serialNumber && agent.credentialStatus === knownStatus(change.status))) continue;
          if (await followAmc(change.aic, { caughtUp: true })) followed += 1;
        }
        // A full page: the next one from the last change read (changes at that very time are read
        // again, and known). A full page all of one time cannot be read past; the mark then stays
        // where it was, and the next look reads it again.
        if (changes.length < LIST_PAGE) break;
        const next = changes[changes.length - 1].statusChangedAt;
        if (!next || next === since) return followed;
        since = next;
      }
      if (latest !== undefined && latest !== last) await store.counters.replaceOne({ _id: CREDENTIAL_CHANGES_READ }, { _id: CREDENTIAL_CHANGES_READ, value: latest }, { upsert: true });
      return followed;
    },
  };

  /**
   * The agent's credential as the AMC lists it (the newest good or suspended one; otherwise
   * revoked): a renewal brings the new certificate and a new ACS version. Whether the agent changed.
   */
  async function followAmc(aic: string, heard: Record<string, unknown>): Promise<boolean> {
    const agent = await store.agents.findOne({ _id: aic });
    if (!agent) return false;
    const credentials = (await deps.amc.listCredentials(agent._id)).sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore));
    const current = credentials.find((c) => c.status === 'GOOD' || c.status === 'SUSPENDED') ?? credentials[0];
    if (!current?.certificatePem) return false;
    const credentialStatus = knownStatus(current.status);
    const renewed = current.serialNumber !== agent.credentialSerial;
    // Caught up on a change of a credential the agent no longer holds (one its renewal replaced), say.
    if (heard.caughtUp && !renewed && credentialStatus === agent.credentialStatus) return false;
    await store.agents.findOneAndUpdate(
      { _id: agent._id },
      {
        $set: {
          credentialStatus,
          credentialSerial: current.serialNumber,
          certificatePem: current.certificatePem,
          'acs.security.credentialSerialNumber': current.serialNumber,
          // One form, so the live filter's text comparison is a comparison of times (discovery.ts).
          'acs.security.credentialNotAfter': new Date(current.notAfter).toISOString(),
          ...(renewed ? { 'acs.lastModified': new Date(now()).toISOString() } : {}),
        },
        ...(renewed ? { $inc: { 'acs.acsVersion': 1 } } : {}),
      },
    );
    await events.recordEvent({ type: 'agent.credential', outcome: 'success', aic: agent._id, detail: { ...heard, status: credentialStatus, serialNumber: current.serialNumber } });
    return true;
  }
}

/** Where the gateway keeps the AMC's time of the latest credential change it read (ms since the epoch). */
const CREDENTIAL_CHANGES_READ = 'credentialChangesReadAt';
/** Read back this far before the last look: a change the AMC was writing then, and clocks a little apart. */
const CATCH_UP_MARGIN_MS = 60_000;
/** The most credentials ListCredentials answers at once. */
const LIST_PAGE = 10_000;

/** A credential's status as the directory keeps it (an expired one is GOOD there: expiry is read from its notAfter). */
function knownStatus(status: string): AgentDocument['credentialStatus'] {
  return status === 'SUSPENDED' ? 'SUSPENDED' : status === 'REVOKED' ? 'REVOKED' : 'GOOD';
}

export type Agents = ReturnType<typeof createAgents>;
