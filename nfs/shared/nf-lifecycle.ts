/**
 * The NRF side of an NF's life, for NFs other than the NRF: build its NFProfile once it knows
 * where it listens, register with heartbeats, and deregister on stop (nrf-registration.ts).
 */
import type { Logger } from './logger.ts';
import { buildNfProfile } from './nf-profile.ts';
import { createNrfClient, type NrfClient } from './nrf-client.ts';
import { createNrfRegistration, type NrfRegistration } from './nrf-registration.ts';

export interface NfLifecycle {
  readonly nrf: NrfClient;
  start(apiRoot: string): Promise<void>;
  stop(): Promise<void>;
}

export function createNfLifecycle(options: {
  nrfUri: string;
  nfType: string;
  nfInstanceId: string;
  serviceNames: string[];
  logger: Logger;
  heartBeatTimer?: number;
}): NfLifecycle {
  const nrf = createNrfClient({ nrfUri: options.nrfUri });
  let registration: NrfRegistration | undefined;
  return {
    nrf,
    async start(apiRoot) {
      registration = createNrfRegistration({
        nrf,
        logger: options.logger,
        profile: buildNfProfile({
          nfInstanceId: options.nfInstanceId,
          nfType: options.nfType,
          apiRoot,
          serviceNames: options.serviceNames,
          heartBeatTimer: options.heartBeatTimer,
        }),
      });
      await registration.start();
    },
    async stop() {
      await registration?.stop();
    },
  };
}
