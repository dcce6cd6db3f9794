/**
 * The SMF's agent-session procedures (MACP "Agent-to-Agent Process"; named after TS 29.502
 * Nsmf_PDUSession Create, Update and Release): create after admission at the AGW with a signed
 * artifact, establish on SESSION_ACCEPT, modify within the authorized scope, release, and expiry
 * when authorization lapses. No express, axios or store engine here; refusals are ProblemErrors.
 */
import { keptUuid } from '../shared/kept-uuid.ts';
import type { Logger } from '../shared/logger.ts';
import { conflict, forbidden, notFound, ProblemError } from '../shared/problem.ts';
import { smfCallTaskId } from '../shared/a2a/session/session-authority.ts';
import { admitSession } from './admission.ts';
import type { AgentCallers } from './agent-callers.ts';
import type { ArtifactSigner } from './artifact.ts';
import type { AgwConsumer } from './consumer.ts';
import { createSessionEvents } from './session-events.ts';
import type { SmfSettings } from './settings.ts';
import type { SessionDocument, SmfStore } from './store.ts';
import type { Notifier } from '../shared/notifier.ts';
import type { AgentSession, SessionCreateData, SessionEstablishData, SessionEvent, SessionEventNotification, SessionModifyData, SessionReleaseData, SessionState } from './types.ts';

export interface SmfServiceDeps {
  store: SmfStore;
  settings: SmfSettings;
  logger: Logger;
  agw: AgwConsumer;
  signer: ArtifactSigner;
  notifier: Notifier<SessionEventNotification>;
  /** Proves that an operation comes from the agent it names (agent-callers.ts). */
  callers: AgentCallers;
  now?: () => number;
}

const liveStates: SessionState[] = ['PENDING', 'ESTABLISHED', 'MODIFIED'];

