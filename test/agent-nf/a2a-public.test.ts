import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role, TaskState, type Message, type Part, type Task } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, type Client } from '@a2a-js/sdk/client';
import { SEMANTIC_SESSION_EXTENSION_URI } from '../../nfs/shared/a2a/semantic-session-extension.ts';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgents } from '../support/agent-nf-harness.ts';
import { request } from '../support/nrf-harness.ts';

const SUPI = 'imsi-001010000000011';

const data = (value: unknown): Part => ({ content: { $case: 'data', value }, mediaType: 'application/json', filename: '', metadata: undefined });
const text = (value: string): Part => ({ content: { $case: 'text', value }, mediaType: 'text/plain', filename: '', metadata: undefined });
const message = (...parts: Part[]): Message => ({
  messageId: crypto.randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [],
});
const send = (client: Client, ...parts: Part[]) => client.sendMessage({ tenant: '', message: message(...parts), configuration: undefined, metadata: undefined });

/** The A2A error a call ends with (the SDK client throws it). */
async function refusal(call: Promise<unknown>): Promise<{ message: string; envelopeCode?: number; reason?: string; metadata?: Record<string, string> }> {
  try {
    await call;
  } catch (error) {
    return error as never;
  }
  throw new Error('the call was not refused');
}

const resultOf = (task: Task) => {
  const parts = task.artifacts.flatMap((artifact) => artifact.parts);
  const result = parts.find((part) => part.content?.$case === 'data')?.content?.value as { state: string; capabilityId: string; summary: string; data: Record<string, unknown> };
  const summary = parts.find((part) => part.content?.$case === 'text')?.content?.value as string;
  return { result, summary };
};

