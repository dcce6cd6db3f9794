/**
 * Semantic sessions of the agents one NF hosts: one session table per agent, one SMF peer (its
 * cached JWKS) and one set of counters shared by them all, and the A2A request handler that
 * answers session control when a client activates the semantic-session extension. Without the
 * extension a message goes the open-capability way, unchanged.
 */
import { Role, type Message, type SendMessageRequest, type StreamResponse, type Task } from '@a2a-js/sdk';
import { ExtensionSupportRequiredError } from '@a2a-js/sdk/errors';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { Logger } from '../../logger.ts';
import type { TaskRepeats } from '../../task-repeats.ts';
import { OpenCapabilityRequestHandler } from '../open-capability-executor.ts';
import { SEMANTIC_SESSION_EXTENSION_URI } from '../semantic-session-extension.ts';
import type { InitiatorCheckOptions } from './session-checks.ts';
import type { SessionManagerPeer } from './session-manager-peer.ts';
import { readSessionRequest, sessionMessage, sessionPayloadOf } from './session-messages.ts';
import { createSessionTarget, type SessionCounters, type SessionTarget, type SessionTargetAgent } from './session-target.ts';

export interface SemanticSessionsOptions {
  smf: SessionManagerPeer;
  credentialStatus: InitiatorCheckOptions['credentialStatus'];
  logger: Logger;
  now?: () => number;
  maxSessionsPerAgent?: number;
  /** First answers of tasks, shared with the NF's InvokeTask endpoint. */
  repeats?: TaskRepeats;
}

export function createSemanticSessions(options: SemanticSessionsOptions) {
  const counters: SessionCounters = { accepted: 0, data: 0, updated: 0, terminated: 0, refused: {} };
  const targets = new Map<string, SessionTarget>();
  return {
    /** The agent's session table, created on first use and kept across re-registrations of the agent. */
    targetFor(agent: SessionTargetAgent, trustAnchors: () => string[]): SessionTarget {
      let target = targets.get(agent.name);
      if (!target) {
        target = createSessionTarget({ agent, smf: options.smf, trustAnchors, credentialStatus: options.credentialStatus, counters, logger: options.logger, now: options.now, maxSessions: options.maxSessionsPerAgent, repeats: options.repeats });
        targets.set(agent.name, target);
      }
      return target;
    },
    target: (agentName: string): SessionTarget | undefined => targets.get(agentName),
    counters: (): SessionCounters => structuredClone(counters),
  };
}

export type SemanticSessions = ReturnType<typeof createSemanticSessions>;

/** Whether the client activated the extension: the A2A-Extensions header, or the message's own list (A2A 1.0 section 4.6). */
function extensionRequested(params: SendMessageRequest, context: ServerCallContext): boolean {
  return Boolean(context?.requestedExtensions?.includes(SEMANTIC_SESSION_EXTENSION_URI) || params?.message?.extensions?.includes(SEMANTIC_SESSION_EXTENSION_URI));
}

/** The open-capability handler plus session control: session messages are answered with an agent Message, no task. */
export class SemanticSessionRequestHandler extends OpenCapabilityRequestHandler {
  constructor(private readonly sessions: SessionTarget, ...rest: ConstructorParameters<typeof OpenCapabilityRequestHandler>) {
    super(...rest);
  }

  private async answer(params: SendMessageRequest, context: ServerCallContext): Promise<Message | undefined> {
    const payload = sessionPayloadOf(params?.message);
    if (!payload) return undefined;
    if (!extensionRequested(params, context)) {
      throw new ExtensionSupportRequiredError({
        message: `session control needs the A2A extension ${SEMANTIC_SESSION_EXTENSION_URI}: activate it with the A2A-Extensions header`,
        metadata: { reason: 'SEMANTIC_SESSION_EXTENSION_REQUIRED', extension: SEMANTIC_SESSION_EXTENSION_URI },
      });
    }
    context?.addActivatedExtension(SEMANTIC_SESSION_EXTENSION_URI);
    const request = readSessionRequest(payload);
    const contextId = params.message?.contextId ?? '';
    const answer = 'malformed' in request
      ? this.sessions.refuse(String(payload.kind), request.sessionId, 'MALFORMED_SESSION_MESSAGE', request.malformed)
      : await this.sessions.handle(request, contextId);
    const text = 'reason' in answer ? `${answer.kind} ${answer.cause}: ${answer.reason}` : answer.kind === 'SESSION_RESULT' ? answer.result.summary : answer.kind;
    return sessionMessage(Role.ROLE_AGENT, answer, contextId, text);
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return (await this.answer(params, context)) ?? super.sendMessage(params, context);
  }

  override async *sendMessageStream(params: SendMessageRequest, context: ServerCallContext): AsyncGenerator<StreamResponse, void, undefined> {
    const answer = await this.answer(params, context);
    if (answer) {
      yield { payload: { $case: 'message', value: answer } };
      return;
    }
    yield* super.sendMessageStream(params, context);
  }
}
