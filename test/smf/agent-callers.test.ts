import 'reflect-metadata';
import { expect } from 'chai';
import { X509Certificate } from '@peculiar/x509';
import { createCaMaterial, loadCertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import type { AgentIdentity } from '../../nfs/shared/agent-auth.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { request } from '../support/nrf-harness.ts';
import { startTestSmfCore, type TestSmfCore } from '../support/smf-harness.ts';
import { registerIdentity, smfAuthorization } from '../support/smf-caller.ts';

const qosCap = '/capability/qos-optimisation';
const qos = { priority: 3, latencyBudgetMs: 50 };

describe('SMF: only the agent a session operation names may perform it (agent-signed JWS)', () => {
  let core: TestSmfCore;
  let initiator: AgentIdentity;
  let target: AgentIdentity;
  let bystander: AgentIdentity;

  const count = () => core.store.collection('smf.sessions').countDocuments({});
  const body = (overrides: Record<string, unknown> = {}) => ({ initiatorAic: initiator.aic, targetAic: target.aic, capabilityId: qosCap, qos, scope: ['invoke'], ...overrides });
  const create = (authorization?: string, overrides: Record<string, unknown> = {}) =>
    request('POST', `${core.sessionsApi}/sessions`, body(overrides), authorization ? { authorization } : {});
  const asInitiator = (agent = initiator, subject = target.aic) => smfAuthorization(agent, 'CreateAgentSession', subject, qosCap);

  /** A refused create: status and cause as ProblemDetails, nothing stored, the refusal counted. */
  async function refusedCreate(authorization: string | undefined, status: number, cause: string): Promise<void> {
    const before = await count();
    const counted = core.smf.service.callerRefusals()[cause] ?? 0;
    const res = await create(authorization);
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.cause).to.equal(cause);
    // RFC 6750 section 3.1: a challenge with each 401, its error code only when a token was sent.
    const challenge = status !== 401 ? null : cause === 'AGENT_CREDENTIAL_REQUIRED' ? 'Bearer' : 'Bearer error="invalid_token"';
    expect(res.headers.get('www-authenticate')).to.equal(challenge);
    expect(res.body.detail).to.be.a('string').that.is.not.empty;
    expect(await count()).to.equal(before);
    expect(core.smf.service.callerRefusals()[cause]).to.equal(counted + 1);
  }

  before(async () => {
    core = await startTestSmfCore();
    initiator = await registerIdentity(core.agwUrl, { name: 'intent-agent', kind: 'nf-agent', capabilities: ['/capability/intent-recognition'] });
    target = await registerIdentity(core.agwUrl, { name: 'qos-agent', capabilities: [qosCap] });
    bystander = await registerIdentity(core.agwUrl, { name: 'other-intent-agent', kind: 'nf-agent', capabilities: ['/capability/intent-recognition'] });
  });
  after(async () => {
    await core.close();
  });

  it('creates a session for the initiator that proves itself', async () => {
    const res = await create(await asInitiator());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('answers 401 AGENT_CREDENTIAL_REQUIRED to a create without Authorization, or with a token that is not a JWS', async () => {
    await refusedCreate(undefined, 401, 'AGENT_CREDENTIAL_REQUIRED');
    await refusedCreate('Basic aW50ZW50OmFnZW50', 401, 'AGENT_CREDENTIAL_REQUIRED');
    await refusedCreate('Bearer not-a-jws', 401, 'INVALID_AGENT_CREDENTIAL');
  });

  it('answers 403 CALLER_NOT_THE_AGENT_NAMED when another registered agent signs a create naming the initiator', async () => {
    await refusedCreate(await asInitiator(bystander), 403, 'CALLER_NOT_THE_AGENT_NAMED');
  });

  it('answers 401 REPLAYED_TOKEN to a second create with the same token', async () => {
    const token = await asInitiator();
    expect((await create(token)).status).to.equal(201);
    await refusedCreate(token, 401, 'REPLAYED_TOKEN');
  });

  it('refuses a token for another audience, another target or another operation as TOKEN_CLAIM_MISMATCH', async () => {
    await refusedCreate(await smfAuthorization(initiator, 'CreateAgentSession', target.aic, qosCap, target.aic), 401, 'TOKEN_CLAIM_MISMATCH');
    await refusedCreate(await asInitiator(initiator, bystander.aic), 403, 'TOKEN_CLAIM_MISMATCH');
    await refusedCreate(await smfAuthorization(initiator, 'ReleaseAgentSession', target.aic, qosCap), 403, 'TOKEN_CLAIM_MISMATCH');
  });

  it('answers 401 UNTRUSTED_CERTIFICATE to a certificate from another CA naming the initiator', async () => {
    const stranger = await loadCertificateAuthority(await createCaMaterial({ commonName: 'not the operator AMC CA' }));
    const key = await createAgentKeyAndCsr();
    const { certificatePem } = await stranger.issue({ csrPem: key.csrPem, aic: initiator.aic, serialNumberHex: '0d02', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) });
    await refusedCreate(await asInitiator({ aic: initiator.aic, certificatePem, privateKey: key.keys.privateKey }), 401, 'UNTRUSTED_CERTIFICATE');
  });

  it('answers 403 CREDENTIAL_REVOKED when the AMC revoked the initiator\'s credential', async () => {
    const victim = await registerIdentity(core.agwUrl, { name: 'revoked-intent-agent', kind: 'nf-agent', capabilities: ['/capability/intent-recognition'] });
    const serial = new X509Certificate(victim.certificatePem).serialNumber.toLowerCase();
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/revoke`, { reason: 'keyCompromise' })).status).to.equal(200);
    const before = await count();
    const res = await create(await asInitiator(victim), { initiatorAic: victim.aic });
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.cause).to.equal('CREDENTIAL_REVOKED');
    expect(await count()).to.equal(before);
  });

  it('lets only the agent it names establish, modify or release a session, and changes nothing otherwise', async () => {
    const created = await create(await asInitiator());
    const id = created.body.sessionId as string;
    const stored = async () => core.store.collection('smf.sessions').findOne({ _id: id });
    const post = (action: string, payload: Record<string, unknown>, authorization?: string) =>
      request('POST', `${core.sessionsApi}/sessions/${id}/${action}`, payload, authorization ? { authorization } : {});
    const before = await stored();
    // The initiator signs, naming the target as the reporter: not its to report.
    const forged = await post('establish', { reportedBy: target.aic }, await smfAuthorization(initiator, 'EstablishAgentSession', id, qosCap));
    expect(forged.status).to.equal(403);
    expect(forged.body.cause).to.equal('CALLER_NOT_THE_AGENT_NAMED');
    const unsigned = await post('release', { requestedBy: initiator.aic });
    expect(unsigned.status).to.equal(401);
    expect(unsigned.body.cause).to.equal('AGENT_CREDENTIAL_REQUIRED');
    // A token for this session's establish does not release it.
    const misused = await post('release', { requestedBy: initiator.aic }, await smfAuthorization(initiator, 'EstablishAgentSession', id, qosCap));
    expect(misused.status).to.equal(403);
    expect(misused.body.cause).to.equal('TOKEN_CLAIM_MISMATCH');
    expect(await stored()).to.deep.equal(before);

    expect((await post('establish', { reportedBy: target.aic }, await smfAuthorization(target, 'EstablishAgentSession', id, qosCap))).body.state).to.equal('ESTABLISHED');
    expect((await post('modify', { requestedBy: initiator.aic, qos: { priority: 1, latencyBudgetMs: 20 } }, await smfAuthorization(initiator, 'UpdateAgentSession', id, qosCap))).body.state).to.equal('MODIFIED');
    expect((await post('release', { requestedBy: target.aic }, await smfAuthorization(target, 'ReleaseAgentSession', id, qosCap))).body.state).to.equal('RELEASED');
  });

  it('still answers operators\' list and get without an agent credential', async () => {
    expect((await request('GET', `${core.sessionsApi}/sessions?limit=1`)).status).to.equal(200);
  });
});
