/**
 * Semantic sessions to a UE's agent (issue 5): the UE simulator serves its agent's A2A endpoint,
 * the diagnosis agent opens a session to it for a device measurement, and the refusals: a UE agent
 * in CM-IDLE at the SMF, an artifact for another audience at the UE's endpoint. Real NRF, AMC,
 * AGW, SMF, AMF and agent NFs in this process over HTTP on port 0.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { createAmf, type AmfHandle } from '../../nfs/amf/app.ts';
import { defaultCapabilityAgentSettings, defaultIntentAgentSettings } from '../../nfs/agent-nf/settings.ts';
import { createAgentCallSigner, type AgentIdentity } from '../../nfs/shared/agent-auth.ts';
import { openSession, sendSessionMessage, sessionClientFor, smfSessionAuthority } from '../../nfs/shared/a2a/session/session-client.ts';
import { proofTaskId } from '../../nfs/shared/a2a/session/session-messages.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { hashUnit } from '../../nfs/shared/network-model.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { createUeClient, type UeClient } from '../../ue-sim/ue-client.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { testClock } from '../support/amf-harness.ts';
import { acme, registerAgent } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { startTestSmfCore, type TestSmfCore } from '../support/smf-harness.ts';
import { smfAuthorization } from '../support/smf-caller.ts';

const UE_MEASUREMENT = '/capability/ue-measurement';
const DIAGNOSIS = '/capability/network-diagnosis';
/** SUPIs in the subscriber ranges with an agent, and without one (README, Subscribers). */
const WITH_AGENT = 'imsi-001010000000031';
const IDLE_UE = 'imsi-001010000000032';
const NO_AGENT = 'imsi-001010000002531';

/** The RSRP the emulated radio gives a SUPI (nfs/shared/network-model.ts): it does not depend on load. */
const rsrpOf = (supi: string) => Math.round((-70 - 45 * hashUnit(supi, 'distance')) * 10) / 10 + 0;

