/**
 * Aggregation (MACP section 5.4, last step of TIP): the results of the tasks, in workflow order,
 * become one human-readable answer; tasks that failed or did not run are said plainly.
 */
import type { TaskResult, TaskView } from './task-invocation.ts';

export function aggregateResults(input: { summary: string; tasks: readonly TaskView[]; results: ReadonlyMap<string, TaskResult> }): string {
  const lines = [`Understood: ${input.summary}.`];
  for (const task of input.tasks) {
    const label = task.title ?? task.capability;
    if (task.state === 'completed') lines.push(`- ${label}: ${input.results.get(task.taskId)?.summary ?? task.summary ?? 'done'}`);
    else if (task.state === 'failed') lines.push(`- ${label}: could not be done (${task.summary ?? 'no reason given'})`);
    else lines.push(`- ${label}: not run, because an earlier step did not complete.`);
  }
  return lines.join('\n');
}
