/**
 * The A2A tasks an agent keeps for tasks/get and ListTasks, bounded. The SDK's InMemoryTaskStore
 * keeps every task for the life of the process, and every open-capability call a plain A2A client
 * makes is a task with its history and artifacts: a third-party agent calling for hours would grow
 * the NF without end. Tasks are kept in two generations of `perGeneration` tasks each: a new task
 * goes into the current one, and when that is full it becomes the previous one and the one before
 * is dropped. So the last `perGeneration` tasks can always be read back, at most twice that is
 * kept, and a task older than that is unknown (-32001), as A2A lets a server expire tasks.
 * ListTasks lists the current generation.
 */
import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { InMemoryTaskStore, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';

export class RotatingTaskStore implements TaskStore {
  private current = new InMemoryTaskStore();
  private previous: InMemoryTaskStore | undefined;
  /** The ids the current generation holds. */
  private currentIds = new Set<string>();

  constructor(private readonly perGeneration: number) {
    if (!Number.isInteger(perGeneration) || perGeneration < 1) throw new RangeError(`perGeneration must be a positive integer, not ${perGeneration}`);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    if (!this.currentIds.has(task.id)) {
      if (this.currentIds.size >= this.perGeneration) {
        this.previous = this.current;
        this.current = new InMemoryTaskStore();
        this.currentIds = new Set();
      }
      this.currentIds.add(task.id);
    }
    await this.current.save(task, context);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return (await this.current.load(taskId, context)) ?? this.previous?.load(taskId, context);
  }

  list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.current.list(params, context);
  }
}
