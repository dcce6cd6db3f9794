import { expect } from 'chai';
import { defaultCapabilityAgentSettings, defaultIntentAgentSettings } from '../../nfs/agent-nf/settings.ts';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { until } from '../support/until.ts';

const SUPI = 'imsi-001010000000031';
const BILLING = '/capability/billing-plan';

interface TaskView {
  taskId: string;
  capability: string;
  agent?: string;
  state: string;
  sessionId?: string;
  summary?: string;
  attempts: number;
}

describe('the intent agent runs its tasks inside SMF-authorized semantic sessions (issue 5)', function () {
  this.timeout(30_000);
  let core: TestCore;
  let capabilities: TestAgentNf;
  let intent: TestAgentNf;
  let intentAic: string;
  let intentsUrl: string;

  const submit = async (text: string): Promise<{ outcome: string; tasks: TaskView[]; cause?: string }> => {
    const res = await request('POST', intentsUrl, { supi: SUPI, text });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const smf = () => core.smf!.service;
  const pool = () => intent.handle.intentSessions('intent-agent')!;
  const targetCounters = () => capabilities.handle.sessions.counters();

  before(async () => {
    core = await startTestCore({ smf: true });
    capabilities = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents });
    // A generous task limit: a first task on a cold process must not time out and be retried here.
    intent = await startTestAgentNf(core, 'intent-agent', { agents: defaultIntentAgentSettings.agents, taskTimeoutMs: 5000 });
    intentAic = intent.handle.service.listHostedAgents()[0].aic!;
    intentsUrl = `${intent.url}/nagent-tip/v1/agents/intent-agent/intents`;
  });
  after(async () => {
    await intent.close().catch(() => undefined);
    await capabilities.close();
    await core.close();
  });

  it('runs each task of a four-agent chain in an ESTABLISHED session of the intent agent to that task\'s agent and capability', async () => {
    const before = targetCounters();
    const outcome = await submit('my home wifi is not working');
    expect(outcome.outcome).to.equal('completed');
    expect(outcome.tasks).to.have.length(4);
    for (const task of outcome.tasks) {
      expect(task.sessionId, `task ${task.taskId} names no session`).to.be.a('string');
      const session = await smf().getSession(task.sessionId!);
      expect(session).to.include({ state: 'ESTABLISHED', initiatorAic: intentAic, targetAic: task.agent, capabilityId: task.capability });
    }
    const after = targetCounters();
    expect(after.accepted - before.accepted).to.equal(4);
    // Each task was SESSION_DATA at its capability agent (the later ones with their inputs).
    expect(after.data - before.data).to.equal(4);
  });

  it('keeps the session ids in the intent\'s record', async () => {
    const res = await request('POST', intentsUrl, { supi: SUPI, text: 'where am I?' });
    const stored = await request('GET', `${intentsUrl}/${res.body.intentId}`);
    expect(stored.body.tasks[0].sessionId).to.be.a('string').and.equal(res.body.tasks[0].sessionId);
  });

  it('reuses one session for the same agent and capability across intents: one SESSION_INIT, one SESSION_DATA each', async () => {
    const first = await submit('where am I?');
    const before = targetCounters();
    const second = await submit('where am I?');
    const after = targetCounters();
    expect(first.tasks[0].sessionId).to.be.a('string');
    expect(second.tasks[0].sessionId).to.equal(first.tasks[0].sessionId);
    expect(after.accepted).to.equal(before.accepted);
    expect(after.data - before.data).to.equal(1);
    const sessions = await smf().listSessions({ aic: intentAic });
    expect(sessions.filter((session) => session.capabilityId === '/capability/location' && ['ESTABLISHED', 'PENDING'].includes(session.state))).to.have.length(1);
  });

  it('fails the task clearly when the SMF refuses the session (policy denies the target), storing no session and hanging nothing', async () => {
    // A first bill leaves the AGW's answer for billing in the intent agent's cache (5 s); its
    // session is then terminated, so the next bill needs a new session from the SMF.
    const first = await submit('how much is my bill');
    expect(first.tasks[0]).to.include({ state: 'completed' });
    await pool().releaseAll();
    const rule = `${core.agwUrl}/nagw-pol/v1/rules/deny-intent-billing`;
    expect((await request('PUT', rule, { effect: 'DENY', priority: 500, subject: { aic: intentAic }, capabilityId: BILLING, actions: ['discover'] })).status).to.equal(201);
    try {
      const billingSessions = async () => (await smf().listSessions({ aic: intentAic })).filter((session) => session.capabilityId === BILLING).length;
      const sessionsBefore = await billingSessions();
      const denied = await submit('how much is my bill');
      expect(denied).to.include({ outcome: 'failed', cause: 'TASK_FAILED' });
      expect(denied.tasks[0].state).to.equal('failed');
      // The SMF's refusal is not one a retry on the same agent cures: one attempt, then the gateway asked afresh.
      expect(denied.tasks[0].attempts).to.equal(1);
      expect(denied.tasks[0].summary).to.match(/SMF refused \(403\).*POLICY_DENIED|POLICY_DENIED.*SMF refused \(403\)/);
      expect(await billingSessions()).to.equal(sessionsBefore);
      await until(async () => (await smf().getSession(first.tasks[0].sessionId!)).state === 'RELEASED', 'release of the pooled billing session');
    } finally {
      await request('DELETE', rule);
    }
  });

  it('terminates its pooled sessions when the NF stops: the SMF shows them RELEASED', async () => {
    const outcome = await submit('where am I?');
    const sessionId = outcome.tasks[0].sessionId!;
    expect((await smf().getSession(sessionId)).state).to.equal('ESTABLISHED');
    const terminatedBefore = targetCounters().terminated;
    await intent.close();
    expect(targetCounters().terminated).to.be.greaterThan(terminatedBefore);
    await until(async () => (await smf().listSessions({ aic: intentAic, state: 'ESTABLISHED' })).length === 0, 'release of every session of the intent agent');
    expect((await smf().getSession(sessionId))).to.include({ state: 'RELEASED', releasedBy: outcome.tasks[0].agent });
  });
});
