/**
 * A2A 1.0 for the agents an NF hosts (issue 5, public A2A protocol): for each agent, its card at
 * GET /a2a/{name}/.well-known/agent-card.json and JSON-RPC at POST /a2a/{name}, served by the
 * official SDK's express handlers in a small express app of their own, in front of the SBI app:
 * A2A paths are not in the NF's OpenAPI files, which the SBI app enforces. Each agent's endpoint
 * is built once it registered (its card names its AIC and a2aUrl) and again if it re-registers;
 * its task store outlives re-registration.
 */
import express, { type RequestHandler } from 'express';
import type { AgentCard } from '@a2a-js/sdk';
import { JsonRpcTransportHandler } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createAgentCallSigner, type AgentCallSigner, type AgentIdentity } from '../agent-auth.ts';
import type { HostedAgent } from '../agent-host.ts';
import { errorHandler, notFoundHandler } from '../error-handler.ts';
import type { Logger } from '../logger.ts';
import type { FastPath } from '../nf-host.ts';
import { ProblemError } from '../problem.ts';
import { buildAgentCard, type AgentCardOptions } from './agent-card.ts';
import { RotatingTaskStore } from './rotating-task-store.ts';
import { refuseUnsupportedVersion } from './version-refusal.ts';
import { createOpenCapabilityExecutor, OpenCapabilityRequestHandler, type CapabilityCall, type OpenCapabilityAgent } from './open-capability-executor.ts';
import { SemanticSessionRequestHandler, type SemanticSessions } from './session/semantic-sessions.ts';
import { createSessionFastPath } from './session-fast-path.ts';

export const A2A_PATH_PREFIX = '/a2a/';

/**
 * Each agent keeps its last 250 to 500 finished tasks and up to 250 running ones
 * (rotating-task-store.ts): a location answer's task keeps about 8 kB of heap, so a few MB per agent.
 */
const TASKS_PER_GENERATION = 250;

export interface A2aServerOptions extends AgentCardOptions {
  /** The hosted agents (AgentHost.get). */
  agent(name: string): HostedAgent | undefined;
  /** Capability logic by capability id; an agent answers only for the ones it holds. */
  handlers: Readonly<Record<string, CapabilityCall>>;
  /**
   * The logic inside a semantic session, where the SMF authorized the initiator (same capability
   * ids), chosen by who the initiator is; plain clients get `handlers`.
   */
  sessionHandlers?: (initiatorAic: string) => Promise<Readonly<Record<string, CapabilityCall>>>;
  logger: Logger;
  /** Session control of the semantic-session extension; without it the agents serve open capabilities only. */
  sessions?: SemanticSessions;
}

interface Endpoint {
  key: string;
  card: AgentCard;
  serve: RequestHandler;
  /** The SDK's JSON-RPC handling of the same request handler, for session control before express. */
  rpc: JsonRpcTransportHandler;
}

