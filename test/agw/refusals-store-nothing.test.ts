import 'reflect-metadata';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { expect } from 'chai';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { registerAgent, startTestCore, type TestCore, asRegistrant } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('Refusals at the AGW and AMC leave no trace in the store', () => {
  let core: TestCore;
  let aic: string;
  let serial: string;
  before(async () => {
    core = await startTestCore();
    const { body } = await registerAgent(core.agwUrl, { name: 'present' });
    aic = body.aic;
    serial = body.acs.security.credentialSerialNumber;
  });
  after(async () => {
    await core.close();
  });
  const counts = async () =>
    Object.fromEntries(
      await Promise.all(['amc.grants', 'amc.credentials', 'amc.subscribers', 'agw.agents', 'agw.nonces', 'agw.ontologies', 'agw.counters', 'agw.policies'].map(async (name) => [name, await core.store.collection(name).countDocuments({})])),
    );

  it('refuses a certificate, a CSR with a forged signature or a weak key in csrPem, with no grant made and nothing stored', async () => {
    const before = await counts();
    const caPem = (await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body as string;
    const { csrPem } = await createAgentKeyAndCsr();
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] ^= 0x01;
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    const rsa1024 = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const weak = (await Pkcs10CertificateRequestGenerator.create({ keys: rsa1024, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } })).toString('pem');
    for (const [pem, cause] of [[caPem, 'INVALID_CSR'], [forged, 'CSR_SIGNATURE_INVALID'], [weak, 'WEAK_KEY']]) {
      const res = await registerAgent(core.agwUrl, { csrPem: pem });
      expect(res.status).to.equal(400);
      expect(res.body.cause).to.equal(cause);
    }
    expect(await counts()).to.deep.equal(before);
  });

  it('answers 415 to a suspend or revoke whose body has no Content-Type, and changes nothing', async () => {
    for (const action of ['suspend', 'revoke']) {
      const res = await fetch(`${core.amcUrl}/namc-cred/v1/credentials/${serial}/${action}`, { method: 'POST', body: Buffer.from('not json at all') });
      expect(res.status).to.equal(415);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serial}`)).body.status).to.equal('GOOD');
  });

  it('refuses URLs without a host as agent endpoints and as callbacks', async () => {
    const before = await counts();
    for (const url of ['http://', 'http://[::1', 'http://%zz']) {
      expect((await registerAgent(core.agwUrl, { a2aUrl: url })).status, url).to.equal(400);
      expect((await request('POST', `${core.amcUrl}/namc-cred/v1/subscriptions`, { notificationUri: url })).status, url).to.equal(400);
    }
    expect(await counts()).to.deep.equal(before);
  });

  it('refuses a mistyped AIC in a policy subject and in an event query', async () => {
    const mistyped = `${aic.slice(0, -1)}${aic.endsWith('0') ? '1' : '0'}`;
    const rule = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/r1`, { effect: 'DENY', subject: { aic: mistyped }, capabilityId: '*', actions: ['invoke'] }, { 'content-type': 'application/json' });
    expect(rule.status).to.equal(400);
    expect(rule.body.cause).to.equal('AIC_CHECKSUM');
    expect((await request('GET', `${core.agwUrl}/nagw-evts/v1/events?aic=${mistyped}`)).body.cause).to.equal('AIC_CHECKSUM');
    expect(await core.store.collection('agw.policies').countDocuments({})).to.equal(0);
  });

  it('refuses an empty query value on the cached discovery path as the validator does', async () => {
    const res = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?domain=`);
    expect(res.status).to.equal(400);
  });
});

describe('JSON bodies are taken as typed, not coerced', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });

  it('refuses a string where a number belongs and a number where a string belongs (400)', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'typed' });
    const beat = await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/heartbeat`, { load: '50' }, asRegistrant(body.aic));
    expect(beat.status).to.equal(400);
    expect(beat.body.invalidParams[0].param).to.equal('/load');
    expect((await request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, { query: 5 })).status).to.equal(400);
  });
});

describe('Only the registrant acts on a registration, and only the AMC decides credential status', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });

  it('answers 401 with a challenge without a registration access token, with another scheme or with a wrong token, 400 to a malformed bearer token, and changes nothing', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'owned' });
    const other = await registerAgent(core.agwUrl, { name: 'stranger' });
    const registration = `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`;
    // RFC 6750 section 3.1: no error code for a client that sent no bearer token at all.
    for (const authorization of [undefined, 'Basic b3duZWQ6c2VjcmV0']) {
      const res = await request('DELETE', registration, undefined, authorization ? { authorization } : {});
      expect([res.status, res.headers.get('www-authenticate')], authorization).to.deep.equal([401, 'Bearer realm="nagw-reg"']);
    }
    for (const authorization of ['Bearer short', `Bearer ${'x'.repeat(300)}`]) {
      const res = await request('DELETE', registration, undefined, { authorization });
      expect([res.status, res.headers.get('www-authenticate')], authorization).to.deep.equal([401, 'Bearer realm="nagw-reg", error="invalid_token"']);
    }
    // Section 3.1: a bearer credential that is not one b64token is a malformed request.
    for (const authorization of ['Bearer a b', 'Bearer', 'Bearer to*ken']) {
      const res = await request('DELETE', registration, undefined, { authorization });
      expect([res.status, res.headers.get('www-authenticate')], authorization).to.deep.equal([400, 'Bearer realm="nagw-reg", error="invalid_request"']);
    }
    const wrong = await request('DELETE', registration, undefined, asRegistrant(other.body.aic));
    expect(wrong.status).to.equal(401);
    expect(wrong.body.cause).to.equal('INVALID_REGISTRATION_TOKEN');
    expect((await request('PUT', `${registration}/heartbeat`, { load: 0 }, asRegistrant(other.body.aic))).status).to.equal(401);
    expect((await request('GET', registration)).status).to.equal(200);
    expect((await request('PUT', `${registration}/heartbeat`, { load: 3 }, asRegistrant(body.aic))).status).to.equal(204);
    // The scheme's name in any case (RFC 9110 section 11.1).
    expect((await request('PUT', `${registration}/heartbeat`, { load: 4 }, { authorization: asRegistrant(body.aic).authorization.replace('Bearer', 'bEARER') })).status).to.equal(204);
  });

  it('ignores what a forged credential event claims and keeps what the AMC says', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'victim' });
    const forged = { event: 'CREDENTIAL_REVOKED', serialNumber: body.acs.security.credentialSerialNumber, aic: body.aic, status: 'REVOKED', reason: 'keyCompromise' };
    expect((await request('POST', `${core.agwUrl}/nagw-reg/v1/credential-events`, forged)).status).to.equal(204);
    const record = (await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`)).body;
    expect(record.state).to.equal('ACTIVE');
    expect(record.certificatePem).to.equal(body.certificatePem);
  });
});
