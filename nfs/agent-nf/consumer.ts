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
  resolveCapability(capabilityId: string, requesterAic: string | undefined): Promise<TaskCandidate[]>;
}

export interface AmcConsumer {
  credentialStatus(serialNumberHex: string): Promise<CredentialState>;
}

export interface TaskCaller {
  call(candidate: TaskCandidate, request: TaskRequest, bearer: string, timeoutMs: number): Promise<TaskResult>;
}

export function createAgwConsumer(sbi: SbiClient): AgwConsumer {
  return {
    async resolveCapability(capabilityId, requesterAic) {
      const query = new URLSearchParams({ 'capability-id': capabilityId, limit: '10', ...(requesterAic ? { 'requester-aic': requesterAic } : {}) });
      const res = await sbi.call<DiscoveryAnswer & { detail?: string }>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query}` });
      if (res.status !== 200) throw new Error(`AGW discovery answered ${res.status}: ${res.data?.detail ?? ''}`);
      return res.data.agents.map((agent) => ({ aic: agent.aic, invokeUrl: agent.acs.endpoints.invokeUrl ?? agent.a2aUrl }));
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

export function createTaskCaller(http: AxiosInstance = axios.create({ validateStatus: () => true })): TaskCaller {
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
