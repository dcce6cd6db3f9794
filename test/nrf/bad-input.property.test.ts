/**
 * Property: every malformed request a real NRF receives over HTTP is answered 4xx with
 * application/problem+json (TS 29.500 clause 5.2.7, TS 29.571 clause 5.2.4.1), or for a refused
 * token request with the RFC 6749 clause 5.2 AccessTokenErr (TS 29.510 clause 6.3.5.2.5), and
 * leaves nothing stored. Only requests that are malformed whatever values are drawn are generated.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { amfProfile, request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';

interface BadRequest {
  label: string;
  method: string;
  path: string;
  /** None: the body goes as bytes, so fetch adds no content-type either. */
  contentType?: string;
  body?: string;
  /** Bytes of padding, then suffix, appended at send time, so a failure report stays short. */
  padding?: number;
  suffix?: string;
}

const numRuns = 400;
const registeredId = '5a1e0c1d-8f3b-4c2a-9d6e-2b7f4e8a9c01';
const nfm = '/nnrf-nfm/v1';
const instance = (id: string) => `${nfm}/nf-instances/${id}`;
const json = 'application/json';
const jsonPatch = 'application/json-patch+json';
const form = 'application/x-www-form-urlencoded';
const callback = 'http://127.0.0.1:9/nf-status';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tokenErrors = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'];

const isNotJson = (text: string) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
};
const put = (label: string, id: string, body: unknown): BadRequest => ({ label, method: 'PUT', path: instance(id), contentType: json, body: JSON.stringify(body) });
const patch = (label: string, ops: unknown): BadRequest => ({ label, method: 'PATCH', path: instance(registeredId), contentType: jsonPatch, body: JSON.stringify(ops) });
const subscribe = (label: string, body: unknown): BadRequest => ({ label, method: 'POST', path: `${nfm}/subscriptions`, contentType: json, body: JSON.stringify(body) });

