/** createAgw(deps): the Agent Gateway wired from its parts; used by main.ts, `dmsc up` and tests. */
import { randomUUID } from 'node:crypto';
import { keepCredentialEventSubscription } from './credential-event-subscription.ts';
import { defaultAicScheme, parseAic, type AicScheme } from '../shared/aic.ts';
import { createAccessTokenVerifier } from '../shared/access-token-guard.ts';
import type { Logger } from '../shared/logger.ts';
import { createTokenProvider } from '../shared/token-provider.ts';
import { createNfLifecycle } from '../shared/nf-lifecycle.ts';
import { chainFastPaths, type NfDescriptor, type NfHandle } from '../shared/nf-host.ts';
import { createJsonPostFastPath } from '../shared/json-post-fast-path.ts';
import { agwFastRoutes } from './fast-routes.ts';
import { createSbiApp } from '../shared/sbi-app.ts';
import { createSbiClient } from '../shared/sbi-client.ts';
import type { ProblemDetails } from '../shared/problem.ts';
import type { Store } from '../shared/store/collection.ts';
import { createAnswerSigner } from './answer-signer.ts';
import type { TaxonomyEntry } from './capability-matcher.ts';
import { createAgentInvoker, createAmcConsumer, type AgentInvoker } from './consumer.ts';
import { defaultTaxonomy } from './default-taxonomy.ts';
import { agwRoutes, structuredQueryFrom } from './routes.ts';
import { createCachedQueryFastPath } from '../shared/cached-query-fast-path.ts';
import { compileHeaderCheck, compileQueryCheck } from '../shared/schema-validator.ts';
import { createAgwService, type AgwService } from './service.ts';
import { agwSettingsSchema, defaultAgwSettings, type AgwSettings } from './settings.ts';
import { checkSettings } from '../shared/settings-file.ts';
import { openAgwStore } from './store.ts';

/** The services whose every request takes an NRF access token with OAuth on: the management plane (nagw-*.yaml say so in their security requirements). */
export const agwTokenProtection = { protectedServices: ['nagw-tax', 'nagw-pol', 'nagw-evts'] };

export interface AgwDeps {
  store: Store;
  logger: Logger;
  nrfUri: string;
  settings?: Partial<AgwSettings>;
  aicScheme?: AicScheme;
  taxonomy?: readonly TaxonomyEntry[];
  invoker?: AgentInvoker;
  nfInstanceId?: string;
  /** When true, the gateway takes NRF access tokens for its SBI calls and demands them on its management plane (nagw-tax, nagw-pol) and its events (nagw-evts). */
  oauth?: boolean;
  now?: () => number;
}

export type AgwHandle = NfHandle & { service: AgwService };

export const agwServiceNames = ['nagw-tax', 'nagw-reg', 'nagw-disc', 'nagw-route', 'nagw-pol', 'nagw-evts'];

