/**
 * Calls of an NF with agents to its peers: the AGW (per-task resolution by capability), the AMC
 * (a caller credential's status) and other agents (task calls). Behind interfaces, so the intent
 * pipeline and the capability agents can be tested with fakes.
 */
import axios, { type AxiosInstance } from 'axios';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import type { components as cred } from '../../openapi/generated/namc-cred.ts';
import type { CredentialState } from '../shared/agent-auth.ts';
import { correlationHeader, currentCorrelationId } from '../shared/correlation.ts';
import type { SbiClient } from '../shared/sbi-client.ts';
import { TaskCallError, type TaskCandidate, type TaskRequest, type TaskResult } from '../shared/intent/task-invocation.ts';

type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];
type CredentialStatus = cred['schemas']['CredentialStatus'];

export interface AgwConsumer {
  /** Live agents holding the capability that policy lets the requester use, best first. */
  resolveCapability(capabilityId: string, requesterAic: string | undefined, options?: { fresh?: boolean }): Promise<TaskCandidate[]>;
}

export interface AmcConsumer {
  credentialStatus(serialNumberHex: string): Promise<CredentialState>;
}

export interface TaskCaller {
  call(candidate: TaskCandidate, request: TaskRequest, bearer: string, timeoutMs: number): Promise<TaskResult>;
}

/**
 * Answers are reused for the validityPeriod the gateway gives them (as NRF discovery results are):
 * a task fails over among the agents of one answer, so a fresh query per task buys nothing.
 */
export function createAgwConsumer(sbi: SbiClient, now: () => number = Date.now): AgwConsumer {
  const answers = new Map<string, { candidates: TaskCandidate[]; until: number }>();
  return {
    async resolveCapability(capabilityId, requesterAic, options = {}) {
      const query = new URLSearchParams({ 'capability-id': capabilityId, limit: '10', ...(requesterAic ? { 'requester-aic': requesterAic } : {}) });
      const key = query.toString();
      const cached = answers.get(key);
      if (cached && cached.until > now() && !options.fresh) return cached.candidates;
      const res = await sbi.call<DiscoveryAnswer & { detail?: string }>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query}` });
      if (res.status !== 200) throw new Error(`AGW discovery answered ${res.status}: ${res.data?.detail ?? ''}`);
      const candidates = res.data.agents.map((agent) => ({ aic: agent.aic, invokeUrl: agent.acs.endpoints.invokeUrl ?? agent.a2aUrl }));
      // An empty answer is not kept: an agent that registers a moment later should be found.
      if (candidates.length && res.data.validityPeriod) answers.set(key, { candidates, until: now() + res.data.validityPeriod * 1000 });
      return candidates;
    },
  };
}

export function createAmcConsumer(sbi: SbiClient): AmcConsumer {
  return {
    async credentialStatus(serialNumberHex) {
      const res = await sbi.call<CredentialStatus>({ targetNfType: 'AMC', serviceName: 'namc-cred', method: 'GET', path: `/credentials/${serialNumberHex}` });
      if (res.status === 404) return 'UNKNOWN';
      if (res.status !== 200) throw new Error(`AMC credential status answered ${res.status}`);
      return res.data.status;
    },
  };
}

// maxRedirects 0: a task call is never redirected, and it spares axios its redirect-following wrapper.
export function createTaskCaller(http: AxiosInstance = axios.create({ validateStatus: () => true, maxRedirects: 0 })): TaskCaller {
  return {
    async call(candidate, request, bearer, timeoutMs) {
      const correlationId = currentCorrelationId();
      let res;
      try {
        res = await http.post(candidate.invokeUrl, request, {
          timeout: timeoutMs,
          headers: { authorization: `Bearer ${bearer}`, ...(correlationId ? { [correlationHeader]: correlationId } : {}) },
        });
      } catch (error) {
        throw new TaskCallError(`unreachable or too slow (${(error as Error).message})`, true);
      }
      if (res.status === 200 && res.data && typeof res.data === 'object' && 'state' in res.data) return res.data as TaskResult;
      const detail = (res.data as { detail?: string } | undefined)?.detail ?? '';
      // A 5xx may pass; a refusal (4xx) will not change on a second try with the same agent.
      throw new TaskCallError(`answered ${res.status}${detail ? `: ${detail}` : ''}`, res.status >= 500);
    },
  };
}
