/**
 * Repeated tasks get their first answer (MACP section 5.4: a task is retried after a lost answer
 * or a timeout, and a retry must not repeat a side effect such as a plan change or an engineer
 * booking). One memory serves an NF's InvokeTask endpoint and its semantic sessions, so a task
 * retried over a reopened session, or over another way in, still gets the first answer.
 */
import type { TaskResult } from './intent/task-invocation.ts';

/** How long a task's answer is kept for a repeat. */
const REPEAT_WINDOW_MS = 60_000;
/** Above this many entries, stale ones are swept before a new one is kept. */
const SWEEP_ABOVE = 20_000;

export interface TaskRepeatKey {
  /** The agent that runs the task. */
  agent: string;
  /** The AIC of the agent that asked for it. */
  caller: string;
  intentId: string;
  taskId: string;
}

export function createTaskRepeats(options: { now?: () => number; windowMs?: number } = {}) {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? REPEAT_WINDOW_MS;
  const answers = new Map<string, { answer: Promise<TaskResult>; at: number }>();
  return {
    /** The first call's answer, or the call still running, for every repeat within the window; a failed run is forgotten. */
    once(key: TaskRepeatKey, run: () => Promise<TaskResult>): Promise<TaskResult> {
      const id = `${key.agent} ${key.caller.toLowerCase()} ${key.intentId} ${key.taskId}`;
      const at = now();
      const known = answers.get(id);
      if (known && at - known.at < windowMs) return known.answer;
      if (answers.size > SWEEP_ABOVE) for (const [k, v] of answers) if (at - v.at >= windowMs) answers.delete(k);
      const answer = run();
      answers.set(id, { answer, at });
      answer.catch(() => answers.delete(id));
      return answer;
    },
  };
}

export type TaskRepeats = ReturnType<typeof createTaskRepeats>;