export async function createAgw(deps: AgwDeps): Promise<AgwHandle> {
  const configured = { ...defaultAgwSettings, aicScheme: deps.aicScheme ?? defaultAicScheme, ...deps.settings };
  // In lower case, as policy rules and discovery queries name it: domain names ignore case (RFC 4343 section 3).
  const settings: AgwSettings = Object.freeze({ ...configured, domain: configured.domain.toLowerCase() });
  const nfInstanceId = deps.nfInstanceId ?? randomUUID();
  const store = await openAgwStore(deps.store, settings.eventRetentionSeconds);
  const lifecycle = createNfLifecycle({ nrfUri: deps.nrfUri, nfType: 'AGW', nfInstanceId, serviceNames: agwServiceNames, logger: deps.logger });
  const sbi = createSbiClient({
    nrf: lifecycle.nrf,
    self: { nfInstanceId, nfType: 'AGW' },
    tokens: deps.oauth ? createTokenProvider({ nrfUri: deps.nrfUri, nfInstanceId, nfType: 'AGW' }) : undefined,
  });
  const amc = createAmcConsumer(sbi);
  const verifyAccessToken = deps.oauth ? createAccessTokenVerifier({ nrfUri: deps.nrfUri, audience: ['AGW', nfInstanceId] }) : undefined;
  const service = await createAgwService({
    store,
    settings,
    logger: deps.logger,
    amc,
    invoker: deps.invoker ?? createAgentInvoker(),
    signer: await createAnswerSigner(store),
    taxonomySeed: deps.taxonomy ?? defaultTaxonomy,
    gatewayId: nfInstanceId,
    verifyAccessToken,
    now: deps.now,
  });
  let apiRoot = '';
  // Every refusal is an event, those made before an operation ran (a body that breaks the spec,
  // say) too: of the operation's own type, as the operation's own refusals are.
  const recordRefusal = (request: { method: string; path: string }, problem: ProblemDetails) => {
    const path = request.path.split('?')[0];
    const type = refusedOperationType(request.method, path);
    service
      .recordEvent({ type, outcome: 'refused', cause: problem.cause, detail: { method: request.method, path, reason: problem.detail, ...(problem.invalidParams ? { invalidParams: problem.invalidParams } : {}) } })
      .catch((error: Error) => deps.logger.warn('refusal not recorded', { error: error.message }));
  };
  const cachedDiscoveryEvent = createCachedDiscoveryEvents(settings.aicScheme.saltHex);
  let credentialEvents: ReturnType<typeof keepCredentialEventSubscription> | undefined;
  return {
    name: 'agw',
    nfType: 'AGW',
    nfInstanceId,
    app: createSbiApp({
      nf: 'AGW',
      logger: deps.logger,
      specs: agwServiceNames.map((name) => `${name}.yaml`),
      routes: agwRoutes(service, () => apiRoot),
      onRefusedBeforeRoutes: recordRefusal,
      // Agents are not NFs and hold no NRF tokens: registration, discovery and routing stay open,
      // except that a requester they name must be proven (requester-proof.ts).
      oauth: verifyAccessToken ? { ...agwTokenProtection, verify: verifyAccessToken } : undefined,
    }),
    fastPath: chainFastPaths(
      createJsonPostFastPath({ routes: await agwFastRoutes(service, () => apiRoot), logger: deps.logger, onRefusedBeforeHandling: recordRefusal }),
      createCachedQueryFastPath({
        path: '/nagw-disc/v1/agents',
        checkQuery: await compileQueryCheck('nagw-disc.yaml', '/agents', 'get'),
        checkHeaders: await compileHeaderCheck('nagw-disc.yaml', '/agents', 'get'),
        version: service.directoryVersion,
        // A requester changes the answer only through policy: requesters policy treats alike share entries.
        keyQuery: async (query, req) => {
          const requesterAic = query['requester-aic'] as string | undefined;
          // With OAuth on, a named requester is proven first (a refusal is express's to answer and
          // record); a requester the token names alone (none in the query) is express's as well.
          if (verifyAccessToken && (await service.discoveryRequester(requesterAic, req.headers.authorization)) !== requesterAic) return undefined;
          if (requesterAic === undefined) return query;
          const requesterClass = await service.requesterClass(requesterAic);
          // Answered for this requester alone: the answer checks the requester.
          if (!requesterClass) return query;
          // Shared with others, so checked here: a requester refused (a malformed AIC, a suspended
          // credential) is express's to answer and record.
          await service.checkedRequester(requesterAic, 'query requester-aic');
          const { 'requester-aic': _requester, ...rest } = query;
          // Not a parameter of the operation, so no request's own query can have this key.
          return { ...rest, 'requester-class': requesterClass };
        },
        // A key that still names its requester is that requester's alone.
        admitOnSecondRequest: (keyQuery) => keyQuery['requester-aic'] !== undefined,
        logger: deps.logger,
        answer: (query, req) => service.discoverAgentsJson(structuredQueryFrom(query), req.headers.authorization),
        onCacheHit: (query, url) => void service.recordEvent(cachedDiscoveryEvent(query, url)),
      }),
    ),
    service,
    async start(root) {
      apiRoot = root;
      await lifecycle.start(root);
      // Credential events keep the directory in step with the AMC; the AMC may start after us.
      credentialEvents = keepCredentialEventSubscription({
        amc,
        notificationUri: `${root}/nagw-reg/v1/credential-events`,
        logger: deps.logger,
        // What no notice tells: changes made while the gateway was not listening, and certificates
        // made for registrations an earlier process of it stopped in.
        onSubscribed: async () => {
          await service.catchUpCredentialChanges();
          await service.revokeUnstoredIssuances();
        },
      });
    },
    async stop() {
      await credentialEvents?.stop();
      await lifecycle.stop();
      await service.closeEvents();
    },
  };
}

