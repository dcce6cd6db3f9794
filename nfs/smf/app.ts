/** createSmf(deps): the SMF-like agent session manager wired from its parts; used by `dmsc up` and tests. */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import { createNfLifecycle } from '../shared/nf-lifecycle.ts';
import type { NfDescriptor, NfHandle } from '../shared/nf-host.ts';
import { createNotifier, type NotifierOptions } from '../shared/notifier.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { createSbiClient } from '../shared/sbi-client.ts';
import { checkSettings } from '../shared/settings-file.ts';
import type { Store } from '../shared/store/collection.ts';
import { createTokenProvider } from '../shared/token-provider.ts';
import { createAgentCallers, type AgentCallers } from './agent-callers.ts';
import { createAmcConsumer } from './amc-consumer.ts';
import { createArtifactSigner } from './artifact.ts';
import { createAgwConsumer, type AgwConsumer } from './consumer.ts';
import { smfRoutes, smfServiceName } from './routes.ts';
import { createSmfService, type SmfService } from './service.ts';
import { defaultSmfSettings, smfSettingsSchema, type SmfSettings } from './settings.ts';
import { openSmfStore } from './store.ts';
import type { SessionEventNotification } from './types.ts';

export interface SmfDeps {
  store: Store;
  logger: Logger;
  nrfUri: string;
  settings?: Partial<SmfSettings>;
  agw?: AgwConsumer;
  /** Replaces the check of agents' proofs at the AMC (tests). */
  callers?: AgentCallers;
  nfInstanceId?: string;
  /** When true, the SMF takes NRF access tokens for its SBI calls (to the AGW). */
  oauth?: boolean;
  /** Overrides of the notifier (tests shorten the retry delay). */
  notifier?: Partial<Omit<NotifierOptions, 'logger'>>;
  /** Runs the expiry sweep every expirySweepIntervalSeconds (default); tests turn it off and sweep by hand. */
  backgroundTimers?: boolean;
  now?: () => number;
}

export type SmfHandle = NfHandle & { service: SmfService; drainNotifications(): Promise<void> };

export const smfServiceNames = [smfServiceName];

export async function createSmf(deps: SmfDeps): Promise<SmfHandle> {
  const settings: SmfSettings = Object.freeze({ ...defaultSmfSettings, ...deps.settings });
  const nfInstanceId = deps.nfInstanceId ?? randomUUID();
  const store = await openSmfStore(deps.store);
  const lifecycle = createNfLifecycle({ nrfUri: deps.nrfUri, nfType: 'SMF', nfInstanceId, serviceNames: smfServiceNames, logger: deps.logger });
  const sbi = createSbiClient({
    nrf: lifecycle.nrf,
    self: { nfInstanceId, nfType: 'SMF' },
    tokens: deps.oauth ? createTokenProvider({ nrfUri: deps.nrfUri, nfInstanceId, nfType: 'SMF' }) : undefined,
  });
  const notifier = createNotifier<SessionEventNotification>({ logger: deps.logger, retries: settings.notificationRetries, ...deps.notifier });
  const service = createSmfService({
    store,
    settings,
    logger: deps.logger,
    agw: deps.agw ?? createAgwConsumer(sbi),
    // The artifact names its issuer by NF instance id, which a verifier can look up at the NRF.
    signer: await createArtifactSigner(store, nfInstanceId),
    notifier,
    // Agents sign with the real clock: their tokens are checked against it, whatever clock sessions use.
    callers: deps.callers ?? createAgentCallers({ amc: createAmcConsumer(sbi), logger: deps.logger }),
    now: deps.now,
  });
  let apiRoot = '';
  let sweep: NodeJS.Timeout | undefined;
  return {
    name: 'smf',
    nfType: 'SMF',
    nfInstanceId,
    app: createSbiApp({
      nf: 'SMF',
      logger: deps.logger,
      specs: smfServiceNames.map((name) => `${name}.yaml`),
      routes: smfRoutes(service, () => apiRoot),
      // Not behind NRF tokens: agents (a UE's agent too) create, establish, modify and release with
      // their own credential (agent-callers.ts) and read the JWKS; agents hold no NRF tokens (as at
      // the AGW's nagw-reg and nagw-disc). List and get are operators' reads.
      bodyLimit: '64kb',
    }),
    service,
    drainNotifications: () => notifier.drain(),
    async start(root) {
      apiRoot = root;
      await lifecycle.start(root);
      if (deps.backgroundTimers !== false) {
        sweep = setInterval(() => {
          service.expireDueSessions().catch((error: Error) => deps.logger.warn('expiry sweep failed', { error: error.message }));
        }, settings.expirySweepIntervalSeconds * 1000);
        sweep.unref();
      }
    },
    async stop() {
      clearInterval(sweep);
      notifier.stop();
      await lifecycle.stop();
    },
  };
}

export const smfDescriptor: NfDescriptor = {
  name: 'smf',
  nfType: 'SMF',
  defaultPort: 29502,
  summary: 'SMF: agent-to-agent sessions, their signed authorization artifacts, QoS, update, release and expiry',
  settingsSchema: smfSettingsSchema,
  create: (context) =>
    createSmf({ store: context.store, logger: context.logger, nrfUri: context.nrfUri, oauth: context.oauth, nfInstanceId: context.nfInstanceId, settings: checkSettings<SmfSettings>('smf', smfSettingsSchema, context.settings) }),
};
