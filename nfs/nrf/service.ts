/**
 * The NRF's procedures, composed from one file per TS 29.510 service. No express, axios or store
 * engine here: routes call these, and tests call them with a memory store.
 */
import type { SchemaCheck } from '../shared/schema-validator.ts';
import { createAccessTokens } from './access-token.ts';
import { createDiscovery } from './discovery.ts';
import { createNfManagement } from './nf-management.ts';
import type { NrfSettings } from './settings.ts';
import type { NrfStore } from './store.ts';
import { createSubscriptions, type StatusNotifier } from './subscriptions.ts';

export interface NrfServiceDeps {
  store: NrfStore;
  settings: NrfSettings;
  notifier: StatusNotifier;
  checkProfile: SchemaCheck;
  /** The URI of an NF instance resource, as sent in notifications. */
  nfInstanceUri: (nfInstanceId: string) => string;
  now?: () => number;
}

export async function createNrfService(deps: NrfServiceDeps) {
  const now = deps.now ?? Date.now;
  const subscriptions = createSubscriptions({ ...deps, now });
  // Every status event is a change discovery can see; caches of SearchResults key on this.
  let registryVersion = 0;
  const nfManagement = createNfManagement({
    ...deps,
    now,
    onStatusEvent: (event, nfInstanceId, profile) => {
      registryVersion += 1;
      return subscriptions.notifyStatusEvent(event, nfInstanceId, profile);
    },
  });
  const discovery = createDiscovery(deps);
  const accessTokens = await createAccessTokens({ ...deps, now });
  return { ...nfManagement, ...subscriptions, ...discovery, ...accessTokens, registryVersion: () => registryVersion };
}

export type NrfService = Awaited<ReturnType<typeof createNrfService>>;
