import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { asRegistrant, operatorAmf, registerAgent } from '../support/core-harness.ts';
import { testClock } from '../support/amf-harness.ts';
import { startNotificationSink, type NotificationSink } from '../support/notification-sink.ts';
import { request } from '../support/nrf-harness.ts';
import { until } from '../support/until.ts';
import { startTestSmfCore, type TestSmfCore } from '../support/smf-harness.ts';
import { operationOf, registerIdentity, smfAuthorization } from '../support/smf-caller.ts';
import type { AgentIdentity } from '../../nfs/shared/agent-auth.ts';

const qosCap = '/capability/qos-optimisation';
const ueMeasurement = '/capability/ue-measurement';
const qos = { priority: 3, latencyBudgetMs: 50, guaranteedMbps: 10 };

describe('SMF agent-to-agent sessions (nsmf-agentsession)', () => {
  const clock = testClock();
  let core: TestSmfCore;
  let sink: NotificationSink;
  let targetSink: NotificationSink;
  let initiator: string;
  let target: string;
  let noCapTarget: string;

  /** Every registered agent's identity, so each call can be signed by the agent it names. */
  const identities = new Map<string, AgentIdentity>();
  const register = async (input: Parameters<typeof registerAgent>[1]) => {
    const identity = await registerIdentity(core.agwUrl, input);
    identities.set(identity.aic, identity);
    return identity.aic;
  };
  /** Create, signed by the initiator the body names. */
  const create = async (body: Record<string, unknown>) => {
    const signer = identities.get(String(body.initiatorAic)) ?? identities.get(initiator)!;
    return request('POST', `${core.sessionsApi}/sessions`, body, { authorization: await smfAuthorization(signer, 'CreateAgentSession', String(body.targetAic), String(body.capabilityId ?? qosCap)) });
  };
  const sessionBody = (overrides: Record<string, unknown> = {}) => ({ initiatorAic: initiator, targetAic: target, capabilityId: qosCap, qos, scope: ['invoke', 'stream'], ...overrides });
  const count = () => core.store.collection('smf.sessions').countDocuments({});
  /** An operation on a session, signed by the agent the body names (reportedBy or requestedBy). */
  const act = async (id: string, action: string, body: { reportedBy?: string; requestedBy?: string } & Record<string, unknown>, capabilityId = qosCap) => {
    const agent = identities.get((body.reportedBy ?? body.requestedBy)!)!;
    return request('POST', `${core.sessionsApi}/sessions/${id}/${action}`, body, { authorization: await smfAuthorization(agent, operationOf[action], id, capabilityId) });
  };

  before(async () => {
    // The AGW reads the real clock for liveness; the SMF reads the test clock for session expiry.
    core = await startTestSmfCore({ smf: { now: clock.now } });
    sink = await startNotificationSink();
    targetSink = await startNotificationSink();
    initiator = await register({ name: 'intent-agent', kind: 'nf-agent', capabilities: ['/capability/intent-recognition'] });
    target = await register({ name: 'qos-agent', capabilities: [qosCap] });
    noCapTarget = await register({ name: 'diagnosis-agent', capabilities: ['/capability/network-diagnosis'] });
  });
  after(async () => {
    await core.close();
    await sink.close();
    await targetSink.close();
  });

  describe('create and the authorization artifact', () => {
    it('creates a PENDING session whose artifact verifies with the published JWKS and carries the claims', async () => {
      const res = await create(sessionBody());
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const session = res.body;
      expect(session.state).to.equal('PENDING');
      expect(res.headers.get('location')).to.equal(`${core.sessionsApi}/sessions/${session.sessionId}`);
      const jwks = (await request('GET', `${core.sessionsApi}/jwks`)).body;
      const { payload, protectedHeader } = await jwtVerify(session.artifact, createLocalJWKSet(jwks), {
        algorithms: ['ES256'],
        audience: target,
        issuer: core.smf.nfInstanceId,
        subject: initiator,
        typ: 'dmsc-session+jwt',
        currentDate: new Date(clock.now()),
      });
      expect(protectedHeader.kid).to.equal(jwks.keys[0].kid);
      expect(payload.sid).to.equal(session.sessionId);
      expect(payload.cap).to.equal(qosCap);
      expect(payload.scope).to.deep.equal(['invoke', 'stream']);
      expect(payload.qos).to.deep.equal(qos);
      expect(payload.jti).to.equal(session.artifactId);
      expect(payload.exp! - payload.iat!).to.equal(300);
      expect(Math.floor(new Date(session.expiresAt).getTime() / 1000)).to.equal(payload.exp);
    });

    it('refuses a forged artifact: a changed claim no longer verifies', async () => {
      const { body } = await create(sessionBody());
      const [header, payload, signature] = (body.artifact as string).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = [header, Buffer.from(JSON.stringify({ ...claims, cap: '/capability/location' })).toString('base64url'), signature].join('.');
      const jwks = (await request('GET', `${core.sessionsApi}/jwks`)).body;
      expect(decodeProtectedHeader(forged).alg).to.equal('ES256');
      let failed = false;
      await jwtVerify(forged, createLocalJWKSet(jwks), { currentDate: new Date(clock.now()) }).catch(() => (failed = true));
      expect(failed).to.equal(true);
    });
  });

  describe('admission refusals store nothing', () => {
    const refused = async (body: Record<string, unknown>, status: number, cause: string) => {
      const before = await count();
      const res = await create(body);
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.cause).to.equal(cause);
      expect(res.body.detail).to.be.a('string').that.is.not.empty;
      expect(await count()).to.equal(before);
    };

    it('answers 404 for an unknown target, and 403 to a deregistered initiator (deregistration revoked its credential)', async () => {
      const gone = await registerAgent(core.agwUrl, { name: 'gone-agent' });
      const { body } = gone;
      identities.set(body.aic, { aic: body.aic, certificatePem: body.certificatePem, privateKey: gone.key.keys.privateKey });
      await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
      await refused(sessionBody({ targetAic: body.aic }), 404, 'TARGET_AGENT_NOT_FOUND');
      // The proof is checked before the AGW is asked: a deregistered agent cannot prove itself.
      await refused(sessionBody({ initiatorAic: body.aic }), 403, 'CREDENTIAL_REVOKED');
    });

    it('answers 403 CAPABILITY_NOT_HELD for a target without the capability', async () => {
      await refused(sessionBody({ targetAic: noCapTarget }), 403, 'CAPABILITY_NOT_HELD');
    });

    it('answers 409 TARGET_NOT_REACHABLE for a UE agent in CM-IDLE and creates once it is CM-CONNECTED', async () => {
      const ue = await register({ provider: operatorAmf, name: 'ue-agent-1', kind: 'ue-agent', description: 'Measures on the device', capabilities: [ueMeasurement], onBehalfOf: { supi: 'imsi-001010000000001', cmState: 'CM-CONNECTED' } });
      const body = sessionBody({ targetAic: ue, capabilityId: ueMeasurement, scope: ['query'] });
      expect((await create(body)).status).to.equal(201);
      expect((await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${ue}/ue-state`, { cmState: 'CM-IDLE' }, asRegistrant(ue))).status).to.equal(204);
      await refused(body, 409, 'TARGET_NOT_REACHABLE');
    });

    it('answers 403 POLICY_DENIED when an AGW policy rule denies the initiator', async () => {
      const rule = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/deny-intent-agent`, { effect: 'DENY', priority: 500, subject: { aic: initiator }, capabilityId: qosCap, actions: ['discover'] });
      expect(rule.status, JSON.stringify(rule.body)).to.equal(201);
      try {
        await refused(sessionBody(), 403, 'POLICY_DENIED');
      } finally {
        await request('DELETE', `${core.agwUrl}/nagw-pol/v1/rules/deny-intent-agent`);
      }
      expect((await create(sessionBody())).status).to.equal(201);
    });

    it('answers 403 POLICY_DENIED naming the rule when an invoke rule denies the capability, though discovery would answer the target', async () => {
      const rule = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/no-invoke-qos`, { effect: 'DENY', priority: 500, subject: { aic: initiator }, capabilityId: qosCap, actions: ['invoke'] });
      expect(rule.status, JSON.stringify(rule.body)).to.equal(201);
      try {
        const discovered = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=${qosCap}&requester-aic=${initiator}`);
        expect(discovered.body.agents.map((agent: { aic: string }) => agent.aic), 'discover is still allowed').to.include(target);
        const decision = await request('GET', `${core.agwUrl}/nagw-pol/v1/decisions?requester-aic=${initiator}&capability-id=${encodeURIComponent(qosCap)}&action=invoke`);
        expect(decision.body).to.deep.equal({ allowed: false, ruleId: 'no-invoke-qos', requesterAic: initiator, capabilityId: qosCap, action: 'invoke' });
        const before = await count();
        const res = await create(sessionBody());
        expect(res.status).to.equal(403);
        expect(res.body.cause).to.equal('POLICY_DENIED');
        expect(res.body.detail).to.contain('no-invoke-qos');
        expect(await count()).to.equal(before);
      } finally {
        await request('DELETE', `${core.agwUrl}/nagw-pol/v1/rules/no-invoke-qos`);
      }
      expect((await create(sessionBody())).status).to.equal(201);
    });

    it('refuses a mistyped AIC (bad checksum) as the AGW does, with 400', async () => {
      const mistyped = `${target.slice(0, -1)}${target.endsWith('0') ? '1' : '0'}`;
      const before = await count();
      const res = await create(sessionBody({ targetAic: mistyped }));
      expect(res.status).to.equal(400);
      expect(res.body.detail).to.match(/AIC/);
      expect(await count()).to.equal(before);
    });
  });

  describe('state machine and notifications', () => {
    it('goes PENDING -> ESTABLISHED -> MODIFIED -> RELEASED and tells both agents of each change', async () => {
      sink.received.length = 0;
      targetSink.received.length = 0;
      const notificationUris = { initiator: sink.url, target: targetSink.url };
      const { body: created } = await create(sessionBody({ notificationUris }));
      const id = created.sessionId;

      const established = await act(id, 'establish', { reportedBy: target });
      expect(established.status, JSON.stringify(established.body)).to.equal(200);
      expect(established.body.state).to.equal('ESTABLISHED');
      expect(established.body.establishedBy).to.equal(target);
      expect((await act(id, 'establish', { reportedBy: target })).body.cause).to.equal('INVALID_SESSION_STATE');

      const modified = await act(id, 'modify', { requestedBy: initiator, qos: { priority: 1, latencyBudgetMs: 20 }, scope: ['invoke'] });
      expect(modified.status, JSON.stringify(modified.body)).to.equal(200);
      expect(modified.body.state).to.equal('MODIFIED');
      expect(modified.body.scope).to.deep.equal(['invoke']);
      expect(modified.body.authorizedScope).to.deep.equal(['invoke', 'stream']);
      const jwks = (await request('GET', `${core.sessionsApi}/jwks`)).body;
      const { payload } = await jwtVerify(modified.body.artifact, createLocalJWKSet(jwks), { currentDate: new Date(clock.now()) });
      expect(payload.scope).to.deep.equal(['invoke']);
      expect(payload.qos).to.deep.equal({ priority: 1, latencyBudgetMs: 20 });
      expect(payload.exp! * 1000).to.equal(Math.floor(new Date(created.expiresAt).getTime() / 1000) * 1000);

      // Back within the original authorization is allowed; it is narrowing relative to what was authorized.
      expect((await act(id, 'modify', { requestedBy: target, scope: ['invoke', 'stream'] })).status).to.equal(200);

      const released = await act(id, 'release', { requestedBy: initiator, cause: 'TASK_DONE' });
      expect(released.body.state).to.equal('RELEASED');
      expect(released.body.releaseCause).to.equal('TASK_DONE');

      const expected = ['SESSION_CREATED', 'SESSION_ESTABLISHED', 'SESSION_MODIFIED', 'SESSION_MODIFIED', 'SESSION_RELEASED'];
      for (const agentSink of [sink, targetSink]) {
        await until(async () => agentSink.received.length >= expected.length, 'five notifications to each agent');
        expect(agentSink.received.map((n) => n.body.event)).to.deep.equal(expected);
        expect(agentSink.received.every((n) => n.body.sessionId === id && n.body.initiatorAic === initiator && n.body.targetAic === target)).to.equal(true);
      }
      expect(targetSink.received[4].body).to.include({ state: 'RELEASED', previousState: 'MODIFIED', cause: 'TASK_DONE' });
      expect(targetSink.received[1].body).to.include({ state: 'ESTABLISHED', previousState: 'PENDING' });
    });

    it('refuses a wider scope with 403 SCOPE_WIDENING_NEEDS_NEW_AUTHORIZATION and changes nothing', async () => {
      const { body } = await create(sessionBody({ scope: ['invoke'] }));
      await act(body.sessionId, 'establish', { reportedBy: initiator });
      const before = await core.store.collection('smf.sessions').findOne({ _id: body.sessionId });
      const res = await act(body.sessionId, 'modify', { requestedBy: initiator, scope: ['invoke', 'stream'] });
      expect(res.status).to.equal(403);
      expect(res.body.cause).to.equal('SCOPE_WIDENING_NEEDS_NEW_AUTHORIZATION');
      expect(await core.store.collection('smf.sessions').findOne({ _id: body.sessionId })).to.deep.equal(before);
    });

    it('refuses modify before establishment and an agent that is not a party', async () => {
      const { body } = await create(sessionBody());
      expect((await act(body.sessionId, 'modify', { requestedBy: initiator, qos })).body.cause).to.equal('INVALID_SESSION_STATE');
      const res = await act(body.sessionId, 'establish', { reportedBy: noCapTarget });
      expect(res.status).to.equal(403);
      expect(res.body.cause).to.equal('NOT_A_SESSION_PARTY');
    });

    it('refuses every operation after release with 409, leaving the store unchanged', async () => {
      const { body } = await create(sessionBody());
      await act(body.sessionId, 'release', { requestedBy: target });
      const before = await core.store.collection('smf.sessions').findOne({ _id: body.sessionId });
      for (const [action, payload] of [['establish', { reportedBy: target }], ['modify', { requestedBy: initiator, qos }], ['release', { requestedBy: initiator }]] as const) {
        const res = await act(body.sessionId, action, payload);
        expect(res.status, action).to.equal(409);
        expect(res.body.cause, action).to.equal('SESSION_RELEASED');
      }
      expect(await core.store.collection('smf.sessions').findOne({ _id: body.sessionId })).to.deep.equal(before);
    });

    it('expires a session once its lifetime has passed: a read answers EXPIRED, later operations 409, agents told', async () => {
      sink.received.length = 0;
      const { body } = await create(sessionBody({ notificationUris: { target: sink.url } }));
      await act(body.sessionId, 'establish', { reportedBy: target });
      clock.advance(301_000);
      const got = await request('GET', `${core.sessionsApi}/sessions/${body.sessionId}`);
      expect(got.body.state).to.equal('EXPIRED');
      const res = await act(body.sessionId, 'modify', { requestedBy: initiator, qos });
      expect(res.status).to.equal(409);
      expect(res.body.cause).to.equal('SESSION_EXPIRED');
      await until(async () => sink.received.length >= 3, 'three notifications');
      const notes = sink.received;
      expect(notes.map((n) => n.body.event)).to.deep.equal(['SESSION_CREATED', 'SESSION_ESTABLISHED', 'SESSION_EXPIRED']);
      expect(notes[2].body.cause).to.equal('AUTHORIZATION_EXPIRED');
    });

    it('sweeps live sessions past expiry to EXPIRED without a read', async () => {
      const { body } = await create(sessionBody());
      clock.advance(301_000);
      expect(await core.smf.service.expireDueSessions()).to.be.at.least(1);
      expect((await core.store.collection<any>('smf.sessions').findOne({ _id: body.sessionId }))!.state).to.equal('EXPIRED');
    });
  });

  describe('operator list and get', () => {
    it('lists by state and by agent, newest first, without artifacts', async () => {
      const { body } = await create(sessionBody());
      const pending = (await request('GET', `${core.sessionsApi}/sessions?state=PENDING&aic=${initiator}&limit=5`)).body;
      expect(pending[0].sessionId).to.equal(body.sessionId);
      expect(pending.every((s: any) => s.state === 'PENDING' && s.artifact === undefined)).to.equal(true);
      expect(pending.length).to.be.at.most(5);
      const released = (await request('GET', `${core.sessionsApi}/sessions?state=RELEASED`)).body;
      expect(released.length).to.be.at.least(1);
      expect(released.every((s: any) => s.state === 'RELEASED')).to.equal(true);
    });

    it('answers 404 problem+json for an unknown session id', async () => {
      const res = await request('GET', `${core.sessionsApi}/sessions/3f1c2c9e-7d1a-4a57-9b5c-1a2b3c4d5e6f`);
      expect(res.status).to.equal(404);
      expect(res.body.cause).to.equal('SESSION_NOT_FOUND');
    });
  });
});
