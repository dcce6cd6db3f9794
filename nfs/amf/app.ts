/** createAmf(deps): the AMF wired from its parts; used by main.ts, `dmsc up` and tests. */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { createNfLifecycle } from '../shared/nf-lifecycle.ts';
import { chainFastPaths, type FastPath, type NfContext, type NfDescriptor, type NfHandle } from '../shared/nf-host.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { createSbiClient } from '../shared/sbi-client.ts';
import { compileSchemaCheck } from '../shared/schema-validator.ts';
import { checkSettings } from '../shared/settings-file.ts';
import type { Store } from '../shared/store/collection.ts';
import { createTokenProvider } from '../shared/token-provider.ts';
import { createAgwConsumer, createIntentAgentInvoker, type AgwConsumer, type IntentAgentInvoker } from './consumer.ts';
import { createForwardingIntentHandler, type IntentHandler } from './intent-handler.ts';
import { createJsonPostFastPath, pathMatcher } from '../shared/json-post-fast-path.ts';
import { compileBodyCheck } from '../shared/schema-validator.ts';
import { amfRoutes, n1MessagesPath } from './routes.ts';
import { createAmfService, type AmfService } from './service.ts';
import { amfSettingsSchema, defaultAmfSettings, type AmfSettings } from './settings.ts';
import { openAmfStore } from './store.ts';
import type { UplinkNasMessage } from './types.ts';

export interface AmfDeps {
  store: Store;
  logger: Logger;
  nrfUri: string;
  settings?: Partial<AmfSettings>;
  /**
   * Comprehends intents in the AMF itself; required in mode local, unused in mode forward. An
   * embedded agent starts and stops with the AMF and may serve requests of its own (fastPath).
   */
  localIntentHandler?: LocalIntentHandler;
  agw?: AgwConsumer;
  invoker?: IntentAgentInvoker;
  nfInstanceId?: string;
  /** When true, the AMF takes NRF access tokens for its SBI calls. The UE-facing namf-nas takes none: UEs hold no NRF tokens. */
  oauth?: boolean;
  /** Runs the timers every timerIntervalMs (default); tests turn this off and run them by hand. */
  backgroundTimers?: boolean;
  now?: () => number;
}

export type AmfHandle = NfHandle & { service: AmfService; whenAgentsSettled(): Promise<void> };

export type LocalIntentHandler = IntentHandler & { fastPath?: FastPath; start?(apiRoot: string): void | Promise<void>; stop?(): Promise<void>; whenSettled?(): Promise<void> };

export const amfServiceNames = ['namf-nas'];

export async function createAmf(deps: AmfDeps): Promise<AmfHandle> {
  const settings: AmfSettings = Object.freeze({ ...defaultAmfSettings, ...deps.settings });
  if (settings.mode === 'local' && !deps.localIntentHandler) {
    throw new ConfigError('amf.mode local: the AMF comprehends intents itself, but no local intent handler was given');
  }
  const nfInstanceId = deps.nfInstanceId ?? randomUUID();
  const now = deps.now ?? Date.now;
  const store = await openAmfStore(deps.store);
  const lifecycle = createNfLifecycle({ nrfUri: deps.nrfUri, nfType: 'AMF', nfInstanceId, serviceNames: amfServiceNames, logger: deps.logger });
  const tokens = deps.oauth ? createTokenProvider({ nrfUri: deps.nrfUri, nfInstanceId, nfType: 'AMF' }) : undefined;
  const sbi = createSbiClient({ nrf: lifecycle.nrf, self: { nfInstanceId, nfType: 'AMF' }, tokens });
  const agw = deps.agw ?? createAgwConsumer(sbi);
  const checkOutcome = await compileSchemaCheck('nagent-tip.yaml', 'IntentOutcome');
  const intentHandler =
    settings.mode === 'local'
      ? deps.localIntentHandler!
      : createForwardingIntentHandler({ agw, invoker: deps.invoker ?? createIntentAgentInvoker({ bearer: tokens ? () => tokens.token('AGENT_NF', 'nagent-tip') : undefined }), checkOutcome, settings, logger: deps.logger, now });
  const service = createAmfService({ store, settings, logger: deps.logger, agw, intentHandler, checkOutcome, now });
  return {
    name: 'amf',
    nfType: 'AMF',
    nfInstanceId,
    app: createSbiApp({ nf: 'AMF', logger: deps.logger, specs: amfServiceNames.map((name) => `${name}.yaml`), routes: amfRoutes(service) }),
    fastPath: chainFastPaths(
      // Every message of every UE passes here (three per registration): served before express,
      // checked against namf-nas.yaml as express would (ajv's discriminator on messageType, so a
      // refusal names what is wrong with that message rather than why it is none of the others).
      createJsonPostFastPath({
        logger: deps.logger,
        routes: [{
          match: pathMatcher(n1MessagesPath),
          checkBody: await compileBodyCheck('namf-nas.yaml', 'UplinkNasMessage', { discriminator: true }),
          checkAnswer: await compileBodyCheck('namf-nas.yaml', 'DownlinkNasMessage', { discriminator: true }),
          handle: ({ body }) => service.handleUplinkNasMessage(body as UplinkNasMessage),
        }],
      }),
      settings.mode === 'local' ? deps.localIntentHandler?.fastPath : undefined,
    ),
    service,
    /** In mode local, settles once the AMF's own intent agent registered at the AGW or gave up. */
    whenAgentsSettled: async () => {
      if (settings.mode === 'local') await deps.localIntentHandler?.whenSettled?.();
    },
    async start(root) {
      await lifecycle.start(root);
      if (settings.mode === 'local') await deps.localIntentHandler?.start?.(root);
      if (deps.backgroundTimers !== false) service.timers.start();
    },
    async stop() {
      if (settings.mode === 'local') await deps.localIntentHandler?.stop?.();
      await service.timers.stop();
      await lifecycle.stop();
    },
  };
}

/**
 * The AMF for the runner; localIntentHandler makes the handler of mode local (the AMF with agent
 * capability) and is asked only when the settings choose that mode.
 */
export function createAmfDescriptor(options: { localIntentHandler?: (context: NfContext) => LocalIntentHandler | Promise<LocalIntentHandler> } = {}): NfDescriptor {
  return {
    name: 'amf',
    nfType: 'AMF',
    defaultPort: 29518,
    summary: 'AMF: UE registration and connection state over NAS-like messages, UE agents at the AGW, intents to the intent agent',
    settingsSchema: amfSettingsSchema,
    async create(context) {
      const settings = checkSettings<AmfSettings>('amf', amfSettingsSchema, context.settings);
      const local = settings.mode === 'local' && options.localIntentHandler ? await options.localIntentHandler(context) : undefined;
      return createAmf({ store: context.store, logger: context.logger, nrfUri: context.nrfUri, oauth: context.oauth, nfInstanceId: context.nfInstanceId, settings, localIntentHandler: local });
    },
  };
}

export const amfDescriptor: NfDescriptor = createAmfDescriptor();
