import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createNrfClient } from '../../nfs/shared/nrf-client.ts';
import { createNrfRegistration } from '../../nfs/shared/nrf-registration.ts';
import { buildNfProfile } from '../../nfs/shared/nf-profile.ts';
import { amfProfile, request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';
import { startNotificationSink, type NotificationSink } from '../support/notification-sink.ts';
import { until } from '../support/until.ts';

const nfm = '/nnrf-nfm/v1';
const disc = '/nnrf-disc/v1/nf-instances?target-nf-type=AMF&requester-nf-type=SMF';

describe('NRF heartbeat supervision (TS 29.510 clause 5.2.2.3.2)', () => {
  let nrf: TestNrf;
  let sink: NotificationSink;
  beforeEach(async () => {
    nrf = await startTestNrf({ settings: { heartbeatGraceMs: 500, heartbeatCheckIntervalMs: 50 } });
    sink = await startNotificationSink();
  });
  afterEach(async () => {
    await nrf.close();
    await sink.close();
  });

  it('suspends an NF whose heartbeat is overdue, removes it from discovery and tells subscribers', async () => {
    await request('POST', `${nrf.url}${nfm}/subscriptions`, { nfStatusNotificationUri: sink.url, subscrCond: { nfType: 'AMF' } });
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id, { heartBeatTimer: 1 }));
    expect((await request('GET', `${nrf.url}${disc}`)).body.nfInstances).to.have.length(1);

    await until(async () => (await request('GET', `${nrf.url}${nfm}/nf-instances/${id}`)).body.nfStatus === 'SUSPENDED', 'the NF becoming SUSPENDED');
    expect((await request('GET', `${nrf.url}${disc}`)).body.nfInstances).to.deep.equal([]);
    const notifications = await sink.waitFor(2);
    expect(notifications[1].body.event).to.equal('NF_PROFILE_CHANGED');
    expect(notifications[1].body.nfProfile.nfStatus).to.equal('SUSPENDED');
  });

  it('brings a suspended NF back into discovery with its next heartbeat', async () => {
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id, { heartBeatTimer: 1 }));
    await until(async () => (await request('GET', `${nrf.url}${nfm}/nf-instances/${id}`)).body.nfStatus === 'SUSPENDED', 'the NF becoming SUSPENDED');
    const beat = await request('PATCH', `${nrf.url}${nfm}/nf-instances/${id}`, [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }]);
    expect(beat.status).to.equal(204);
    expect((await request('GET', `${nrf.url}${disc}`)).body.nfInstances.map((p: { nfInstanceId: string }) => p.nfInstanceId)).to.deep.equal([id]);
  });

  it('keeps an NF registered while it sends heartbeats in time', async () => {
    const nrfClient = createNrfClient({ nrfUri: nrf.url });
    const profile = buildNfProfile({ nfInstanceId: randomUUID(), nfType: 'AMF', apiRoot: 'http://127.0.0.1:8000', serviceNames: ['namf-comm'], heartBeatTimer: 1 });
    const registration = createNrfRegistration({ nrf: nrfClient, profile, logger: createLogger({ nf: 'AMF', level: 'silent' }) });
    await registration.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await request('GET', `${nrf.url}${nfm}/nf-instances/${profile.nfInstanceId}`)).body.nfStatus).to.equal('REGISTERED');
    } finally {
      await registration.stop();
    }
    expect((await request('GET', `${nrf.url}${nfm}/nf-instances/${profile.nfInstanceId}`)).status).to.equal(404);
  });

  it('registers again when the NRF answers a heartbeat with 404', async () => {
    const nrfClient = createNrfClient({ nrfUri: nrf.url });
    const profile = buildNfProfile({ nfInstanceId: randomUUID(), nfType: 'SMF', apiRoot: 'http://127.0.0.1:8001', serviceNames: ['nsmf-pdusession'], heartBeatTimer: 1 });
    const registration = createNrfRegistration({ nrf: nrfClient, profile, logger: createLogger({ nf: 'SMF', level: 'silent' }) });
    await registration.start();
    try {
      // The NRF forgets the instance (an operator removed it, or the NRF lost its store).
      await nrf.store.collection('nrf.profiles').deleteMany({});
      await until(async () => (await request('GET', `${nrf.url}${nfm}/nf-instances/${profile.nfInstanceId}`)).status === 200, 'the NF registering again');
    } finally {
      await registration.stop();
    }
  });
});
