/** createNrf(deps): the NRF wired from its parts; used by main.ts, `dmsc up` and tests. */
import { createLocalJWKSet } from 'jose';
import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier } from '../shared/access-token-guard.ts';
import type { Logger } from '../shared/logger.ts';
import type { NfDescriptor, NfHandle } from '../shared/nf-host.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { compileQueryCheck, compileSchemaCheck } from '../shared/schema-validator.ts';
import { createDiscoveryFastPath } from './discovery-fast-path.ts';
import type { Store } from '../shared/store/collection.ts';
import { nrfRoutes } from './routes.ts';
import { createNrfService, type NrfService } from './service.ts';
import { defaultNrfSettings, nrfSettingsSchema, type NrfSettings } from './settings.ts';
import { checkSettings } from '../shared/settings-file.ts';
import { createNotifier, type NotifierOptions } from '../shared/notifier.ts';
import type { NotificationData } from './types.ts';
import { openNrfStore } from './store.ts';

/** The services that take an NRF access token with OAuth on. Registration and token requests stay open: an NF needs both before it can hold a token. */
export const nrfTokenProtection = { protectedServices: ['nnrf-disc'] };

export interface NrfDeps {
  store: Store;
  logger: Logger;
  settings?: Partial<NrfSettings>;
  /** When true, Nnrf_NFDiscovery demands an access token (TS 29.510 clause 13.3). */
  oauth?: boolean;
  notifier?: Omit<NotifierOptions, 'logger'>;
  validateResponses?: boolean;
  now?: () => number;
}

export type NrfHandle = NfHandle & { service: NrfService; drainNotifications(): Promise<void> };

export async function createNrf(deps: NrfDeps): Promise<NrfHandle> {
  const settings: NrfSettings = Object.freeze({ ...defaultNrfSettings, nrfInstanceId: randomUUID(), ...deps.settings });
  let apiRoot = '';
  const notifier = createNotifier<NotificationData>({ logger: deps.logger, ...deps.notifier });
  const service = await createNrfService({
    store: await openNrfStore(deps.store),
    settings,
    notifier,
    checkProfile: await compileSchemaCheck('nnrf-nfm.yaml', 'NFProfile'),
    nfInstanceUri: (id) => `${apiRoot}/nnrf-nfm/v1/nf-instances/${id}`,
    now: deps.now,
  });
  const app = createSbiApp({
    nf: 'NRF',
    logger: deps.logger,
    specs: ['nnrf-nfm.yaml', 'nnrf-disc.yaml', 'nnrf-oauth2.yaml'],
    routes: nrfRoutes(service, () => apiRoot),
    validateResponses: deps.validateResponses,
    oauth: deps.oauth
      ? {
          ...nrfTokenProtection,
          verify: createAccessTokenVerifier({ nrfUri: 'http://unused', audience: ['NRF', settings.nrfInstanceId], keySet: createLocalJWKSet(service.jwks()) }),
        }
      : undefined,
  });

  let monitor: NodeJS.Timeout | undefined;
  return {
    name: 'nrf',
    nfType: 'NRF',
    nfInstanceId: settings.nrfInstanceId,
    app,
    // With OAuth on, every discovery request goes through express for its token check.
    fastPath: deps.oauth
      ? undefined
      : createDiscoveryFastPath({
          search: service.searchNFInstances,
          registryVersion: service.registryVersion,
          checkQuery: await compileQueryCheck('nnrf-disc.yaml', '/nf-instances', 'get'),
          checkResult: await compileSchemaCheck('nnrf-disc.yaml', 'SearchResult'),
          logger: deps.logger,
        }),
    service,
    drainNotifications: () => notifier.drain(),
    async start(root) {
      apiRoot = root;
      monitor = setInterval(() => {
        service.suspendOverdueInstances().then(
          (ids) => ids.length && deps.logger.info('heartbeat overdue: NF instances suspended', { nfInstanceIds: ids }),
          (error: Error) => deps.logger.error('heartbeat supervision failed', { error: error.message }),
        );
      }, settings.heartbeatCheckIntervalMs);
      monitor.unref();
      deps.logger.info('NRF started', { apiRoot, nfInstanceId: settings.nrfInstanceId });
    },
    async stop() {
      clearInterval(monitor);
      notifier.stop();
    },
  };
}

export const nrfDescriptor: NfDescriptor = {
  name: 'nrf',
  nfType: 'NRF',
  defaultPort: 29510,
  summary: 'NF Repository Function: NF profiles, heartbeats, discovery, subscriptions, access tokens (TS 29.510)',
  settingsSchema: nrfSettingsSchema,
  create: (context) =>
    createNrf({ store: context.store, logger: context.logger, oauth: context.oauth, settings: checkSettings<NrfSettings>('nrf', nrfSettingsSchema, context.settings) }),
};
