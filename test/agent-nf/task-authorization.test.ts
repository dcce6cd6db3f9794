import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentCallSigner, type AgentIdentity } from '../../nfs/shared/agent-auth.ts';
import { createTaskCaller } from '../../nfs/shared/intent/task-calls.ts';
import { TaskCallError } from '../../nfs/shared/intent/task-invocation.ts';
import { compileBodyCheck } from '../../nfs/shared/schema-validator.ts';
import { acme, operatorAmf, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgents } from '../support/agent-nf-harness.ts';
import { request } from '../support/nrf-harness.ts';

const SUPI = 'imsi-001010000000011';

async function identityOf(registration: Awaited<ReturnType<typeof registerAgent>>): Promise<AgentIdentity> {
  return { aic: registration.body.aic, certificatePem: registration.body.certificatePem, privateKey: registration.key.keys.privateKey };
}

describe('capability agents: who may task them, repeated calls, and what an answer must be', function () {
  this.timeout(30_000);
  let core: TestCore;
  let agents: Awaited<ReturnType<typeof startTestAgents>>;
  let billingUrl: string;
  let billingAic: string;

  before(async () => {
    core = await startTestCore({ smf: true });
    agents = await startTestAgents(core);
    const billing = agents.capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'billing-agent')!;
    billingUrl = billing.invokeUrl!;
    billingAic = billing.aic!;
  });
  after(async () => {
    await agents.close();
    await core.close();
  });

  const task = (taskId: string, parameters: Record<string, unknown>) => ({ taskId, intentId: 'intent-1', capabilityId: '/capability/billing-plan', supi: SUPI, parameters });
  const call = async (identity: AgentIdentity, body: ReturnType<typeof task>) => {
    const token = await createAgentCallSigner(identity).sign({ audience: billingAic, capabilityId: body.capabilityId, taskId: body.taskId });
    return request('POST', billingUrl, body, { authorization: `Bearer ${token}` });
  };

  it('refuses a UE agent\'s credential, though the AMC issued it: UE agents may not task network agents', async () => {
    const ueAgent = await registerAgent(core.agwUrl, { provider: operatorAmf, kind: 'ue-agent', name: 'ue-agent', capabilities: ['/capability/ue-measurement'], onBehalfOf: { supi: 'imsi-001010000000005', cmState: 'CM-CONNECTED' } });
    expect(ueAgent.status).to.equal(201);
    const res = await call(await identityOf(ueAgent), task('t-ue', { action: 'change-plan', plan: 'unlimited' }));
    expect(res.status).to.equal(403);
    expect(res.body.cause).to.equal('CALLER_NOT_ALLOWED');
  });

  describe("through the gateway's semantic routing", () => {
    const route = (requesterAic?: string) => `${core.agwUrl}/nagw-route/v1/capability/billing-plan${requesterAic ? `?requester-aic=${requesterAic}` : ''}`;
    const routedCaller = async (name: string) => {
      const caller = await registerAgent(core.agwUrl, { kind: 'nf-agent', name, capabilities: ['/capability/intent-recognition'] });
      return { aic: caller.body.aic as string, signer: createAgentCallSigner(await identityOf(caller)) };
    };

    it("is reached with the caller's token forwarded, addressed to the capability and bound to the task, and checked as a direct call is", async () => {
      const caller = await routedCaller('routed-caller');
      const body = task('t-routed', { action: 'show-bill' });
      const token = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: body.capabilityId, taskId: body.taskId, task: body });
      const routed = await request('POST', route(caller.aic), body, { authorization: `Bearer ${token}` });
      expect(routed.status, JSON.stringify(routed.body)).to.equal(200);
      expect(routed.headers.get('x-served-by-aic')).to.equal(billingAic);
      expect(routed.body).to.include({ taskId: 't-routed' });
      // Without requester-aic the token's issuer is the requester.
      const next = task('t-routed-2', { action: 'show-bill' });
      const nextToken = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: next.capabilityId, taskId: next.taskId, task: next });
      expect((await request('POST', route(), next, { authorization: `Bearer ${nextToken}` })).status).to.equal(200);

      const unsigned = await request('POST', route(caller.aic), task('t-unsigned', { action: 'show-bill' }));
      // The agent's 401 reaches the requester as a 401, with the agent's challenge (RFC 6750 section 3.1).
      expect([unsigned.status, unsigned.body.cause, unsigned.headers.get('www-authenticate')]).to.deep.equal([401, 'AGENT_REFUSED', 'Bearer']);
      const elsewhere = task('t-elsewhere', { action: 'show-bill' });
      const forAnotherCapability = await caller.signer.sign({ audience: '/capability/location', capabilityId: elsewhere.capabilityId, taskId: elsewhere.taskId, task: elsewhere });
      const refused = await request('POST', route(caller.aic), elsewhere, { authorization: `Bearer ${forAnotherCapability}` });
      // The agent's 401 reaches the requester as a 401, with the agent's challenge (RFC 6750 section 3.1).
      expect([refused.status, refused.body.cause, refused.headers.get('www-authenticate')], JSON.stringify(refused.body)).to.deep.equal([401, 'AGENT_REFUSED', 'Bearer error="invalid_token"']);
      expect(refused.body.detail).to.contain('aud');
    });

    it('spends a call token only when it is forwarded: one refused by policy may be sent again once policy allows it', async () => {
      const caller = await routedCaller('policy-refused-caller');
      const body = task('t-policy', { action: 'show-bill' });
      const token = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: body.capabilityId, taskId: body.taskId, task: body });
      const rule = `${core.agwUrl}/nagw-pol/v1/rules/deny-policy-refused-caller`;
      expect((await request('PUT', rule, { effect: 'DENY', priority: 500, subject: { aic: caller.aic }, capabilityId: '/capability/billing-plan', actions: ['invoke'] })).status).to.equal(201);
      try {
        const denied = await request('POST', route(), body, { authorization: `Bearer ${token}` });
        expect([denied.status, denied.body.cause], JSON.stringify(denied.body)).to.deep.equal([403, 'POLICY_DENIED']);
      } finally {
        expect((await request('DELETE', rule)).status).to.equal(204);
      }
      const allowed = await request('POST', route(), body, { authorization: `Bearer ${token}` });
      expect([allowed.status, allowed.headers.get('x-served-by-aic')], JSON.stringify(allowed.body)).to.deep.equal([200, billingAic]);
      const again = await request('POST', route(), body, { authorization: `Bearer ${token}` });
      expect([again.status, again.body.cause], 'forwarded once, then spent').to.deep.equal([401, 'REPLAYED_TOKEN']);
    });

    it('is refused at an instance the gateway did not forward it to: what an instance that received it could try', async () => {
      // A third party's instance of the capability, the only live one while the network's billing agent is made stale.
      const seen: Array<Record<string, string | string[] | undefined>> = [];
      const sink = createServer((req, res) => {
        seen.push(req.headers);
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"answered":"sink"}'));
      });
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      const agwAgents = core.store.collection<{ _id: string; liveUntil: number }>('agw.agents');
      const billingLiveUntil = (await agwAgents.findOne({ _id: billingAic }))!.liveUntil;
      try {
        const thirdParty = await registerAgent(core.agwUrl, { provider: acme, name: 'acme-billing', description: 'Answers billing questions', capabilities: ['/capability/billing-plan'], invokeUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/tasks` });
        expect(thirdParty.status, JSON.stringify(thirdParty.body)).to.equal(201);
        await agwAgents.findOneAndUpdate({ _id: billingAic }, { $set: { liveUntil: Date.now() - 1 } });
        const caller = await routedCaller('routed-to-third-party');
        const body = task('t-third-party', { action: 'show-bill' });
        const token = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: body.capabilityId, taskId: body.taskId, task: body });
        const routed = await request('POST', route(caller.aic), body, { authorization: `Bearer ${token}` });
        expect([routed.status, routed.headers.get('x-served-by-aic')], JSON.stringify(routed.body)).to.deep.equal([200, thirdParty.body.aic]);
        const forwarded = seen[0];
        expect(forwarded.authorization).to.equal(`Bearer ${token}`);
        expect(forwarded['agw-forwarded'], 'the gateway vouches for its forward').to.be.a('string');

        // The third party presents the same token and task to the network's billing agent, with
        // the gateway's assertion made for itself, or with none.
        const withTheirs: Record<string, string> = { authorization: `Bearer ${token}`, 'agw-forwarded': String(forwarded['agw-forwarded']) };
        for (const headers of [withTheirs, { authorization: `Bearer ${token}` }]) {
          const replayed = await request('POST', billingUrl, body, headers);
          expect([replayed.status, replayed.body.cause, replayed.headers.get('www-authenticate')], JSON.stringify(replayed.body)).to.deep.equal([401, 'FORWARD_NOT_VOUCHED', 'Bearer error="invalid_token"']);
        }
        // Or sends it back through the gateway, to have it forwarded elsewhere with the gateway's word.
        await agwAgents.findOneAndUpdate({ _id: billingAic }, { $set: { liveUntil: billingLiveUntil } });
        const rerouted = await request('POST', route(), body, { authorization: `Bearer ${token}` });
        expect([rerouted.status, rerouted.body.cause, rerouted.headers.get('www-authenticate')], JSON.stringify(rerouted.body)).to.deep.equal([401, 'REPLAYED_TOKEN', 'Bearer error="invalid_token"']);
        expect(seen, 'the replay was forwarded nowhere').to.have.length(1);
      } finally {
        await agwAgents.findOneAndUpdate({ _id: billingAic }, { $set: { liveUntil: billingLiveUntil } });
        sink.close();
      }
    });

    it('refuses a task RFC 8785 cannot encode (a lone surrogate) with 401, not a failure', async () => {
      const caller = await routedCaller('routed-surrogate');
      const body = task('t-surrogate', { action: 'show-bill', note: '\ud800' });
      const token = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: body.capabilityId, taskId: body.taskId });
      const res = await request('POST', billingUrl, body, { authorization: `Bearer ${token}` });
      expect([res.status, res.body.cause], JSON.stringify(res.body)).to.deep.equal([401, 'TOKEN_CLAIM_MISMATCH']);
    });

    it('refuses 403 REQUESTER_MISMATCH, with an event, when requester-aic names someone other than the token issuer', async () => {
      const caller = await routedCaller('routed-posing');
      const other = await routedCaller('routed-posed-as');
      const body = task('t-posing', { action: 'show-bill' });
      const token = await caller.signer.sign({ audience: '/capability/billing-plan', capabilityId: body.capabilityId, taskId: body.taskId, task: body });
      const res = await request('POST', route(other.aic), body, { authorization: `Bearer ${token}` });
      expect([res.status, res.body.cause]).to.deep.equal([403, 'REQUESTER_MISMATCH']);
      const events = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=routing.decided&aic=${other.aic}`)).body;
      expect(events.map((event: { outcome: string; cause: string; detail: { issuer: string } }) => [event.outcome, event.cause, event.detail.issuer])).to.deep.equal([['refused', 'REQUESTER_MISMATCH', caller.aic]]);
    });

    it("passes a third party's bearer token (not an agent's call token) on without reading it as a requester", async () => {
      const thirdParty = `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"https://idp.example"}').toString('base64url')}.`;
      const res = await request('POST', route(), task('t-third', { action: 'show-bill' }), { authorization: thirdParty });
      // The billing agent refuses it (not its credential): the gateway did route it.
      expect([res.status, res.body.cause, res.headers.get('www-authenticate')], JSON.stringify(res.body)).to.deep.equal([401, 'AGENT_REFUSED', 'Bearer error="invalid_token"']);
    });
  });

  it('answers a repeated call of one task with the first answer instead of doing it twice', async () => {
    const caller = await registerAgent(core.agwUrl, { kind: 'nf-agent', name: 'test-orchestrator', capabilities: ['/capability/intent-recognition'] });
    const identity = await identityOf(caller);
    const first = await call(identity, task('t-plan', { action: 'change-plan', plan: 'unlimited' }));
    expect(first.status).to.equal(200);
    const repeat = await call(identity, task('t-plan', { action: 'change-plan', plan: 'basic' }));
    expect(repeat.body).to.deep.equal(first.body);
    const shown = await call(identity, task('t-show', { action: 'show-bill' }));
    expect(JSON.stringify(shown.body.data).toLowerCase()).to.contain('unlimited');
  });

  it('sends a task that lives on a UE only to the requesting UE\'s own agent, never to another UE\'s', async () => {
    let hits = 0;
    const sink = createServer((_req, res) => {
      hits += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const other = await registerAgent(core.agwUrl, {
        provider: operatorAmf, kind: 'ue-agent', name: 'ue-agent', capabilities: ['/capability/ue-measurement'],
        a2aUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/a2a`, onBehalfOf: { supi: 'imsi-001010000000006', cmState: 'CM-CONNECTED' },
      });
      expect(other.status).to.equal(201);
      const res = await request('POST', `${agents.intent.url}/nagent-tip/v1/agents/intent-agent/intents`, { supi: SUPI, text: 'measure the signal strength on my phone' });
      expect(res.body.tasks[0]).to.include({ capability: '/capability/ue-measurement', state: 'failed' });
      expect(hits).to.equal(0);
    } finally {
      sink.close();
    }
  });

  it('refuses a token signed for another task', async () => {
    const caller = await registerAgent(core.agwUrl, { kind: 'nf-agent', name: 'test-orchestrator-b', capabilities: ['/capability/intent-recognition'] });
    const token = await createAgentCallSigner(await identityOf(caller)).sign({ audience: billingAic, capabilityId: '/capability/billing-plan', taskId: 'other' });
    const res = await request('POST', billingUrl, task('t-x', { action: 'show-bill' }), { authorization: `Bearer ${token}` });
    expect(res.status).to.equal(403);
  });
});

describe('task calls: an answer that is not the asked task\'s result is refused', () => {
  let server: Server;
  let url: string;
  let reply: unknown;
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tasks`;
  });
  after(() => server.close());

  const asked = { taskId: 't1', intentId: 'i1', capabilityId: '/capability/location', parameters: {} };

  for (const [name, answer] of [
    ['a state outside the TaskResult schema', { taskId: 't1', capabilityId: '/capability/location', state: 'bogus', summary: 's', data: {} }],
    ['a result of another task', { taskId: 't2', capabilityId: '/capability/location', state: 'completed', summary: 's', data: {} }],
    ['something that is no result at all', { state: 'completed' }],
  ] as const) {
    it(`refuses ${name} without retrying the agent`, async () => {
      reply = answer;
      const caller = createTaskCaller(await compileBodyCheck('nagent-tip.yaml', 'TaskResult'));
      try {
        await caller.call({ aic: 'A', invokeUrl: url }, asked, 'token', 1000);
        expect.fail('expected a TaskCallError');
      } catch (error) {
        expect(error).to.be.instanceOf(TaskCallError);
        expect((error as TaskCallError).retryable).to.equal(false);
      }
    });
  }
});
