import { expect } from 'chai';
import { registerAgent } from '../support/core-harness.ts';
import { refusalProbe, type BadRequest } from '../support/malformed-requests.ts';
import { request } from '../support/nrf-harness.ts';
import { startTestSmfCore, type TestSmfCore } from '../support/smf-harness.ts';
import { registerIdentity, smfAuthorization } from '../support/smf-caller.ts';

const json = 'application/json';

describe('SMF bad input: 4xx problem+json and nothing stored', () => {
  let core: TestSmfCore;
  let initiator: string;
  let target: string;
  let sessionId: string;
  const probe = refusalProbe(() => core.sessionsApi);
  const count = () => core.store.collection('smf.sessions').countDocuments({});
  const valid = () => ({ initiatorAic: initiator, targetAic: target, capabilityId: '/capability/qos-optimisation', qos: { priority: 2, latencyBudgetMs: 100 }, scope: ['invoke'] });
  const post = (path: string, body: unknown): BadRequest => ({ label: path, method: 'POST', path, contentType: json, body: JSON.stringify(body) });

  before(async () => {
    core = await startTestSmfCore();
    const agent = await registerIdentity(core.agwUrl, { name: 'intent-agent', kind: 'nf-agent', capabilities: ['/capability/intent-recognition'] });
    initiator = agent.aic;
    target = (await registerAgent(core.agwUrl, { name: 'qos-agent' })).body.aic;
    const created = await request('POST', `${core.sessionsApi}/sessions`, valid(), { authorization: await smfAuthorization(agent, 'CreateAgentSession', target, valid().capabilityId) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    sessionId = created.body.sessionId;
  });
  after(async () => {
    await core.close();
  });

  it('refuses malformed session creations with 4xx problem+json and stores no session', async () => {
    const before = await count();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['malformed initiator AIC', { ...valid(), initiatorAic: 'not an aic!' }],
      ['malformed target AIC', { ...valid(), targetAic: 'x'.repeat(70) }],
      ['unknown top-level field', { ...valid(), admin: true }],
      ['unknown QoS field', { ...valid(), qos: { priority: 2, latencyBudgetMs: 100, fiveQi: 9 } }],
      ['priority out of range', { ...valid(), qos: { priority: 16, latencyBudgetMs: 100 } }],
      ['no latency budget', { ...valid(), qos: { priority: 2 } }],
      ['empty scope', { ...valid(), scope: [] }],
      ['unknown operation', { ...valid(), scope: ['invoke', 'admin'] }],
      ['repeated operation', { ...valid(), scope: ['invoke', 'invoke'] }],
      ['capability not a taxonomy id', { ...valid(), capabilityId: 'qos' }],
      ['callback without a host', { ...valid(), notificationUris: { initiator: 'http://' } }],
      ['callback of another scheme', { ...valid(), notificationUris: { target: 'file:///etc/passwd' } }],
      ['unknown callback role', { ...valid(), notificationUris: { operator: 'http://127.0.0.1:9/x' } }],
      ['missing target', { ...valid(), targetAic: undefined }],
      ['same agent on both ends', { ...valid(), targetAic: initiator }],
    ];
    for (const [label, body] of cases) await probe.refused({ ...post('/sessions', JSON.parse(JSON.stringify(body))), label });
    await probe.refused({ label: 'huge body', method: 'POST', path: '/sessions', contentType: json, body: '{"initiatorAic":"', padding: 200_000, suffix: '"}' });
    await probe.refused({ label: 'not JSON', method: 'POST', path: '/sessions', contentType: json, body: '{"initiatorAic":' });
    await probe.refused({ label: 'no content-type', method: 'POST', path: '/sessions', body: JSON.stringify(valid()) });
    await probe.refused({ label: 'deep nesting', method: 'POST', path: '/sessions', contentType: json, body: '{"qos":' + '['.repeat(100) + ']'.repeat(100) + '}' });
    await probe.refused({ label: 'wrong method', method: 'PUT', path: '/sessions', contentType: json, body: '{}', allow: true });
    expect(await count()).to.equal(before);
  });

  it('refuses malformed operations on a session and leaves it unchanged', async () => {
    const stored = await core.store.collection('smf.sessions').findOne({ _id: sessionId });
    await probe.refused({ label: 'not a uuid', method: 'GET', path: '/sessions/not-a-uuid' });
    await probe.refused(post('/sessions/not-a-uuid/establish', { reportedBy: target }));
    await probe.refused(post(`/sessions/${sessionId}/establish`, { reportedBy: 'bad aic' }));
    await probe.refused(post(`/sessions/${sessionId}/establish`, { reportedBy: target, extra: 1 }));
    await probe.refused(post(`/sessions/${sessionId}/modify`, { requestedBy: initiator }));
    await probe.refused(post(`/sessions/${sessionId}/modify`, { requestedBy: initiator, qos: { priority: 0, latencyBudgetMs: 1 } }));
    await probe.refused(post(`/sessions/${sessionId}/release`, { requestedBy: initiator, cause: 'lower case' }));
    await probe.refused(post(`/sessions/${sessionId}/release`, {}));
    await probe.refused({ label: 'delete', method: 'DELETE', path: `/sessions/${sessionId}`, allow: true });
    await probe.refused({ label: 'bad state filter', method: 'GET', path: '/sessions?state=OPEN' });
    await probe.refused({ label: 'bad limit', method: 'GET', path: '/sessions?limit=0' });
    await probe.refused({ label: 'unknown query', method: 'GET', path: '/sessions?owner=me' });
    expect(await core.store.collection('smf.sessions').findOne({ _id: sessionId })).to.deep.equal(stored);
  });
});
