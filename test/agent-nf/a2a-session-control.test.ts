import 'reflect-metadata';
import { expect } from 'chai';
import { X509Certificate } from '@peculiar/x509';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { Client } from '@a2a-js/sdk/client';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createCaMaterial, loadCertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import { createSmf } from '../../nfs/smf/app.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { defaultCapabilityAgentSettings } from '../../nfs/agent-nf/settings.ts';
import type { AgentNfHandle } from '../../nfs/agent-nf/app.ts';
import {
  openSession, sendSessionMessage, sessionClientFor, smfSessionAuthority, SessionRefusedError, type SessionAuthority,
} from '../../nfs/shared/a2a/session/session-client.ts';
import { SMF_CALL_AUDIENCE, smfCallTaskId } from '../../nfs/shared/a2a/session/session-authority.ts';
import { proofTaskId, type SessionInit, type SessionRequest } from '../../nfs/shared/a2a/session/session-messages.ts';
import { createAgentCallSigner } from '../../nfs/shared/agent-auth.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { registerAgent } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { startTestSmfCore, type TestSmfCore } from '../support/smf-harness.ts';

const SUPI = 'imsi-001010000000021';
const BILLING = '/capability/billing-plan';
const QA = '/capability/knowledge-qa';
const QOS = '/capability/qos-optimisation';

type HostedAgentView = ReturnType<AgentNfHandle['service']['listHostedAgents']>[number];

interface Initiator {
  aic: string;
  certificatePem: string;
  privateKey: CryptoKey;
}

