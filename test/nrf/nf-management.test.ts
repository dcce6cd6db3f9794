import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { amfProfile, request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';

const nfm = '/nnrf-nfm/v1/nf-instances';
const disc = '/nnrf-disc/v1/nf-instances';

describe('NRF Nnrf_NFManagement over HTTP (TS 29.510 clause 5.2.2)', () => {
  let nrf: TestNrf;
  beforeEach(async () => {
    nrf = await startTestNrf();
  });
  afterEach(async () => {
    await nrf.close();
  });

  it('round-trips a TS 29.510 AMF profile through register, heartbeat, discovery and deregister', async () => {
    const id = randomUUID();
    const profile = amfProfile(id);

    const registered = await request('PUT', `${nrf.url}${nfm}/${id}`, profile);
    expect(registered.status).to.equal(201);
    expect(registered.headers.get('location')).to.equal(`${nrf.url}${nfm}/${id}`);
    expect(registered.body).to.deep.equal(profile);

    const fetched = await request('GET', `${nrf.url}${nfm}/${id}`);
    expect(fetched.status).to.equal(200);
    expect(fetched.body).to.deep.equal(profile);

    const heartbeat = await request('PATCH', `${nrf.url}${nfm}/${id}`, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }]);
    expect(heartbeat.status).to.equal(204);

    const found = await request('GET', `${nrf.url}${disc}?target-nf-type=AMF&requester-nf-type=SMF&service-names=namf-comm`);
    expect(found.status).to.equal(200);
    expect(found.body.validityPeriod).to.be.a('number');
    expect(found.body.nfInstances).to.deep.equal([profile]);

    const removed = await request('DELETE', `${nrf.url}${nfm}/${id}`);
    expect(removed.status).to.equal(204);
    const after = await request('GET', `${nrf.url}${disc}?target-nf-type=AMF&requester-nf-type=SMF`);
    expect(after.body.nfInstances).to.deep.equal([]);
    const gone = await request('GET', `${nrf.url}${nfm}/${id}`);
    expect(gone.status).to.equal(404);
    expect(gone.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('answers 200 when a registration replaces an existing profile', async () => {
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id));
    const replaced = await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id, { capacity: 7 }));
    expect(replaced.status).to.equal(200);
    expect(replaced.body.capacity).to.equal(7);
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).body.capacity).to.equal(7);
  });

  it('assigns the default heartBeatTimer when a profile has none', async () => {
    const id = randomUUID();
    const { heartBeatTimer: _omitted, ...withoutTimer } = amfProfile(id);
    const registered = await request('PUT', `${nrf.url}${nfm}/${id}`, withoutTimer);
    expect(registered.status).to.equal(201);
    expect(registered.body.heartBeatTimer).to.equal(10);
  });

  it('returns 400 naming /nfInstanceId and stores nothing when the body id differs from the URI', async () => {
    const id = randomUUID();
    const res = await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(randomUUID()));
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams[0].param).to.equal('/nfInstanceId');
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).status).to.equal(404);
  });

  it('returns 400 naming the field for a profile without any address', async () => {
    const id = randomUUID();
    const { ipv4Addresses: _none, ...noAddress } = amfProfile(id);
    const res = await request('PUT', `${nrf.url}${nfm}/${id}`, noAddress);
    expect(res.status).to.equal(400);
    expect(res.body.detail).to.contain('fqdn, ipv4Addresses or ipv6Addresses');
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).status).to.equal(404);
  });

  it('applies a JSON Patch update and answers the new profile (NFUpdate)', async () => {
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id));
    const res = await request('PATCH', `${nrf.url}${nfm}/${id}`, [
      { op: 'replace', path: '/capacity', value: 50 },
      { op: 'add', path: '/locality', value: 'site-b' },
    ]);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ capacity: 50, locality: 'site-b' });
  });

  it('refuses a patch that would make the profile invalid and keeps the stored one', async () => {
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id));
    const res = await request('PATCH', `${nrf.url}${nfm}/${id}`, [{ op: 'replace', path: '/heartBeatTimer', value: 'soon' }]);
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams.map((p: { param: string }) => p.param)).to.include('/heartBeatTimer');
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).body.heartBeatTimer).to.equal(10);
  });

  it('refuses a patch that changes nfInstanceId or removes a missing member', async () => {
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id));
    const renamed = await request('PATCH', `${nrf.url}${nfm}/${id}`, [{ op: 'replace', path: '/nfInstanceId', value: randomUUID() }]);
    expect(renamed.status).to.equal(400);
    const missing = await request('PATCH', `${nrf.url}${nfm}/${id}`, [{ op: 'remove', path: '/nothing/here' }]);
    expect(missing.status).to.equal(400);
    expect(missing.body.invalidParams[0].param).to.equal('/0');
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).body.nfInstanceId).to.equal(id);
  });

  it('returns 404 problem+json for a heartbeat of an unknown nfInstanceId', async () => {
    const res = await request('PATCH', `${nrf.url}${nfm}/${randomUUID()}`, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }]);
    expect(res.status).to.equal(404);
    expect(res.body.cause).to.equal('RESOURCE_NOT_FOUND');
  });

  it('lists registered instances as URIs, filtered by nf-type and cut by limit', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await request('PUT', `${nrf.url}${nfm}/${id}`, amfProfile(id));
    const smf = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${smf}`, { nfInstanceId: smf, nfType: 'SMF', nfStatus: 'REGISTERED', fqdn: 'smf.example.org' });

    const amfs = await request('GET', `${nrf.url}${nfm}?nf-type=AMF`);
    expect(amfs.status).to.equal(200);
    expect(amfs.headers.get('content-type')).to.match(/application\/3gppHal\+json/i);
    expect(amfs.body._links.items.map((item: { href: string }) => item.href.split('/').pop()).sort()).to.deep.equal([...ids].sort());
    const limited = await request('GET', `${nrf.url}${nfm}?limit=2`);
    expect(limited.body._links.items).to.have.length(2);
    expect(limited.body.totalItemCount).to.equal(4);
  });
});

describe('NRF storing profiles as sent', () => {
  let nrf: TestNrf;
  before(async () => {
    nrf = await startTestNrf();
  });
  after(async () => {
    await nrf.close();
  });

  it('round-trips member names a document store refuses, such as "a.b" and "$x"', async () => {
    const id = randomUUID();
    const profile = amfProfile(id, { customInfo: { 'a.b': 1, $x: { 'c.d': [true] } } });
    expect((await request('PUT', `${nrf.url}${nfm}/${id}`, profile)).status).to.equal(201);
    expect((await request('GET', `${nrf.url}${nfm}/${id}`)).body).to.deep.equal(profile);
    const patched = await request('PATCH', `${nrf.url}${nfm}/${id}`, [{ op: 'add', path: '/customInfo/e.f', value: 2 }]);
    expect(patched.body.customInfo).to.deep.equal({ 'a.b': 1, $x: { 'c.d': [true] }, 'e.f': 2 });
  });
});
