/** createAmc(deps): the Agent Management Center wired from its parts; used by main.ts, `dmsc up` and tests. */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { defaultAicScheme } from '../shared/aic.ts';
import { createAccessTokenVerifier } from '../shared/access-token-guard.ts';
import type { Logger } from '../shared/logger.ts';
import { createNfLifecycle } from '../shared/nf-lifecycle.ts';
import type { NfDescriptor, NfHandle } from '../shared/nf-host.ts';
import { createJsonPostFastPath } from '../shared/json-post-fast-path.ts';
import { amcFastRoutes } from './fast-routes.ts';
import { createNotifier, type NotifierOptions } from '../shared/notifier.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { DuplicateKeyError, type Store } from '../shared/store/collection.ts';
import { createCaMaterial, loadCertificateAuthority } from './certificate-authority.ts';
import type { CredentialEvent } from './credentials.ts';
import { amcRoutes } from './routes.ts';
import { createAmcService, type AmcService } from './service.ts';
import { amcSettingsSchema, checkAmcSettings, defaultAmcSettings, type AmcSettings } from './settings.ts';
import { checkSettings } from '../shared/settings-file.ts';
import { openAmcStore, type AmcStore } from './store.ts';

/** The services that take an NRF access token with OAuth on: all of AAAP and provider management, and the credentials' changes (namc-*.yaml say so in their security requirements). */
export const amcTokenProtection = { protectedServices: ['namc-auth', 'namc-prov'], protectedWrites: ['namc-cred'] };

export interface AmcDeps {
  store: Store;
  logger: Logger;
  nrfUri: string;
  settings?: Partial<AmcSettings>;
  aicSaltHex?: string;
  notifier?: Omit<NotifierOptions, 'logger'>;
  nfInstanceId?: string;
  /** When true, AAAP (namc-auth, called by gateways), provider management and credential changes demand an NRF access token. */
  oauth?: boolean;
  now?: () => number;
}

export type AmcHandle = NfHandle & { service: AmcService; drainNotifications(): Promise<void> };

export const amcServiceNames = ['namc-prov', 'namc-auth', 'namc-cred'];

export async function createAmc(deps: AmcDeps): Promise<AmcHandle> {
  const settings: AmcSettings = checkAmcSettings(Object.freeze({ ...defaultAmcSettings, ...deps.settings }));
  const nfInstanceId = deps.nfInstanceId ?? randomUUID();
  const store = await openAmcStore(deps.store);
  const ca = await loadCertificateAuthority(await loadOrCreateCa(store, settings), {});
  // Each notification's end tells whether its subscriber still listens (subscriptions.ts).
  let recordOutcome: (uri: string, delivered: boolean) => Promise<void> = async () => undefined;
  const notifier = createNotifier<CredentialEvent>({
    logger: deps.logger,
    ...deps.notifier,
    onOutcome: (uri, delivered) => void recordOutcome(uri, delivered).catch((error: Error) => deps.logger.warn('subscriber state not recorded', { uri, error: error.message })),
  });
  const service = await createAmcService({
    store,
    settings,
    ca,
    aicSaltHex: deps.aicSaltHex ?? defaultAicScheme.saltHex,
    notifier,
    now: deps.now ?? Date.now,
    logger: deps.logger,
  });
  recordOutcome = service.recordNotificationOutcome;
  let apiRoot = '';
  let renewalSweep: NodeJS.Timeout | undefined;
  const lifecycle = createNfLifecycle({ nrfUri: deps.nrfUri, nfType: 'AMC', nfInstanceId, serviceNames: amcServiceNames, logger: deps.logger });
  return {
    name: 'amc',
    nfType: 'AMC',
    nfInstanceId,
    app: createSbiApp({
      nf: 'AMC',
      logger: deps.logger,
      specs: amcServiceNames.map((name) => `${name}.yaml`),
      routes: amcRoutes(service, () => apiRoot),
      // Reading credentials' status, the CA and the CRL stays open: relying parties are not NFs.
      // Changing a credential (issuance, renewal, suspension, resumption, revocation) and
      // subscribing to changes take an NRF token, as AAAP and provider management do.
      oauth: deps.oauth ? { ...amcTokenProtection, verify: createAccessTokenVerifier({ nrfUri: deps.nrfUri, audience: ['AMC', nfInstanceId] }) } : undefined,
    }),
    fastPath: createJsonPostFastPath({ routes: await amcFastRoutes(service, { oauth: deps.oauth === true, apiRoot: () => apiRoot }), logger: deps.logger }),
    service,
    drainNotifications: () => notifier.drain(),
    start: (root) => {
      apiRoot = root;
      ca.publishCrlAt(`${root}/namc-cred/v1/crl`);
      // Renewals a stopped process left half done, now and every minute (credentials.ts).
      const releaseAbandonedRenewals = () =>
        service.releaseAbandonedRenewals().catch((error: Error) => deps.logger.warn('abandoned renewals not released', { error: error.message }));
      void releaseAbandonedRenewals();
      renewalSweep = setInterval(releaseAbandonedRenewals, ABANDONED_RENEWAL_SWEEP_MS).unref();
      // Certificates of compromised keys a store kept from before revocations reached every AIC.
      void service.revokeLeftoversOfCompromisedKeys().then(
        (revoked) => revoked && deps.logger.warn('certificates of compromised keys revoked at start', { revoked }),
        (error: Error) => deps.logger.warn('certificates of compromised keys not looked for', { error: error.message }),
      );
      return lifecycle.start(root);
    },
    async stop() {
      clearInterval(renewalSweep);
      notifier.stop();
      await lifecycle.stop();
    },
  };
}

const ABANDONED_RENEWAL_SWEEP_MS = 60_000;

/** The CA is made on first start and kept in the store, so a restart keeps it and all it issued. */
async function loadOrCreateCa(store: AmcStore, settings: AmcSettings) {
  const existing = await store.ca.findOne({ _id: 'ca' });
  if (existing) return existing;
  const material = await createCaMaterial({ commonName: settings.caCommonName, validityDays: settings.caValidityDays });
  try {
    await store.ca.insertOne({ _id: 'ca', ...material, createdAt: new Date().toISOString() });
    return material;
  } catch (error) {
    // Another replica made one first: everyone uses that one.
    if (!(error instanceof DuplicateKeyError)) throw error;
    return (await store.ca.findOne({ _id: 'ca' }))!;
  }
}

export const amcDescriptor: NfDescriptor = {
  name: 'amc',
  nfType: 'AMC',
  defaultPort: 29601,
  summary: 'Agent Management Center: CA, agent providers, AAAP authorization, X.509 agent credentials',
  settingsSchema: amcSettingsSchema,
  create: (context) =>
    createAmc({ store: context.store, logger: context.logger, nrfUri: context.nrfUri, oauth: context.oauth, nfInstanceId: context.nfInstanceId, settings: checkSettings<AmcSettings>('amc', amcSettingsSchema, context.settings) }),
};
