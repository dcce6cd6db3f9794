import 'reflect-metadata';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { randomUUID, X509Certificate } from 'node:crypto';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createAgentCallSigner, createAgentCallVerifier, type AgentIdentity, type CredentialState } from '../../nfs/shared/agent-auth.ts';
import { createCaMaterial, loadCertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import { refusal } from '../support/refusal.ts';

const CALLER = '1.2.156.3088.1.2.1.1.1.0O41';
const CALLEE = '1.2.156.3088.1.2.1.1.2.0O41';
const QOS = '/capability/qos-optimisation';

async function issueIdentity(caMaterial: { certificatePem: string; privateKeyPkcs8Pem: string }, aic: string, serial: string): Promise<AgentIdentity> {
  const ca = await loadCertificateAuthority(caMaterial);
  const key = await createAgentKeyAndCsr();
  const now = Date.now();
  const { certificatePem } = await ca.issue({ csrPem: key.csrPem, aic, serialNumberHex: serial, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
  return { aic, certificatePem, privateKey: key.keys.privateKey };
}

describe('agent call credentials (JWS with the caller certificate in x5c)', () => {
  let caMaterial: Awaited<ReturnType<typeof createCaMaterial>>;
  let caller: AgentIdentity;
  const states = new Map<string, CredentialState>();
  const verifier = () => createAgentCallVerifier({ trustAnchors: () => [caMaterial.certificatePem], credentialStatus: async (serial) => states.get(serial) ?? 'GOOD', statusCacheMs: 0 });

  before(async () => {
    caMaterial = await createCaMaterial({ commonName: 'test AMC CA' });
    caller = await issueIdentity(caMaterial, CALLER, '0a01');
  });

  it('accepts a call signed by an agent of the trusted CA and names the caller', async () => {
    const token = await createAgentCallSigner(caller).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    const verified = await verifier().verify(token, { audience: CALLEE, capabilityId: QOS });
    expect(verified.callerAic).to.equal(CALLER);
    expect(verified.serialNumber).to.equal('0a01');
  });

  describe('a token addressed to a capability (a call through the gateway\'s routing)', () => {
    const task = { taskId: 't-r', intentId: 'i-1', capabilityId: QOS, supi: 'imsi-001010000000011', parameters: { level: 'high', flows: [1, 2] } };
    const vouchedFor: string[] = [];
    const routed = (received: unknown) => ({ audience: CALLEE, routed: { audience: QOS, task: received, vouched: async (jti: string) => void vouchedFor.push(jti) }, capabilityId: QOS, taskId: 't-r' });

    it('is taken with the very task it carries the digest of, in any key order, and says it was routed', async () => {
      const token = await createAgentCallSigner(caller).sign({ audience: QOS, capabilityId: QOS, taskId: 't-r', task });
      const reordered = JSON.parse(JSON.stringify({ parameters: { flows: [1, 2], level: 'high' }, supi: task.supi, capabilityId: QOS, intentId: 'i-1', taskId: 't-r' }));
      const verified = await verifier().verify(token, routed(reordered));
      expect(verified).to.include({ callerAic: CALLER, routed: true });
      expect(vouchedFor.at(-1), 'the gateway forward is checked for this token').to.equal(verified.jti).and.be.a('string');
    });

    it('is not spent where the gateway did not forward it, so it still counts where it did', async () => {
      const token = await createAgentCallSigner(caller).sign({ audience: QOS, capabilityId: QOS, taskId: 't-r', task });
      const checker = verifier();
      const unvouched = { ...routed(task), routed: { ...routed(task).routed, vouched: async () => { throw new ProblemError(401, 'not forwarded here', { cause: 'FORWARD_NOT_VOUCHED' }); } } };
      expect((await refusal(checker.verify(token, unvouched))).cause).to.equal('FORWARD_NOT_VOUCHED');
      expect(await checker.verify(token, routed(task))).to.include({ routed: true });
    });

    it('is refused with another task, without a digest, or when the callee is not routed-to', async () => {
      const token = await createAgentCallSigner(caller).sign({ audience: QOS, capabilityId: QOS, taskId: 't-r', task });
      expect((await refusal(verifier().verify(token, routed({ ...task, parameters: { level: 'low', flows: [1, 2] } })))).cause).to.equal('TOKEN_CLAIM_MISMATCH');
      const undigested = await createAgentCallSigner(caller).sign({ audience: QOS, capabilityId: QOS, taskId: 't-r' });
      expect((await refusal(verifier().verify(undigested, routed(task)))).cause).to.equal('TOKEN_CLAIM_MISMATCH');
      expect((await refusal(verifier().verify(token, { audience: CALLEE, capabilityId: QOS, taskId: 't-r' }))).status, 'no routed audience offered').to.equal(401);
    });

    it('a token addressed to the callee itself needs no digest and is not routed', async () => {
      const token = await createAgentCallSigner(caller).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't-r' });
      expect(await verifier().verify(token, routed(task))).to.include({ routed: false });
    });
  });

  it('refuses a token replayed to the same verifier', async () => {
    const checker = verifier();
    const token = await createAgentCallSigner(caller).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    await checker.verify(token, { audience: CALLEE, capabilityId: QOS });
    expect((await refusal(checker.verify(token, { audience: CALLEE, capabilityId: QOS }))).cause).to.equal('REPLAYED_TOKEN');
  });

  it('refuses a token for another audience or another capability', async () => {
    const token = await createAgentCallSigner(caller).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    expect((await refusal(verifier().verify(token, { audience: CALLER, capabilityId: QOS }))).status).to.equal(401);
    expect((await refusal(verifier().verify(token, { audience: CALLEE, capabilityId: '/capability/location' }))).status).to.equal(403);
  });

  it('names the claim a token lacks: cap (the capability) or tid (the task)', async () => {
    const x5c = [new X509Certificate(caller.certificatePem).raw.toString('base64')];
    const sign = (claims: Record<string, string>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'agent-call+jwt', x5c }).setIssuer(CALLER).setSubject(CALLER).setAudience(CALLEE).setIssuedAt().setExpirationTime('60s').setJti(randomUUID()).sign(caller.privateKey);
    const expected = { audience: CALLEE, capabilityId: QOS, taskId: 't1' };
    const noCap = await refusal(verifier().verify(await sign({ tid: 't1' }), expected));
    expect([noCap.cause, noCap.message]).to.deep.equal(['TOKEN_CLAIM_MISMATCH', `the call token has no cap claim (the capability it is for: ${QOS})`]);
    const noTid = await refusal(verifier().verify(await sign({ cap: QOS }), expected));
    expect([noTid.cause, noTid.message]).to.deep.equal(['TOKEN_CLAIM_MISMATCH', 'the call token has no tid claim (the taskId it is for: t1)']);
    // Both present, the same token is taken.
    expect(await verifier().verify(await sign({ cap: QOS, tid: 't1' }), expected)).to.include({ callerAic: CALLER });
  });

  it('refuses a certificate from another CA', async () => {
    const stranger = await issueIdentity(await createCaMaterial({ commonName: 'other CA' }), CALLER, '0b01');
    const token = await createAgentCallSigner(stranger).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    expect((await refusal(verifier().verify(token, { audience: CALLEE, capabilityId: QOS }))).cause).to.equal('UNTRUSTED_CERTIFICATE');
  });

  it('refuses a token signed with a key that is not the certificate key', async () => {
    const impostorKey = await createAgentKeyAndCsr();
    const token = await createAgentCallSigner({ ...caller, privateKey: impostorKey.keys.privateKey }).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    expect((await refusal(verifier().verify(token, { audience: CALLEE, capabilityId: QOS }))).cause).to.equal('INVALID_AGENT_CREDENTIAL');
  });

  it('refuses a caller whose credential the AMC reports revoked or suspended', async () => {
    const revoked = await issueIdentity(caMaterial, CALLER, '0c01');
    states.set('0c01', 'REVOKED');
    const token = await createAgentCallSigner(revoked).sign({ audience: CALLEE, capabilityId: QOS, taskId: 't1' });
    expect((await refusal(verifier().verify(token, { audience: CALLEE, capabilityId: QOS }))).cause).to.equal('CREDENTIAL_REVOKED');
  });

  it('refuses text that is not a JWS', async () => {
    expect((await refusal(verifier().verify('not-a-token', { audience: CALLEE, capabilityId: QOS }))).status).to.equal(401);
  });
});
