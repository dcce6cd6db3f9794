import 'reflect-metadata';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey } from 'jose';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createAgentCallSigner, type CredentialState } from '../../nfs/shared/agent-auth.ts';
import { createCaMaterial, loadCertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import type { SessionManagerPeer } from '../../nfs/shared/a2a/session/session-manager-peer.ts';
import { proofTaskId, readSessionRequest, type SessionInit, type SessionRequest } from '../../nfs/shared/a2a/session/session-messages.ts';
import { createSessionTarget, type SessionCounters } from '../../nfs/shared/a2a/session/session-target.ts';

const INITIATOR = '1.2.156.3088.1.2.1.1.1.0O41';
const TARGET = '1.2.156.3088.1.2.1.1.2.0O41';
const BILLING = '/capability/billing-plan';

describe('semantic session target (fake SMF and AMC, real certificates and artifacts)', () => {
  let ca: { certificatePem: string };
  let certificatePem: string;
  let initiatorKey: CryptoKey;
  let smfKey: JoseKey;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  const states = new Map<string, CredentialState>();
  let clock = Date.now();
  let establishFails = false;
  const reports: string[] = [];
  const ran: string[] = [];

  const smf: SessionManagerPeer = {
    artifactKeys: async () => jwks,
    async reportEstablished(sessionId) {
      if (establishFails) throw new Error('the SMF answered 409');
      reports.push(`establish ${sessionId}`);
    },
    async reportReleased(sessionId) {
      reports.push(`release ${sessionId}`);
    },
  };

  const artifact = (claims: { sid: string; cap?: string; aud?: string; exp?: number; scope?: string[] }) =>
    new SignJWT({ sid: claims.sid, cap: claims.cap ?? BILLING, scope: claims.scope ?? ['invoke'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'dmsc-session+jwt', kid: 'k1' })
      .setIssuer('smf').setSubject(INITIATOR).setAudience(claims.aud ?? TARGET)
      .setIssuedAt(Math.floor(clock / 1000)).setExpirationTime(claims.exp ?? Math.floor(clock / 1000) + 300).setJti(randomUUID())
      .sign(smfKey);

  /** The initiator's proof of its key for one session message. */
  const proof = (sessionId: string, kind: SessionRequest['kind'], capabilityId = BILLING) =>
    createAgentCallSigner({ aic: INITIATOR, certificatePem, privateKey: initiatorKey }).sign({ audience: TARGET, capabilityId, taskId: proofTaskId(sessionId, kind) });

  const init = async (overrides: Partial<SessionInit> & { cap?: string; exp?: number } = {}): Promise<SessionInit> => {
    const sessionId = overrides.sessionId ?? randomUUID();
    return {
      kind: 'SESSION_INIT', sessionId, initiatorAic: INITIATOR, targetAic: TARGET, capabilityId: BILLING, certificatePem,
      artifact: await artifact({ sid: sessionId, cap: overrides.cap, exp: overrides.exp }), proof: await proof(sessionId, 'SESSION_INIT', overrides.capabilityId), ...overrides,
    };
  };

  const target = (held: string[] = [BILLING], maxSessions?: number) => {
    const counters: SessionCounters = { accepted: 0, data: 0, updated: 0, terminated: 0, refused: {} };
    const table = createSessionTarget({
      agent: {
        name: 'billing-agent', aic: () => TARGET, held: () => held, canRun: () => true,
        // The fake SMF takes any report: the target's proof for the SMF is checked in test/smf.
        signer: () => createAgentCallSigner({ aic: TARGET, certificatePem, privateKey: initiatorKey }),
        run: async (task) => {
          ran.push(task.capabilityId);
          return { taskId: task.taskId, capabilityId: task.capabilityId, state: 'completed', summary: 'done', data: {} };
        },
        busy: (work) => work(),
      },
      smf, trustAnchors: () => [ca.certificatePem], credentialStatus: async (serial) => states.get(serial) ?? 'GOOD',
      counters, logger: createLogger({ nf: 'TEST', level: 'silent' }), now: () => clock, maxSessions,
    });
    return { table, counters };
  };

  before(async () => {
    const material = await createCaMaterial({ commonName: 'test AMC CA' });
    ca = material;
    const authority = await loadCertificateAuthority(material);
    const key = await createAgentKeyAndCsr();
    initiatorKey = key.keys.privateKey;
    ({ certificatePem } = await authority.issue({ csrPem: key.csrPem, aic: INITIATOR, serialNumberHex: '0e01', notBefore: new Date(clock - 60_000), notAfter: new Date(clock + 86_400_000) }));
    const pair = await generateKeyPair('ES256');
    smfKey = pair.privateKey;
    jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
  });
  beforeEach(() => {
    clock = Date.now();
    states.clear();
    establishFails = false;
    reports.length = 0;
    ran.length = 0;
  });

  it('accepts a good INIT, reports establish, and keeps the session with the artifact\'s capability, scope and expiry', async () => {
    const { table, counters } = target();
    const request = await init();
    expect(await table.handle(request)).to.include({ kind: 'SESSION_ACCEPT', capabilityId: BILLING });
    expect(reports).to.deep.equal([`establish ${request.sessionId}`]);
    expect(table.session(request.sessionId)).to.include({ initiatorAic: INITIATOR, capabilityId: BILLING });
    expect(counters.accepted).to.equal(1);
  });

  it('refuses a capability the agent does not hold as CAPABILITY_NOT_HELD, and reports nothing to the SMF', async () => {
    const { table, counters } = target(['/capability/knowledge-qa']);
    expect(await table.handle(await init())).to.include({ kind: 'SESSION_REJECT', cause: 'CAPABILITY_NOT_HELD' });
    expect(table.liveCount()).to.equal(0);
    expect(reports).to.deep.equal([]);
    expect(counters.refused.CAPABILITY_NOT_HELD).to.equal(1);
  });

  it('refuses a suspended initiator credential as CERTIFICATE_SUSPENDED', async () => {
    const { table } = target();
    states.set('0e01', 'SUSPENDED');
    expect(await table.handle(await init())).to.include({ kind: 'SESSION_REJECT', cause: 'CERTIFICATE_SUSPENDED' });
    expect(table.liveCount()).to.equal(0);
  });

  it('refuses an INIT whose targetAic is not this agent as AUDIENCE_MISMATCH', async () => {
    const { table } = target();
    expect(await table.handle(await init({ targetAic: '1.2.156.3088.1.2.1.1.3.0O41' }))).to.include({ cause: 'AUDIENCE_MISMATCH' });
  });

  it('keeps nothing when the SMF does not take the establishment', async () => {
    const { table } = target();
    establishFails = true;
    const request = await init();
    expect(await table.handle(request)).to.include({ kind: 'SESSION_REJECT', cause: 'SESSION_MANAGER_UNAVAILABLE' });
    expect(table.session(request.sessionId)).to.equal(undefined);
    establishFails = false;
    // Nothing was kept, so the INIT may be tried again (with a fresh proof: each is single use) once the SMF answers.
    expect(await table.handle({ ...request, proof: await proof(request.sessionId, 'SESSION_INIT') })).to.include({ kind: 'SESSION_ACCEPT' });
  });

  it('refuses data once the authorization expired as SESSION_EXPIRED and runs nothing', async () => {
    const { table } = target();
    const request = await init({ exp: Math.floor(clock / 1000) + 10 });
    expect((await table.handle(request)).kind).to.equal('SESSION_ACCEPT');
    clock += 11_000;
    expect(await table.handle({ kind: 'SESSION_DATA', sessionId: request.sessionId, proof: await proof(request.sessionId, 'SESSION_DATA'), capabilityId: BILLING, parameters: {} })).to.include({ kind: 'SESSION_ERROR', cause: 'SESSION_EXPIRED' });
    expect(ran).to.deep.equal([]);
    expect(table.liveCount()).to.equal(0);
  });

  it('refuses data when the session scope allows no data exchange as OUT_OF_SCOPE', async () => {
    const { table } = target();
    const sessionId = randomUUID();
    const request = await init({ sessionId, artifact: await artifact({ sid: sessionId, scope: ['subscribe'] }) });
    expect((await table.handle(request)).kind).to.equal('SESSION_ACCEPT');
    expect(await table.handle({ kind: 'SESSION_DATA', sessionId, proof: await proof(sessionId, 'SESSION_DATA'), capabilityId: BILLING, parameters: {} })).to.include({ cause: 'OUT_OF_SCOPE' });
    expect(ran).to.deep.equal([]);
  });

  it('takes an update artifact of the same session and refuses one of another session as ARTIFACT_INVALID', async () => {
    const { table } = target();
    const request = await init();
    await table.handle(request);
    const fresh = await artifact({ sid: request.sessionId, scope: ['invoke', 'query'] });
    expect(await table.handle({ kind: 'SESSION_UPDATE', sessionId: request.sessionId, proof: await proof(request.sessionId, 'SESSION_UPDATE'), artifact: fresh })).to.include({ kind: 'SESSION_ACCEPT' });
    expect(table.session(request.sessionId)?.scope).to.deep.equal(['invoke', 'query']);
    expect(await table.handle({ kind: 'SESSION_UPDATE', sessionId: request.sessionId, proof: await proof(request.sessionId, 'SESSION_UPDATE'), artifact: fresh })).to.include({ kind: 'SESSION_REJECT', cause: 'REPLAYED_INIT' });
    const foreign = await artifact({ sid: randomUUID() });
    expect(await table.handle({ kind: 'SESSION_UPDATE', sessionId: request.sessionId, proof: await proof(request.sessionId, 'SESSION_UPDATE'), artifact: foreign })).to.include({ kind: 'SESSION_REJECT', cause: 'ARTIFACT_INVALID' });
  });

  it('refuses a second concurrent INIT of one session as REPLAYED_INIT: one session is kept', async () => {
    const { table } = target();
    const request = await init();
    const answers = await Promise.all([table.handle(request), table.handle(request)]);
    expect(answers.map((answer) => answer.kind).sort()).to.deep.equal(['SESSION_ACCEPT', 'SESSION_REJECT']);
    expect(table.liveCount()).to.equal(1);
  });

  it('holds at most maxSessions live sessions', async () => {
    const { table } = target([BILLING], 2);
    for (let i = 0; i < 2; i += 1) expect((await table.handle(await init())).kind).to.equal('SESSION_ACCEPT');
    expect(await table.handle(await init())).to.include({ cause: 'SESSION_MANAGER_UNAVAILABLE' });
    expect(table.liveCount()).to.equal(2);
  });

  it('runs a task carried in SESSION_DATA with its id, intent and inputs, and answers a repeat of the task with the first answer', async () => {
    const { table, counters } = target();
    const first = await init();
    await table.handle(first);
    const dependency = { taskId: 'e1.location', capabilityId: '/capability/location', state: 'completed' as const, summary: 'in cell 3', data: { cellId: 3 } };
    const data = async (sessionId: string) => table.handle({
      kind: 'SESSION_DATA', sessionId, proof: await proof(sessionId, 'SESSION_DATA'), capabilityId: BILLING, parameters: {}, taskId: 'e1.billing-plan', intentId: 'intent-7', inputs: { 'e1.location': dependency },
    });
    const answer = await data(first.sessionId);
    expect(answer).to.deep.include({ kind: 'SESSION_RESULT' });
    expect((answer as { result: { taskId: string } }).result.taskId).to.equal('e1.billing-plan');
    // The same task again, in a second session of the same initiator (a reopened one): not run twice.
    const second = await init();
    await table.handle(second);
    const repeated = await data(second.sessionId);
    expect((repeated as { result: unknown }).result).to.deep.equal((answer as { result: unknown }).result);
    expect(ran).to.deep.equal([BILLING]);
    expect(counters.data).to.equal(2);
  });

  it('reads the task fields of SESSION_DATA and refuses malformed ones in words', () => {
    const base = { kind: 'SESSION_DATA', sessionId: randomUUID(), proof: 'a.b.c', capabilityId: BILLING, parameters: {} };
    const result = { taskId: 't1', capabilityId: BILLING, state: 'completed', summary: 'ok', data: {} };
    expect(readSessionRequest({ ...base, taskId: 't2', intentId: 'i1', inputs: { t1: result } })).to.deep.include({ taskId: 't2', intentId: 'i1', inputs: { t1: result } });
    expect(readSessionRequest({ ...base, taskId: 'x'.repeat(65) })).to.have.property('malformed').that.matches(/taskId/);
    expect(readSessionRequest({ ...base, taskId: 't2', inputs: { t1: { ...result, state: 'maybe' } } })).to.have.property('malformed').that.matches(/inputs\.t1 state/);
    expect(readSessionRequest({ ...base, taskId: 't2', inputs: [] })).to.have.property('malformed').that.matches(/inputs/);
    expect(readSessionRequest({ ...base, inputs: { t1: result } })).to.have.property('malformed').that.matches(/taskId/);
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`t${i}`, result]));
    expect(readSessionRequest({ ...base, taskId: 't2', inputs: many })).to.have.property('malformed').that.matches(/at most 16/);
  });

  it('reads malformed session messages as refusals in words', () => {
    expect(readSessionRequest({ kind: 'SESSION_HELLO', sessionId: randomUUID() })).to.have.property('malformed').that.matches(/kind/);
    expect(readSessionRequest({ kind: 'SESSION_DATA', sessionId: randomUUID(), proof: 'a.b.c', capabilityId: BILLING, parameters: [] })).to.have.property('malformed').that.matches(/parameters/);
    expect(readSessionRequest({ kind: 'SESSION_DATA', sessionId: randomUUID(), proof: 'a.b.c', capabilityId: BILLING, supi: 'imsi-1' })).to.have.property('malformed').that.matches(/supi/);
    expect(readSessionRequest({ kind: 'SESSION_TERMINATE', sessionId: randomUUID() })).to.have.property('malformed').that.matches(/proof/);
    expect(readSessionRequest({ kind: 'SESSION_INIT', sessionId: randomUUID(), initiatorAic: INITIATOR })).to.have.property('malformed');
  });
});