// Values the validator cannot coerce (coerceTypes turns "5" into 5 and true into 1, so those are not drawn).
const notScalar = fc.oneof(fc.constant({}), fc.record({ value: fc.integer() }), fc.array(fc.nat(), { minLength: 2, maxLength: 3 }));
const notNumeric = fc.string({ maxLength: 8 }).filter((text) => Number.isNaN(Number(text)));
const notNfType = fc.oneof(fc.integer(), fc.boolean(), fc.constantFrom('amf', '', 'A', '1AMF', 'AMF-1'), fc.string({ maxLength: 10 }).filter((t) => !/^[A-Z][A-Z0-9_]{1,31}$/.test(t)));
const notUuid = fc.oneof(fc.constantFrom('abc', '5a1e0c1d8f3b4c2a9d6e2b7f4e8a9c01', `${registeredId}0`, `{${registeredId}}`), fc.string({ minLength: 1, maxLength: 40 })).filter((t) => !uuidPattern.test(t) && !/^\.{1,2}$/.test(t));
const otherUuid = fc.uuid().filter((id) => id !== registeredId);
const badIpv4 = fc.oneof(
  fc.tuple(fc.integer({ min: 256, max: 99999 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.')),
  fc.nat(9).map((digit) => `0${digit}.10.0.1`),
  fc.constantFrom('', 'localhost', '1.2.3.4.5', '::1', '10.0.0.-1', '10.0.0.1 '),
);
const outOfRange = fc.oneof(
  ...(['priority', 'capacity'] as const).map((field) => fc.oneof(fc.integer({ min: 65536 }), fc.integer({ max: -1 })).map((value) => ({ [field]: value }))),
  fc.oneof(fc.integer({ min: 101 }), fc.integer({ max: -1 })).map((load) => ({ load })),
  fc.oneof(fc.integer({ min: 86401 }), fc.integer({ max: 0 })).map((heartBeatTimer) => ({ heartBeatTimer })),
  fc.integer({ min: 256 }).map((sst) => ({ sNssais: [{ sst }] })),
  fc.nat(99).map((n) => ({ load: n + 0.5 })),
);

/** amfProfile with one fault, registered at a new id or over the registered one (which must not change). */
const invalidProfile = fc.tuple(fc.oneof(fc.constant(registeredId), otherUuid), otherUuid).chain(([id, other]) => {
  const base = amfProfile(id);
  const without = (...fields: string[]) => Object.fromEntries(Object.entries(base).filter(([name]) => !fields.includes(name)));
  return fc.oneof(
    notNfType.map((nfType) => put('nfType of a wrong type', id, { ...base, nfType })),
    fc.constantFrom('nfType', 'nfStatus', 'nfInstanceId').map((field) => put(`no ${field}`, id, without(field))),
    fc.string().filter((s) => !['REGISTERED', 'SUSPENDED', 'UNDISCOVERABLE'].includes(s)).map((nfStatus) => put('unknown nfStatus', id, { ...base, nfStatus })),
    notUuid.map((nfInstanceId) => put('nfInstanceId not a uuid', id, { ...base, nfInstanceId })),
    fc.constant(put('nfInstanceId differing from the path', id, { ...base, nfInstanceId: other })),
    fc.constant(put('no fqdn, ipv4Addresses or ipv6Addresses', id, without('ipv4Addresses'))),
    badIpv4.map((address) => put('bad IPv4 address', id, { ...base, ipv4Addresses: ['127.0.0.18', address] })),
    fc.constantFrom('x', 'a.b', 'localhost', 'bad_name.example.org', '-a.example.org').map((fqdn) => put('bad fqdn', id, { ...base, fqdn })),
    fc.constantFrom('1:2:3', 'gggg::1', '::1::2').map((ipv6) => put('bad IPv6 address', id, { ...base, ipv6Addresses: [ipv6] })),
    outOfRange.map((changes) => put('integer out of range', id, { ...base, ...changes })),
    fc.constantFrom('nfInstanceName', 'locality', 'nfProfileChangesSupportInd', 'plmnList', 'amfInfo', 'nfServices').chain((field) =>
      notScalar.map((value) => put(`${field} of a wrong type`, id, { ...base, [field]: field === 'plmnList' || field === 'nfServices' ? { value } : value })),
    ),
    notNumeric.map((priority) => put('priority not a number', id, { ...base, priority })),
    fc.constantFrom({ plmnList: [] }, { plmnList: [{ mcc: '1', mnc: '01' }] }, { amfInfo: {} }, { nfServices: [{}] }, { sNssais: [{ sst: 1, sd: 'xyz' }] }).map((changes) =>
      put('bad nested attribute', id, { ...base, ...changes }),
    ),
  );
});

const malformedJson = fc.tuple(
  fc.constantFrom<[string, string, string]>(['PUT', instance(registeredId), json], ['POST', `${nfm}/subscriptions`, json], ['PATCH', instance(registeredId), jsonPatch]),
  fc.oneof(fc.string({ maxLength: 80 }), fc.nat(400).map((n) => JSON.stringify(amfProfile(registeredId)).slice(0, n)), fc.jsonValue().map((v) => `${JSON.stringify(v)},`),
    fc.constantFrom('{', '{"nfType":}', "{'nfType':'AMF'}", '{"load":1,}', 'NaN', '{"load":01}', '[{"op":"test"]')).filter(isNotJson),
).map(([[method, path, contentType], body]): BadRequest => ({ label: 'malformed JSON text', method, path, contentType, body }));

const tokenForm = (fields: [string, string][]) => new URLSearchParams(fields).toString();
const validTokenFields: [string, string][] = [['grant_type', 'client_credentials'], ['nfInstanceId', registeredId], ['nfType', 'AMF'], ['targetNfType', 'NRF'], ['scope', 'nnrf-disc']];

const wrongMediaType = fc.oneof(
  fc.tuple(fc.constantFrom<[string, string, string]>(
    ['PUT', instance(registeredId), JSON.stringify(amfProfile(registeredId, { locality: 'moved' }))],
    ['POST', `${nfm}/subscriptions`, JSON.stringify({ nfStatusNotificationUri: callback })],
    ['PATCH', instance(registeredId), JSON.stringify([{ op: 'replace', path: '/locality', value: 'moved' }])],
    ['POST', '/oauth2/token', tokenForm(validTokenFields)],
  ), fc.constantFrom(undefined, 'text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data; boundary=x', 'text/html; charset=utf-8')),
  fc.constantFrom<[string, string, string]>(['PATCH', instance(registeredId), JSON.stringify([{ op: 'replace', path: '/load', value: 9 }])]).map((target) => [target, json] as const),
  fc.constantFrom<[string, string, string]>(['POST', '/oauth2/token', tokenForm(validTokenFields)]).map((target) => [target, json] as const),
).map(([[method, path, body], contentType]): BadRequest => ({ label: `content-type ${contentType ?? '(none)'}`, method, path, contentType, body }));

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((text) => `x${encodeURIComponent(text)}`);
const randomPath = fc.oneof(
  fc.tuple(fc.constantFrom('GET', 'DELETE'), notUuid).map(([method, id]): BadRequest => ({ label: 'non-uuid nfInstanceID', method, path: instance(encodeURIComponent(id)) })),
  notUuid.map((id) => put('non-uuid nfInstanceID', encodeURIComponent(id), amfProfile(id))),
  notUuid.map((id): BadRequest => ({ ...patch('non-uuid nfInstanceID', [{ op: 'replace', path: '/load', value: 1 }]), path: instance(encodeURIComponent(id)) })),
  fc.tuple(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH'), fc.constantFrom('', nfm, '/nnrf-disc/v1', '/oauth2', instance(registeredId)), fc.array(segment, { minLength: 1, maxLength: 3 }))
    .map(([method, prefix, segments]): BadRequest => ({ label: 'unknown path', method, path: `${prefix}/${segments.join('/')}` })),
  fc.constantFrom('%', '%G1', '%E0%A4%A', '%zz%').map((id): BadRequest => ({ label: 'bad percent-encoding', method: 'GET', path: instance(id) })),
  fc.string({ minLength: 1, maxLength: 70 }).filter((id) => !/^[A-Za-z0-9-]{1,64}$/.test(id) && !/^\.{1,2}$/.test(id))
    .map((id): BadRequest => ({ label: 'bad subscriptionID', method: 'DELETE', path: `${nfm}/subscriptions/${encodeURIComponent(id)}` })),
);

/** GET /nnrf-disc/v1/nf-instances from a valid query with one to three faults that each make it invalid. */
const known = new Set(['target-nf-type', 'requester-nf-type', 'service-names', 'requester-nf-instance-id', 'target-nf-instance-id', 'preferred-locality', 'limit']);
type QueryFault = { drop: string } | { set: string; value: string } | { add: [string, string][] };
const queryFault: fc.Arbitrary<QueryFault> = fc.oneof(
  fc.constantFrom('target-nf-type', 'requester-nf-type').map((drop) => ({ drop })),
  fc.tuple(fc.constantFrom('target-nf-type', 'requester-nf-type'), notNfType).map(([set, value]) => ({ set, value: String(value) })),
  fc.oneof(fc.constantFrom('-1', 'abc', '1e9', '0', '1001', '1.5', '', '-0'), fc.integer({ max: 0 }).map(String), fc.integer({ min: 1001 }).map(String), notNumeric).map((value) => ({ set: 'limit', value })),
  fc.tuple(fc.constantFrom('target-nf-instance-id', 'requester-nf-instance-id'), notUuid).map(([set, value]) => ({ set, value })),
  fc.constantFrom('', 'A', 'namf-comm,namf-comm', 'namf-comm,', 'Namf-comm').map((value) => ({ set: 'service-names', value })),
  // Names with "[" are left out: express-openapi-validator re-parses them with qs and drops some unseen (reported).
  fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !known.has(name) && !name.includes('[')), fc.string({ maxLength: 8 })).map((param) => ({ add: [param] })),
  fc.tuple(fc.constantFrom('target-nf-type', 'requester-nf-type', 'limit', 'preferred-locality'), fc.constantFrom('AMF', 'SMF')).map(([name, value]) => ({
    add: [[name, name === 'limit' ? '5' : value], [name, name === 'limit' ? '6' : value]] as [string, string][],
  })),
);
const badDiscovery = fc.record({
  target: fc.constantFrom('AMF', 'SMF', 'NRF', 'AGENT_NF'),
  requester: fc.constantFrom('AMF', 'SMF', 'AGW'),
  extras: fc.subarray<[string, string]>([['limit', '5'], ['service-names', 'namf-comm'], ['preferred-locality', 'site-a']]),
  faults: fc.array(queryFault, { minLength: 1, maxLength: 3 }),
}).map(({ target, requester, extras, faults }): BadRequest => {
  let params: [string, string][] = [['target-nf-type', target], ['requester-nf-type', requester], ...extras];
  for (const fault of faults) {
    if ('drop' in fault) params = params.filter(([name]) => name !== fault.drop);
    else if ('set' in fault) params = [...params.filter(([name]) => name !== fault.set), [fault.set, fault.value]];
    else params = [...params, ...fault.add];
  }
  return { label: `discovery ${JSON.stringify(faults)}`, method: 'GET', path: `/nnrf-disc/v1/nf-instances?${new URLSearchParams(params)}` };
});

/** JSON Patches of the registered profile, each failing as a whole, some after valid operations (nothing may stick). */
const validOps = fc.array(fc.oneof(fc.nat(100).map((value) => ({ op: 'replace', path: '/load', value })), fc.constant({ op: 'replace', path: '/locality', value: 'site-z' })), { maxLength: 3 });
// After the failing operation nothing touches /load, so no later operation can repair it.
const laterOps = fc.array(fc.constantFrom({ op: 'replace', path: '/locality', value: 'site-y' }, { op: 'add', path: '/nfInstanceName', value: 'amf-2' }), { maxLength: 2 });
const pointerKey = fc.string({ maxLength: 6 }).map((key) => `zz${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
const failingOp = fc.oneof(
  fc.string({ maxLength: 8 }).filter((op) => !['add', 'copy', 'move', 'remove', 'replace', 'test'].includes(op)).map((op) => ({ op, path: '/load', value: 1 })),
  fc.constantFrom('add', 'remove', 'replace', 'test').map((op) => ({ op, value: 1 })),
  fc.tuple(fc.constantFrom('remove', 'replace'), fc.oneof(pointerKey.map((key) => `/${key}`), pointerKey.map((key) => `/amfInfo/${key}`), fc.constantFrom('/nfServices/9', '/plmnList/1', '/nope/x'))).map(([op, path]) => ({ op, path, value: 1 })),
  fc.oneof(fc.integer({ min: 101 }), fc.string()).map((value) => ({ op: 'test', path: '/load', value })),
  notNfType.filter((t) => t !== 'AMF').map((value) => ({ op: 'test', path: '/nfType', value })),
  fc.constantFrom('/nfType', '/nfStatus', '/nfInstanceId', '/ipv4Addresses').map((path) => ({ op: 'remove', path })),
  fc.oneof(fc.integer({ min: 101 }), fc.integer({ max: -1 }), fc.constant('5')).map((value) => ({ op: 'replace', path: '/load', value })),
  notNfType.map((value) => ({ op: 'replace', path: '/nfType', value })),
  otherUuid.map((value) => ({ op: 'replace', path: '/nfInstanceId', value })),
  badIpv4.map((value) => ({ op: 'add', path: '/ipv4Addresses/-', value })),
  fc.constantFrom({ op: 'add', path: '/heartBeatTimer', value: 0 }, { op: 'replace', path: '/nfStatus', value: 'BOGUS' }, { op: 'replace', path: '/sNssais/0/sst', value: 256 }, { op: 'move', from: '/nope', path: '/x' }),
);
const badPatch = fc.oneof(
  fc.oneof(fc.object({ maxDepth: 1 }), fc.constant({ op: 'replace', path: '/load', value: 7 }), fc.constant([])).map((body) => patch('patch not a non-empty array', body)),
  { arbitrary: fc.tuple(validOps, failingOp, laterOps).map(([before, failing, after]) => patch(`patch failing at ${JSON.stringify(failing)}`, [...before, failing, ...after])), weight: 4 },
);

const pastDate = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date(Date.now() - 60_000), noInvalidDate: true });
const badSubscription = fc.oneof(
  fc.constantFrom('ftp://h/cb', 'mailto:nrf@example.org', 'file:///etc/passwd', '//h/cb', '/cb', 'httpx://h/cb', 'HTTP://h/cb', 'ws://h/cb', '', 'not a uri')
    .map((uri) => subscribe('non-http callback', { nfStatusNotificationUri: uri })),
  fc.subarray([['nfInstanceId', registeredId], ['nfType', 'AMF'], ['serviceName', 'namf-comm']] as [string, string][], { minLength: 2 })
    .map((conditions) => subscribe('subscrCond matching two conditions', { nfStatusNotificationUri: callback, subscrCond: Object.fromEntries(conditions) })),
  fc.constant(subscribe('empty subscrCond', { nfStatusNotificationUri: callback, subscrCond: {} })),
  pastDate.map((date) => subscribe('validityTime in the past', { nfStatusNotificationUri: callback, validityTime: date.toISOString() })),
  fc.constantFrom({}, { reqNfType: 'AMF' }).map((body) => subscribe('no callback', body)),
  fc.constantFrom([], ['NF_EXPLODED']).map((reqNotifEvents) => subscribe('bad reqNotifEvents', { nfStatusNotificationUri: callback, reqNotifEvents })),
  notUuid.map((reqNfInstanceId) => subscribe('reqNfInstanceId not a uuid', { nfStatusNotificationUri: callback, reqNfInstanceId })),
);

type TokenFault = { drop: string } | { set: string; value: string } | { add: [string, string][] };
const tokenFault: fc.Arbitrary<TokenFault> = fc.oneof(
  fc.constantFrom('grant_type', 'nfInstanceId', 'scope').map((drop) => ({ drop })),
  fc.oneof(fc.constantFrom('password', 'authorization_code', 'refresh_token', 'Client_Credentials', ''), fc.string({ maxLength: 70 }).filter((g) => g !== 'client_credentials')).map((value) => ({ set: 'grant_type', value })),
  fc.oneof(otherUuid, notUuid).map((value) => ({ set: 'nfInstanceId', value })),
  fc.constantFrom('SMF', 'UDM', 'amf').map((value) => ({ set: 'nfType', value })),
  fc.constantFrom('NNRF-DISC', 'nnrf-disc ', '', 'a', 'nsmf-pdusession', 'nudm-sdm nnrf-disc').map((value) => ({ set: 'scope', value })),
  notUuid.map((value) => ({ set: 'targetNfInstanceId', value })),
  // Twice, so that a grant_type dropped by an earlier fault still ends up duplicated.
  fc.constant({ add: [['grant_type', 'client_credentials'], ['grant_type', 'client_credentials']] as [string, string][] }),
);
const badToken = fc.oneof(
  { weight: 4, arbitrary: fc.array(tokenFault, { minLength: 1, maxLength: 3 }).map((faults): BadRequest => {
    let fields = [...validTokenFields];
    for (const fault of faults) {
      if ('drop' in fault) fields = fields.filter(([name]) => name !== fault.drop);
      else if ('set' in fault) fields = [...fields.filter(([name]) => name !== fault.set), [fault.set, fault.value]];
      else fields = [...fields, ...fault.add];
    }
    return { label: `token ${JSON.stringify(faults)}`, method: 'POST', path: '/oauth2/token', contentType: form, body: tokenForm(fields) };
  }) },
  fc.constant<BadRequest>({ label: 'token without a target', method: 'POST', path: '/oauth2/token', contentType: form, body: tokenForm(validTokenFields.filter(([name]) => name !== 'targetNfType')) }),
  fc.string({ maxLength: 60 }).map((body): BadRequest => ({ label: 'token form of noise', method: 'POST', path: '/oauth2/token', contentType: form, body })),
);

const unsupportedMethod = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['DELETE', `${nfm}/nf-instances`], ['PUT', `${nfm}/nf-instances`], ['PATCH', `${nfm}/nf-instances`], ['POST', `${nfm}/nf-instances`], ['POST', instance(registeredId)],
    ['PUT', '/nnrf-disc/v1/nf-instances'], ['POST', '/nnrf-disc/v1/nf-instances'], ['DELETE', '/nnrf-disc/v1/nf-instances'], ['GET', '/oauth2/token'], ['PUT', '/oauth2/token'],
    ['DELETE', '/oauth2/token'], ['POST', '/oauth2/jwks'], ['GET', `${nfm}/subscriptions`], ['PUT', `${nfm}/subscriptions/abc`], ['POST', '/healthz'], ['DELETE', '/healthz'],
  ),
  fc.tuple(fc.constantFrom('PROPFIND', 'PURGE', 'LOCK', 'MKCOL', 'COPY', 'MOVE', 'SEARCH', 'REPORT'), fc.constantFrom(`${nfm}/nf-instances`, instance(registeredId), '/nnrf-disc/v1/nf-instances', '/oauth2/token')),
).map(([method, path]): BadRequest => ({ label: 'unsupported method', method, path }));

const hugeBody = fc.tuple(
  fc.constantFrom<[string, string, string, string, string]>(
    ['PUT', instance(registeredId), json, `{"nfInstanceId":"${registeredId}","nfType":"AMF","nfStatus":"REGISTERED","locality":"`, '"}'],
    ['POST', `${nfm}/subscriptions`, json, `{"nfStatusNotificationUri":"${callback}","pad":"`, '"}'],
    ['PATCH', instance(registeredId), jsonPatch, '[{"op":"replace","path":"/locality","value":"', '"}]'],
    ['POST', '/oauth2/token', form, `${tokenForm(validTokenFields)}&pad=`, ''],
    ['PUT', instance(registeredId), 'text/plain', '', ''],
  ),
  fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 65536 }),
).map(([[method, path, contentType, body, suffix], padding]): BadRequest => ({ label: 'body over 1 MB', method, path, contentType, body, padding, suffix }));

