/**
 * Delivers notifications (NRF NFStatusNotify, TS 29.510 clause 5.2.2.6; AMC credential events)
 * in the background: each POST has a timeout and is retried with exponential backoff; the queue
 * is bounded so a dead subscriber cannot grow memory without limit. Nothing here blocks the
 * procedure that caused the event. Each callback URI gets its notifications in the order they
 * happened (one queue per URI), so a consumer never sees NF_DEREGISTERED before NF_REGISTERED.
 */
import type { AxiosInstance } from 'axios';
import { createDeadlineHttp } from './deadline-http.ts';
import pRetry from 'p-retry';
import { correlationHeader, currentCorrelationId } from './correlation.ts';
import type { Logger } from './logger.ts';

/** What a notification body needs for logs: an event name. */
export interface NotificationBody {
  event: string;
}

export interface Notifier<T extends NotificationBody> {
  /** Queues one notification; never waits for the subscriber. */
  send(uri: string, data: T): void;
  /** Waits until every queued notification is delivered or abandoned (tests, shutdown). */
  drain(): Promise<void>;
  stop(): void;
}

export interface NotifierOptions {
  logger: Logger;
  timeoutMs?: number;
  retries?: number;
  minRetryDelayMs?: number;
  maxPending?: number;
  http?: AxiosInstance;
  /** Told of each notification's end: delivered, or abandoned after its retries. */
  onOutcome?: (uri: string, delivered: boolean) => void;
}

export function createNotifier<T extends NotificationBody>(options: NotifierOptions): Notifier<T> {
  const { logger, timeoutMs = 2000, retries = 4, minRetryDelayMs = 200, maxPending = 1_000 } = options;
  // A deadline for the whole answer (deadline-http.ts): a subscriber answering a byte at a time
  // would otherwise hold its queue and a pending place past the timeout.
  const http = options.http ?? createDeadlineHttp(timeoutMs, { validateStatus: (status) => status >= 200 && status < 300 });
  const pending = new Set<Promise<void>>();
  const queueTail = new Map<string, Promise<void>>();
  const waiting = new Map<string, number>();
  const abort = new AbortController();

  async function deliver(uri: string, data: T, correlationId?: string): Promise<void> {
    try {
      await pRetry(
        () => http.post(uri, data, { headers: correlationId ? { [correlationHeader]: correlationId } : {}, signal: abort.signal }),
        {
          retries,
          minTimeout: minRetryDelayMs,
          factor: 2,
          signal: abort.signal,
          onFailedAttempt: (error) => {
            logger.debug('notification attempt failed', { uri, event: data.event, attempt: error.attemptNumber, error: error.message });
          },
        },
      );
      logger.debug('notification delivered', { uri, event: data.event });
      options.onOutcome?.(uri, true);
    } catch (error) {
      if (!abort.signal.aborted) {
        logger.warn('notification abandoned after retries', { uri, event: data.event, error: (error as Error).message });
        options.onOutcome?.(uri, false);
      }
    }
  }

  return {
    send(uri, data) {
      if (abort.signal.aborted) return;
      // The bound is per callback URI: a subscriber that never answers fills only its own queue.
      if ((waiting.get(uri) ?? 0) >= maxPending) {
        logger.warn('notification dropped: too many undelivered notifications for this subscriber', { uri, event: data.event });
        return;
      }
      waiting.set(uri, (waiting.get(uri) ?? 0) + 1);
      const correlationId = currentCorrelationId();
      const previous = queueTail.get(uri) ?? Promise.resolve();
      const delivery: Promise<void> = previous.then(() => deliver(uri, data, correlationId)).finally(() => {
        pending.delete(delivery);
        const left = (waiting.get(uri) ?? 1) - 1;
        if (left > 0) waiting.set(uri, left);
        else waiting.delete(uri);
        if (queueTail.get(uri) === delivery) queueTail.delete(uri);
      });
      queueTail.set(uri, delivery);
      pending.add(delivery);
    },
    async drain() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    stop() {
      abort.abort();
    },
  };
}
