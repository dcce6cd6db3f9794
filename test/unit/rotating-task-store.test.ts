import { expect } from 'chai';
import { TaskState, type ListTasksRequest, type Task } from '@a2a-js/sdk';
import { defaultServerCallContextBuilder, UnauthenticatedUser } from '@a2a-js/sdk/server';
import { RotatingTaskStore } from '../../nfs/shared/a2a/rotating-task-store.ts';

const context = defaultServerCallContextBuilder({ user: new UnauthenticatedUser(), extensions: [], headers: {} });
const task = (id: string, state = TaskState.TASK_STATE_COMPLETED): Task => ({
  id, contextId: `context-of-${id}`, status: { state, message: undefined, timestamp: new Date(0).toISOString() }, artifacts: [], history: [], metadata: {},
});

describe('rotating A2A task store', () => {
  it('keeps the last perGeneration tasks and at most twice that, forgetting the oldest first', async () => {
    const store = new RotatingTaskStore(3);
    for (let i = 1; i <= 7; i += 1) await store.save(task(`t${i}`), context);
    const kept = [];
    for (let i = 1; i <= 7; i += 1) if (await store.load(`t${i}`, context)) kept.push(`t${i}`);
    // t1-t3 filled the first generation, t4-t6 the second, t7 started a third and dropped the first.
    expect(kept).to.deep.equal(['t4', 't5', 't6', 't7']);
  });

  it('answers the latest save of a task: running, then finished, then saved again from the previous generation', async () => {
    const store = new RotatingTaskStore(2);
    await store.save(task('a', TaskState.TASK_STATE_WORKING), context);
    expect((await store.load('a', context))?.status?.state).to.equal(TaskState.TASK_STATE_WORKING);
    await store.save(task('a', TaskState.TASK_STATE_FAILED), context);
    await store.save(task('b'), context);
    await store.save(task('c'), context);
    expect((await store.load('a', context))?.status?.state, 'now in the previous generation').to.equal(TaskState.TASK_STATE_FAILED);
    await store.save(task('a', TaskState.TASK_STATE_COMPLETED), context);
    expect((await store.load('a', context))?.status?.state).to.equal(TaskState.TASK_STATE_COMPLETED);
    const everything: ListTasksRequest = { tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageSize: 10, pageToken: '', statusTimestampAfter: undefined };
    expect((await store.list(everything, context)).tasks.map((listed) => listed.id).sort(), 'ListTasks lists the current generation').to.deep.equal(['a', 'c']);
  });

  it('never drops a task still running: the SDK reads it back for each update, however many tasks came since', async () => {
    const store = new RotatingTaskStore(2);
    await store.save(task('slow', TaskState.TASK_STATE_WORKING), context);
    for (let i = 1; i <= 9; i += 1) await store.save(task(`quick${i}`), context);
    expect((await store.load('slow', context))?.status?.state).to.equal(TaskState.TASK_STATE_WORKING);
    expect(await store.load('quick1', context), 'a finished task that old is gone').to.equal(undefined);
    await store.save(task('slow', TaskState.TASK_STATE_COMPLETED), context);
    for (let i = 10; i <= 14; i += 1) await store.save(task(`quick${i}`), context);
    expect(await store.load('slow', context), 'once finished it ages like any other').to.equal(undefined);
  });

  it('keeps at most perGeneration running tasks, forgetting the one that has run longest', async () => {
    const store = new RotatingTaskStore(2);
    for (const id of ['r1', 'r2', 'r3']) await store.save(task(id, TaskState.TASK_STATE_WORKING), context);
    expect(await store.load('r1', context)).to.equal(undefined);
    expect((await store.load('r3', context))?.status?.state).to.equal(TaskState.TASK_STATE_WORKING);
  });

  it('lists running tasks with the current generation, filtered and paged as the SDK store does', async () => {
    const store = new RotatingTaskStore(2);
    await store.save(task('old'), context);
    await store.save(task('done1'), context);
    await store.save(task('done2'), context);
    await store.save(task('busy', TaskState.TASK_STATE_WORKING), context);
    const request = (over: Partial<ListTasksRequest>): ListTasksRequest => ({
      tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageSize: 10, pageToken: '', statusTimestampAfter: undefined, ...over,
    });
    expect((await store.list(request({}), context)).tasks.map((listed) => listed.id).sort()).to.deep.equal(['busy', 'done2']);
    const working = await store.list(request({ status: TaskState.TASK_STATE_WORKING }), context);
    expect(working.tasks.map((listed) => listed.id)).to.deep.equal(['busy']);
    const first = await store.list(request({ pageSize: 1 }), context);
    expect(first.tasks).to.have.length(1);
    expect(first.totalSize).to.equal(2);
    const second = await store.list(request({ pageSize: 1, pageToken: first.nextPageToken }), context);
    expect([...first.tasks, ...second.tasks].map((listed) => listed.id).sort(), 'the second page holds the other task').to.deep.equal(['busy', 'done2']);
  });

  it('refuses a generation size that is not a positive integer', () => {
    expect(() => new RotatingTaskStore(0)).to.throw(RangeError);
    expect(() => new RotatingTaskStore(1.5)).to.throw(RangeError);
  });
});
