/**
 * The A2A tasks an agent keeps for tasks/get and ListTasks, bounded. The SDK's InMemoryTaskStore
 * keeps every task for the life of the process, and every open-capability call a plain A2A client
 * makes is a task with its history and artifacts: a third-party agent calling for hours would grow
 * the NF without end.
 *
 * A task still running is kept apart, in a map read and written synchronously: the SDK reads it
 * back for each of its updates, so it must never be dropped, nor hidden by a rotation under way.
 * A finished task goes into the current of two generations of `perGeneration` tasks each; when
 * that is full it becomes the previous one and the one before is dropped. So the last
 * `perGeneration` finished tasks can always be read back, and an older one is unknown (-32001), as
 * A2A lets a server expire tasks. ListTasks lists the running tasks and the current generation: 1
 * to `perGeneration` of the newest finished tasks. The agents' JSON-RPC has no authenticated
 * callers (UserBuilder.noAuthentication), so every task is in one scope.
 */
import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk';
import { InMemoryTaskStore, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';

/** The terminal states of A2A 1.0's TaskState: a task in one of them changes no more. */
const terminalStates = new Set<TaskState>([TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_REJECTED]);

interface Generation {
  store: InMemoryTaskStore;
  ids: Set<string>;
}

const newGeneration = (): Generation => ({ store: new InMemoryTaskStore(), ids: new Set() });

export class RotatingTaskStore implements TaskStore {
  private current = newGeneration();
  private previous: Generation | undefined;
  /**
   * Tasks not finished, oldest first. Bounded too (perGeneration), so a task that never finishes
   * cannot grow the store; the executors here finish every task they run.
   */
  private readonly running = new Map<string, Task>();

  constructor(private readonly perGeneration: number) {
    if (!Number.isInteger(perGeneration) || perGeneration < 1) throw new RangeError(`perGeneration must be a positive integer, not ${perGeneration}`);
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    this.running.delete(task.id);
    if (!task.status || !terminalStates.has(task.status.state)) {
      this.running.set(task.id, structuredClone(task));
      if (this.running.size > this.perGeneration) this.running.delete(this.running.keys().next().value!);
      return;
    }
    // Decided and switched synchronously, so saves that overlap cannot rotate twice for one.
    if (!this.current.ids.has(task.id) && this.current.ids.size >= this.perGeneration) {
      this.previous = this.current;
      this.current = newGeneration();
    }
    this.current.ids.add(task.id);
    await this.current.store.save(task, context);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const running = this.running.get(taskId);
    if (running) return structuredClone(running);
    const { current, previous } = this;
    return (await current.store.load(taskId, context)) ?? previous?.store.load(taskId, context);
  }

  /**
   * Filtering, ordering and page tokens are the SDK's own: the tasks listed are gathered into a
   * store made for the call (at most twice perGeneration copies, and ListTasks is rare), so a page
   * token, which names the last task listed, means the same here as in the SDK's store: one naming
   * a task whose status changed since (a running one, say) ends the listing there, as it does there.
   */
  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    if (this.running.size === 0) return this.current.store.list(params, context);
    const listed = new InMemoryTaskStore();
    for (const id of this.current.ids) {
      const finished = await this.current.store.load(id, context);
      if (finished) await listed.save(finished, context);
    }
    for (const running of this.running.values()) await listed.save(running, context);
    return listed.list(params, context);
  }
}
