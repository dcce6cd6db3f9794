/**
 * An NF's life at the NRF, written once for every NF: register at start (retrying while the NRF
 * is not up yet), heartbeat at the heartBeatTimer the NRF granted, re-register when the NRF has
 * forgotten us (404 on heartbeat, TS 29.510 clause 5.2.2.3.2), deregister on stop.
 */
import pRetry from 'p-retry';
import type { Logger } from './logger.ts';
import type { NFProfile, NrfClient } from './nrf-client.ts';

export interface NrfRegistration {
  start(): Promise<NFProfile>;
  stop(): Promise<void>;
}

export function createNrfRegistration(options: {
  nrf: NrfClient;
  profile: NFProfile;
  logger: Logger;
  /** Attempts to register at start before giving up. */
  registerRetries?: number;
}): NrfRegistration {
  const { nrf, profile, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const register = () =>
    pRetry(() => nrf.register(profile), {
      retries: options.registerRetries ?? 10,
      minTimeout: 200,
      maxTimeout: 3000,
      onFailedAttempt: (error) => {
        logger.warn('NRF registration failed, retrying', { nrfUri: nrf.nrfUri, attempt: error.attemptNumber, error: error.message });
      },
    });

  async function beat(): Promise<void> {
    try {
      if (!(await nrf.heartbeat(profile.nfInstanceId))) {
        logger.warn('NRF has forgotten this NF instance; registering again', { nfInstanceId: profile.nfInstanceId });
        await nrf.register(profile);
      }
    } catch (error) {
      logger.warn('NRF heartbeat failed', { error: (error as Error).message });
    }
  }

  function schedule(seconds: number): void {
    if (stopped) return;
    timer = setTimeout(() => void beat().finally(() => schedule(seconds)), seconds * 1000);
    timer.unref();
  }

  return {
    async start() {
      const accepted = await register();
      logger.info('registered with the NRF', { nrfUri: nrf.nrfUri, nfInstanceId: profile.nfInstanceId, heartBeatTimer: accepted.heartBeatTimer });
      schedule(accepted.heartBeatTimer ?? profile.heartBeatTimer ?? 10);
      return accepted;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      try {
        await nrf.deregister(profile.nfInstanceId);
        logger.info('deregistered from the NRF', { nfInstanceId: profile.nfInstanceId });
      } catch (error) {
        logger.warn('NRF deregistration failed', { error: (error as Error).message });
      }
    },
  };
}