describe('A2A semantic sessions: session control on the declared extension, driven by the unmodified @a2a-js/sdk client', function () {
  this.timeout(60_000);
  let core: TestSmfCore;
  let agents: TestAgentNf;
  let authority: SessionAuthority;
  let initiator: Initiator;
  let billing: HostedAgentView;
  let qos: HostedAgentView;
  let client: Client;

  const newInitiator = async (name: string): Promise<Initiator> => {
    const registered = await registerAgent(core.agwUrl, { kind: 'nf-agent', name, capabilities: ['/capability/intent-recognition'] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    return { aic: registered.body.aic, certificatePem: registered.body.certificatePem, privateKey: registered.key.keys.privateKey };
  };
  const create = (capabilityId = BILLING, target = billing, from = initiator) =>
    authority.create({ initiatorAic: from.aic, targetAic: target.aic!, capabilityId, qos: { priority: 3, latencyBudgetMs: 200 }, scope: ['invoke'] }, { signer: createAgentCallSigner(from), capabilityId });
  /** The proof a session message carries, signed with `by`'s key for the billing agent. */
  const proofFor = (sessionId: string, kind: SessionRequest['kind'], by: Initiator = initiator, capabilityId = BILLING) =>
    createAgentCallSigner(by).sign({ audience: billing.aic!, capabilityId, taskId: proofTaskId(sessionId, kind) });
  const initOf = async (session: { sessionId: string; artifact: string }, overrides: Partial<SessionInit> = {}, by: Initiator = initiator): Promise<SessionInit> => {
    const init = {
      kind: 'SESSION_INIT' as const, sessionId: session.sessionId, initiatorAic: initiator.aic, targetAic: billing.aic!, capabilityId: BILLING,
      artifact: session.artifact, certificatePem: initiator.certificatePem, ...overrides,
    };
    return { ...init, proof: overrides.proof ?? (await proofFor(init.sessionId, 'SESSION_INIT', by, init.capabilityId)) };
  };
  const sessions = () => agents.handle.sessions;
  const billingTable = () => sessions().target('billing-agent')!;
  const smfState = async (sessionId: string) => (await request('GET', `${core.sessionsApi}/sessions/${sessionId}`)).body.state;

  /** A refused INIT: the cause, and neither the agent's session table nor the SMF's session changed. */
  async function expectRefusedInit(init: SessionInit, cause: string): Promise<void> {
    const live = billingTable()?.liveCount() ?? 0;
    const refusedBefore = sessions().counters().refused[cause as never] ?? 0;
    const answer = await sendSessionMessage(client, init);
    expect(answer).to.include({ kind: 'SESSION_REJECT', sessionId: init.sessionId, cause });
    expect((answer as { reason: string }).reason).to.be.a('string').and.not.empty;
    expect(billingTable().liveCount()).to.equal(live);
    expect(billingTable().session(init.sessionId)).to.equal(undefined);
    expect(sessions().counters().refused[cause as never]).to.equal(refusedBefore + 1);
  }

  before(async () => {
    core = await startTestSmfCore();
    agents = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents });
    authority = smfSessionAuthority(core.sessionsApi);
    initiator = await newInitiator('session-initiator');
    const hosted = agents.handle.service.listHostedAgents();
    billing = hosted.find((agent) => agent.name === 'billing-agent')!;
    qos = hosted.find((agent) => agent.name === 'qos-agent')!;
    client = await sessionClientFor(billing.a2aUrl!);
  });
  after(async () => {
    await agents?.close();
    await core?.close();
  });

  it('runs a full session: SMF create, INIT -> ACCEPT (established at the SMF), a plan change as DATA, TERMINATE (released), then DATA refused', async () => {
    const session = await openSession({ authority, a2aUrl: billing.a2aUrl!, targetAic: billing.aic!, identity: initiator, capabilityId: BILLING });
    expect(session.accept).to.include({ kind: 'SESSION_ACCEPT', sessionId: session.sessionId, capabilityId: BILLING });
    expect(session.accept.scope).to.deep.equal(['invoke']);
    expect(await smfState(session.sessionId)).to.equal('ESTABLISHED');
    expect(billingTable().session(session.sessionId)).to.include({ initiatorAic: initiator.aic, capabilityId: BILLING });

    const changed = await session.data({ supi: SUPI, parameters: { action: 'change-plan', plan: 'unlimited' } });
    expect(changed.state, changed.summary).to.equal('completed');
    expect(changed.capabilityId).to.equal(BILLING);
    expect(changed.data).to.include({ action: 'change-plan', changed: true });
    expect(changed.summary).to.match(/^Your plan is now /);

    const updated = await session.update({ qos: { priority: 2, latencyBudgetMs: 100 } });
    expect(updated).to.include({ kind: 'SESSION_ACCEPT', sessionId: session.sessionId });
    expect(await smfState(session.sessionId)).to.equal('MODIFIED');

    await session.terminate();
    expect(billingTable().session(session.sessionId)).to.equal(undefined);
    for (let i = 0; i < 50 && (await smfState(session.sessionId)) !== 'RELEASED'; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await smfState(session.sessionId)).to.equal('RELEASED');

    const after = await session.data({ supi: SUPI, parameters: { action: 'show-bill' } }).catch((error: unknown) => error);
    expect(after).to.be.instanceOf(SessionRefusedError);
    expect((after as SessionRefusedError).cause).to.equal('SESSION_TERMINATED');
    expect(sessions().counters().refused.SESSION_TERMINATED).to.be.greaterThan(0);
  });

  it('refuses a session control message from a client that did not activate the extension', async () => {
    const plain = await sessionClientFor(billing.a2aUrl!);
    const message = { messageId: crypto.randomUUID(), contextId: '', taskId: '', role: 1, metadata: undefined, extensions: [], referenceTaskIds: [],
      parts: [{ content: { $case: 'data' as const, value: { kind: 'SESSION_TERMINATE', sessionId: crypto.randomUUID() } }, mediaType: 'application/json', filename: '', metadata: undefined }] };
    const error = await plain.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }).then(() => undefined, (caught: { envelopeCode?: number }) => caught);
    expect(error?.envelopeCode).to.equal(-32008);
  });

  it('refuses data for another capability than the session\'s as OUT_OF_SCOPE, and runs nothing', async () => {
    const session = await openSession({ authority, a2aUrl: billing.a2aUrl!, targetAic: billing.aic!, identity: initiator, capabilityId: BILLING });
    const dataBefore = sessions().counters().data;
    const refused = await session.data({ capabilityId: QA, parameters: { question: 'why?' } }).catch((error: unknown) => error);
    expect((refused as SessionRefusedError).cause).to.equal('OUT_OF_SCOPE');
    expect(sessions().counters().data).to.equal(dataBefore);
    await session.terminate();
  });

  describe('attacks and bad input: each refused with its cause, counted, nothing kept', () => {
    it('refuses a forged artifact (signed with a key that is not the SMF\'s) as ARTIFACT_INVALID', async () => {
      const real = await create();
      const forger = await createAgentKeyAndCsr();
      const forged = await new SignJWT(decodeJwt(real.artifact)).setProtectedHeader(decodeProtectedHeader(real.artifact) as { alg: string }).sign(forger.keys.privateKey);
      await expectRefusedInit(await initOf({ ...real, artifact: forged }), 'ARTIFACT_INVALID');
      expect(await smfState(real.sessionId)).to.equal('PENDING');
    });

    it('refuses a tampered artifact (a claim changed after signing) as ARTIFACT_INVALID', async () => {
      const real = await create();
      const [header, payload, signature] = real.artifact.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = [header, Buffer.from(JSON.stringify({ ...claims, scope: ['invoke', 'stream', 'subscribe', 'query'] })).toString('base64url'), signature].join('.');
      await expectRefusedInit(await initOf({ ...real, artifact: tampered }), 'ARTIFACT_INVALID');
      expect(await smfState(real.sessionId)).to.equal('PENDING');
    });

    it('refuses an artifact the SMF issued for another audience as AUDIENCE_MISMATCH', async () => {
      const forQos = await create(QOS, qos);
      await expectRefusedInit(await initOf({ sessionId: forQos.sessionId, artifact: forQos.artifact }), 'AUDIENCE_MISMATCH');
    });

    it('refuses an artifact for another capability of the same agent as CAPABILITY_MISMATCH', async () => {
      const forQa = await create(QA);
      await expectRefusedInit(await initOf(forQa, { capabilityId: BILLING }), 'CAPABILITY_MISMATCH');
    });

    it('refuses an expired artifact as ARTIFACT_EXPIRED', async () => {
      // An SMF of the same core (same store, same signing key) whose clock is an hour behind.
      const lateSmf = await createSmf({ store: core.store, logger: createLogger({ nf: 'SMF', level: 'silent' }), nrfUri: core.nrfUrl, backgroundTimers: false, now: () => Date.now() - 3_600_000 });
      const proof = await createAgentCallSigner(initiator).sign({ audience: SMF_CALL_AUDIENCE, capabilityId: BILLING, taskId: smfCallTaskId('CreateAgentSession', billing.aic!) });
      const stale = await lateSmf.service.createSession({ initiatorAic: initiator.aic, targetAic: billing.aic!, capabilityId: BILLING, qos: { priority: 3, latencyBudgetMs: 200 }, scope: ['invoke'] }, `Bearer ${proof}`);
      await expectRefusedInit(await initOf({ sessionId: stale.sessionId, artifact: stale.artifact! }), 'ARTIFACT_EXPIRED');
    });

    it('refuses a replayed SESSION_INIT as REPLAYED_INIT and keeps the one session', async () => {
      const real = await create();
      const first = await sendSessionMessage(client, await initOf(real));
      expect(first.kind).to.equal('SESSION_ACCEPT');
      const live = billingTable().liveCount();
      const replay = await sendSessionMessage(client, await initOf(real));
      expect(replay).to.include({ kind: 'SESSION_REJECT', cause: 'REPLAYED_INIT' });
      expect(billingTable().liveCount()).to.equal(live);
      expect(await sendSessionMessage(client, { kind: 'SESSION_TERMINATE', sessionId: real.sessionId, proof: await proofFor(real.sessionId, 'SESSION_TERMINATE') })).to.include({ kind: 'SESSION_TERMINATED' });
      // After termination too.
      expect(await sendSessionMessage(client, await initOf(real))).to.include({ kind: 'SESSION_REJECT', cause: 'REPLAYED_INIT' });
    });

    it('refuses an initiator whose certificate the AMC revoked as CERTIFICATE_REVOKED', async () => {
      const victim = await newInitiator('revoked-initiator');
      const real = await create(BILLING, billing, victim);
      const serial = new X509Certificate(victim.certificatePem).serialNumber.toLowerCase();
      const revoked = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/revoke`, { reason: 'keyCompromise' });
      expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
      await expectRefusedInit(await initOf(real, { initiatorAic: victim.aic, certificatePem: victim.certificatePem }, victim), 'CERTIFICATE_REVOKED');
      expect(await smfState(real.sessionId)).to.equal('PENDING');
    });

    it('refuses a certificate from another CA naming the initiator\'s AIC as CERTIFICATE_UNTRUSTED', async () => {
      const real = await create();
      const strangerCa = await loadCertificateAuthority(await createCaMaterial({ commonName: 'not the operator AMC CA' }));
      const key = await createAgentKeyAndCsr();
      const { certificatePem } = await strangerCa.issue({ csrPem: key.csrPem, aic: initiator.aic, serialNumberHex: '0d01', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) });
      await expectRefusedInit(await initOf(real, { certificatePem }), 'CERTIFICATE_UNTRUSTED');
    });

    it('refuses another agent\'s genuine certificate presented for the initiator as CERTIFICATE_UNTRUSTED', async () => {
      const real = await create();
      const other = await newInitiator('bystander-agent');
      await expectRefusedInit(await initOf(real, { certificatePem: other.certificatePem }), 'CERTIFICATE_UNTRUSTED');
    });

    it('refuses data, update and terminate for a session that was never accepted as UNKNOWN_SESSION', async () => {
      const real = await create();
      const answer = await sendSessionMessage(client, { kind: 'SESSION_DATA', sessionId: real.sessionId, proof: await proofFor(real.sessionId, 'SESSION_DATA'), capabilityId: BILLING, supi: SUPI, parameters: { action: 'change-plan', plan: 'unlimited' } });
      expect(answer).to.include({ kind: 'SESSION_ERROR', cause: 'UNKNOWN_SESSION' });
      expect(await sendSessionMessage(client, { kind: 'SESSION_UPDATE', sessionId: real.sessionId, proof: await proofFor(real.sessionId, 'SESSION_UPDATE'), artifact: real.artifact })).to.include({ kind: 'SESSION_REJECT', cause: 'UNKNOWN_SESSION' });
      expect(await sendSessionMessage(client, { kind: 'SESSION_TERMINATE', sessionId: real.sessionId, proof: await proofFor(real.sessionId, 'SESSION_TERMINATE') })).to.include({ kind: 'SESSION_ERROR', cause: 'UNKNOWN_SESSION' });
      expect(await smfState(real.sessionId)).to.equal('PENDING');
    });

    it('refuses an INIT with a stolen artifact and the initiator\'s public certificate, signed by another key, as PROOF_INVALID', async () => {
      const real = await create();
      const thief = await newInitiator('artifact-thief');
      await expectRefusedInit(await initOf(real, {}, thief), 'PROOF_INVALID');
      expect(await smfState(real.sessionId)).to.equal('PENDING');
    });

    it('refuses session data from someone who is not the initiator, and a replayed data message, as PROOF_INVALID', async () => {
      const session = await openSession({ authority, a2aUrl: billing.a2aUrl!, targetAic: billing.aic!, identity: initiator, capabilityId: BILLING });
      const intruder = await newInitiator('session-intruder');
      const dataBefore = sessions().counters().data;
      const hijack = await sendSessionMessage(client, { kind: 'SESSION_DATA', sessionId: session.sessionId, proof: await proofFor(session.sessionId, 'SESSION_DATA', intruder), capabilityId: BILLING, supi: SUPI, parameters: { action: 'change-plan', plan: 'unlimited' } });
      expect(hijack).to.include({ kind: 'SESSION_ERROR', cause: 'PROOF_INVALID' });
      const genuine = { kind: 'SESSION_DATA' as const, sessionId: session.sessionId, proof: await proofFor(session.sessionId, 'SESSION_DATA'), capabilityId: BILLING, supi: SUPI, parameters: { action: 'show-bill' } };
      expect((await sendSessionMessage(client, genuine)).kind).to.equal('SESSION_RESULT');
      expect(await sendSessionMessage(client, genuine)).to.include({ kind: 'SESSION_ERROR', cause: 'PROOF_INVALID' });
      expect(sessions().counters().data).to.equal(dataBefore + 1);
      await session.terminate();
    });

    it('refuses a malformed session message as MALFORMED_SESSION_MESSAGE', async () => {
      const answer = await sendSessionMessage(client, { kind: 'SESSION_INIT', sessionId: 'not-a-uuid' });
      expect(answer).to.include({ kind: 'SESSION_REJECT', cause: 'MALFORMED_SESSION_MESSAGE' });
      expect(sessions().counters().refused.MALFORMED_SESSION_MESSAGE).to.be.greaterThan(0);
    });
  });
});