describe('public A2A: agent cards and open capabilities over JSON-RPC with the unmodified @a2a-js/sdk client', function () {
  this.timeout(30_000);
  let core: TestCore;
  let agents: Awaited<ReturnType<typeof startTestAgents>>;
  let locationUrl: string;
  let locationAic: string;
  const clients = new ClientFactory();
  const clientFor = async (a2aUrl: string) => clients.createFromAgentCard(await new DefaultAgentCardResolver().resolve(`${a2aUrl}/`));

  before(async () => {
    core = await startTestCore({ smf: true });
    agents = await startTestAgents(core);
    const found = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/location`);
    expect(found.status).to.equal(200);
    expect(found.body.agents).to.have.length(1);
    locationUrl = found.body.agents[0].a2aUrl;
    locationAic = found.body.agents[0].aic;
  });
  after(async () => {
    await agents.close();
    await core.close();
  });

  it('publishes the location agent\'s card at the a2aUrl the AGW returns: JSON-RPC interface, skills, the session extension and the AIC', async () => {
    const card = await new DefaultAgentCardResolver().resolve(`${locationUrl}/`);
    expect(card.name).to.equal('location-agent');
    expect(card.supportedInterfaces).to.deep.equal([
      { url: locationUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      { url: locationUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' },
    ]);
    expect(card.skills.map((skill) => skill.id)).to.deep.equal(['/capability/location']);
    expect(card.skills[0].name).to.equal('Location');
    expect(card.skills[0].tags).to.include('open');
    expect(card.defaultInputModes).to.include.members(['application/json', 'text/plain']);
    expect(card.provider?.organization).to.equal('operator-core');
    const extension = card.capabilities?.extensions.find((entry) => entry.uri === SEMANTIC_SESSION_EXTENSION_URI);
    expect(extension).to.include({ required: false });
    expect(extension!.description).to.match(/session control/i);
    expect(extension!.params).to.deep.include({ aic: locationAic, openCapabilities: ['/capability/location'] });
  });

  it('answers a plain client asking where a UE is with a completed task carrying the TaskResult and its summary', async () => {
    const client = await clientFor(locationUrl);
    const answer = (await send(client, text('where is my phone?'), data({ capabilityId: '/capability/location', supi: SUPI }))) as Task;
    expect(answer.status?.state).to.equal(TaskState.TASK_STATE_COMPLETED);
    const { result, summary } = resultOf(answer);
    expect(result).to.include({ state: 'completed', capabilityId: '/capability/location' });
    expect(result.data).to.include({ supi: SUPI, method: 'CELL_ID' });
    expect(result.data.cellId).to.be.a('string');
    expect(summary).to.match(/^Your device is in cell /);
    expect(answer.status?.message?.parts.some((part) => part.content?.$case === 'text')).to.equal(true);
    const again = await client.getTask({ tenant: '', id: answer.id, historyLength: undefined });
    expect(again.status?.state).to.equal(TaskState.TASK_STATE_COMPLETED);
  });

  it('takes the capability from the agent\'s only skill when the data part names none', async () => {
    const answer = (await send(await clientFor(locationUrl), data({ supi: SUPI }))) as Task;
    expect(resultOf(answer).result.state).to.equal('completed');
  });

  it('answers read-only actions of a mixed capability: the bill, and the plans without a SUPI', async () => {
    const billing = agents.capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'billing-agent')!;
    const client = await clientFor(billing.a2aUrl!);
    const bill = (await send(client, data({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'show-bill' } }))) as Task;
    expect(resultOf(bill).summary).to.match(/^Your bill for /);
    const plans = (await send(client, data({ capabilityId: '/capability/billing-plan', parameters: { action: 'list-plans' } }))) as Task;
    expect(resultOf(plans).result.state).to.equal('completed');
    const qa = (await send(client, text('why is my internet slow at night?'), data({ capabilityId: 'knowledge-qa' }))) as Task;
    expect(resultOf(qa).result.capabilityId).to.equal('/capability/knowledge-qa');
  });

  it('refuses what changes state with "extension support required", naming the semantic-session extension, and changes nothing', async () => {
    const billing = agents.capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'billing-agent')!;
    const client = await clientFor(billing.a2aUrl!);
    const before = resultOf((await send(client, data({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'show-bill' } }))) as Task).result.data;
    const change = await refusal(send(client, data({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'change-plan', plan: 'unlimited' } })));
    expect(change.envelopeCode).to.equal(-32008);
    expect(change.message).to.contain('semantic session').and.to.contain(SEMANTIC_SESSION_EXTENSION_URI);
    const after = resultOf((await send(client, data({ capabilityId: '/capability/billing-plan', supi: SUPI, parameters: { action: 'show-bill' } }))) as Task).result.data;
    expect(after).to.deep.equal(before);

    const qos = agents.capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'qos-agent')!;
    const boost = await refusal(send(await clientFor(qos.a2aUrl!), data({ capabilityId: '/capability/qos-optimisation', supi: SUPI })));
    expect(boost.envelopeCode).to.equal(-32008);
    const card = await new DefaultAgentCardResolver().resolve(`${qos.a2aUrl}/`);
    expect(card.skills[0].tags).to.include('session-required');
  });

  it('refuses bad input with an invalid-params error that says what is wrong', async () => {
    const client = await clientFor(locationUrl);
    const cases: Array<[Part[], RegExp]> = [
      [[data({ capabilityId: '/capability/location' })], /needs the subscriber's SUPI/],
      [[data({ capabilityId: '/capability/location', supi: 'imsi-12' })], /not "imsi-" and 5 to 15 digits/],
      [[data({ capabilityId: '/capability/location', supi: 42 })], /not "imsi-"/],
      [[data({ capabilityId: '/capability/teleportation', supi: SUPI })], /does not hold \/capability\/teleportation/],
      [[data({ capabilityId: '/capability/billing-plan', supi: SUPI })], /does not hold \/capability\/billing-plan/],
      [[data({ capabilityId: 'NOT A CAPABILITY', supi: SUPI })], /not a capability identifier/],
      [[data({ supi: SUPI, parameters: 'all of them' })], /parameters must be a JSON object/],
      [[data(['imsi-001010000000011'])], /data part must be a JSON object/],
      [[text('where am I?')], /needs the subscriber's SUPI/],
    ];
    for (const [parts, expected] of cases) {
      const error = await refusal(send(client, ...parts));
      expect(error.envelopeCode, expected.source).to.equal(-32602);
      expect(error.message).to.match(expected);
    }
  });

  it('answers a hand-written A2A 1.0 JSON-RPC SendMessage as well (the wire shape, no SDK on the client side)', async () => {
    const res = await request('POST', locationUrl, {
      jsonrpc: '2.0', id: 'w1', method: 'SendMessage',
      params: { message: { messageId: 'm-wire-1', role: 'ROLE_USER', parts: [{ text: 'where is it?' }, { data: { supi: SUPI }, mediaType: 'application/json' }] } },
    }, { 'a2a-version': '1.0' });
    expect(res.status).to.equal(200);
    const task = res.body.result.task;
    expect(task.status.state).to.equal('TASK_STATE_COMPLETED');
    expect(task.artifacts[0].parts[0].data).to.include({ state: 'completed', capabilityId: '/capability/location' });
  });

  describe('A2A 0.3 clients (a request without A2A-Version is a 0.3 one, A2A 1.0 section 3.6.2)', () => {
    const send03 = (url: string, id: number, parts: unknown[]) =>
      request('POST', url, { jsonrpc: '2.0', id, method: 'message/send', params: { message: { kind: 'message', messageId: `m-03-${id}`, role: 'user', parts } } });

    it('get a 0.3 card (top-level url, preferred transport and protocol version) and 1.0 clients a 1.0 one, from the same address', async () => {
      const legacy = await fetch(`${locationUrl}/.well-known/agent-card.json`);
      expect(legacy.status).to.equal(200);
      expect(legacy.headers.get('vary')).to.match(/A2A-Version/i);
      const card03 = await legacy.json();
      expect(card03).to.include({ url: locationUrl, preferredTransport: 'JSONRPC', protocolVersion: '0.3', name: 'location-agent' });
      expect(card03.skills.map((skill: { id: string }) => skill.id)).to.deep.equal(['/capability/location']);
      const current = await (await fetch(`${locationUrl}/.well-known/agent-card.json`, { headers: { 'a2a-version': '1.0' } })).json();
      expect(current).to.not.have.property('url');
      expect(current.supportedInterfaces[0]).to.include({ url: locationUrl, protocolVersion: '1.0' });
    });

    it('answer a 0.3 message/send with a 0.3 task carrying the TaskResult, which tasks/get returns again', async () => {
      const res = await send03(locationUrl, 1, [{ kind: 'text', text: 'where is my phone?' }, { kind: 'data', data: { capabilityId: '/capability/location', supi: SUPI } }]);
      expect(res.status).to.equal(200);
      const task = res.body.result;
      expect(task).to.include({ kind: 'task' });
      expect(task.status.state).to.equal('completed');
      const result = task.artifacts[0].parts.find((part: { kind: string }) => part.kind === 'data').data;
      expect(result).to.include({ state: 'completed', capabilityId: '/capability/location' });
      expect(result.data).to.include({ supi: SUPI, method: 'CELL_ID' });
      const again = await request('POST', locationUrl, { jsonrpc: '2.0', id: 2, method: 'tasks/get', params: { id: task.id } });
      expect(again.body.result).to.include({ kind: 'task', id: task.id });
      expect(again.body.result.status.state).to.equal('completed');
    });

    it('get the same refusals as 1.0 clients: -32008 for what needs a session, -32602 for bad input, -32001 for an unknown task', async () => {
      const qos = agents.capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'qos-agent')!;
      const boost = await send03(qos.a2aUrl!, 3, [{ kind: 'data', data: { capabilityId: '/capability/qos-optimisation', supi: SUPI } }]);
      expect(boost.body.error.code).to.equal(-32008);
      expect(boost.body.error.message).to.contain(SEMANTIC_SESSION_EXTENSION_URI);
      const noSupi = await send03(locationUrl, 4, [{ kind: 'data', data: { capabilityId: '/capability/location' } }]);
      expect(noSupi.body.error.code).to.equal(-32602);
      expect(noSupi.body.error.message).to.match(/needs the subscriber's SUPI/);
      const unknownTask = await request('POST', locationUrl, { jsonrpc: '2.0', id: 5, method: 'tasks/get', params: { id: 'no-such-task' } });
      expect(unknownTask.body.error.code).to.equal(-32001);
    });
  });

  it('answers broken JSON-RPC and unknown agents without falling over, and keeps serving', async () => {
    const broken = await fetch(locationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(broken.status).to.be.below(500);
    const noMethod = await request('POST', locationUrl, { jsonrpc: '2.0', id: 2, method: 'NoSuchMethod', params: {} }, { 'a2a-version': '1.0' });
    expect(noMethod.body.error.code).to.equal(-32601);
    const badParams = await request('POST', locationUrl, { jsonrpc: '2.0', id: 3, method: 'SendMessage', params: { message: 'hello' } }, { 'a2a-version': '1.0' });
    expect(badParams.body.error.code).to.be.oneOf([-32600, -32602]);
    const unknown = await fetch(`${agents.capabilities.url}/a2a/no-such-agent/.well-known/agent-card.json`);
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.contain('application/problem+json');
    const answer = (await send(await clientFor(locationUrl), data({ supi: SUPI }))) as Task;
    expect(answer.status?.state).to.equal(TaskState.TASK_STATE_COMPLETED);
    expect((await request('GET', `${agents.capabilities.url}/healthz`)).status).to.equal(200);
  });

  it('refuses an A2A-Version the card does not list with -32009 and the request\'s id, without logging it as an unhandled error', async () => {
    const printed: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      for (const version of ['2.0', '0.2']) {
        const refused = await request('POST', locationUrl, { jsonrpc: '2.0', id: `v-${version}`, method: 'SendMessage', params: {} }, { 'a2a-version': version });
        expect(refused.status).to.equal(200);
        expect(refused.body.id).to.equal(`v-${version}`);
        expect(refused.body.error.code).to.equal(-32009);
        expect(refused.body.error.message).to.contain(`'${version}'`).and.contain('1.0');
      }
      const unreadable = await fetch(locationUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '2.0' }, body: '{"id": ' });
      const answer = await unreadable.json();
      expect([answer.id, answer.error.code]).to.deep.equal([null, -32009]);
    } finally {
      console.error = consoleError;
    }
    expect(printed).to.deep.equal([]);
    const accepted = await request('POST', locationUrl, { jsonrpc: '2.0', id: 'v-1.0', method: 'GetTask', params: { id: 'no-such-task' } }, { 'a2a-version': '1.0' });
    expect(accepted.body.error.code, 'a listed version goes on to the SDK').to.equal(-32001);
    const empty = await request('POST', locationUrl, { jsonrpc: '2.0', id: 'v-empty', method: 'tasks/get', params: { id: 'no-such-task' } }, { 'a2a-version': '' });
    expect(empty.body.error.code, 'an empty header is none: a 0.3 request').to.equal(-32001);
  });

  it('serves A2A from the NF\'s fast path alone, before express and the SBI app (as listenNf runs it)', async () => {
    const fastPath = agents.capabilities.handle.fastPath!;
    const server = createServer((req, res) => fastPath(req, res, () => {
      res.statusCode = 418;
      res.end();
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const card = await fetch(`${base}/a2a/location-agent/.well-known/agent-card.json`);
      expect(card.status).to.equal(200);
      expect((await card.json()).name).to.equal('location-agent');
      expect((await fetch(`${base}/healthz`)).status).to.equal(418);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('gives the intent agent a card too, whose intent skill needs a session', async () => {
    const intent = agents.intent.handle.service.listHostedAgents()[0];
    const card = await new DefaultAgentCardResolver().resolve(`${intent.a2aUrl}/`);
    expect(card.skills.map((skill) => skill.id)).to.deep.equal(['/capability/intent-recognition']);
    const error = await refusal(send(await clientFor(intent.a2aUrl!), text('boost my video'), data({ supi: SUPI })));
    expect(error.envelopeCode).to.equal(-32008);
  });
});