describe('semantic sessions to a UE\'s agent: the UE serves A2A, the diagnosis agent asks the device', function () {
  this.timeout(60_000);
  const clock = testClock();
  let core: TestSmfCore;
  let amf: AmfHandle;
  let amfListening: ListeningNf;
  let capabilities: TestAgentNf;
  let intent: TestAgentNf;
  let initiator: AgentIdentity;
  const ues: UeClient[] = [];

  const newUe = (supi: string) => {
    const ue = createUeClient({ nrfUri: core.nrfUrl, supi, serveAgent: true, timeoutMs: 20_000 });
    ues.push(ue);
    return ue;
  };
  const smfSessionsOf = async (aic: string) => (await request('GET', `${core.sessionsApi}/sessions?aic=${aic}`)).body as Array<{ sessionId: string; state: string; initiatorAic: string; capabilityId: string }>;
  const diagnosisAgent = () => capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'diagnosis-agent')!;
  /** A diagnosis task called as a network agent would call it (a call token for the diagnosis agent). */
  const diagnose = async (supi: string, taskId: string) => {
    const body = { taskId, intentId: `intent-${taskId}`, capabilityId: DIAGNOSIS, supi, parameters: {} };
    const token = await createAgentCallSigner(initiator).sign({ audience: diagnosisAgent().aic!, capabilityId: DIAGNOSIS, taskId });
    return request('POST', `${capabilities.url}/nagent-tip/v1/agents/diagnosis-agent/tasks`, body, { authorization: `Bearer ${token}` });
  };

  before(async () => {
    core = await startTestSmfCore();
    amf = await createAmf({
      store: core.store, logger: createLogger({ nf: 'AMF', level: 'silent' }), nrfUri: core.nrfUrl, backgroundTimers: false, now: clock.now,
      settings: { intentDiscoveryCacheSeconds: 0, ueInactivityTimerSeconds: 60 },
    });
    amfListening = await listenNf(amf, { host: '127.0.0.1', port: 0 });
    capabilities = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents, deviceMeasurementTimeoutMs: 3000 });
    intent = await startTestAgentNf(core, 'intent-agent', { agents: defaultIntentAgentSettings.agents, taskTimeoutMs: 5000 });
    const registered = await registerAgent(core.agwUrl, { kind: 'nf-agent', name: 'test-orchestrator', capabilities: ['/capability/intent-recognition'] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    initiator = { aic: registered.body.aic, certificatePem: registered.body.certificatePem, privateKey: registered.key.keys.privateKey };
  });
  after(async () => {
    for (const ue of ues) await ue.close();
    await intent?.close();
    await capabilities?.close();
    await amfListening?.close();
    await core?.close();
  });

  it('serves the UE agent\'s A2A endpoint, registered through the real AMF as the agent\'s a2aUrl, with a card listing ue-measurement', async () => {
    const ue = newUe(WITH_AGENT);
    const registration = await ue.register();
    expect(registration.ueAgent.status).to.equal('REGISTERED');
    const endpoint = ue.agentEndpoint()!;
    expect(endpoint.a2aUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/a2a\/ue-agent$/);
    const atAgw = await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${registration.aic}`);
    expect(atAgw.body.a2aUrl).to.equal(endpoint.a2aUrl);
    const card = (await request('GET', `${endpoint.a2aUrl}/.well-known/agent-card.json`)).body;
    expect(card.skills.map((skill: { id: string }) => skill.id)).to.deep.equal([UE_MEASUREMENT]);
    expect(card.capabilities.extensions[0].params).to.include({ aic: registration.aic });
    expect(card.capabilities.extensions[0].params.sessionCapabilities).to.deep.equal([UE_MEASUREMENT]);
  });

  it('answers "why is my mobile connection slow" with the device measurement taken over a session, which the SMF then shows RELEASED', async () => {
    const ue = ues[0];
    const ueAic = ue.state().ueAgent!.aic!;
    const outcome = await ue.sendIntent('why is my mobile connection slow');
    expect(outcome.outcome, outcome.result).to.equal('completed');
    const diagnosis = outcome.tasks.find((task) => task.capability === DIAGNOSIS);
    expect(diagnosis?.state).to.equal('completed');
    expect(outcome.result).to.contain(`Your phone measured RSRP ${rsrpOf(WITH_AGENT)} dBm`);

    const counters = ue.agentEndpoint()!.sessions.counters();
    expect(counters).to.include({ accepted: 1, data: 1, terminated: 1 });
    let sessions = await smfSessionsOf(ueAic);
    for (let i = 0; i < 50 && sessions[0]?.state !== 'RELEASED'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      sessions = await smfSessionsOf(ueAic);
    }
    expect(sessions).to.have.length(1);
    expect(sessions[0]).to.include({ state: 'RELEASED', initiatorAic: diagnosisAgent().aic, capabilityId: UE_MEASUREMENT });
  });

  it('runs an intent\'s ue-measurement task on the UE\'s own agent, in a session the intent agent opens', async () => {
    const ue = ues[0];
    const ueAic = ue.state().ueAgent!.aic!;
    const before = ue.agentEndpoint()!.sessions.counters();
    const outcome = await ue.sendIntent('measure the signal on my phone');
    expect(outcome.outcome, outcome.result).to.equal('completed');
    const measurement = outcome.tasks.find((task) => task.capability === UE_MEASUREMENT);
    expect(measurement).to.include({ state: 'completed', agent: ueAic });
    const after = ue.agentEndpoint()!.sessions.counters();
    expect(after.accepted, 'one more session accepted by the UE agent').to.equal(before.accepted + 1);
    expect(after.data, 'the task came as SESSION_DATA').to.equal(before.data + 1);
    const sessions = await smfSessionsOf(ueAic);
    expect(sessions.some((session) => session.capabilityId === UE_MEASUREMENT && session.initiatorAic !== diagnosisAgent().aic), JSON.stringify(sessions)).to.equal(true);
  });

  it('does not ask the device for a third party\'s agent that opens a session to the diagnosis agent', async () => {
    const ue = ues[0];
    const third = await registerAgent(core.agwUrl, { provider: acme, kind: 'third-party', name: 'curious-app', capabilities: ['/capability/billing-plan'] });
    expect(third.status, JSON.stringify(third.body)).to.equal(201);
    const identity = { aic: third.body.aic, certificatePem: third.body.certificatePem, privateKey: third.key.keys.privateKey };
    const diagnosis = diagnosisAgent();
    const before = ue.agentEndpoint()!.sessions.counters();
    const session = await openSession({ authority: smfSessionAuthority(core.sessionsApi), a2aUrl: diagnosis.a2aUrl!, targetAic: diagnosis.aic!, identity, capabilityId: DIAGNOSIS, scope: ['query'] });
    try {
      const result = await session.data({ supi: WITH_AGENT, parameters: {} });
      expect(result.state, JSON.stringify(result)).to.equal('completed');
      expect((result.data as { device?: { measured: boolean; reason?: string } }).device).to.deep.include({ measured: false });
      expect(result.summary).to.not.contain('Your phone measured');
    } finally {
      await session.terminate();
    }
    expect(ue.agentEndpoint()!.sessions.counters().accepted, 'the device was not asked').to.equal(before.accepted);
  });

  it('diagnoses a UE without an agent all the same, and says there is no device measurement', async () => {
    const res = await diagnose(NO_AGENT, 'no-agent');
    expect(res.status).to.equal(200);
    expect(res.body.state).to.equal('completed');
    expect(res.body.summary).to.match(/No measurement from your phone: the device has no agent the network can reach/);
    expect(res.body.data.device).to.include({ measured: false });
  });

  it('refuses at the SMF a session to a UE agent in CM-IDLE, with a cause, counted, storing nothing; the diagnosis goes on without the device', async () => {
    const ue = newUe(IDLE_UE);
    const registration = await ue.register();
    const ueAic = registration.aic!;
    clock.advance(61_000);
    await amf.service.timers.runTimers();
    expect((await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${ueAic}`)).body).to.include({ state: 'UE_IDLE', cmState: 'CM-IDLE' });

    const stored = await core.store.collection('smf.sessions').countDocuments({});
    const refusedBefore = core.smf.service.refusals().TARGET_NOT_REACHABLE ?? 0;
    const res = await request('POST', `${core.sessionsApi}/sessions`, { initiatorAic: initiator.aic, targetAic: ueAic, capabilityId: UE_MEASUREMENT, qos: { priority: 5, latencyBudgetMs: 500 }, scope: ['query'] }, { authorization: await smfAuthorization(initiator, 'CreateAgentSession', ueAic, UE_MEASUREMENT) });
    expect(res.status).to.equal(409);
    expect(res.body.cause).to.equal('TARGET_NOT_REACHABLE');
    expect(res.body.detail).to.match(/CM-IDLE/);
    expect(core.smf.service.refusals().TARGET_NOT_REACHABLE).to.equal(refusedBefore + 1);
    expect(await core.store.collection('smf.sessions').countDocuments({})).to.equal(stored);

    const diagnosed = await diagnose(IDLE_UE, 'idle-ue');
    expect(diagnosed.body.state).to.equal('completed');
    expect(diagnosed.body.summary).to.match(/No measurement from your phone: .*idle/);
    expect(ue.agentEndpoint()!.sessions.counters().accepted).to.equal(0);
    expect(await core.store.collection('smf.sessions').countDocuments({})).to.equal(stored);
  });

  it('refuses at the UE agent\'s endpoint a SESSION_INIT whose artifact the SMF issued for another agent, as AUDIENCE_MISMATCH', async () => {
    const ue = ues[0];
    const ueAic = ue.state().ueAgent!.aic!;
    const billing = capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'billing-agent')!;
    const forBilling = await smfSessionAuthority(core.sessionsApi).create({ initiatorAic: initiator.aic, targetAic: billing.aic!, capabilityId: '/capability/billing-plan', qos: { priority: 5, latencyBudgetMs: 500 }, scope: ['query'] }, { signer: createAgentCallSigner(initiator), capabilityId: '/capability/billing-plan' });
    const sessions = ue.agentEndpoint()!.sessions;
    const before = sessions.counters();
    const liveBefore = sessions.target('ue-agent')!.liveCount();
    const client = await sessionClientFor(ue.agentEndpoint()!.a2aUrl);
    const proof = await createAgentCallSigner(initiator).sign({ audience: ueAic, capabilityId: UE_MEASUREMENT, taskId: proofTaskId(forBilling.sessionId, 'SESSION_INIT') });
    const answer = await sendSessionMessage(client, {
      kind: 'SESSION_INIT', sessionId: forBilling.sessionId, proof, initiatorAic: initiator.aic, targetAic: ueAic, capabilityId: UE_MEASUREMENT,
      artifact: forBilling.artifact, certificatePem: initiator.certificatePem,
    });
    expect(answer).to.include({ kind: 'SESSION_REJECT', sessionId: forBilling.sessionId, cause: 'AUDIENCE_MISMATCH' });
    expect(sessions.counters().refused.AUDIENCE_MISMATCH).to.equal((before.refused.AUDIENCE_MISMATCH ?? 0) + 1);
    expect(sessions.counters().accepted).to.equal(before.accepted);
    expect(sessions.target('ue-agent')!.liveCount(), 'no session kept').to.equal(liveBefore);
    expect((await request('GET', `${core.sessionsApi}/sessions/${forBilling.sessionId}`)).body.state).to.equal('PENDING');
  });

  it('stops the endpoint when the UE deregisters', async () => {
    const ue = ues[0];
    const { a2aUrl } = ue.agentEndpoint()!;
    await ue.deregister();
    expect(ue.agentEndpoint()).to.equal(undefined);
    const error = await fetch(`${a2aUrl}/.well-known/agent-card.json`).then(() => undefined, (caught: Error) => caught);
    expect(error).to.be.instanceOf(Error);
  });
});