const badRequest = fc.oneof(
  { arbitrary: malformedJson, weight: 3 }, { arbitrary: invalidProfile, weight: 6 }, { arbitrary: wrongMediaType, weight: 3 }, { arbitrary: randomPath, weight: 3 },
  { arbitrary: badDiscovery, weight: 4 }, { arbitrary: badPatch, weight: 5 }, { arbitrary: badSubscription, weight: 3 }, { arbitrary: badToken, weight: 3 },
  { arbitrary: unsupportedMethod, weight: 2 }, { arbitrary: hugeBody, weight: 1 },
);

describe('NRF answering malformed requests (property)', () => {
  let nrf: TestNrf;
  let sent = 0;

  async function send(req: BadRequest): Promise<{ status: number; contentType: string; text: string }> {
    const text = req.body === undefined ? undefined : req.body + 'x'.repeat(req.padding ?? 0) + (req.suffix ?? '');
    const headers: Record<string, string> = req.contentType ? { 'content-type': req.contentType } : {};
    sent += 1;
    const res = await fetch(`${nrf.url}${req.path}`, { method: req.method, headers, body: text === undefined ? undefined : req.contentType ? text : Buffer.from(text) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  function expectRefusal(req: BadRequest, res: { status: number; contentType: string; text: string }): void {
    const where = `${req.label}: ${req.method} ${req.path.slice(0, 160)} -> ${res.status} ${res.contentType} ${res.text.slice(0, 300)}`;
    expect(res.status, where).to.be.within(400, 499);
    if (req.path === '/oauth2/token' && /^application\/json\b/.test(res.contentType)) {
      const body = JSON.parse(res.text);
      expect(res.status, where).to.equal(400);
      expect(body.error, where).to.be.oneOf(tokenErrors);
      expect(body.error_description, where).to.be.a('string').that.is.not.empty;
      return;
    }
    expect(res.contentType, where).to.match(/^application\/problem\+json\b/);
    const body = JSON.parse(res.text);
    expect(body.status, where).to.equal(res.status);
    expect(body.detail, where).to.be.a('string').that.is.not.empty;
  }

  before(async () => {
    // A long heartbeat grace keeps supervision from suspending the profile during the run.
    nrf = await startTestNrf({ settings: { heartbeatGraceMs: 3_600_000 } });
    expect((await request('PUT', `${nrf.url}${instance(registeredId)}`, amfProfile(registeredId))).status).to.equal(201);
  });

  after(() => nrf?.close());

  it(`answers ${numRuns} generated malformed requests 4xx problem+json (AccessTokenErr for token refusals), storing nothing`, async function () {
    this.timeout(120_000);
    const listBefore = await request('GET', `${nrf.url}${nfm}/nf-instances`);
    const profileBefore = await request('GET', `${nrf.url}${instance(registeredId)}`);
    expect(listBefore.body.totalItemCount).to.equal(1);

    await fc.assert(fc.asyncProperty(badRequest, async (req) => expectRefusal(req, await send(req))), { numRuns });

    expect(sent, 'requests sent').to.be.at.least(300);
    expect(await request('GET', `${nrf.url}${nfm}/nf-instances`)).to.deep.include({ status: 200, body: listBefore.body });
    expect(await request('GET', `${nrf.url}${instance(registeredId)}`)).to.deep.include({ status: 200, body: profileBefore.body });
    expect(await nrf.store.collection('nrf.subscriptions').countDocuments({}), 'subscriptions stored').to.equal(0);
    expect((await request('GET', `${nrf.url}/healthz`)).status).to.equal(200);
  });

  // Malformed requests found by probing beyond the generators, each once a 500.
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const probed: BadRequest[] = [
    { label: 'a JSON Patch into __proto__', method: 'PATCH', path: instance(registeredId), contentType: jsonPatch, body: '[{"op":"add","path":"/__proto__/x","value":1}]' },
    { label: 'a JSON Patch removing the whole profile', method: 'PATCH', path: instance(registeredId), contentType: jsonPatch, body: '[{"op":"remove","path":""}]' },
    { label: 'a JSON Patch replacing the whole profile by null', method: 'PATCH', path: instance(registeredId), contentType: jsonPatch, body: '[{"op":"replace","path":"","value":null}]' },
    { label: 'a JSON Patch setting /load to a 20000-level object', method: 'PATCH', path: instance(registeredId), contentType: jsonPatch, body: `[{"op":"replace","path":"/load","value":${deep(20_000)}}]` },
    { label: 'a profile whose customInfo nests 5000 levels', method: 'PUT', path: instance(registeredId), contentType: json, body: JSON.stringify(amfProfile(registeredId)).replace(/}$/, `,"customInfo":${deep(5_000)}}`) },
    subscribe('a subscription whose past validityTime is a leap second', { nfStatusNotificationUri: callback, validityTime: '2016-12-31T23:59:60Z' }),
  ];
  for (const req of probed) {
    it(`answers 4xx problem+json, not 500, to ${req.label}`, async () => {
      expectRefusal(req, await send(req));
      expect(await request('GET', `${nrf.url}${instance(registeredId)}`)).to.deep.include({ status: 200, body: amfProfile(registeredId) });
    });
  }

  it('answers 405 with an Allow header for a method a documented path does not have', async () => {
    const res = await fetch(`${nrf.url}${nfm}/nf-instances`, { method: 'DELETE' });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('GET, HEAD');
    expect((await res.json()).cause).to.equal('METHOD_NOT_ALLOWED');
    // HEAD is GET without the content (RFC 9110 section 9.3.2): a query GET refuses, HEAD refuses alike.
    const url = `${nrf.url}/nnrf-disc/v1/nf-instances`;
    const [head, get] = [await fetch(url, { method: 'HEAD' }), await fetch(url)];
    expect([head.status, get.status]).to.deep.equal([400, 400]);
  });
});
