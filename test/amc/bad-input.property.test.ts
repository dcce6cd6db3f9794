/**
 * Property: every malformed request a real AMC receives over HTTP is answered 4xx with
 * application/problem+json (TS 29.500 clause 5.2.7, TS 29.571 clause 5.2.4.1), 405 with an Allow
 * header for a method its path lacks, and stores nothing. Only requests that are malformed whatever
 * values are drawn are generated. The validator coerces scalars in bodies and queries ("5" -> 5,
 * true -> 1, null -> 0 or "", 5 -> "5"), so such values are never drawn as wrong types.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import fc from 'fast-check';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { defaultAicScheme, parseAic } from '../../nfs/shared/aic.ts';
import { operatorCore, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { refusalProbe, type BadRequest } from '../support/malformed-requests.ts';

/** Padding bytes, then suffix, are appended at send time, so a failure report stays short. */
const numRuns = 300;
const json = 'application/json';
const providers = '/namc-prov/v1/providers';
const credentials = '/namc-cred/v1/credentials';
// The six of the brief, and where a registration's half-done steps would show: ontologies, nonces, AAAP grants.
const counted = ['agw.agents', 'agw.policies', 'agw.taxonomy', 'amc.providers', 'amc.credentials', 'amc.subscribers', 'agw.ontologies', 'agw.nonces', 'amc.grants'];
const capabilityId = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;
const providerId = /^[a-z0-9][a-z0-9-]{1,62}$/;

const send = (label: string, method: string, path: string, body?: unknown): BadRequest =>
  body === undefined ? { label, method, path } : { label, method, path, contentType: json, body: typeof body === 'string' ? body : JSON.stringify(body) };
const isNotJson = (text: string) => {
  try {
    JSON.parse(text);
  } catch {
    return true;
  }
  return false;
};
const without = (value: Record<string, unknown>, name: string) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== name));
const withUnknown = (value: object) =>
  fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !(name in value)), fc.jsonValue({ maxDepth: 2 })).map(([name, extra]) => ({ ...value, [name]: extra }));

// Values of a wrong type that the validator cannot coerce into the right one.
const notScalar = fc.oneof(fc.constant({}), fc.record({ value: fc.integer() }), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }));
const notObject = fc.oneof(fc.string(), fc.integer(), fc.array(fc.nat(), { maxLength: 2 }));
const failing = (pattern: RegExp, maxLength = 80) => fc.string({ maxLength }).filter((text) => !pattern.test(text));
const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 40 }).map((n) => 'x'.repeat(n));
/** A path segment the pattern refuses ('', '.' and '..' would name another resource). */
const badSegment = (pattern: RegExp) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: 70 }).filter((text) => !pattern.test(text) && !/^\.{1,2}$/.test(text)).map(encodeURIComponent);
const unknownParam = (known: string[]) => fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !known.includes(name)), fc.string({ maxLength: 12 }))
  .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);

