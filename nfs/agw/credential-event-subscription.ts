/**
 * Keeps this gateway subscribed to the AMC's credential events (namc-cred /subscriptions), which
 * keep its directory in step with suspensions and revocations. It subscribes at start, retrying
 * while the AMC is not up yet, and again every resubscribeMs: the AMC answers a URI it has with the
 * same subscription, clearing any mark that notifications to it failed, and a subscription it
 * dropped is made afresh (amc/subscriptions.ts). After each, the gateway reads what changed that
 * no notice told it (onSubscribed). At stop the subscription is deleted, so the AMC
 * does not go on notifying an address nobody may answer at.
 */
import pRetry from 'p-retry';
import type { Logger } from '../shared/logger.ts';
import type { AmcConsumer } from './consumer.ts';

export function keepCredentialEventSubscription(deps: {
  amc: AmcConsumer;
  notificationUri: string;
  logger: Logger;
  resubscribeMs?: number;
  /** After each subscription: what changed before it, which no notice will tell (agents.ts catchUpCredentialChanges). */
  onSubscribed?: () => Promise<unknown>;
}): { stop(): Promise<void> } {
  const { amc, notificationUri, logger } = deps;
  const abort = new AbortController();
  let subscriptionId: string | undefined;
  /** Subscriptions asked for and not yet answered, which stop waits for. */
  const inFlight = new Set<Promise<void>>();

  function subscribe(): Promise<void> {
    const asked = (async () => {
      const id = await amc.subscribeCredentialEvents(notificationUri);
      // An answer that came after stop: that subscription is not kept either.
      if (abort.signal.aborted) {
        await amc.unsubscribeCredentialEvents(id).catch(() => undefined);
        return;
      }
      subscriptionId = id;
      // Not awaited: stop does not wait for a long first look, which the next subscription repeats.
      void deps.onSubscribed?.().catch((error: Error) => abort.signal.aborted || logger.warn('AMC credential changes not caught up; trying again at the next subscription', { error: error.message }));
    })();
    inFlight.add(asked);
    asked.then(
      () => inFlight.delete(asked),
      () => inFlight.delete(asked),
    );
    return asked;
  }

  void pRetry(subscribe, {
    retries: 20,
    minTimeout: 250,
    maxTimeout: 5000,
    signal: abort.signal,
    onFailedAttempt: (error) => {
      logger.warn('subscribing to AMC credential events failed, retrying', { attempt: error.attemptNumber, error: error.message });
    },
  }).catch((error: Error) => abort.signal.aborted || logger.error('no AMC credential events yet: trying again every minute', { error: error.message }));
  const renewal = setInterval(() => void subscribe().catch((error: Error) => logger.warn('subscribing to AMC credential events again failed', { error: error.message })), deps.resubscribeMs ?? 60_000);
  renewal.unref();

  return {
    async stop() {
      abort.abort();
      clearInterval(renewal);
      await Promise.allSettled([...inFlight]);
      if (subscriptionId) await amc.unsubscribeCredentialEvents(subscriptionId).catch((error: Error) => logger.warn('AMC credential events: unsubscribing failed', { error: error.message }));
    },
  };
}
