/**
 * AGW semantic routing (nagw-route) over HTTP to real agent servers on 127.0.0.1: instance choice
 * by load, fail-over within one request (instance killed mid-request, 500, timeout), no instance,
 * policy and the agent's own refusals. Each test routes to a capability no other test uses.
 */
import { expect } from 'chai';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acme, registerAgent, startTestCore, type TestCore, asRegistrant } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

type Behaviour = 'ok' | 'die' | 'fail' | 'slow' | 'drip' | 'huge' | 'not-found' | 'unprocessable' | 'overloaded' | 'list' | 'redirect';

interface AgentServer {
  name: string;
  url: string;
  /** Requests received in full (the body read). */
  requests: number;
  close(): Promise<void>;
}

const servers: AgentServer[] = [];
/** Where a 'redirect' agent sends its callers. */
let redirectTarget = 'http://127.0.0.1:9/';

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A small agent answering POSTs as told; 'die' kills the server with the accepted request in flight. */
async function startAgentServer(name: string, behaviour: Behaviour): Promise<AgentServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      agent.requests += 1;
      if (behaviour === 'ok') reply(res, 200, { servedBy: name, received: JSON.parse(text || 'null') });
      if (behaviour === 'fail') reply(res, 500, { detail: `${name} crashed` });
      if (behaviour === 'not-found') reply(res, 404, { detail: 'no UE with this SUPI here' });
      if (behaviour === 'unprocessable') reply(res, 422, { detail: 'parameter ueId is missing' });
      if (behaviour === 'overloaded') reply(res, 429, { detail: 'too many requests' });
      if (behaviour === 'list') reply(res, 200, [name, 'second item']);
      if (behaviour === 'redirect') {
        res.writeHead(307, { location: redirectTarget });
        res.end();
      }
      if (behaviour === 'slow') timers.add(setTimeout(() => reply(res, 200, { servedBy: name }), 3000));
      if (behaviour === 'drip') {
        // The headers at once, then the body a byte every 100 ms for about 4 s.
        res.writeHead(200, { 'content-type': 'application/json' });
        const body = JSON.stringify({ servedBy: name, padding: 'x'.repeat(20) });
        let sent = 0;
        const drip = setInterval(() => {
          res.write(body[sent]);
          sent += 1;
          if (sent === body.length) {
            clearInterval(drip);
            res.end();
          }
        }, 100);
        timers.add(drip);
      }
      if (behaviour === 'huge') reply(res, 200, { servedBy: name, padding: 'x'.repeat(2 * 1024 * 1024) });
      if (behaviour === 'die') {
        server.close();
        server.closeAllConnections();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent: AgentServer = {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(agent);
  return agent;
}

describe('AGW semantic routing (nagw-route)', function () {
  this.timeout(30_000);
  let core: TestCore;
  let capabilityCount = 0;

  before(async () => {
    core = await startTestCore({ agw: { settings: { routingTimeoutMs: 300 } } });
    // Taxonomy entries of this test's own, for tests beyond the seed's unused capabilities.
    for (const name of extra) {
      const res = await request('PUT', `${core.agwUrl}/nagw-tax/v1/capabilities/${name}`, { name, description: `Routing test capability ${name}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  after(async () => core?.close());

  /** A capability of the seed taxonomy no other test's agents hold (billing-plan is the requester's). */
  const extra = ['routing-test-a', 'routing-test-b', 'routing-test-c', 'routing-test-d', 'routing-test-e', 'routing-test-f', 'routing-test-g', 'routing-test-h'];
  const unused = ['qos-optimisation', 'network-diagnosis', 'location', 'cell-load-analytics', 'root-cause-analysis', 'fault-handling', 'e2e-testing', 'data-preprocessing', 'knowledge-qa', ...extra];
  function freshCapability(): string {
    const name = unused[capabilityCount++];
    expect(name, 'an unused capability is left').to.be.a('string');
    return name;
  }

  /** Starts one agent server per spec, registers it for the capability and reports its load. */
  async function instances(capability: string, specs: Array<{ behaviour: Behaviour; load: number }>) {
    return Promise.all(
      specs.map(async ({ behaviour, load }, index) => {
        const server = await startAgentServer(`${capability}-${index}`, behaviour);
        const res = await registerAgent(core.agwUrl, { name: `${capability}-${index}`, capabilities: [`/capability/${capability}`], a2aUrl: `${server.url}/a2a`, invokeUrl: `${server.url}/invoke` });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        const aic = res.body.aic as string;
        expect((await heartbeat(aic, load)).status).to.equal(204);
        return { server, aic };
      }),
    );
  }

  const heartbeat = (aic: string, load: number) => request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${aic}/heartbeat`, { load }, asRegistrant(aic));
  const route = (capability: string, body: unknown = { ueId: 'imsi-001010000000001' }, query = '') => request('POST', `${core.agwUrl}/nagw-route/v1/capability/${capability}${query}`, body);

  async function lastRoutingEvent(aic: string) {
    const res = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=routing.decided&aic=${aic}`);
    expect(res.status).to.equal(200);
    expect(res.body, `a routing.decided event for ${aic}`).to.have.length.greaterThan(0);
    return res.body[0];
  }

  it('forwards to the instance reporting the lower load and names it in x-served-by-aic', async () => {
    const capability = freshCapability();
    const [busy, idle] = await instances(capability, [{ behaviour: 'ok', load: 60 }, { behaviour: 'ok', load: 10 }]);
    const res = await route(capability, { ask: 'boost' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.headers.get('x-served-by-aic')).to.equal(idle.aic);
    expect(res.body).to.deep.equal({ servedBy: idle.server.name, received: { ask: 'boost' } });
    expect(busy.server.requests).to.equal(0);

    // The loads reported change, and so does the choice.
    expect((await heartbeat(busy.aic, 0)).status).to.equal(204);
    const again = await route(capability);
    expect(again.headers.get('x-served-by-aic')).to.equal(busy.aic);
    const event = await lastRoutingEvent(busy.aic);
    expect(event).to.include({ outcome: 'success', capabilityId: `/capability/${capability}` });
    expect(event.detail).to.include({ failover: false, attempts: 1 });
  });

  it('has equally loaded instances take turns for requests sent one at a time', async () => {
    const capability = freshCapability();
    const registered = await instances(capability, [{ behaviour: 'ok', load: 20 }, { behaviour: 'ok', load: 20 }, { behaviour: 'ok', load: 20 }]);
    const servedBy: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await route(capability);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      servedBy.push(res.headers.get('x-served-by-aic')!);
    }
    // Each instance once in the first three turns, and again in the same order.
    expect([...servedBy.slice(0, 3)].sort()).to.deep.equal(registered.map(({ aic }) => aic).sort());
    expect(servedBy.slice(3)).to.deep.equal(servedBy.slice(0, 3));
    for (const { server } of registered) expect(server.requests).to.equal(2);
  });

  it('answers 200 from the other instance when the preferred one is killed with the request in flight', async () => {
    const capability = freshCapability();
    const [dying, healthy] = await instances(capability, [{ behaviour: 'die', load: 0 }, { behaviour: 'ok', load: 50 }]);
    const res = await route(capability);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(dying.server.requests, 'the preferred instance accepted the request').to.equal(1);
    expect(res.headers.get('x-served-by-aic')).to.equal(healthy.aic);
    expect(res.body.servedBy).to.equal(healthy.server.name);
    const event = await lastRoutingEvent(healthy.aic);
    expect(event.detail).to.include({ failover: true, attempts: 2 });
    expect(event.detail.failed.map((failure: { aic: string }) => failure.aic)).to.deep.equal([dying.aic]);
  });

  // Failures of the instance, not of the request: a 5xx; 429, overloaded (RFC 6585 section 4);
  // and a timeout of the whole answer, which headers sent at once do not stop.
  const failingInstances = [
    ['fail', 'answering 500', /^answered 500$/],
    ['overloaded', 'answering 429', /^answered 429$/],
    ['slow', 'slower than routingTimeoutMs (300 ms)', /no whole answer within 300 ms/],
    ['drip', 'that sends its answer a byte at a time, past routingTimeoutMs', /no whole answer within 300 ms/],
    ['huge', 'whose answer is larger than 1 MiB', /maxContentLength/],
  ] as const;
  for (const [behaviour, what, failure] of failingInstances) {
    it(`fails over from an instance ${what}, to the next one within the same request`, async () => {
      const capability = freshCapability();
      const [failing, healthy] = await instances(capability, [{ behaviour, load: 0 }, { behaviour: 'ok', load: 50 }]);
      const res = await route(capability);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(failing.server.requests).to.equal(1);
      expect(res.headers.get('x-served-by-aic')).to.equal(healthy.aic);
      const { detail } = await lastRoutingEvent(healthy.aic);
      expect(detail).to.include({ failover: true, attempts: 2 });
      expect(detail.failed.map((failed: { aic: string }) => failed.aic)).to.deep.equal([failing.aic]);
      expect(detail.failed[0].failure).to.match(failure);
    });
  }

  it('tries an instance that failed lately after the others, though it is the least loaded, and still tries it last', async () => {
    const capability = freshCapability();
    const [failing, healthy] = await instances(capability, [{ behaviour: 'fail', load: 0 }, { behaviour: 'ok', load: 50 }]);
    const first = await route(capability);
    expect([first.status, first.headers.get('x-served-by-aic')]).to.deep.equal([200, healthy.aic]);
    expect(failing.server.requests).to.equal(1);
    // The next requests go to the healthy instance first, without spending an attempt on the other.
    for (let i = 0; i < 3; i += 1) {
      const res = await route(capability);
      expect([res.status, res.headers.get('x-served-by-aic')]).to.deep.equal([200, healthy.aic]);
      expect((await lastRoutingEvent(healthy.aic)).detail).to.include({ failover: false, attempts: 1 });
    }
    expect(failing.server.requests).to.equal(1);
    // Held, not dropped: with the healthy one gone, it is still tried, after it.
    await healthy.server.close();
    const res = await route(capability);
    expect([res.status, res.body.cause]).to.deep.equal([503, 'NO_AVAILABLE_INSTANCE']);
    expect(failing.server.requests).to.equal(2);
    const [healthyAt, failingAt] = [res.body.detail.indexOf(healthy.aic), res.body.detail.indexOf(failing.aic)];
    expect(healthyAt, 'both tried').to.be.at.least(0);
    expect(healthyAt).to.be.lessThan(failingAt);
  });

  it('answers 503 NO_AVAILABLE_INSTANCE when every instance is down', async () => {
    const capability = freshCapability();
    const registered = await instances(capability, [{ behaviour: 'ok', load: 0 }, { behaviour: 'ok', load: 10 }]);
    await Promise.all(registered.map(({ server }) => server.close()));
    const requester = registered[0].aic;
    const res = await route(capability, undefined, `?requester-aic=${requester}`);
    expect(res.status).to.equal(503);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.cause).to.equal('NO_AVAILABLE_INSTANCE');
    for (const { aic } of registered) expect(res.body.detail).to.contain(aic);
    // No instance served it: the event is found by its requester.
    expect(await lastRoutingEvent(requester)).to.deep.include({ outcome: 'failure', cause: 'NO_AVAILABLE_INSTANCE', capabilityId: `/capability/${capability}` });
  });

  it('answers 404 for a capability that is not in the taxonomy, and records it by its requester', async () => {
    const [{ aic: requester }] = await instances(freshCapability(), [{ behaviour: 'ok', load: 0 }]);
    const res = await route('teleportation', undefined, `?requester-aic=${requester}`);
    expect(res.status).to.equal(404);
    expect(res.body.cause).to.equal('UNKNOWN_CAPABILITY');
    expect(await lastRoutingEvent(requester)).to.include({ outcome: 'refused', cause: 'UNKNOWN_CAPABILITY', capabilityId: '/capability/teleportation' });
  });

  it('answers 403 naming the rule when policy denies invoking the capability to the requester, and forwards nothing', async () => {
    const capability = freshCapability();
    const [only] = await instances(capability, [{ behaviour: 'ok', load: 0 }]);
    const requester = await registerAgent(core.agwUrl, { provider: acme, name: 'acme-caller', capabilities: ['/capability/billing-plan'] });
    expect(requester.status).to.equal(201);
    const ruleUrl = `${core.agwUrl}/nagw-pol/v1/rules/deny-acme-invoke`;
    const put = await request('PUT', ruleUrl, { effect: 'DENY', subject: { providerId: 'acme-agents' }, capabilityId: `/capability/${capability}`, actions: ['invoke'] });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    try {
      const denied = await route(capability, {}, `?requester-aic=${requester.body.aic}`);
      expect(denied.status).to.equal(403);
      expect(denied.body.cause).to.equal('POLICY_DENIED');
      expect(denied.body.detail).to.contain('deny-acme-invoke');
      expect(only.server.requests).to.equal(0);
      expect((await route(capability)).status, 'a requester the rule is not about').to.equal(200);

      // The same decision, asked directly (as the SMF asks before a session), and recorded as an event.
      const decisions = `${core.agwUrl}/nagw-pol/v1/decisions?requester-aic=${requester.body.aic}&capability-id=${encodeURIComponent(`/capability/${capability}`)}`;
      const invoke = await request('GET', `${decisions}&action=invoke`);
      expect(invoke.status).to.equal(200);
      expect(invoke.body).to.deep.equal({ allowed: false, ruleId: 'deny-acme-invoke', requesterAic: requester.body.aic, capabilityId: `/capability/${capability}`, action: 'invoke' });
      expect((await request('GET', `${decisions}&action=discover`)).body.allowed, 'the rule is about invoke only').to.equal(true);
      const unencoded = await request('GET', `${core.agwUrl}/nagw-pol/v1/decisions?requester-aic=${requester.body.aic}&capability-id=/capability/${capability}&action=invoke`);
      expect(unencoded.body, 'slashes may stand unencoded in the query, as in discovery').to.deep.include({ allowed: false });
      const events = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=policy.denied&aic=${requester.body.aic}`);
      expect(events.body.map((event: { detail?: { ruleId?: string } }) => event.detail?.ruleId)).to.include('deny-acme-invoke');
      for (const bad of [`${decisions}&action=delete`, decisions, `${core.agwUrl}/nagw-pol/v1/decisions?requester-aic=not-an-aic&capability-id=x&action=invoke`]) {
        const refused = await request('GET', bad);
        expect(refused.status, bad).to.equal(400);
        expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
      }
    } finally {
      await request('DELETE', ruleUrl);
    }
  });

  it("answers the agent's own 4xx as a problem+json with cause AGENT_REFUSED, without failing over", async () => {
    const capability = freshCapability();
    const [refusing, other] = await instances(capability, [{ behaviour: 'not-found', load: 0 }, { behaviour: 'ok', load: 50 }]);
    const res = await route(capability);
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.cause).to.equal('AGENT_REFUSED');
    expect(res.body.detail).to.contain(refusing.aic).and.contain('no UE with this SUPI here');
    expect(res.headers.get('x-served-by-aic')).to.equal(refusing.aic);
    expect(other.server.requests).to.equal(0);
  });

  it('spends a call token only when an instance is there to take it: routed to none, it may be sent again', async () => {
    const capability = freshCapability();
    const holder = await registerAgent(core.agwUrl, { name: 'token-holder', capabilities: ['/capability/billing-plan'] });
    expect(holder.status).to.equal(201);
    // The gateway reads a call token's issuer and jti without verifying it (the agent verifies it).
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'ES256' })}.${part({ iss: holder.body.aic, jti: 'jti-routed-to-none', exp: Math.floor(Date.now() / 1000) + 60 })}.c2ln`;
    const call = () => request('POST', `${core.agwUrl}/nagw-route/v1/capability/${capability}`, { ueId: 'imsi-001010000000001' }, { authorization: `Bearer ${token}` });
    expect((await call()).status, 'no instance yet').to.equal(503);
    await instances(capability, [{ behaviour: 'ok', load: 0 }]);
    expect((await call()).status, 'the same token, now forwarded').to.equal(200);
    const replay = await call();
    expect([replay.status, replay.body.cause, replay.headers.get('www-authenticate')]).to.deep.equal([401, 'REPLAYED_TOKEN', 'Bearer error="invalid_token"']);
  });

  it('wraps an answer that is not a JSON object (a list) as { result }, as the operation declares', async () => {
    const capability = freshCapability();
    await instances(capability, [{ behaviour: 'list', load: 0 }]);
    const res = await route(capability);
    expect([res.status, res.body], JSON.stringify(res.body)).to.deep.equal([200, { result: [`${capability}-0`, 'second item'] }]);
  });

  it("does not follow an agent's redirect (the call token and task go only to registered URLs) and fails over from it", async () => {
    const capability = freshCapability();
    const elsewhere = await startAgentServer('elsewhere', 'ok');
    redirectTarget = `${elsewhere.url}/invoke`;
    const [redirecting, other] = await instances(capability, [{ behaviour: 'redirect', load: 0 }, { behaviour: 'ok', load: 50 }]);
    const res = await route(capability);
    expect([res.status, res.headers.get('x-served-by-aic')], JSON.stringify(res.body)).to.deep.equal([200, other.aic]);
    expect([redirecting.server.requests, elsewhere.requests, other.server.requests]).to.deep.equal([1, 0, 1]);
  });

  it('answers an agent 4xx the gateway does not relay as such (422) as 400 AGENT_REFUSED', async () => {
    const capability = freshCapability();
    await instances(capability, [{ behaviour: 'unprocessable', load: 0 }]);
    const res = await route(capability);
    expect(res.status).to.equal(400);
    expect(res.body.cause).to.equal('AGENT_REFUSED');
    expect(res.body.detail).to.contain('parameter ueId is missing');
  });
});

describe('AGW semantic routing: an instance held for a failure', function () {
  this.timeout(30_000);
  let core: TestCore;
  before(async () => {
    core = await startTestCore({ agw: { settings: { routingTimeoutMs: 300, routingFailureHoldSeconds: 1 } } });
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  after(async () => core?.close());

  it('is tried first again, as the least loaded, once routingFailureHoldSeconds have passed', async () => {
    const capability = 'location';
    const started = await Promise.all(
      (['fail', 'ok'] as const).map(async (behaviour, index) => {
        const server = await startAgentServer(`${capability}-${index}`, behaviour);
        const res = await registerAgent(core.agwUrl, { name: `${capability}-${index}`, capabilities: [`/capability/${capability}`], a2aUrl: `${server.url}/a2a`, invokeUrl: `${server.url}/invoke` });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect((await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${res.body.aic}/heartbeat`, { load: index * 50 }, asRegistrant(res.body.aic))).status).to.equal(204);
        return server;
      }),
    );
    const route = () => request('POST', `${core.agwUrl}/nagw-route/v1/capability/${capability}`, { ueId: 'imsi-001010000000001' });
    expect((await route()).status).to.equal(200);
    expect((await route()).status).to.equal(200);
    expect(started[0].requests, 'held after its failure').to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await route()).status).to.equal(200);
    expect(started[0].requests, 'tried first again').to.equal(2);
  });
});
