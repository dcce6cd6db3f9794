/** The AGW's procedures, composed from one file per service; no express or store engine here. */
import { createAgents } from './agents.ts';
import type { AnswerSigner } from './answer-signer.ts';
import type { AgentInvoker, AmcConsumer } from './consumer.ts';
import { createDiscovery } from './discovery.ts';
import { openEventLog } from './event-log.ts';
import { createEvents } from './events.ts';
import type { AccessTokenVerifier } from '../shared/access-token-guard.ts';
import type { Logger } from '../shared/logger.ts';
import { createPolicy } from './policy.ts';
import { createRequesterProof } from './requester-proof.ts';
import { createRegistration } from './registration.ts';
import { createRouting } from './routing.ts';
import type { AgwSettings } from './settings.ts';
import type { AgwStore } from './store.ts';
import { createTaxonomy } from './taxonomy.ts';
import { createUnstoredIssuanceSweep } from './unstored-issuances.ts';
import type { TaxonomyEntry } from './capability-matcher.ts';

export interface AgwServiceDeps {
  store: AgwStore;
  settings: AgwSettings;
  logger: Logger;
  amc: AmcConsumer;
  invoker: AgentInvoker;
  signer: AnswerSigner;
  taxonomySeed: readonly TaxonomyEntry[];
  gatewayId: string;
  /** NRF access tokens to this gateway, with OAuth on: then a named requester must be proven (requester-proof.ts). */
  verifyAccessToken?: AccessTokenVerifier;
  now?: () => number;
}

export async function createAgwService(deps: AgwServiceDeps) {
  const now = deps.now ?? Date.now;
  // Changes whenever anything a discovery answer depends on changes, except liveness and load,
  // which answers may lag by their cache's maxAgeMs (cached-query-fast-path.ts).
  let directoryVersion = 0;
  const taxonomy = await createTaxonomy({ store: deps.store, seed: deps.taxonomySeed, minMatchScore: deps.settings.minMatchScore, now, onReloadedChange: () => (directoryVersion += 1) });
  const aicSaltHex = deps.settings.aicScheme.saltHex;
  const events = createEvents({ log: openEventLog({ store: deps.store, settings: deps.settings, logger: deps.logger, now }), logger: deps.logger, now, aicSaltHex });
  const policy = createPolicy({ store: deps.store, aicSaltHex, knowsCapability: taxonomy.knows, missingNow: taxonomy.missingNow, now, onReloadedChange: () => (directoryVersion += 1) });
  const base = { ...deps, taxonomy, events, now };
  const registration = createRegistration(base);
  const agents = createAgents({ ...base, registration });
  const requesterProof = createRequesterProof({
    verifyAccessToken: deps.verifyAccessToken,
    registeredCredential: async (aic) => (await deps.store.agents.findOne({ _id: aic }, { fields: ['certificatePem', 'credentialSerial'] })) ?? undefined,
    saltHex: aicSaltHex,
    audiences: ['AGW', deps.gatewayId],
    now,
  });
  const discovery = createDiscovery({ ...base, agents, policy, requesterProof, validityPeriod: deps.settings.discoveryValidityPeriod, directoryVersion: () => directoryVersion });
  const routing = createRouting({ ...base, discovery, policy, requesterProof });
  const bumping = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } finally {
      directoryVersion += 1;
    }
  };
  let catchingUp: Promise<number> | undefined;
  const unstoredIssuances = createUnstoredIssuanceSweep({ store: deps.store, amc: deps.amc, events, gatewayId: deps.gatewayId, now });
  let sweeping: Promise<number> | undefined;
  return {
    ...taxonomy,
    putCapability: bumping(taxonomy.putCapability),
    deleteCapability: bumping(taxonomy.deleteCapability),
    ...events,
    ...policy,
    putPolicyRule: bumping(policy.putPolicyRule),
    deletePolicyRule: bumping(policy.deletePolicyRule),
    registerAgent: bumping(registration.registerAgent),
    ...agents,
    updateRegistration: bumping(agents.updateRegistration),
    deregisterAgent: bumping(agents.deregisterAgent),
    reportUeState: bumping(agents.reportUeState),
    applyCredentialEvent: bumping(agents.applyCredentialEvent),
    /** One at a time: a look still reading (a first one, from the beginning, say) is the next subscription's too. */
    catchUpCredentialChanges: () => {
      catchingUp ??= agents
        .catchUpCredentialChanges()
        .then((followed) => {
          if (followed) directoryVersion += 1;
          return followed;
        })
        .finally(() => (catchingUp = undefined));
      return catchingUp;
    },
    /** One at a time, as the catch-up (unstored-issuances.ts). */
    revokeUnstoredIssuances: () => (sweeping ??= unstoredIssuances().finally(() => (sweeping = undefined))),
    heartbeat: async (aic: string, authorization: string | undefined, load?: number) => {
      if (await agents.heartbeat(aic, authorization, load)) directoryVersion += 1;
    },
    ...discovery,
    ...routing,
    /** The rules' decision for one requester (DMSC "Policy Manager"), as the SMF asks it before a session. */
    async decidePolicy(query: { requesterAic: string; capabilityId: string; action: 'discover' | 'invoke' }) {
      const requester = await discovery.requesterOf(query.requesterAic, { type: 'request.refused', capabilityId: query.capabilityId });
      const decision = await policy.decide(requester, query.capabilityId, query.action);
      if (!decision.allowed) {
        await events.recordEvent({ type: 'policy.denied', outcome: 'refused', aic: requester.aic, capabilityId: query.capabilityId, cause: 'POLICY_DENIED', detail: { ruleId: decision.ruleId, action: query.action } });
      }
      return { ...decision, requesterAic: requester.aic!, capabilityId: query.capabilityId, action: query.action };
    },
    directoryVersion: () => directoryVersion,
    aicScheme: () => deps.settings.aicScheme,
    jwks: () => deps.signer.jwks(),
  };
}

export type AgwService = Awaited<ReturnType<typeof createAgwService>>;