const refusedAic = (text: string) => !parseAic(text, { saltHex: defaultAicScheme.saltHex }).ok;
/** Malformed AICs, and the registered AIC with one character changed or one dot dropped. */
const badAic = (aic: string) => fc.oneof(
  fc.string({ minLength: 1, maxLength: 70 }),
  fc.array(fc.stringMatching(/^[0-9A-Z]{1,10}$/), { minLength: 1, maxLength: 12 }).map((levels) => levels.join('.')),
  fc.tuple(fc.nat(aic.length - 1), fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')).map(([at, character]) => aic.slice(0, at) + (aic[at] === '.' ? '' : character) + aic.slice(at + 1)),
).filter(refusedAic);
const badCapabilityList = (maxItems: number) => fc.oneof(
  fc.constant([]),
  fc.constant(Array.from({ length: maxItems + 1 }, (_, i) => `/capability/c${i}`)),
  fc.string().filter((id) => id !== '*' && !capabilityId.test(id)).map((id) => ['/capability/location', id]),
  fc.oneof(fc.string(), fc.record({ value: fc.nat() }), fc.array(notScalar, { minLength: 1, maxLength: 2 })),
);
const badProvider = fc.oneof(
  failing(providerId).map((id) => ({ ...operatorCore, providerId: id })),
  fc.oneof(fc.constant(''), tooLong(128), notScalar).map((clientSecret) => ({ ...operatorCore, clientSecret })),
  fc.constant({ providerId: operatorCore.providerId }),
  withUnknown(operatorCore),
  notObject,
);
const privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
/** Not a CSR of a key: the AMC checks every CSR itself, a certificate or a forged signature included. */
const badCsr = (certificatePem: string, forgedCsrPem: string) => fc.oneof(
  fc.string({ maxLength: 99 }),
  fc.string({ minLength: 100, maxLength: 300 }).filter((text) => !text.includes('-----')),
  fc.stringMatching(/^[A-Za-z0-9+/]{100,200}$/).map((b64) => `-----BEGIN CERTIFICATE REQUEST-----\nAAAA${b64}\n-----END CERTIFICATE REQUEST-----`),
  fc.constantFrom(privateKeyPem, certificatePem, forgedCsrPem, 'A'.repeat(16_385)),
  notScalar,
);
const badUrl = fc.oneof(
  fc.constantFrom('http://', 'http://[::1', 'http://%zz', '', 'x', '/notify', 'http:/x', 'http:// x', 'ftp://127.0.0.1/notify', 'ws://127.0.0.1:9', 'mailto:a@b.example', 'javascript:alert(1)', 'HTTP://127.0.0.1:9/notify'),
  notScalar,
);

interface Context { aic: string; serial: string; certificatePem: string; forgedCsrPem: string; csrPem: string; ownCsrPem: string }

function badProviderRequest() {
  const creation = { providerId: 'probe-provider', name: 'Probe provider', allowedCapabilities: ['/capability/location'] };
  const create = (label: string) => (body: unknown) => send(`provider creation: ${label}`, 'POST', providers, body);
  const update = (label: string) => (body: unknown) => send(`provider update: ${label}`, 'PATCH', `${providers}/acme-agents`, body);
  const status = fc.oneof(fc.string().filter((text) => text !== 'ACTIVE' && text !== 'SUSPENDED'), notScalar);
  return fc.oneof(
    fc.constantFrom('providerId', 'name', 'allowedCapabilities').map((name) => create(`no ${name}`)(without(creation, name))),
    fc.oneof(failing(providerId), notScalar).map((id) => create('bad providerId')({ ...creation, providerId: id })),
    fc.oneof(fc.constant(''), tooLong(128), notScalar).map((name) => create('bad name')({ ...creation, name })),
    badCapabilityList(256).map((allowedCapabilities) => create('bad allowedCapabilities')({ ...creation, allowedCapabilities })),
    fc.oneof(fc.string({ maxLength: 15 }), tooLong(128), notScalar).map((clientSecret) => create('bad clientSecret')({ ...creation, clientSecret })),
    withUnknown(creation).map(create('unknown member')),
    badSegment(providerId).chain((id) => fc.constantFrom(send('bad providerId in the path', 'GET', `${providers}/${id}`), send('bad providerId in the path', 'PATCH', `${providers}/${id}`, { status: 'ACTIVE' }))),
    fc.oneof(fc.constant({}), status.map((value) => ({ status: value })), badCapabilityList(256).map((allowedCapabilities) => ({ allowedCapabilities })), withUnknown({ status: 'ACTIVE' }), notObject).map(update('bad change')),
  );
}

function badAuthorization() {
  const base = { gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' }, provider: operatorCore, agent: { name: 'probe', version: '1.0', kind: 'nf-agent' }, requestedCapabilities: ['/capability/location'], publicKeySha256: 'a'.repeat(64) };
  const post = (label: string) => (body: unknown) => send(`AAAP: ${label}`, 'POST', '/namc-auth/v1/authorizations', body);
  const notUuid = fc.oneof(fc.string({ maxLength: 40 }), fc.uuid().map((id) => `${id}0`), notScalar).filter((text) => typeof text !== 'string' || !/^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(text));
  return fc.oneof(
    fc.constantFrom(...Object.keys(base)).map((name) => post(`no ${name}`)(without(base, name))),
    fc.oneof(notUuid.map((nfInstanceId) => ({ ...base.gateway, nfInstanceId })), fc.oneof(fc.constant(''), tooLong(128), notScalar).map((domain) => ({ ...base.gateway, domain })), fc.constant({ domain: 'x' }), withUnknown(base.gateway), notObject)
      .map((gateway) => post('bad gateway')({ ...base, gateway })),
    badProvider.map((provider) => post('bad provider')({ ...base, provider })),
    fc.oneof(
      fc.oneof(fc.constant(''), tooLong(64), notScalar).map((name) => ({ ...base.agent, name })),
      fc.oneof(failing(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, 12), notScalar).map((version) => ({ ...base.agent, version })),
      fc.oneof(fc.string().filter((kind) => !['nf-agent', 'capability-agent', 'ue-agent', 'third-party'].includes(kind)), notScalar).map((kind) => ({ ...base.agent, kind })),
      fc.constantFrom('name', 'version', 'kind').map((name) => without(base.agent, name)),
      withUnknown(base.agent),
      notObject,
    ).map((agent) => post('bad agent')({ ...base, agent })),
    fc.oneof(badCapabilityList(32), fc.constant(['/capability/location', '/capability/location'])).map((requestedCapabilities) => post('bad requestedCapabilities')({ ...base, requestedCapabilities })),
    fc.oneof(failing(/^[0-9a-f]{64}$/, 70), fc.constant('A'.repeat(64)), notScalar).map((publicKeySha256) => post('bad publicKeySha256')({ ...base, publicKeySha256 })),
    withUnknown(base).map(post('unknown member')),
  );
}

function badCredentialRequest(ctx: Context) {
  const issue = { grantId: 'probe-grant', aic: ctx.aic, csrPem: ctx.csrPem };
  const post = (label: string) => (body: unknown) => send(`issue: ${label}`, 'POST', credentials, body);
  const own = `${credentials}/${ctx.serial}`;
  const reason = fc.oneof(fc.string().filter((text) => !['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn'].includes(text)), notScalar);
  return fc.oneof(
    fc.constantFrom('grantId', 'aic', 'csrPem').map((name) => post(`no ${name}`)(without(issue, name))),
    fc.oneof(fc.constant(''), tooLong(64), notScalar).map((grantId) => post('bad grantId')({ ...issue, grantId })),
    fc.oneof(badAic(ctx.aic), notScalar).map((aic) => post('bad aic')({ ...issue, aic })),
    badCsr(ctx.certificatePem, ctx.forgedCsrPem).map((csrPem) => post('bad CSR text')({ ...issue, csrPem })),
    withUnknown(issue).map(post('unknown member')),
    fc.oneof(badAic(ctx.aic).map((aic) => `aic=${encodeURIComponent(aic)}`), fc.constant('aic='), unknownParam(['aic'])).map((query) => send('bad credentials query', 'GET', `${credentials}?${query}`)),
    badSegment(/^[0-9a-f]{2,40}$/).chain((serial) => fc.constantFrom(
      send('bad serial', 'GET', `${credentials}/${serial}`),
      send('bad serial', 'POST', `${credentials}/${serial}/renew`, { csrPem: ctx.ownCsrPem }),
      send('bad serial', 'POST', `${credentials}/${serial}/suspend`, {}),
      send('bad serial', 'POST', `${credentials}/${serial}/resume`),
      send('bad serial', 'POST', `${credentials}/${serial}/revoke`, { reason: 'keyCompromise' }),
    )),
    fc.oneof(fc.constant({}), badCsr(ctx.certificatePem, ctx.forgedCsrPem).map((csrPem) => ({ csrPem })), withUnknown({ csrPem: ctx.ownCsrPem }), fc.constant([])).map((body) => send('renew: bad body', 'POST', `${own}/renew`, body)),
    fc.tuple(fc.constantFrom('suspend', 'revoke'), fc.oneof(reason.map((value) => ({ reason: value })), withUnknown({ reason: 'keyCompromise' }), fc.constant([]))).map(([change, body]) => send(`${change}: bad body`, 'POST', `${own}/${change}`, body)),
    fc.constant(send('revoke: certificateHold is a suspension', 'POST', `${own}/revoke`, { reason: 'certificateHold' })),
    fc.oneof(badUrl.map((notificationUri) => ({ notificationUri })), fc.constant({}), withUnknown({ notificationUri: 'http://127.0.0.1:9/notify' })).map((body) => send('subscription: bad body', 'POST', '/namc-cred/v1/subscriptions', body)),
  );
}

/** Whole-request faults: JSON that does not parse, wrong media types, methods, sizes and depths. */
function badEnvelope(ctx: Context) {
  const targets: Array<[string, string, unknown]> = [
    ['POST', providers, { providerId: 'media-provider', name: 'Media', allowedCapabilities: ['*'] }],
    ['PATCH', `${providers}/acme-agents`, { status: 'ACTIVE' }],
    ['POST', '/namc-auth/v1/authorizations', { gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' }, provider: operatorCore, agent: { name: 'media', version: '1.0', kind: 'nf-agent' }, requestedCapabilities: ['/capability/location'], publicKeySha256: 'b'.repeat(64) }],
    ['POST', credentials, { grantId: 'probe-grant', aic: ctx.aic, csrPem: ctx.csrPem }],
    ['POST', `${credentials}/${ctx.serial}/renew`, { csrPem: ctx.ownCsrPem }],
    ['POST', `${credentials}/${ctx.serial}/suspend`, { reason: 'keyCompromise' }],
    ['POST', `${credentials}/${ctx.serial}/revoke`, { reason: 'keyCompromise' }],
    ['POST', '/namc-cred/v1/subscriptions', { notificationUri: 'http://127.0.0.1:9/media' }],
  ];
  const target = fc.constantFrom(...targets);
  const malformedJson = fc.tuple(target, fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.jsonValue().map((value) => `${JSON.stringify(value)},`), fc.constantFrom('{', '{"status":}', "{'status':'ACTIVE'}", '{"reason":"unspecified",}', 'NaN', '[{]')).filter(isNotJson))
    .map(([[method, path], text]) => send('malformed JSON text', method, path, text));
  const mediaType = fc.tuple(target, fc.constantFrom(undefined, 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/problem+json', 'application/json; charset=latin1'))
    .map(([[method, path, body], contentType]): BadRequest => ({ label: `content-type ${contentType ?? '(none)'}`, method, path, contentType, body: JSON.stringify(body) }));
  const unsupportedMethod = fc.oneof(
    fc.constantFrom<[string, string]>(['PUT', providers], ['DELETE', providers], ['DELETE', `${providers}/acme-agents`], ['PUT', `${providers}/acme-agents`], ['GET', '/namc-auth/v1/authorizations'],
      ['PUT', credentials], ['DELETE', `${credentials}/${ctx.serial}`], ['GET', `${credentials}/${ctx.serial}/renew`], ['GET', `${credentials}/${ctx.serial}/suspend`], ['DELETE', `${credentials}/${ctx.serial}/revoke`],
      ['PUT', `${credentials}/${ctx.serial}/resume`], ['POST', '/namc-cred/v1/crl'], ['PUT', '/namc-cred/v1/ca'], ['DELETE', '/namc-cred/v1/trust-anchors'], ['GET', '/namc-cred/v1/subscriptions']),
    fc.tuple(fc.constantFrom('OPTIONS', 'PROPFIND', 'PURGE', 'LOCK', 'COPY', 'MOVE', 'SEARCH', 'REPORT'), fc.constantFrom(providers, credentials, '/namc-auth/v1/authorizations', '/namc-cred/v1/crl')),
  ).map(([method, path]): BadRequest => ({ label: 'unsupported method', method, path, allow: true }));
  const hugeBody = fc.tuple(
    fc.constantFrom<[string, string, string, string, string]>(
      ['POST', providers, json, '{"providerId":"huge-provider","allowedCapabilities":["*"],"name":"', '"}'],
      ['POST', '/namc-cred/v1/subscriptions', json, '{"notificationUri":"http://127.0.0.1:9/', '"}'],
      ['POST', credentials, json, `{"grantId":"g","aic":"${ctx.aic}","csrPem":"`, '"}'],
      ['POST', providers, 'text/plain', '', ''],
    ),
    fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 65536 }),
  ).map(([[method, path, contentType, body, suffix], padding]): BadRequest => ({ label: 'body over 1 MB', method, path, contentType, body, padding, suffix }));
  const deepJson = fc.tuple(target, fc.integer({ min: 33, max: 5000 }), fc.boolean(), fc.boolean()).map(([[method, path], levels, asArray, nested]) => {
    const deep = asArray ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    return send(`JSON nested ${levels} levels`, method, path, nested ? `{"reason":${deep}}` : deep);
  });
  return fc.oneof({ arbitrary: malformedJson, weight: 3 }, { arbitrary: mediaType, weight: 3 }, { arbitrary: unsupportedMethod, weight: 3 }, { arbitrary: hugeBody, weight: 1 }, { arbitrary: deepJson, weight: 2 });
}

describe('AMC answering malformed requests (property)', () => {
  let core: TestCore;
  let ctx: Context;

  const probe = refusalProbe(() => core.amcUrl);

  const counts = async () => Object.fromEntries(await Promise.all(counted.map(async (name) => [name, await core.store.collection(name).countDocuments({})])));
  const amcState = async () => ({
    providers: (await request('GET', `${core.amcUrl}${providers}`)).body,
    credential: (await request('GET', `${core.amcUrl}${credentials}/${ctx.serial}`)).body,
  });

  before(async () => {
    core = await startTestCore();
    const registered = await registerAgent(core.agwUrl, { name: 'bad-input-target' });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    // The same CSR with one bit of its signature flipped: still well-formed DER, no proof of possession.
    const der = Buffer.from(registered.sent.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] ^= 0x01;
    ctx = {
      aic: registered.body.aic,
      serial: registered.body.acs.security.credentialSerialNumber,
      certificatePem: registered.body.certificatePem,
      forgedCsrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`,
      csrPem: (await createAgentKeyAndCsr()).csrPem,
      ownCsrPem: registered.sent.csrPem,
    };
  });

  after(() => core?.close());

  it(`answers ${numRuns} generated malformed AMC requests 4xx problem+json (405 with Allow for an unsupported method), storing nothing`, async function () {
    this.timeout(180_000);
    const countsBefore = await counts();
    const stateBefore = await amcState();
    expect(stateBefore.credential.status).to.equal('GOOD');
    const badRequest = fc.oneof(
      { arbitrary: badProviderRequest(), weight: 4 },
      { arbitrary: badAuthorization(), weight: 4 },
      { arbitrary: badCredentialRequest(ctx), weight: 6 },
      { arbitrary: badEnvelope(ctx), weight: 5 },
    );

    await fc.assert(fc.asyncProperty(badRequest, (req) => probe.refused(req)), { numRuns });

    expect(probe.sent(), 'requests sent').to.be.at.least(300);
    expect(await counts(), 'documents stored').to.deep.equal(countsBefore);
    expect(await amcState(), 'providers and the registered credential').to.deep.equal(stateBefore);
    expect((await request('GET', `${core.amcUrl}/healthz`)).status).to.equal(200);
    expect((await request('GET', `${core.agwUrl}/healthz`)).status).to.equal(200);
  });
});
