/**
 * Task calls (MACP section 5.4): per-task resolution at the AGW, the check of a task's answer, and
 * a client of InvokeTask with a per-call JWS. Intent agents carry their tasks in semantic sessions
 * (session-task-calls.ts); InvokeTask stays for callers without a session (it is the invokeUrl
 * the AGW's semantic routing forwards to), and its client for them and the tests.
 */
import type { components as disc } from '../../../openapi/generated/nagw-disc.ts';
import { correlationHeader, currentCorrelationId } from '../correlation.ts';
import { postJson } from '../json-post.ts';
import type { SbiClient } from '../sbi-client.ts';
import type { BodyCheck } from '../schema-validator.ts';
import { TaskCallError, type TaskCandidate, type TaskRequest, type TaskResult } from './task-invocation.ts';

type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];

export interface AgwResolution {
  /** Live agents holding the capability that policy lets the requester use, best first. */
  resolveCapability(capabilityId: string, requesterAic: string | undefined, options?: { fresh?: boolean; aic?: string }): Promise<TaskCandidate[]>;
}

export interface TaskCaller {
  call(candidate: TaskCandidate, request: TaskRequest, bearer: string, timeoutMs: number): Promise<TaskResult>;
}

/**
 * Answers are reused for the validityPeriod the gateway gives them (as NRF discovery results are):
 * a task fails over among the agents of one answer, so a fresh query per task buys nothing.
 */
export function createAgwResolution(sbi: SbiClient, now: () => number = Date.now): AgwResolution {
  const answers = new Map<string, { candidates: TaskCandidate[]; until: number }>();
  return {
    async resolveCapability(capabilityId, requesterAic, options = {}) {
      const query = new URLSearchParams({ 'capability-id': capabilityId, limit: '10', ...(options.aic ? { aic: options.aic } : {}), ...(requesterAic ? { 'requester-aic': requesterAic } : {}) });
      const key = query.toString();
      const cached = answers.get(key);
      if (cached && cached.until > now() && !options.fresh) return cached.candidates;
      const res = await sbi.call<DiscoveryAnswer & { detail?: string }>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query}` });
      if (res.status !== 200) throw new Error(`AGW discovery answered ${res.status}: ${res.data?.detail ?? ''}`);
      const candidates = res.data.agents.map((agent) => ({ aic: agent.aic, invokeUrl: agent.acs.endpoints.invokeUrl ?? agent.a2aUrl, a2aUrl: agent.a2aUrl }));
      // An empty answer is not kept: an agent that registers a moment later should be found.
      if (candidates.length && res.data.validityPeriod) answers.set(key, { candidates, until: now() + res.data.validityPeriod * 1000 });
      return candidates;
    },
  };
}

/**
 * Over postJson (json-post.ts): never redirected, answers bounded like request bodies (1 MB).
 * An answer must be a TaskResult (nagent-tip.yaml) for the task that was asked.
 */
export function createTaskCaller(checkResult: BodyCheck): TaskCaller {
  return {
    async call(candidate, request, bearer, timeoutMs) {
      const correlationId = currentCorrelationId();
      let res;
      try {
        res = await postJson(candidate.invokeUrl, request, {
          timeoutMs,
          headers: { authorization: `Bearer ${bearer}`, ...(correlationId ? { [correlationHeader]: correlationId } : {}) },
        });
      } catch (error) {
        throw new TaskCallError(`unreachable or too slow (${(error as Error).message})`, true);
      }
      if (res.status === 200) return checkedTaskResult(checkResult, request, res.data);
      const detail = (res.data as { detail?: string } | undefined)?.detail ?? '';
      // A 5xx may pass; a refusal (4xx) will not change on a second try with the same agent.
      throw new TaskCallError(`answered ${res.status}${detail ? `: ${detail}` : ''}`, res.status >= 500);
    },
  };
}

/** The answer as a TaskResult (nagent-tip.yaml) for the task that was asked, or a TaskCallError that no retry cures. */
export function checkedTaskResult(checkResult: BodyCheck, request: TaskRequest, answer: unknown): TaskResult {
  const problems = checkResult(answer);
  if (problems.length) throw new TaskCallError(`answered no TaskResult (${problems[0].path} ${problems[0].message})`, false);
  const result = answer as TaskResult;
  if (result.taskId !== request.taskId || result.capabilityId !== request.capabilityId) throw new TaskCallError(`answered for task ${result.taskId} ${result.capabilityId}, not the one asked`, false);
  return result;
}