/** The gateway's operations whose events have a type of their own, by method and path. */
const operationTypes: Array<[method: string, path: RegExp, type: string]> = [
  ['POST', /^\/nagw-reg\/v1\/registrations$/, 'agent.registration'],
  ['PATCH', /^\/nagw-reg\/v1\/registrations\/[^/]+$/, 'agent.updated'],
  ['DELETE', /^\/nagw-reg\/v1\/registrations\/[^/]+$/, 'agent.deregistered'],
  ['PUT', /^\/nagw-reg\/v1\/registrations\/[^/]+\/heartbeat$/, 'agent.heartbeat'],
  ['PUT', /^\/nagw-reg\/v1\/registrations\/[^/]+\/ue-state$/, 'agent.ue_state'],
  ['GET', /^\/nagw-disc\/v1\/agents$/, 'discovery.structured'],
  ['POST', /^\/nagw-disc\/v1\/resolutions$/, 'discovery.natural_language'],
  ['POST', /^\/nagw-route\/v1\/capability\/[^/]+$/, 'routing.decided'],
];

/** The event type of a request refused before its operation ran: the operation's, or request.refused for any other request. */
function refusedOperationType(method: string, path: string): string {
  return operationTypes.find(([operationMethod, operationPath]) => operationMethod === method && operationPath.test(path))?.[2] ?? 'request.refused';
}

/** As many URLs as the cache keeps answers for (cached-query-fast-path.ts). */
const HIT_URLS_KEPT = 20_000;

/**
 * A structured discovery answered from the cache is recorded as one computed is, by its requester
 * and capability, so the events of a requester are found by its AIC however they were answered.
 * What a URL names is worked out once, not at every hit: a repeated query is answered tens of
 * thousands of times a second. The query was accepted when the answer was cached, so its
 * requester AIC parses.
 */
function createCachedDiscoveryEvents(saltHex: string) {
  const aboutUrl = new Map<string, { aic?: string; capabilityId?: string }>();
  return (query: Record<string, unknown> | undefined, url: string) => {
    let about = aboutUrl.get(url);
    if (!about) {
      const asked = query ?? Object.fromEntries(new URL(url, 'http://agw').searchParams);
      const requester = typeof asked['requester-aic'] === 'string' ? parseAic(asked['requester-aic'], { saltHex }) : undefined;
      const capabilityId = typeof asked['capability-id'] === 'string' ? asked['capability-id'] : undefined;
      about = { ...(requester?.ok ? { aic: requester.aic.text } : {}), ...(capabilityId ? { capabilityId } : {}) };
      if (aboutUrl.size >= HIT_URLS_KEPT) aboutUrl.clear();
      aboutUrl.set(url, about);
    }
    return { type: 'discovery.structured', outcome: 'success' as const, ...about, detail: { cached: true, url } };
  };
}

export const agwDescriptor: NfDescriptor = {
  name: 'agw',
  nfType: 'AGW',
  defaultPort: 29600,
  summary: 'Agent Gateway: AIC allocation, agent registration, taxonomy, discovery, semantic routing, policy, events',
  settingsSchema: agwSettingsSchema,
  create: (context) =>
    createAgw({ store: context.store, logger: context.logger, nrfUri: context.nrfUri, oauth: context.oauth, nfInstanceId: context.nfInstanceId, settings: checkSettings<AgwSettings>('agw', agwSettingsSchema, context.settings) }),
};
