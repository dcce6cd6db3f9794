/**
 * TIP, the Task-based Multi-Agent Invocation Process (MACP section 5.4): the tasks of a workflow
 * run in dependency order (independent tasks at the same time); each task is resolved to agents
 * that hold its capability, invoked on the best one, retried on a transient failure and failed
 * over to the next agent when one errors or times out. Task states follow the process:
 * submitted -> working -> completed | failed, and cancelled when a task it depends on did not
 * complete. A task an agent answered with state failed is a final answer, not a transport fault.
 */
import pRetry, { AbortError } from 'p-retry';
import type { components } from '../../../openapi/generated/nagent-tip.ts';
import type { PlannedTask } from './workflow.ts';

export type TaskRequest = components['schemas']['TaskRequest'];
export type TaskResult = components['schemas']['TaskResult'];
export type TaskView = components['schemas']['TaskView'];

export interface TaskCandidate {
  aic: string;
  invokeUrl: string;
  /** The agent's A2A endpoint, where semantic sessions reach it. */
  a2aUrl?: string;
}

/** A transport-level failure of one call; `retryable` says whether the same agent may be asked again. */
export class TaskCallError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'TaskCallError';
  }
}

export interface TaskInvocationDeps {
  /**
   * Agents holding the capability, best first (resolution at the AGW). An answer may be a reused
   * one; `fresh` asks the gateway again, for when every agent of the reused answer failed.
   */
  resolve(capabilityId: string, options: { fresh?: boolean; ueAic?: string }): Promise<TaskCandidate[]>;
  /**
   * One call; throws TaskCallError on a network error, timeout or an answer that is not a result.
   * `record` notes on the task's view how it was carried (the session it ran in).
   */
  invoke(candidate: TaskCandidate, request: TaskRequest, record: (facts: Pick<TaskView, 'sessionId'>) => void): Promise<TaskResult>;
  /** How many agents one task may be tried on. */
  maxCandidates: number;
  /** Calls per agent before failing over (the first one included). */
  attemptsPerCandidate: number;
  onTransition?: (task: TaskView) => void;
}

export interface WorkflowRun {
  tasks: TaskView[];
  results: Map<string, TaskResult>;
}

export function createTaskInvocation(deps: TaskInvocationDeps) {
  async function runTask(view: TaskView, planned: PlannedTask, request: Omit<TaskRequest, 'inputs'>, inputs: Record<string, TaskResult>, ueAic: string | undefined): Promise<TaskResult | undefined> {
    const transition = (change: Partial<TaskView>) => {
      Object.assign(view, change);
      deps.onTransition?.({ ...view });
    };
    transition({ state: 'working' });
    const failures: string[] = [];
    const tried = new Set<string>();
    for (const fresh of [false, true]) {
      let candidates: TaskCandidate[];
      try {
        candidates = (await deps.resolve(planned.capabilityId, { fresh, ueAic })).filter((candidate) => !tried.has(candidate.aic)).slice(0, deps.maxCandidates - tried.size);
      } catch (error) {
        failures.push(`resolution at the AGW failed: ${(error as Error).message}`);
        break;
      }
      for (const candidate of candidates) {
        tried.add(candidate.aic);
        try {
          const result = await pRetry(
            async () => {
              view.attempts += 1;
              view.agent = candidate.aic;
              try {
                return await deps.invoke(candidate, { ...request, inputs }, (facts) => Object.assign(view, facts));
              } catch (error) {
                if (error instanceof TaskCallError && !error.retryable) throw new AbortError(error);
                throw error;
              }
            },
            { retries: deps.attemptsPerCandidate - 1, minTimeout: 10, maxTimeout: 50, factor: 2 },
          );
          transition({ state: result.state, summary: result.summary, agent: candidate.aic });
          return result.state === 'completed' ? result : undefined;
        } catch (error) {
          failures.push(`${candidate.aic}: ${(error as Error).message}`);
        }
      }
      if (tried.size >= deps.maxCandidates) break;
    }
    if (!tried.size) {
      transition({ state: 'failed', summary: failures[0] ?? `no live agent offers ${planned.capabilityId}` });
      return undefined;
    }
    transition({ state: 'failed', summary: `every agent tried for ${planned.capabilityId} failed (${failures.join('; ')})` });
    return undefined;
  }

  return {
    /** Runs a planned workflow to the end; never throws for a task's failure. */
    async run(input: { intentId: string; supi?: string; ueAic?: string; tasks: readonly PlannedTask[] }): Promise<WorkflowRun> {
      const views = new Map<string, TaskView>(
        input.tasks.map((task) => [task.taskId, { taskId: task.taskId, capability: task.capabilityId, title: task.title, state: 'submitted', dependsOn: [...task.dependsOn], attempts: 0 }]),
      );
      for (const view of views.values()) deps.onTransition?.({ ...view });
      const results = new Map<string, TaskResult>();
      const pending = new Set(input.tasks.map((task) => task.taskId));
      while (pending.size) {
        const ready: PlannedTask[] = [];
        for (const task of input.tasks) {
          if (!pending.has(task.taskId)) continue;
          const dependencies = task.dependsOn.map((id) => views.get(id));
          if (dependencies.some((dep) => !dep || dep.state === 'failed' || dep.state === 'cancelled')) {
            const view = views.get(task.taskId)!;
            view.state = 'cancelled';
            view.summary = 'not run: a task it depends on did not complete';
            deps.onTransition?.({ ...view });
            pending.delete(task.taskId);
          } else if (dependencies.every((dep) => dep!.state === 'completed')) {
            ready.push(task);
          }
        }
        if (!ready.length) {
          // Only a dependency cycle or an unknown dependency leaves tasks that can never run.
          for (const id of pending) Object.assign(views.get(id)!, { state: 'cancelled', summary: 'not run: its dependencies can never complete' });
          break;
        }
        await Promise.all(
          ready.map(async (task) => {
            pending.delete(task.taskId);
            const inputs = Object.fromEntries(task.dependsOn.map((id) => [id, results.get(id)!]));
            const request = { taskId: task.taskId, intentId: input.intentId, capabilityId: task.capabilityId, parameters: task.parameters, ...(input.supi ? { supi: input.supi } : {}) };
            const result = await runTask(views.get(task.taskId)!, task, request, inputs, input.ueAic);
            if (result) results.set(task.taskId, result);
          }),
        );
      }
      return { tasks: [...views.values()], results };
    },
  };
}

export type TaskInvocation = ReturnType<typeof createTaskInvocation>;
