import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { amfProfile, request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';

const nfm = '/nnrf-nfm/v1/nf-instances';
const disc = '/nnrf-disc/v1/nf-instances';

describe('NRF Nnrf_NFDiscovery over HTTP (TS 29.510 clause 5.3.2.2)', () => {
  let nrf: TestNrf;
  const ids = { a: randomUUID(), b: randomUUID(), c: randomUUID(), smf: randomUUID() };
  before(async () => {
    nrf = await startTestNrf();
    await request('PUT', `${nrf.url}${nfm}/${ids.a}`, amfProfile(ids.a, { locality: 'site-a' }));
    await request('PUT', `${nrf.url}${nfm}/${ids.b}`, amfProfile(ids.b, { locality: 'site-b', nfServices: [amfProfile(ids.b).nfServices[1]] }));
    await request('PUT', `${nrf.url}${nfm}/${ids.c}`, amfProfile(ids.c, { locality: 'site-b', allowedNfTypes: ['AGW'] }));
    await request('PUT', `${nrf.url}${nfm}/${ids.smf}`, { nfInstanceId: ids.smf, nfType: 'SMF', nfStatus: 'REGISTERED', fqdn: 'smf.example.org' });
  });
  after(async () => {
    await nrf.close();
  });

  const discover = async (query: string) => request('GET', `${nrf.url}${disc}?${query}`);
  const idsOf = (body: { nfInstances: Array<{ nfInstanceId: string }> }) => body.nfInstances.map((p) => p.nfInstanceId);

  it('returns 400 problem+json naming query requester-nf-type when it is missing', async () => {
    const res = await discover('target-nf-type=AMF');
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.invalidParams.map((p: { param: string }) => p.param)).to.include('query requester-nf-type');
  });

  it('returns 400 naming query target-nf-type when it is missing', async () => {
    const res = await discover('requester-nf-type=SMF');
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams.map((p: { param: string }) => p.param)).to.include('query target-nf-type');
  });

  it('returns 400 for an unknown query parameter', async () => {
    const res = await discover('target-nf-type=AMF&requester-nf-type=SMF&colour=blue');
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams[0].param).to.equal('query colour');
  });

  it('returns only profiles of the target type that allow the requester type', async () => {
    const bySmf = await discover('target-nf-type=AMF&requester-nf-type=SMF');
    expect(bySmf.status).to.equal(200);
    expect(idsOf(bySmf.body).sort()).to.deep.equal([ids.a, ids.b].sort());
    const byAgw = await discover('target-nf-type=AMF&requester-nf-type=AGW');
    expect(idsOf(byAgw.body).sort()).to.deep.equal([ids.a, ids.b, ids.c].sort());
  });

  it('filters by service-names', async () => {
    const res = await discover('target-nf-type=AMF&requester-nf-type=SMF&service-names=namf-comm');
    expect(idsOf(res.body)).to.deep.equal([ids.a]);
    const either = await discover('target-nf-type=AMF&requester-nf-type=SMF&service-names=namf-comm,namf-evts');
    expect(idsOf(either.body).sort()).to.deep.equal([ids.a, ids.b].sort());
  });

  it('puts the preferred locality first and honours limit', async () => {
    const res = await discover('target-nf-type=AMF&requester-nf-type=AGW&preferred-locality=site-b');
    expect(idsOf(res.body).slice(0, 2).sort()).to.deep.equal([ids.b, ids.c].sort());
    expect(idsOf(res.body)[2]).to.equal(ids.a);
    const limited = await discover('target-nf-type=AMF&requester-nf-type=AGW&preferred-locality=site-a&limit=1');
    expect(idsOf(limited.body)).to.deep.equal([ids.a]);
  });

  it('finds one instance by target-nf-instance-id and carries a validityPeriod', async () => {
    const res = await discover(`target-nf-type=SMF&requester-nf-type=AMF&target-nf-instance-id=${ids.smf}&requester-nf-instance-id=${randomUUID()}`);
    expect(idsOf(res.body)).to.deep.equal([ids.smf]);
    expect(res.body.validityPeriod).to.equal(30);
  });

  it('sees a new registration at once, even after answering the same query before', async () => {
    const query = 'target-nf-type=AUSF&requester-nf-type=AMF';
    expect(idsOf((await discover(query)).body)).to.deep.equal([]);
    const ausf = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${ausf}`, { nfInstanceId: ausf, nfType: 'AUSF', nfStatus: 'REGISTERED', ipv4Addresses: ['127.0.0.9'] });
    expect(idsOf((await discover(query)).body)).to.deep.equal([ausf]);
    await request('DELETE', `${nrf.url}${nfm}/${ausf}`);
    expect(idsOf((await discover(query)).body)).to.deep.equal([]);
  });

  it('answers an extensible NF type of dmsc-core such as AGENT_NF', async () => {
    const agent = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/${agent}`, { nfInstanceId: agent, nfType: 'AGENT_NF', nfStatus: 'REGISTERED', ipv4Addresses: ['127.0.0.7'] });
    expect(idsOf((await discover('target-nf-type=AGENT_NF&requester-nf-type=AMF')).body)).to.deep.equal([agent]);
  });
});
