/**
 * The initiator's side of a semantic session, over the unmodified @a2a-js/sdk client with the
 * semantic-session extension activated (A2A-Extensions header and the message's extensions list):
 * ask the SMF for the session and its artifact, SESSION_INIT with the artifact and our certificate,
 * expect SESSION_ACCEPT, then SESSION_DATA, SESSION_UPDATE and SESSION_TERMINATE on the handle.
 */
import { Role, type Message } from '@a2a-js/sdk';
import { ClientFactory, ServiceParameters, withA2AExtensions, type Client } from '@a2a-js/sdk/client';
import type { components } from '../../../../openapi/generated/nsmf-agentsession.ts';
import { createAgentCallSigner, type AgentCallSigner, type AgentIdentity } from '../../agent-auth.ts';
import { SEMANTIC_SESSION_EXTENSION_URI } from '../semantic-session-extension.ts';
import { SessionRefusedError, type SessionAuthority } from './session-authority.ts';
import type { SessionAccept, SessionAnswer, SessionData, SessionRequest, SessionResult } from './session-messages.ts';
import { proofTaskId, sessionMessage, sessionPayloadOf } from './session-messages.ts';

type SessionCreateData = components['schemas']['SessionCreateData'];
type SessionModifyData = components['schemas']['SessionModifyData'];

// The SMF calls live in session-authority.ts; callers of openSession find them here too.
export { sbiSessionAuthority, SessionRefusedError, smfSessionAuthority, type AuthorizedSession, type SessionAuthority } from './session-authority.ts';

/** An SDK client for an agent's A2A endpoint (its card at `${a2aUrl}/.well-known/agent-card.json`). */
export const sessionClientFor = (a2aUrl: string, factory = new ClientFactory()): Promise<Client> => factory.createFromUrl(`${a2aUrl}/`);

/** Sends one session control message with the extension activated; returns the target's answer. */
export async function sendSessionMessage(client: Client, request: SessionRequest | Record<string, unknown>, contextId = '', options: { signal?: AbortSignal } = {}): Promise<SessionAnswer> {
  const message = { ...sessionMessage(Role.ROLE_USER, request as SessionRequest, contextId), extensions: [SEMANTIC_SESSION_EXTENSION_URI] };
  const answer = await client.sendMessage(
    { tenant: '', message, configuration: undefined, metadata: undefined },
    { serviceParameters: ServiceParameters.create(withA2AExtensions(SEMANTIC_SESSION_EXTENSION_URI)), ...(options.signal ? { signal: options.signal } : {}) },
  );
  const payload = 'parts' in answer ? sessionPayloadOf(answer as Message) : undefined;
  if (!payload) throw new Error('the agent did not answer with session control: does it support the semantic-session extension?');
  return payload as unknown as SessionAnswer;
}

export interface OpenSessionOptions {
  authority: SessionAuthority;
  /** The target's A2A URL (from AGW discovery). */
  a2aUrl: string;
  targetAic: string;
  /** The initiator: its AIC, AMC-issued certificate and the key that proves it holds it. */
  identity: AgentIdentity;
  capabilityId: string;
  qos?: SessionCreateData['qos'];
  scope?: SessionCreateData['scope'];
  client?: Client;
  /** A signer made once for `identity` (createAgentCallSigner), for callers that open many sessions. */
  signer?: AgentCallSigner;
  /** Aborts SESSION_INIT when the caller stops waiting. */
  signal?: AbortSignal;
}

/** The content of one SESSION_DATA: plain data, or a task of TIP with its id, intent and inputs. */
export type SessionDataRequest = Partial<Pick<SessionData, 'parameters' | 'supi' | 'capabilityId' | 'taskId' | 'intentId' | 'inputs'>>;

export interface OpenedSession {
  sessionId: string;
  accept: SessionAccept;
  /** SESSION_DATA: the capability's TaskResult, or SessionRefusedError. */
  data(request: SessionDataRequest, options?: { signal?: AbortSignal }): Promise<SessionResult['result']>;
  /** Asks the SMF to modify the session and hands the new artifact to the target. */
  update(change: Omit<SessionModifyData, 'requestedBy'>): Promise<SessionAccept>;
  /** SESSION_TERMINATE; the target reports the release to the SMF. */
  terminate(options?: { signal?: AbortSignal }): Promise<void>;
}

const refusedBy = (answer: SessionAnswer) => ('cause' in answer ? new SessionRefusedError(answer.cause, answer.reason, answer) : new SessionRefusedError('UNEXPECTED_ANSWER', `the target answered ${answer.kind}`, answer));

/** Opens a session: SMF create, SESSION_INIT, SESSION_ACCEPT; throws SessionRefusedError on a rejection. */
export async function openSession(options: OpenSessionOptions): Promise<OpenedSession> {
  const client = options.client ?? (await sessionClientFor(options.a2aUrl));
  const { identity, capabilityId, targetAic } = options;
  const signer = options.signer ?? createAgentCallSigner(identity);
  const caller = { signer, capabilityId };
  const authorized = await options.authority.create({
    initiatorAic: identity.aic, targetAic, capabilityId,
    qos: options.qos ?? { priority: 5, latencyBudgetMs: 500 },
    scope: options.scope ?? ['invoke'],
  }, caller);
  const { sessionId } = authorized;
  const contextId = sessionId;
  const proof = (kind: SessionRequest['kind']) => signer.sign({ audience: targetAic, capabilityId, taskId: proofTaskId(sessionId, kind) });
  let accept: SessionAnswer;
  try {
    accept = await sendSessionMessage(client, {
      kind: 'SESSION_INIT', sessionId, proof: await proof('SESSION_INIT'), initiatorAic: identity.aic, targetAic, capabilityId, artifact: authorized.artifact, certificatePem: identity.certificatePem,
    }, contextId, { signal: options.signal });
    if (accept.kind !== 'SESSION_ACCEPT') throw refusedBy(accept);
  } catch (error) {
    // A refused or unanswered INIT leaves the session to no one: release it rather than leave it to expiry.
    options.authority.release(sessionId, identity.aic, caller).catch(() => undefined);
    throw error;
  }
  return {
    sessionId,
    accept,
    async data(request, dataOptions = {}) {
      const { parameters, capabilityId: asked, ...rest } = request;
      const answer = await sendSessionMessage(client, {
        ...rest, kind: 'SESSION_DATA', sessionId, proof: await proof('SESSION_DATA'), capabilityId: asked ?? capabilityId, parameters: parameters ?? {},
      }, contextId, dataOptions);
      if (answer.kind !== 'SESSION_RESULT') throw refusedBy(answer);
      return answer.result;
    },
    async update(change) {
      const modified = await options.authority.modify(sessionId, { requestedBy: identity.aic, ...change }, caller);
      const answer = await sendSessionMessage(client, { kind: 'SESSION_UPDATE', sessionId, proof: await proof('SESSION_UPDATE'), artifact: modified.artifact }, contextId);
      if (answer.kind !== 'SESSION_ACCEPT') throw refusedBy(answer);
      return answer;
    },
    async terminate(terminateOptions = {}) {
      const answer = await sendSessionMessage(client, { kind: 'SESSION_TERMINATE', sessionId, proof: await proof('SESSION_TERMINATE') }, contextId, terminateOptions);
      if (answer.kind !== 'SESSION_TERMINATED') throw refusedBy(answer);
    },
  };
}
