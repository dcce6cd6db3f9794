/**
 * The A2A tasks an agent keeps for tasks/get and ListTasks, bounded. The SDK's InMemoryTaskStore
 * keeps every task for the life of the process, and every open-capability call a plain A2A client
 * makes is a task with its history and artifacts: a third-party agent calling for hours would grow
 * the NF without end. Tasks are kept in two generations of `perGeneration` tasks each: a new task
 * goes into the current one, and when that is full it becomes the previous one and the one before
 * is dropped. So the last `perGeneration` tasks can always be read back, and a finished task older
 * than that is unknown (-32001), as A2A lets a server expire tasks. A task still running is never
 * dropped: the SDK reads it back for each of its updates, so it moves to the new generation.
 * ListTasks lists the current generation: 1 to `perGeneration` of the newest tasks.
 */
import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk';
import { InMemoryTaskStore, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';

/** A2A 1.0 section 4.1.3: a task in one of these states changes no more. */
const terminalStates = new Set<TaskState>([TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_REJECTED]);

interface Generation {
  store: InMemoryTaskStore;
  ids: Set<string>;
}

const newGeneration = (): Generation => ({ store: new InMemoryTaskStore(), ids: new Set() });

export class RotatingTaskStore implements TaskStore {
  private current = newGeneration();
  private previous: Generation | undefined;
  /** Tasks not in a terminal state, with the context they were saved in. */
  private readonly running = new Map<string, ServerCallContext>();

  constructor(private readonly perGeneration: number) {
    if (!Number.isInteger(perGeneration) || perGeneration < 1) throw new RangeError(`perGeneration must be a positive integer, not ${perGeneration}`);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    if (task.status && terminalStates.has(task.status.state)) this.running.delete(task.id);
    else this.running.set(task.id, context);
    if (!this.current.ids.has(task.id) && this.current.ids.size >= this.perGeneration) await this.rotate();
    this.current.ids.add(task.id);
    await this.current.store.save(task, context);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return (await this.current.store.load(taskId, context)) ?? this.previous?.store.load(taskId, context);
  }

  list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.current.store.list(params, context);
  }

  /** The current generation becomes the previous one; running tasks of the one dropped come along. */
  private async rotate(): Promise<void> {
    const dropped = this.previous;
    this.previous = this.current;
    this.current = newGeneration();
    if (!dropped) return;
    for (const [taskId, context] of this.running) {
      if (!dropped.ids.has(taskId) || this.previous.ids.has(taskId)) continue;
      const task = await dropped.store.load(taskId, context);
      if (!task) continue;
      this.current.ids.add(taskId);
      await this.current.store.save(task, context);
    }
  }
}
