/**
 * The AMF's calls to other parties: the AGW (found through the NRF) for the UE agents it
 * registers on the UEs' behalf and for discovery of intent agents, and the intent agents
 * themselves. Behind interfaces, so the procedures can be tested with fakes.
 */
import type { AxiosInstance } from 'axios';
import { correlationHeader, currentCorrelationId } from '../shared/correlation.ts';
import { createDeadlineHttp } from '../shared/deadline-http.ts';
import { postJson } from '../shared/json-post.ts';
import { ProblemError, type ProblemDetails } from '../shared/problem.ts';
import type { SbiClient } from '../shared/sbi-client.ts';
import type { CmState } from './store.ts';
import type { AgentRegistrationRequest, AgentRegistrationResult, DiscoveryAnswer } from './types.ts';

/** What the AMF holds to act on a UE agent's registration. */
export interface UeAgentHandle {
  aic: string;
  registrationAccessToken: string;
}

export interface IntentAgentCandidate {
  aic: string;
  /** Where the agent takes intents (nagent-tip SubmitIntent), POSTed to as it is. */
  invokeUrl: string;
}

export interface AgwConsumer {
  /** ARP for a UE's agent; the AGW's refusals (4xx) are thrown as it told them, anything else as 502/504. */
  registerUeAgent(request: AgentRegistrationRequest): Promise<AgentRegistrationResult>;
  /** Rejects with UeAgentGoneError when the AGW no longer knows the registration. */
  reportUeState(agent: UeAgentHandle, cmState: CmState): Promise<void>;
  heartbeat(agent: UeAgentHandle): Promise<void>;
  /** Resolves also when the AGW no longer knows the registration. */
  deregisterUeAgent(agent: UeAgentHandle): Promise<void>;
  /** Structured discovery (nagw-disc): the live agents with the capability, best first. */
  discoverAgents(capabilityId: string, limit: number): Promise<IntentAgentCandidate[]>;
}

export interface IntentAgentInvoker {
  /** Rejects on a network error or timeout; any HTTP answer resolves. */
  invoke(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; data: unknown }>;
}

/** The AGW has no registration for this AIC (any more), or no longer takes its token. */
export class UeAgentGoneError extends Error {
  constructor(readonly aic: string, readonly status: number) {
    super(`the AGW no longer knows UE agent ${aic} (answered ${status})`);
    this.name = 'UeAgentGoneError';
  }
}

export function createAgwConsumer(sbi: SbiClient, http: AxiosInstance = createDeadlineHttp(5000, { validateStatus: () => true })): AgwConsumer {
  const headers = (extra: Record<string, string> = {}) => {
    const correlationId = currentCorrelationId();
    return correlationId ? { ...extra, [correlationHeader]: correlationId } : extra;
  };

  /** Calls on one registration carry its access token, which the SBI client has no place for. */
  async function onRegistration(agent: UeAgentHandle, method: 'PUT' | 'DELETE', suffix: string, body?: unknown) {
    const base = await sbi.serviceUri('AGW', 'nagw-reg');
    try {
      return await http.request({
        url: `${base}/registrations/${encodeURIComponent(agent.aic)}${suffix}`,
        method,
        data: body,
        headers: headers({ authorization: `Bearer ${agent.registrationAccessToken}` }),
      });
    } catch (error) {
      throw new ProblemError(504, `AGW unreachable: ${(error as Error).message}`, { cause: 'TARGET_NF_NOT_REACHABLE' });
    }
  }

  const refused = (operation: string, res: { status: number; data: unknown }) => {
    const problem = (res.data ?? {}) as ProblemDetails;
    if (res.status >= 400 && res.status < 500) {
      return new ProblemError(res.status, `AGW ${operation}: ${problem.detail ?? 'refused'}`, { cause: problem.cause, invalidParams: problem.invalidParams });
    }
    return new ProblemError(502, `AGW ${operation} answered ${res.status}: ${problem.detail ?? ''}`, { cause: 'UPSTREAM_FAILURE' });
  };

  const requireDone = (agent: UeAgentHandle, operation: string, res: { status: number; data: unknown }) => {
    if (res.status === 204) return;
    if (res.status === 404 || res.status === 401) throw new UeAgentGoneError(agent.aic, res.status);
    throw refused(operation, res);
  };

  return {
    async registerUeAgent(request) {
      const res = await sbi.call<AgentRegistrationResult>({ targetNfType: 'AGW', serviceName: 'nagw-reg', method: 'POST', path: '/registrations', body: request });
      if (res.status !== 201) throw refused('registration', res);
      return res.data;
    },
    async reportUeState(agent, cmState) {
      requireDone(agent, 'ue-state', await onRegistration(agent, 'PUT', '/ue-state', { cmState }));
    },
    async heartbeat(agent) {
      requireDone(agent, 'heartbeat', await onRegistration(agent, 'PUT', '/heartbeat', {}));
    },
    async deregisterUeAgent(agent) {
      const res = await onRegistration(agent, 'DELETE', '');
      if (res.status !== 204 && res.status !== 404) throw refused('deregistration', res);
    },
    async discoverAgents(capabilityId, limit) {
      const query = new URLSearchParams({ 'capability-id': capabilityId, limit: String(limit) });
      const res = await sbi.call<DiscoveryAnswer>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query}` });
      if (res.status !== 200) throw refused('discovery', res);
      // invokeUrl is the registered endpoint for requests (nagw-reg.yaml Endpoints); a2aUrl when none was given.
      return res.data.agents.map((agent) => ({ aic: agent.aic, invokeUrl: agent.acs.endpoints.invokeUrl ?? agent.a2aUrl }));
    },
  };
}

/**
 * Over postJson (json-post.ts): never redirected, answers bounded to 1 MB. With
 * OAuth on, each call carries an NRF access token for the intent agent's NF (TS 33.501 clause
 * 13.4.1), which is how the intent agent knows a SUPI came from an AMF.
 */
export function createIntentAgentInvoker(options: { bearer?: () => Promise<string> } = {}): IntentAgentInvoker {
  return {
    async invoke(url, body, timeoutMs) {
      const correlationId = currentCorrelationId();
      const headers: Record<string, string> = correlationId ? { [correlationHeader]: correlationId } : {};
      if (options.bearer) headers.authorization = `Bearer ${await options.bearer()}`;
      return postJson(url, body, { timeoutMs, headers });
    },
  };
}
