/**
 * Subscriptions to the AMC's credential events: bounded, a new subscriber taking the place of the
 * one whose notifications failed longest, deleted by a gateway that stops.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgw } from '../../nfs/agw/app.ts';
import { openAmcStore, type AmcStore } from '../../nfs/amc/store.ts';
import { createSubscriptions } from '../../nfs/amc/subscriptions.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf } from '../../nfs/shared/nf-host.ts';
import { createNotifier } from '../../nfs/shared/notifier.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { startTestCore } from '../support/core-harness.ts';
import { until } from '../support/until.ts';

const silent = createLogger({ nf: 'AMC', level: 'silent' });
const uri = (i: number) => `http://10.0.0.${i}:29600/nagw-reg/v1/credential-events`;
const refusal = (error: { status?: number; cause?: string }) => [error.status, error.cause];

describe('AMC credential-event subscriptions', () => {
  let store: AmcStore;
  let subscriptions: ReturnType<typeof createSubscriptions>;
  let clock: number;
  beforeEach(async () => {
    store = await openAmcStore(createEmbeddedStore());
    clock = Date.parse('2026-01-01T00:00:00Z');
    subscriptions = createSubscriptions({ store, now: () => clock });
  });

  const uris = async () => (await store.subscribers.find({})).map((subscriber) => subscriber.notificationUri);

  it('at the bound, replaces the subscriber failing longest once it has failed for 5 minutes, and refuses while none has', async () => {
    for (let i = 0; i < 32; i++) await subscriptions.subscribe(uri(i));
    expect(await subscriptions.subscribe(uri(40)).then(() => 'subscribed', refusal)).to.deep.equal([403, 'TOO_MANY_SUBSCRIBERS']);
    await subscriptions.recordNotificationOutcome(uri(7), false);
    clock += 1000;
    await subscriptions.recordNotificationOutcome(uri(3), false);
    await subscriptions.recordNotificationOutcome(uri(7), false); // still failing since the first
    expect(await subscriptions.subscribe(uri(40)).then(() => 'subscribed', refusal), 'failing, but not for long').to.deep.equal([403, 'TOO_MANY_SUBSCRIBERS']);
    clock += 5 * 60_000;
    await subscriptions.subscribe(uri(40));
    expect(await uris()).to.have.length(32).and.include(uri(40)).and.include(uri(3)).and.not.include(uri(7));
    // A delivery clears the mark: uri(3) answers again, and nobody is left to replace.
    await subscriptions.recordNotificationOutcome(uri(3), true);
    expect(await subscriptions.subscribe(uri(41)).then(() => 'subscribed', refusal)).to.deep.equal([403, 'TOO_MANY_SUBSCRIBERS']);
  });

  it('clears the mark of a subscriber that subscribes again: it listens there', async () => {
    for (let i = 0; i < 32; i++) await subscriptions.subscribe(uri(i));
    await subscriptions.recordNotificationOutcome(uri(5), false);
    clock += 10 * 60_000;
    await subscriptions.subscribe(uri(5));
    expect(await subscriptions.subscribe(uri(40)).then(() => 'subscribed', refusal)).to.deep.equal([403, 'TOO_MANY_SUBSCRIBERS']);
    expect(await uris()).to.include(uri(5));
  });

  it('lets only the NF that subscribed last delete the subscription, with OAuth on', async () => {
    const gateway = { nfInstanceId: 'agw-1' };
    const { subscriptionId } = await subscriptions.subscribe(uri(1), gateway);
    expect(await subscriptions.unsubscribe(subscriptionId, { nfInstanceId: 'another-nf' }).then(() => 'deleted', refusal)).to.deep.equal([403, 'NOT_THE_SUBSCRIBER']);
    expect(await uris()).to.deep.equal([uri(1)]);
    // The gateway back at its address under another instance id subscribes again, and may delete.
    const restarted = { nfInstanceId: 'agw-2' };
    expect((await subscriptions.subscribe(uri(1), restarted)).subscriptionId).to.equal(subscriptionId);
    expect(await subscriptions.unsubscribe(subscriptionId, gateway).then(() => 'deleted', refusal)).to.deep.equal([403, 'NOT_THE_SUBSCRIBER']);
    await subscriptions.unsubscribe(subscriptionId, restarted);
    expect(await uris()).to.deep.equal([]);
  });

  it('gives the same subscription to the same URI, and deletes it once', async () => {
    const { subscriptionId, created } = await subscriptions.subscribe(uri(1));
    expect(created).to.equal(true);
    expect(await subscriptions.subscribe(uri(1))).to.deep.equal({ subscriptionId, created: false });
    await subscriptions.unsubscribe(subscriptionId);
    expect(await subscriptions.unsubscribe(subscriptionId).then(() => 'deleted', refusal)).to.deep.equal([404, 'SUBSCRIPTION_NOT_FOUND']);
    expect(await store.subscribers.countDocuments({})).to.equal(0);
  });

  it("hears of each notification's end from the notifier: abandoned after its retries, or delivered", async () => {
    const outcomes: Array<[string, boolean]> = [];
    let answering = false;
    const server: Server = createServer((_req, res) => res.writeHead(answering ? 204 : 503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const notifier = createNotifier<{ event: string }>({ logger: silent, retries: 1, minRetryDelayMs: 1, onOutcome: (to, delivered) => outcomes.push([to, delivered]) });
      notifier.send(target, { event: 'CREDENTIAL_REVOKED' });
      await notifier.drain();
      answering = true;
      notifier.send(target, { event: 'CREDENTIAL_REVOKED' });
      await notifier.drain();
      expect(outcomes).to.deep.equal([[target, false], [target, true]]);
    } finally {
      server.close();
    }
  });

  it('abandons a notification whose answer is still coming in at its timeout, though bytes keep arriving', async () => {
    const outcomes: boolean[] = [];
    const drips = new Set<NodeJS.Timeout>();
    const server: Server = createServer((_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write('x'), 20);
      drips.add(drip);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const notifier = createNotifier<{ event: string }>({ logger: silent, timeoutMs: 100, retries: 1, minRetryDelayMs: 1, onOutcome: (_to, delivered) => outcomes.push(delivered) });
      notifier.send(target, { event: 'CREDENTIAL_REVOKED' });
      await notifier.drain();
      expect(outcomes).to.deep.equal([false]);
    } finally {
      drips.forEach(clearInterval);
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('a gateway that stops deletes its subscription', function () {
  this.timeout(20_000);
  it('leaves the AMC with the subscribers it had before the gateway started', async () => {
    const core = await startTestCore();
    try {
      const subscribers = async () => (await core.store.collection('amc.subscribers').find({})).length;
      await until(async () => (await subscribers()) === 1, "the core's gateway subscribing");
      const gateway = await listenNf(await createAgw({ store: core.store, logger: createLogger({ nf: 'AGW', level: 'silent' }), nrfUri: core.nrfUrl }), { host: '127.0.0.1', port: 0 });
      await until(async () => (await subscribers()) === 2, 'the second gateway subscribing');
      await gateway.close();
      expect(await subscribers()).to.equal(1);
    } finally {
      await core.close();
    }
  });
});
