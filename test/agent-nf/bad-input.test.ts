import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgents } from '../support/agent-nf-harness.ts';
import { request } from '../support/nrf-harness.ts';

const SUPI = 'imsi-001010000000009';
const tip = '/nagent-tip/v1';

describe('NF with agents: bad input gets the same clear refusal on the fast path as through express', function () {
  this.timeout(30_000);
  let core: TestCore;
  let agents: Awaited<ReturnType<typeof startTestAgents>>;
  let expressOnly: Server;
  let expressUrl: string;

  before(async () => {
    core = await startTestCore({ smf: true });
    agents = await startTestAgents(core);
    // The same app without its fast path: the reference behaviour.
    expressOnly = createServer(agents.capabilities.handle.app);
    await new Promise<void>((resolve) => expressOnly.listen(0, '127.0.0.1', resolve));
    expressUrl = `http://127.0.0.1:${(expressOnly.address() as AddressInfo).port}`;
  });
  after(async () => {
    expressOnly.close();
    await agents.close();
    await core.close();
  });

  const cases: Array<{ name: string; path: string; body: unknown; headers?: Record<string, string>; status: number; param?: string; challenge?: string }> = [
    { name: 'an intent without supi', path: `${tip}/agents/intent-agent/intents`, body: { text: 'where am I', ueAic: '1.2.156.3088.1.2.1.1.1.0O41' }, status: 400, param: '/supi' },
    { name: 'an empty intent text', path: `${tip}/agents/intent-agent/intents`, body: { supi: SUPI, text: '' }, status: 400, param: '/text' },
    { name: 'a 100 KB intent text', path: `${tip}/agents/intent-agent/intents`, body: { supi: SUPI, text: 'a'.repeat(100_000) }, status: 400, param: '/text' },
    { name: 'an unknown member', path: `${tip}/agents/intent-agent/intents`, body: { supi: SUPI, text: 'hi', admin: true }, status: 400, param: '/admin' },
    { name: 'a malformed SUPI', path: `${tip}/agents/intent-agent/intents`, body: { supi: 'imsi-12', text: 'hi' }, status: 400, param: '/supi' },
    { name: 'an intent with an Authorization over its maxLength', path: `${tip}/agents/intent-agent/intents`, body: { supi: SUPI, text: 'where am I' }, headers: { authorization: `Bearer ${'a'.repeat(9000)}` }, status: 400, param: 'header authorization' },
    { name: 'a task call with an Authorization over its maxLength', path: `${tip}/agents/qos-agent/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, headers: { authorization: `Bearer ${'a'.repeat(9000)}` }, status: 400, param: 'header authorization' },
    { name: 'a task call with an agw-forwarded over its maxLength', path: `${tip}/agents/qos-agent/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, headers: { authorization: 'Bearer a.b.c', 'agw-forwarded': 'x'.repeat(5000) }, status: 400, param: 'header agw-forwarded' },
    { name: 'a task call without Authorization', path: `${tip}/agents/qos-agent/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, status: 401, challenge: 'Bearer' },
    { name: 'a task call with another scheme', path: `${tip}/agents/qos-agent/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, headers: { authorization: 'Basic YTpi' }, status: 401, challenge: 'Bearer' },
    { name: 'a task call with a token that is not a JWS', path: `${tip}/agents/qos-agent/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, headers: { authorization: 'Bearer abc' }, status: 401, challenge: 'Bearer error="invalid_token"' },
    { name: 'a task for an agent this NF does not host', path: `${tip}/agents/nobody/tasks`, body: { taskId: 't', intentId: 'i', capabilityId: '/capability/qos-optimisation', parameters: {} }, headers: { authorization: 'Bearer a.b.c' }, status: 404 },
  ];

  for (const testCase of cases) {
    it(`refuses ${testCase.name} with ${testCase.status}${testCase.param ? ` naming ${testCase.param}` : ''}, as express does`, async () => {
      const nfUrl = testCase.path.includes('/intents') ? agents.intent.url : agents.capabilities.url;
      const fast = await request('POST', `${nfUrl}${testCase.path}`, testCase.body, testCase.headers);
      expect(fast.status).to.equal(testCase.status);
      expect(fast.headers.get('content-type')).to.match(/application\/problem\+json/);
      if (testCase.param) expect(fast.body.invalidParams.map((p: { param: string }) => p.param)).to.include(testCase.param);
      expect(fast.headers.get('www-authenticate')).to.equal(testCase.challenge ?? null);
      if (testCase.status === 400 || !testCase.path.includes('/intents')) {
        const reference = await request('POST', `${expressUrl}${testCase.path}`, testCase.body, testCase.headers);
        expect({ ...fast.body, instance: undefined }).to.deep.equal({ ...reference.body, instance: undefined });
      }
    });
  }

  it('refuses an intent with both text and operatorIntent, and one with neither', async () => {
    const url = `${agents.intent.url}${tip}/agents/intent-agent/intents`;
    const both = await request('POST', url, { supi: SUPI, text: 'where am I', operatorIntent: { intentExpectations: [{ expectationId: 'e', expectationVerb: 'DELIVER', expectationObject: { objectType: 'UE_Location' } }] } });
    expect(both.status).to.equal(400);
    const neither = await request('POST', url, { supi: SUPI, ueAic: '1.2.156.3088.1.2.1.1.1.0O41' });
    expect(neither.status).to.equal(400);
  });

  it('answers an intent that is not JSON with 400 and keeps serving', async () => {
    const res = await fetch(`${agents.intent.url}${tip}/agents/intent-agent/intents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"supi":' });
    expect(res.status).to.equal(400);
    const after = await request('POST', `${agents.intent.url}${tip}/agents/intent-agent/intents`, { supi: SUPI, text: 'where am I' });
    expect(after.body.outcome).to.equal('completed');
  });
});