export function createA2aServer(options: A2aServerOptions) {
  const endpoints = new Map<string, Endpoint>();
  const taskStores = new Map<string, RotatingTaskStore>();

  // A renewed credential is a new identity: reports to the SMF are signed with the one held now.
  const signers = new WeakMap<AgentIdentity, AgentCallSigner>();
  function signerOf(agent: HostedAgent): AgentCallSigner {
    const identity = agent.identity;
    if (!identity) throw new Error(`agent ${agent.spec.name} has no credential`);
    let signer = signers.get(identity);
    if (!signer) {
      signer = createAgentCallSigner(identity);
      signers.set(identity, signer);
    }
    return signer;
  }

  function endpointOf(agent: HostedAgent): Endpoint {
    const name = agent.spec.name;
    const key = `${agent.aic} ${agent.a2aUrl} ${(agent.capabilityIds ?? []).join(',')}`;
    const known = endpoints.get(name);
    if (known?.key === key) return known;
    const card = buildAgentCard({ name, description: agent.spec.description, aic: agent.aic!, a2aUrl: agent.a2aUrl!, capabilityIds: agent.capabilityIds ?? [] }, options);
    const open: OpenCapabilityAgent = {
      name,
      held: () => agent.capabilityIds ?? [],
      canRun: (capabilityId) => Object.hasOwn(options.handlers, capabilityId),
      run: (task) => options.handlers[task.capabilityId](task),
      async busy(work) {
        agent.inFlight += 1;
        try {
          return await work();
        } finally {
          agent.inFlight -= 1;
        }
      },
    };
    const taskStore = taskStores.get(name) ?? new RotatingTaskStore(TASKS_PER_GENERATION);
    taskStores.set(name, taskStore);
    const executor = createOpenCapabilityExecutor(open, options.logger);
    const requestHandler = options.sessions
      ? new SemanticSessionRequestHandler(options.sessions.targetFor({ ...open, runFor: async (task, initiatorAic) => ((await options.sessionHandlers?.(initiatorAic)) ?? options.handlers)[task.capabilityId](task), aic: () => agent.aic!, signer: () => signerOf(agent) }, () => (agent.caCertificatePem ? [agent.caCertificatePem] : [])), open, card, taskStore, executor)
      : new OpenCapabilityRequestHandler(open, card, taskStore, executor);
    const router = express.Router();
    // A2A 1.0 section 3.6.2: a request without A2A-Version is a 0.3 one. The SDK's compatibility
    // layer serves those clients (many agent frameworks still speak 0.3): a card with the 0.3
    // top-level fields for them, and their JSON-RPC methods (message/send, tasks/get, ...)
    // translated to the same request handler, so they get the same answers, and refusals with
    // the same codes and messages (the details a 1.0 refusal carries in error.data are not kept).
    const legacyCompat = { enabled: true };
    router.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: async () => card, cache: { maxAge: 60 }, legacyCompat }));
    router.post('/', refuseUnsupportedVersion(card));
    router.use(jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat }));
    const endpoint = { key, card, serve: router, rpc: new JsonRpcTransportHandler(requestHandler) };
    endpoints.set(name, endpoint);
    return endpoint;
  }

  function registeredAgent(name: string): HostedAgent {
    const agent = options.agent(name);
    if (!agent) throw new ProblemError(404, `this NF hosts no agent named ${name}`, { cause: 'RESOURCE_NOT_FOUND' });
    if (agent.state !== 'REGISTERED' || !agent.aic || !agent.a2aUrl) {
      throw new ProblemError(503, `agent ${name} is not registered at the AGW yet (${agent.state})`, { cause: 'AGENT_NOT_REGISTERED' });
    }
    return agent;
  }

  const app = express();
  app.disable('x-powered-by');
  // JSON-RPC answers are never revalidated: an ETag would only cost a hash per message.
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.use('/a2a/:agentName', (req, res, next) => {
    try {
      endpointOf(registeredAgent(String(req.params.agentName))).serve(req, res, next);
    } catch (error) {
      next(error);
    }
  });
  app.use(notFoundHandler());
  app.use(errorHandler(options.logger));

  const sessionControl = createSessionFastPath({
    logger: options.logger,
    endpoint: (name) => {
      const agent = options.agent(name);
      return options.sessions && agent?.state === 'REGISTERED' && agent.aic && agent.a2aUrl ? endpointOf(agent) : undefined;
    },
  });

  /** Serves everything under /a2a/ (session control before express) and passes anything else on. */
  const fastPath: FastPath = (req, res, next) => {
    if (!req.url?.startsWith(A2A_PATH_PREFIX)) return next();
    const viaExpress = () => app(req as express.Request, res as express.Response, () => undefined);
    if (!sessionControl(req, res, viaExpress)) viaExpress();
  };

  return {
    fastPath,
    /** The agent's card as served, once it registered. */
    cardOf(name: string): AgentCard | undefined {
      const agent = options.agent(name);
      return agent?.state === 'REGISTERED' && agent.aic && agent.a2aUrl ? endpointOf(agent).card : undefined;
    },
  };
}

export type A2aServer = ReturnType<typeof createA2aServer>;
