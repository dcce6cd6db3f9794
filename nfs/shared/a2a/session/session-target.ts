/**
 * The target side of semantic sessions for one hosted agent (MACP "Agent-to-Agent Process";
 * issue 5): SESSION_INIT is accepted only after every check of session-checks.ts, this agent
 * holding the capability and the INIT not being a replay, and is then reported to the SMF
 * (establish); SESSION_DATA runs the session's capability, state-changing ones included, and
 * nothing else; SESSION_UPDATE takes a fresh artifact of the same session; SESSION_TERMINATE ends
 * it (release at the SMF). A refusal keeps nothing and is counted with its cause.
 */
import { randomUUID } from 'node:crypto';
import { createAgentCallVerifier, type AgentCallSigner } from '../../agent-auth.ts';
import { ProblemError } from '../../problem.ts';
import type { TaskRequest, TaskResult } from '../../intent/task-invocation.ts';
import type { Logger } from '../../logger.ts';
import { createTaskRepeats, type TaskRepeats } from '../../task-repeats.ts';
import type { OpenCapabilityAgent } from '../open-capability-executor.ts';
import { checkArtifact, isProofCertificate, requireGoodCredential, SessionRefusal, type InitiatorCheckOptions } from './session-checks.ts';
import { SMF_CALL_AUDIENCE, smfCallTaskId } from './session-authority.ts';
import type { SessionManagerPeer } from './session-manager-peer.ts';
import { proofTaskId, type RefusalCause, type SessionAnswer, type SessionData, type SessionInit, type SessionRequest, type SessionTerminate, type SessionUpdate } from './session-messages.ts';

/** What the session logic needs of an agent beyond open capabilities: who it is and whom it trusts. */
export interface SessionTargetAgent extends OpenCapabilityAgent {
  aic(): string;
  /** Runs a task for this initiator (what it may have done can depend on who it is); `run` when absent. */
  runFor?(task: TaskRequest, initiatorAic: string): Promise<TaskResult>;
  /** Signs the agent's reports to the SMF with its current credential. */
  signer(): AgentCallSigner;
}

export interface AcceptedSession {
  initiatorAic: string;
  capabilityId: string;
  scope: string[];
  /** Artifact expiry, seconds since the epoch. */
  exp: number;
}

/** Counts of session events, shared by every agent of an NF (the tests and operators read it). */
export interface SessionCounters {
  accepted: number;
  data: number;
  updated: number;
  terminated: number;
  refused: Partial<Record<RefusalCause, number>>;
}

export interface SessionTargetOptions {
  agent: SessionTargetAgent;
  smf: SessionManagerPeer;
  trustAnchors: InitiatorCheckOptions['trustAnchors'];
  credentialStatus: InitiatorCheckOptions['credentialStatus'];
  counters: SessionCounters;
  logger: Logger;
  now?: () => number;
  /** Live sessions this agent keeps at most. */
  maxSessions?: number;
  /** First answers of tasks, shared with the NF's InvokeTask endpoint (task-repeats.ts). */
  repeats?: TaskRepeats;
}

/** Operations of the SMF scope (nsmf-agentsession Operation) under which SESSION_DATA may ask. */
const dataOperations = ['invoke', 'query'];

