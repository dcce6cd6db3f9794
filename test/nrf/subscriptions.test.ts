import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { amfProfile, request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';
import { startNotificationSink, type NotificationSink } from '../support/notification-sink.ts';

const nfm = '/nnrf-nfm/v1';

describe('NRF NFStatusSubscribe and NFStatusNotify over HTTP (TS 29.510 clauses 5.2.2.5, 5.2.2.6)', () => {
  let nrf: TestNrf;
  let sink: NotificationSink;
  beforeEach(async () => {
    nrf = await startTestNrf({ notifier: { minRetryDelayMs: 20, retries: 4, timeoutMs: 5000 } });
    sink = await startNotificationSink();
  });
  afterEach(async () => {
    await nrf.close();
    await sink.close();
  });

  const subscribe = (body: Record<string, unknown>) => request('POST', `${nrf.url}${nfm}/subscriptions`, { nfStatusNotificationUri: sink.url, ...body });

  it('creates a subscription with an id, a Location and a validityTime', async () => {
    const res = await subscribe({ subscrCond: { nfType: 'AMF' } });
    expect(res.status).to.equal(201);
    expect(res.body.subscriptionId).to.be.a('string');
    expect(res.headers.get('location')).to.equal(`${nrf.url}${nfm}/subscriptions/${res.body.subscriptionId}`);
    expect(Date.parse(res.body.validityTime)).to.be.greaterThan(Date.now());
  });

  it('notifies NF_REGISTERED, NF_PROFILE_CHANGED and NF_DEREGISTERED for the subscribed NF type only', async () => {
    await subscribe({ subscrCond: { nfType: 'AMF' } });
    const amf = randomUUID();
    const smf = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${smf}`, { nfInstanceId: smf, nfType: 'SMF', nfStatus: 'REGISTERED', fqdn: 'smf.example.org' });
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${amf}`, amfProfile(amf, { allowedNfTypes: ['SMF'] }));
    await request('PATCH', `${nrf.url}${nfm}/nf-instances/${amf}`, [{ op: 'replace', path: '/capacity', value: 3 }]);
    await request('DELETE', `${nrf.url}${nfm}/nf-instances/${amf}`);

    const received = await sink.waitFor(3);
    await nrf.nrf.drainNotifications();
    expect(sink.received.map((n) => n.body.event)).to.deep.equal(['NF_REGISTERED', 'NF_PROFILE_CHANGED', 'NF_DEREGISTERED']);
    expect(received.every((n) => n.body.nfInstanceUri === `${nrf.url}${nfm}/nf-instances/${amf}`)).to.equal(true);
    expect(received[0].body.nfProfile.nfType).to.equal('AMF');
    // TS 29.510 clause 6.1.6.2.18: who may discover an NF is not disclosed in notifications.
    expect(received[0].body.nfProfile).to.not.have.property('allowedNfTypes');
    expect(received[1].body.nfProfile.capacity).to.equal(3);
    expect(received[2].body).to.not.have.property('nfProfile');
  });

  it('honours reqNotifEvents and an nfInstanceId condition', async () => {
    const watched = randomUUID();
    await subscribe({ subscrCond: { nfInstanceId: watched }, reqNotifEvents: ['NF_DEREGISTERED'] });
    const other = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${other}`, amfProfile(other));
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${watched}`, amfProfile(watched));
    await request('DELETE', `${nrf.url}${nfm}/nf-instances/${other}`);
    await request('DELETE', `${nrf.url}${nfm}/nf-instances/${watched}`);
    await nrf.nrf.drainNotifications();
    expect(sink.received.map((n) => [n.body.event, n.body.nfInstanceUri.split('/').pop()])).to.deep.equal([['NF_DEREGISTERED', watched]]);
  });

  it('answers a registration while a slow subscriber still holds its notification', async () => {
    await subscribe({});
    const held: ServerResponse[] = [];
    sink.respond = (res) => held.push(res);
    const id = randomUUID();
    const registered = await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id));
    expect(registered.status).to.equal(201);
    // The registration is answered; only now may the subscriber answer its notification.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.received).to.have.length(0);
    expect(held.length).to.equal(1);
    held.forEach((res) => res.writeHead(204).end());
    await sink.waitFor(1);
    expect(sink.received[0].body.event).to.equal('NF_REGISTERED');
  });

  it('retries a notification that failed until the subscriber takes it', async () => {
    await subscribe({});
    sink.respond = (res, attempt) => res.writeHead(attempt < 3 ? 503 : 204).end();
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id));
    await sink.waitFor(1);
    expect(sink.attempts).to.equal(3);
    expect(sink.received[0].body.event).to.equal('NF_REGISTERED');
  });

  it('keeps serving when a subscriber is dead', async () => {
    await request('POST', `${nrf.url}${nfm}/subscriptions`, { nfStatusNotificationUri: 'http://127.0.0.1:9/gone' });
    const id = randomUUID();
    expect((await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id))).status).to.equal(201);
    expect((await request('GET', `${nrf.url}${nfm}/nf-instances/${id}`)).status).to.equal(200);
    await nrf.nrf.drainNotifications();
  });

  it('stops notifying after NFStatusUnsubscribe, and answers 404 for an unknown subscription', async () => {
    const { body } = await subscribe({});
    expect((await request('DELETE', `${nrf.url}${nfm}/subscriptions/${body.subscriptionId}`)).status).to.equal(204);
    const id = randomUUID();
    await request('PUT', `${nrf.url}${nfm}/nf-instances/${id}`, amfProfile(id));
    await nrf.nrf.drainNotifications();
    expect(sink.attempts).to.equal(0);
    const again = await request('DELETE', `${nrf.url}${nfm}/subscriptions/${body.subscriptionId}`);
    expect(again.status).to.equal(404);
  });

  it('refuses a subscription whose validityTime has passed', async () => {
    const res = await subscribe({ validityTime: new Date(Date.now() - 1000).toISOString() });
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams[0].param).to.equal('/validityTime');
  });
});