export function createSmfService(deps: SmfServiceDeps) {
  const { store, settings, signer } = deps;
  const now = deps.now ?? Date.now;
  const events = createSessionEvents({ logger: deps.logger, notifier: deps.notifier, now });

  const purgeAfter = (ms: number) => new Date(ms + settings.endedRetentionSeconds * 1000);

  async function issueArtifact(session: SessionDocument, jti: string): Promise<string> {
    return signer.sign({
      sid: session._id,
      sub: session.initiatorAic,
      aud: session.targetAic,
      cap: session.capabilityId,
      scope: session.scope,
      qos: session.qos,
      iat: Math.floor(now() / 1000),
      exp: Math.floor(session.expiresAtMs / 1000),
      jti,
    });
  }

  /** A live session past its expiry becomes EXPIRED once (the conditional update decides who tells the agents). */
  async function expireIfDue(session: SessionDocument): Promise<SessionDocument> {
    if (!liveStates.includes(session.state) || session.expiresAtMs > now()) return session;
    const expired = await store.sessions.findOneAndUpdate(
      { _id: session._id, version: session.version },
      { $set: { state: 'EXPIRED', updatedAtMs: now(), purgeAt: purgeAfter(now()) }, $inc: { version: 1 } },
    );
    if (expired) {
      events.changed(expired, session.state, 'SESSION_EXPIRED', 'AUTHORIZATION_EXPIRED');
      return expired;
    }
    return (await store.sessions.findOne({ _id: session._id })) ?? session;
  }

  async function loadSession(sessionId: string): Promise<SessionDocument> {
    const session = await store.sessions.findOne({ _id: sessionId });
    if (!session) throw notFound(`session ${sessionId} does not exist`, 'SESSION_NOT_FOUND');
    return expireIfDue(session);
  }

  /** The agent asking must be one of the session's two (by AIC as the AGW spells it). */
  function partyOf(session: SessionDocument, aic: string, param: string): 'initiator' | 'target' {
    if (sameAic(aic, session.initiatorAic)) return 'initiator';
    if (sameAic(aic, session.targetAic)) return 'target';
    throw forbidden(`${aic} (${param}) is not an agent of session ${session._id}`, 'NOT_A_SESSION_PARTY');
  }

  function requireState(session: SessionDocument, allowed: SessionState[], operation: string): void {
    if (allowed.includes(session.state)) return;
    const cause = session.state === 'RELEASED' ? 'SESSION_RELEASED' : session.state === 'EXPIRED' ? 'SESSION_EXPIRED' : 'INVALID_SESSION_STATE';
    throw conflict(`session ${session._id} is ${session.state}: ${operation} needs ${allowed.join(' or ')}`, cause);
  }

  /** Applies a change to the version it was decided on; a concurrent change wins and this one is told to retry. */
  async function transition(session: SessionDocument, set: Partial<SessionDocument>, event: SessionEvent, cause?: string): Promise<SessionDocument> {
    const updated = await store.sessions.findOneAndUpdate({ _id: session._id, version: session.version }, { $set: { ...set, updatedAtMs: now() }, $inc: { version: 1 } });
    if (!updated) throw conflict(`session ${session._id} changed meanwhile; read it and try again`, 'CONCURRENT_MODIFICATION');
    events.changed(updated, session.state, event, cause);
    return updated;
  }

  /** Marks every live session past its expiry EXPIRED; the sweep timer and list run it. Returns how many. */
  async function expireDueSessions(): Promise<number> {
    const due = await store.sessions.find({ state: { $in: liveStates }, expiresAtMs: { $lte: now() } }, { limit: 1000 });
    let expired = 0;
    for (const session of due) if ((await expireIfDue(session)).state === 'EXPIRED') expired += 1;
    return expired;
  }

  /** The acting agent's proof for an operation on a stored session, checked before any change. */
  const checkCaller = (authorization: string | undefined, session: SessionDocument, aic: string, param: string, operation: Parameters<typeof smfCallTaskId>[0]) =>
    deps.callers.check(authorization, { aic, param, capabilityId: session.capabilityId, taskId: smfCallTaskId(operation, session._id) });

  return {
    /** Create, by the initiator only: its proof is checked before the AGW is asked or anything is stored. */
    async createSession(request: SessionCreateData, authorization: string | undefined): Promise<AgentSession> {
      await deps.callers.check(authorization, { aic: request.initiatorAic, param: '/initiatorAic', capabilityId: request.capabilityId, taskId: smfCallTaskId('CreateAgentSession', request.targetAic) });
      let admitted: Awaited<ReturnType<typeof admitSession>>;
      try {
        admitted = await admitSession(deps.agw, request);
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) events.createRefused(request, error.cause ?? `HTTP_${error.status}`, error.message);
        throw error;
      }
      const { initiator, target } = admitted;
      const createdAtMs = now();
      const expiresAtMs = createdAtMs + settings.sessionLifetimeSeconds * 1000;
      const jti = keptUuid();
      const session: SessionDocument = {
        _id: keptUuid(),
        state: 'PENDING',
        initiatorAic: initiator.aic,
        targetAic: target.aic,
        capabilityId: request.capabilityId,
        qos: request.qos,
        scope: request.scope,
        authorizedScope: request.scope,
        ...(request.notificationUris ? { notificationUris: request.notificationUris } : {}),
        artifactId: jti,
        createdAtMs,
        updatedAtMs: createdAtMs,
        expiresAtMs,
        version: 1,
        purgeAt: purgeAfter(expiresAtMs),
      };
      // Signed before it is stored: a failure to sign leaves nothing behind.
      const artifact = await issueArtifact(session, jti);
      await store.sessions.insertOne(session);
      events.changed(session, undefined, 'SESSION_CREATED');
      return { ...toAgentSession(session), artifact };
    },

    /** SESSION_ACCEPT reported by either agent: PENDING -> ESTABLISHED. */
    async establishSession(sessionId: string, request: SessionEstablishData, authorization: string | undefined): Promise<AgentSession> {
      const session = await loadSession(sessionId);
      const party = partyOf(session, request.reportedBy, '/reportedBy');
      await checkCaller(authorization, session, request.reportedBy, '/reportedBy', 'EstablishAgentSession');
      requireState(session, ['PENDING'], 'establish');
      return toAgentSession(await transition(session, { state: 'ESTABLISHED', establishedBy: party === 'initiator' ? session.initiatorAic : session.targetAic }, 'SESSION_ESTABLISHED'));
    },

    /** Session Update within the originally authorized scope; a fresh artifact with the same expiry. */
    async updateSession(sessionId: string, request: SessionModifyData, authorization: string | undefined): Promise<AgentSession> {
      const session = await loadSession(sessionId);
      partyOf(session, request.requestedBy, '/requestedBy');
      await checkCaller(authorization, session, request.requestedBy, '/requestedBy', 'UpdateAgentSession');
      requireState(session, ['ESTABLISHED', 'MODIFIED'], 'modify');
      const scope = request.scope ?? session.scope;
      const beyond = scope.filter((operation) => !session.authorizedScope.includes(operation));
      if (beyond.length) {
        throw forbidden(`${beyond.join(', ')} is beyond the authorized scope ${session.authorizedScope.join(', ')}; a wider scope needs a new session and authorization`, 'SCOPE_WIDENING_NEEDS_NEW_AUTHORIZATION');
      }
      const jti = keptUuid();
      const updated = await transition(session, { state: 'MODIFIED', scope, qos: request.qos ?? session.qos, artifactId: jti }, 'SESSION_MODIFIED');
      return { ...toAgentSession(updated), artifact: await issueArtifact(updated, jti) };
    },

    /** Session Termination by either agent. */
    async releaseSession(sessionId: string, request: SessionReleaseData, authorization: string | undefined): Promise<AgentSession> {
      const session = await loadSession(sessionId);
      const party = partyOf(session, request.requestedBy, '/requestedBy');
      await checkCaller(authorization, session, request.requestedBy, '/requestedBy', 'ReleaseAgentSession');
      requireState(session, liveStates, 'release');
      const cause = request.cause ?? 'NORMAL_RELEASE';
      const releasedBy = party === 'initiator' ? session.initiatorAic : session.targetAic;
      return toAgentSession(await transition(session, { state: 'RELEASED', releasedBy, releaseCause: cause, purgeAt: purgeAfter(now()) }, 'SESSION_RELEASED', cause));
    },

    async getSession(sessionId: string): Promise<AgentSession> {
      return toAgentSession(await loadSession(sessionId));
    },

    async listSessions(query: { state?: SessionState; aic?: string; limit?: number }): Promise<AgentSession[]> {
      await expireDueSessions();
      const filter: Record<string, unknown> = {};
      if (query.state) filter.state = query.state;
      if (query.aic) filter.$or = [{ initiatorAic: query.aic.toUpperCase() }, { targetAic: query.aic.toUpperCase() }];
      const sessions = await store.sessions.find(filter, { sort: { createdAtMs: -1 }, limit: query.limit ?? 100 });
      return sessions.map(toAgentSession);
    },

    expireDueSessions,

    /** Session creations refused at admission since start, by cause (events of session-events.ts). */
    refusals: () => events.refusals(),

    jwks: () => signer.jwks(),

    /** Operations refused because the caller did not prove it is the agent it names, by cause. */
    callerRefusals: () => deps.callers.refusals(),
  };
}

export type SmfService = ReturnType<typeof createSmfService>;

/** AICs are compared as the AGW spells them; their letters are case-insensitive. */
function sameAic(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function toAgentSession(session: SessionDocument): AgentSession {
  return {
    sessionId: session._id,
    state: session.state,
    initiatorAic: session.initiatorAic,
    targetAic: session.targetAic,
    capabilityId: session.capabilityId,
    qos: session.qos,
    scope: session.scope,
    authorizedScope: session.authorizedScope,
    ...(session.notificationUris ? { notificationUris: session.notificationUris } : {}),
    artifactId: session.artifactId,
    createdAt: new Date(session.createdAtMs).toISOString(),
    updatedAt: new Date(session.updatedAtMs).toISOString(),
    expiresAt: new Date(session.expiresAtMs).toISOString(),
    ...(session.establishedBy ? { establishedBy: session.establishedBy } : {}),
    ...(session.releasedBy ? { releasedBy: session.releasedBy } : {}),
    ...(session.releaseCause ? { releaseCause: session.releaseCause } : {}),
  };
}