export function createSessionTarget(options: SessionTargetOptions) {
  const { agent, smf, counters, logger } = options;
  const now = options.now ?? Date.now;
  const maxSessions = options.maxSessions ?? 10_000;
  const live = new Map<string, AcceptedSession>();
  const repeats = options.repeats ?? createTaskRepeats({ now });
  const proofs = createAgentCallVerifier({ trustAnchors: options.trustAnchors, credentialStatus: options.credentialStatus, now });

  /**
   * The message's proof: a single-use call token signed with the key of the certificate that
   * names `initiatorAic`, for this agent, this capability and this session and kind of message.
   */
  async function checkProof(request: SessionRequest, initiatorAic: string, capabilityId: string): Promise<{ serialNumber: string }> {
    let caller: string;
    let serialNumber: string;
    try {
      ({ callerAic: caller, serialNumber } = await proofs.verify(request.proof, { audience: agent.aic(), capabilityId, taskId: proofTaskId(request.sessionId, request.kind) }));
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const cause: RefusalCause = error.cause === 'CREDENTIAL_REVOKED' ? 'CERTIFICATE_REVOKED' : error.cause === 'CREDENTIAL_SUSPENDED' ? 'CERTIFICATE_SUSPENDED' : error.cause === 'UNTRUSTED_CERTIFICATE' ? 'CERTIFICATE_UNTRUSTED' : 'PROOF_INVALID';
      throw new SessionRefusal(cause, `the message's proof of the initiator's key fails: ${error.message}`);
    }
    if (caller.toLowerCase() !== initiatorAic.toLowerCase()) throw new SessionRefusal('PROOF_INVALID', `the proof is signed by ${caller}, not by the initiator ${initiatorAic}`);
    return { serialNumber };
  }
  /** This agent's proof for a report to the SMF (the SMF acts only for an agent of the session). */
  const proofForSmf = (operation: 'EstablishAgentSession' | 'ReleaseAgentSession', sessionId: string, capabilityId: string) =>
    agent.signer().sign({ audience: SMF_CALL_AUDIENCE, capabilityId, taskId: smfCallTaskId(operation, sessionId) });

  /** Ended sessions and spent artifact ids, until their artifact would have expired anyway (seconds). */
  const terminated = new Map<string, number>();
  const spentArtifacts = new Map<string, number>();
  /** INITs being checked: a second one for the same session meanwhile is a replay. */
  const pending = new Set<string>();

  const nowSeconds = () => now() / 1000;
  function prune(map: Map<string, number>): void {
    if (map.size < maxSessions) return;
    for (const [key, exp] of map) if (exp < nowSeconds()) map.delete(key);
    // Still full of unexpired entries: forget the oldest rather than grow without bound.
    for (const key of map.keys()) {
      if (map.size < maxSessions) break;
      map.delete(key);
    }
  }

  function spend(jti: string, exp: number): void {
    if (spentArtifacts.has(jti)) throw new SessionRefusal('REPLAYED_INIT', 'this authorization artifact was presented before');
    prune(spentArtifacts);
    spentArtifacts.set(jti, exp);
  }

  /** The live session a message names, or the refusal. */
  function sessionOf(sessionId: string): AcceptedSession {
    if (terminated.has(sessionId)) throw new SessionRefusal('SESSION_TERMINATED', `session ${sessionId} was terminated`);
    const session = live.get(sessionId);
    if (!session) throw new SessionRefusal('UNKNOWN_SESSION', `this agent has no session ${sessionId}`);
    if (session.exp <= nowSeconds()) {
      live.delete(sessionId);
      throw new SessionRefusal('SESSION_EXPIRED', `the authorization of session ${sessionId} has expired`);
    }
    return session;
  }

  async function init(request: SessionInit): Promise<SessionAnswer> {
    const { sessionId } = request;
    if (pending.has(sessionId) || live.has(sessionId) || terminated.has(sessionId)) throw new SessionRefusal('REPLAYED_INIT', `session ${sessionId} was initiated before`);
    pending.add(sessionId);
    try {
      const self = agent.aic();
      if (request.targetAic.toLowerCase() !== self.toLowerCase()) throw new SessionRefusal('AUDIENCE_MISMATCH', `SESSION_INIT names ${request.targetAic}, not this agent ${self}`);
      // The proof covers the chain to our AMC's CA, the AIC the certificate names and its status.
      const { serialNumber } = await checkProof(request, request.initiatorAic, request.capabilityId);
      if (!isProofCertificate(request.certificatePem, request.proof)) {
        throw new SessionRefusal('CERTIFICATE_UNTRUSTED', 'the certificate in SESSION_INIT is not the one the proof was signed under');
      }
      // A session is opened on the AMC's word of now, not on a status kept from an earlier call.
      requireGoodCredential(await options.credentialStatus(serialNumber), serialNumber);
      const claims = await checkArtifact(request.artifact, { sessionId, initiatorAic: request.initiatorAic, audience: self, capabilityId: request.capabilityId }, smf, now);
      if (!agent.held().includes(claims.cap) || !agent.canRun(claims.cap)) throw new SessionRefusal('CAPABILITY_NOT_HELD', `agent ${agent.name} does not hold ${claims.cap}`);
      if (spentArtifacts.has(claims.jti)) throw new SessionRefusal('REPLAYED_INIT', 'this authorization artifact was presented before');
      if (live.size >= maxSessions) for (const [id, session] of live) if (session.exp <= nowSeconds()) live.delete(id);
      if (live.size >= maxSessions) throw new SessionRefusal('SESSION_MANAGER_UNAVAILABLE', `agent ${agent.name} holds ${maxSessions} sessions already`);
      try {
        await smf.reportEstablished(sessionId, self, await proofForSmf('EstablishAgentSession', sessionId, claims.cap));
      } catch (error) {
        throw new SessionRefusal('SESSION_MANAGER_UNAVAILABLE', `the SMF did not take the establishment: ${(error as Error).message}`);
      }
      spend(claims.jti, claims.exp);
      const session = { initiatorAic: request.initiatorAic, capabilityId: claims.cap, scope: claims.scope, exp: claims.exp };
      live.set(sessionId, session);
      counters.accepted += 1;
      logger.info('semantic session accepted', { agent: agent.name, sessionId, initiator: request.initiatorAic, capability: claims.cap });
      return { kind: 'SESSION_ACCEPT', sessionId, capabilityId: session.capabilityId, scope: session.scope, expiresAt: new Date(session.exp * 1000).toISOString() };
    } finally {
      pending.delete(sessionId);
    }
  }

  async function data(request: SessionData, contextId: string): Promise<SessionAnswer> {
    const session = sessionOf(request.sessionId);
    await checkProof(request, session.initiatorAic, session.capabilityId);
    if (request.capabilityId !== session.capabilityId) throw new SessionRefusal('OUT_OF_SCOPE', `session ${request.sessionId} authorizes ${session.capabilityId}, not ${request.capabilityId}`);
    if (!session.scope.some((operation) => dataOperations.includes(operation))) throw new SessionRefusal('OUT_OF_SCOPE', `the session scope ${session.scope.join(', ')} allows no data exchange`);
    const taskId = request.taskId ?? randomUUID();
    const task: TaskRequest = {
      taskId, intentId: request.intentId ?? (contextId || request.sessionId), capabilityId: session.capabilityId,
      ...(request.supi ? { supi: request.supi } : {}), parameters: request.parameters as TaskRequest['parameters'], ...(request.inputs ? { inputs: request.inputs } : {}),
    };
    const run = () => agent.busy(() => (agent.runFor ? agent.runFor(task, session.initiatorAic) : agent.run(task)));
    let result: TaskResult;
    try {
      // A task of TIP named by the initiator is answered once per initiator, whichever session carries it.
      result = request.taskId ? await repeats.once({ agent: agent.name, caller: session.initiatorAic, intentId: task.intentId, taskId }, run) : await run();
    } catch (error) {
      logger.error('session capability failed', { agent: agent.name, sessionId: request.sessionId, error: (error as Error).message });
      result = { taskId, capabilityId: session.capabilityId, state: 'failed', summary: `The request could not be carried out: ${(error as Error).message}`, data: {} };
    }
    counters.data += 1;
    return { kind: 'SESSION_RESULT', sessionId: request.sessionId, result };
  }

  async function update(request: SessionUpdate): Promise<SessionAnswer> {
    const session = sessionOf(request.sessionId);
    await checkProof(request, session.initiatorAic, session.capabilityId);
    const claims = await checkArtifact(request.artifact, { sessionId: request.sessionId, initiatorAic: session.initiatorAic, audience: agent.aic(), capabilityId: session.capabilityId }, smf, now);
    spend(claims.jti, claims.exp);
    Object.assign(session, { scope: claims.scope, exp: claims.exp });
    counters.updated += 1;
    return { kind: 'SESSION_ACCEPT', sessionId: request.sessionId, capabilityId: session.capabilityId, scope: session.scope, expiresAt: new Date(session.exp * 1000).toISOString() };
  }

  async function terminate(request: SessionTerminate): Promise<SessionAnswer> {
    const session = sessionOf(request.sessionId);
    await checkProof(request, session.initiatorAic, session.capabilityId);
    live.delete(request.sessionId);
    prune(terminated);
    terminated.set(request.sessionId, session.exp);
    counters.terminated += 1;
    // Ended here whatever the SMF says; a failed report leaves the SMF to expire it.
    proofForSmf('ReleaseAgentSession', request.sessionId, session.capabilityId).then((proof) => smf.reportReleased(request.sessionId, agent.aic(), proof, 'NORMAL_RELEASE')).catch((error: Error) => {
      logger.warn('the SMF did not take a session release', { agent: agent.name, sessionId: request.sessionId, error: error.message });
    });
    return { kind: 'SESSION_TERMINATED', sessionId: request.sessionId };
  }

  return {
    /** Answers one session request; a refusal is an answer too (SESSION_REJECT or SESSION_ERROR). */
    async handle(request: SessionRequest, contextId = ''): Promise<SessionAnswer> {
      try {
        switch (request.kind) {
          case 'SESSION_INIT':
            return await init(request);
          case 'SESSION_DATA':
            return await data(request, contextId);
          case 'SESSION_UPDATE':
            return await update(request);
          default:
            return await terminate(request);
        }
      } catch (error) {
        if (!(error instanceof SessionRefusal)) throw error;
        return refuse(request.kind, request.sessionId, error.cause, error.message);
      }
    },
    refuse,
    /** A copy of a live session (tests, operators). */
    session: (sessionId: string): AcceptedSession | undefined => (live.has(sessionId) ? { ...live.get(sessionId)! } : undefined),
    liveCount: () => live.size,
  };

  function refuse(kind: string, sessionId: string, cause: RefusalCause, reason: string): SessionAnswer {
    counters.refused[cause] = (counters.refused[cause] ?? 0) + 1;
    logger.warn('semantic session message refused', { agent: agent.name, kind, sessionId, cause, reason });
    return kind === 'SESSION_INIT' || kind === 'SESSION_UPDATE' ? { kind: 'SESSION_REJECT', sessionId, reason, cause } : { kind: 'SESSION_ERROR', sessionId, reason, cause };
  }
}

export type SessionTarget = ReturnType<typeof createSessionTarget>;
