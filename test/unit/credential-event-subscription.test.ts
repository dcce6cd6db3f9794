/** The AGW keeping its subscription to the AMC's credential events (nfs/agw/credential-event-subscription.ts). */
import { expect } from 'chai';
import type { AmcConsumer } from '../../nfs/agw/consumer.ts';
import { keepCredentialEventSubscription } from '../../nfs/agw/credential-event-subscription.ts';
import { createLogger } from '../../nfs/shared/logger.ts';

const logger = createLogger({ nf: 'AGW', level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The one fake: an AMC consumer that records subscriptions, answering each after `delayMs`. */
function recordingAmc(delayMs = 0) {
  const calls: string[] = [];
  const amc = {
    subscribeCredentialEvents: async (uri: string) => {
      calls.push(`subscribe ${uri}`);
      await sleep(delayMs);
      return 'sub-1';
    },
    unsubscribeCredentialEvents: async (id: string) => {
      calls.push(`unsubscribe ${id}`);
    },
  } as unknown as AmcConsumer;
  return { amc, calls };
}

describe('AGW subscription to AMC credential events', () => {
  it('subscribes at once and again every interval, deletes the subscription at stop, and asks nothing after', async () => {
    const { amc, calls } = recordingAmc();
    const kept = keepCredentialEventSubscription({ amc, notificationUri: 'http://agw/events', logger, resubscribeMs: 20 });
    await sleep(200);
    await kept.stop();
    const subscribes = calls.filter((call) => call === 'subscribe http://agw/events').length;
    expect(subscribes, 'the first and at least two more').to.be.at.least(3);
    expect(calls.at(-1)).to.equal('unsubscribe sub-1');
    const atStop = calls.length;
    await sleep(80);
    expect(calls.length, 'nothing after stop').to.equal(atStop);
  });

  it('waits at stop for a subscription asked for before it, and deletes it', async () => {
    const { amc, calls } = recordingAmc(30);
    const kept = keepCredentialEventSubscription({ amc, notificationUri: 'http://agw/events', logger, resubscribeMs: 60_000 });
    await kept.stop();
    expect(calls, 'when stop returns').to.deep.equal(['subscribe http://agw/events', 'unsubscribe sub-1']);
  });
});
