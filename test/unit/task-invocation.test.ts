import { expect } from 'chai';
import { createTaskInvocation, TaskCallError, type TaskCandidate, type TaskRequest, type TaskResult, type TaskView } from '../../nfs/shared/intent/task-invocation.ts';

const task = (taskId: string, capability: string, dependsOn: string[] = []) => ({ taskId, capabilityId: `/capability/${capability}`, title: capability, dependsOn, parameters: {} });
const done = (request: TaskRequest, summary = 'ok'): TaskResult => ({ taskId: request.taskId, capabilityId: request.capabilityId, state: 'completed', summary, data: {} });

function invocationWith(options: {
  agents: Record<string, TaskCandidate[]>;
  invoke: (candidate: TaskCandidate, request: TaskRequest) => Promise<TaskResult>;
  transitions?: TaskView[];
}) {
  return createTaskInvocation({
    resolve: async (capabilityId) => options.agents[capabilityId] ?? [],
    invoke: options.invoke,
    maxCandidates: 3,
    attemptsPerCandidate: 2,
    onTransition: (view) => options.transitions?.push(view),
  });
}

const a = (aic: string): TaskCandidate => ({ aic, invokeUrl: `http://agents.test/${aic}` });

describe('task-based invocation (TIP)', () => {
  it('runs a task only after the tasks it depends on completed, and hands it their results', async () => {
    const order: string[] = [];
    const run = await invocationWith({
      agents: { '/capability/location': [a('L')], '/capability/cell-load-analytics': [a('C')], '/capability/network-diagnosis': [a('D')] },
      invoke: async (candidate, request) => {
        order.push(request.taskId);
        if (request.taskId === 't3') expect(Object.keys(request.inputs ?? {})).to.have.members(['t1', 't2']);
        return done(request, `${candidate.aic} did ${request.taskId}`);
      },
    }).run({ intentId: 'i1', supi: 'imsi-001010000000001', tasks: [task('t1', 'location'), task('t2', 'cell-load-analytics'), task('t3', 'network-diagnosis', ['t1', 't2'])] });
    expect(order.indexOf('t3')).to.equal(2);
    expect(run.tasks.map((view) => view.state)).to.deep.equal(['completed', 'completed', 'completed']);
    expect(run.results.get('t3')?.summary).to.equal('D did t3');
  });

  it('fails over to the next agent when one is unreachable, within the same task', async () => {
    const run = await invocationWith({
      agents: { '/capability/location': [a('down'), a('up')] },
      invoke: async (candidate, request) => {
        if (candidate.aic === 'down') throw new TaskCallError('connection refused', true);
        return done(request);
      },
    }).run({ intentId: 'i2', tasks: [task('t1', 'location')] });
    expect(run.tasks[0]).to.include({ state: 'completed', agent: 'up', attempts: 3 });
  });

  it('does not retry an agent that refused the call, but tries the next one', async () => {
    const calls: string[] = [];
    const run = await invocationWith({
      agents: { '/capability/location': [a('refuses'), a('serves')] },
      invoke: async (candidate, request) => {
        calls.push(candidate.aic);
        if (candidate.aic === 'refuses') throw new TaskCallError('answered 403', false);
        return done(request);
      },
    }).run({ intentId: 'i3', tasks: [task('t1', 'location')] });
    expect(calls).to.deep.equal(['refuses', 'serves']);
    expect(run.tasks[0].state).to.equal('completed');
  });

  it('takes an agent\'s failed answer as final and cancels the tasks that depend on it', async () => {
    const transitions: TaskView[] = [];
    const run = await invocationWith({
      transitions,
      agents: { '/capability/data-preprocessing': [a('P'), a('P2')], '/capability/root-cause-analysis': [a('R')] },
      invoke: async (_candidate, request) => ({ ...done(request), state: 'failed', summary: 'no line data' }),
    }).run({ intentId: 'i4', tasks: [task('t1', 'data-preprocessing'), task('t2', 'root-cause-analysis', ['t1'])] });
    expect(run.tasks.map((view) => view.state)).to.deep.equal(['failed', 'cancelled']);
    expect(run.tasks[0].attempts).to.equal(1);
    expect(transitions.filter((view) => view.taskId === 't1').map((view) => view.state)).to.deep.equal(['submitted', 'working', 'failed']);
  });

  it('fails a task no live agent offers, naming the capability', async () => {
    const run = await invocationWith({ agents: {}, invoke: async (_c, request) => done(request) }).run({ intentId: 'i5', tasks: [task('t1', 'billing-plan')] });
    expect(run.tasks[0].state).to.equal('failed');
    expect(run.tasks[0].summary).to.contain('/capability/billing-plan');
  });

  it('cancels tasks whose dependencies can never run instead of waiting forever', async () => {
    const run = await invocationWith({ agents: {}, invoke: async (_c, request) => done(request) }).run({ intentId: 'i6', tasks: [task('t1', 'location', ['t2']), task('t2', 'location', ['t1'])] });
    expect(run.tasks.map((view) => view.state)).to.deep.equal(['cancelled', 'cancelled']);
  });

  it('asks the gateway afresh when every agent of a reused answer failed, and tries only agents not tried yet', async () => {
    const asked: boolean[] = [];
    const calls: string[] = [];
    const run = await createTaskInvocation({
      resolve: async (_capabilityId, options) => {
        asked.push(Boolean(options?.fresh));
        return options?.fresh ? [a('stale'), a('new')] : [a('stale')];
      },
      invoke: async (candidate, request) => {
        calls.push(candidate.aic);
        if (candidate.aic === 'stale') throw new TaskCallError('connection refused', true);
        return done(request);
      },
      maxCandidates: 3,
      attemptsPerCandidate: 1,
    }).run({ intentId: 'i7', tasks: [task('t1', 'location')] });
    expect(asked).to.deep.equal([false, true]);
    expect(calls).to.deep.equal(['stale', 'new']);
    expect(run.tasks[0]).to.include({ state: 'completed', agent: 'new' });
  });
});
