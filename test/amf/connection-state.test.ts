/**
 * CM state (TS 23.501 clause 5.3.3) and what the AGW makes of it: a UE's agent is discoverable
 * only while its UE is CM-CONNECTED (DMSC architecture draft, mobile deployment; MACP section 8).
 * The inactivity timer releases a quiet UE to CM-IDLE (TS 23.502 clause 4.2.6), a SERVICE REQUEST
 * brings it back (TS 24.501 clause 5.6.1), and an intent in CM-IDLE is refused with #98.
 */
import { expect } from 'chai';
import { createUeClient } from '../../ue-sim/ue-client.ts';
import { intentMessage, registerByHand, sendNas, startTestAmfCore, testClock, type TestAmfCore } from '../support/amf-harness.ts';
import { startIntentAgentStub, type IntentAgentStub } from '../support/amf-intent-agent-stub.ts';
import { request } from '../support/nrf-harness.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';

describe('AMF CM-CONNECTED and CM-IDLE, and the UE agent at the AGW', () => {
  const clock = testClock();
  let core: TestAmfCore;
  let stub: IntentAgentStub;
  before(async () => {
    core = await startTestAmfCore({ amf: { now: clock.now, settings: { ueInactivityTimerSeconds: 60 } } });
    stub = await startIntentAgentStub();
    await stub.register(core.agwUrl);
  });
  after(async () => {
    await stub.close();
    await core.close();
  });

  const discoverable = async (aic: string) => (await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?aic=${aic}`)).body.agents.length === 1;
  const agwState = async (aic: string) => (await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${aic}`)).body;
  const idle = async () => {
    clock.advance(61_000);
    await core.amf.service.timers.runTimers();
  };

  it('makes the UE agent discoverable while CM-CONNECTED, not after the inactivity timer, and again after a SERVICE REQUEST', async () => {
    const key = await createAgentKeyAndCsr();
    const session = await registerByHand(core.n1Url, 'imsi-001010000000101', { ueAgent: { csrPem: key.csrPem, a2aUrl: 'http://127.0.0.1:9/ue/a2a' } });
    const aic = session.accept.ueAgent.aic as string;
    expect(await discoverable(aic)).to.equal(true);

    await idle();
    expect((await core.amf.service.ueContext('imsi-001010000000101'))!.cmState).to.equal('CM-IDLE');
    expect(await agwState(aic)).to.include({ state: 'UE_IDLE', cmState: 'CM-IDLE' });
    expect(await discoverable(aic)).to.equal(false);

    const accept = await sendNas(core.n1Url, session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' }));
    expect(accept.body.messageType).to.equal('SERVICE_ACCEPT');
    expect(accept.body.securityHeader.nasCount).to.be.above(0);
    expect(await agwState(aic)).to.include({ state: 'ACTIVE', cmState: 'CM-CONNECTED' });
    expect(await discoverable(aic)).to.equal(true);
  });

  it('keeps a UE that signals CM-CONNECTED: each NAS message restarts the inactivity timer', async () => {
    const session = await registerByHand(core.n1Url, 'imsi-001010000060100');
    clock.advance(40_000);
    expect((await sendNas(core.n1Url, intentMessage(session, { text: 'how is my signal' }))).body.messageType).to.equal('DL_NAS_TRANSPORT');
    clock.advance(40_000);
    await core.amf.service.timers.runTimers();
    expect((await core.amf.service.ueContext('imsi-001010000060100'))!.cmState).to.equal('CM-CONNECTED');
  });

  it('refuses an intent from a UE in CM-IDLE with a protected 5GMM STATUS #98, and forwards nothing', async () => {
    const session = await registerByHand(core.n1Url, 'imsi-001010000060101');
    await idle();
    const before = stub.received.length;
    const answer = await sendNas(core.n1Url, intentMessage(session, { text: 'improve my video quality' }));
    expect(answer.status).to.equal(200);
    expect(answer.body).to.include({ messageType: '5GMM_STATUS', fiveGmmCause: 98, causeName: 'Message type not compatible with the protocol state' });
    expect(answer.body.detail).to.match(/SERVICE REQUEST/);
    expect(answer.body.securityHeader).to.be.an('object');
    expect(stub.received.length).to.equal(before);
  });

  it('has the UE simulator send a SERVICE REQUEST by itself when its intent meets CM-IDLE', async () => {
    const client = createUeClient({ nrfUri: core.nrfUrl, supi: 'imsi-001010000000102' });
    const { aic } = await client.register();
    await idle();
    expect(await discoverable(aic!)).to.equal(false);
    const exchange = await client.sendIntentDetailed('improve my video quality');
    expect(exchange.outcome.outcome).to.equal('completed');
    expect(exchange.timings).to.include.keys('serviceRequestMs', 'intentMs');
    expect(client.state().cmState).to.equal('CM-CONNECTED');
    expect(await discoverable(aic!)).to.equal(true);
  });

  it('heartbeats the UE agent at the AGW while the UE is CM-CONNECTED, and not while CM-IDLE', async () => {
    const client = createUeClient({ nrfUri: core.nrfUrl, supi: 'imsi-001010000000103' });
    const { aic, ueAgent } = await client.register();
    const interval = ueAgent.heartbeatIntervalSeconds! * 1000;
    const before = (await agwState(aic!)).lastHeartbeat;
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(interval);
    await core.amf.service.timers.runTimers();
    expect(Date.parse((await agwState(aic!)).lastHeartbeat)).to.be.above(Date.parse(before));
    expect((await core.amf.service.ueContext('imsi-001010000000103'))!.agentDueAt).to.equal(clock.now() + interval);

    await idle();
    const idleBeat = (await agwState(aic!)).lastHeartbeat;
    expect((await core.amf.service.ueContext('imsi-001010000000103'))!.agentDueAt).to.equal(undefined);
    clock.advance(interval * 3);
    await core.amf.service.timers.runTimers();
    expect((await agwState(aic!)).lastHeartbeat).to.equal(idleBeat);
  });
});
