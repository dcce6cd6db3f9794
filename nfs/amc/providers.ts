/**
 * Agent provider accounts (MACP section 4.1): who may register agents, with which capabilities.
 * Each account gets the next provider index, level 7 of its agents' AICs (ACPs-spec-AIC v02.02).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { nextCounterValue } from '../shared/counters.ts';
import { conflict, notFound } from '../shared/problem.ts';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import type { ProviderSeed } from './settings.ts';
import type { AmcStore, ProviderRecord } from './store.ts';

/** The kinds of agent (namc-auth.yaml AgentKind): the network's NF and capability agents, UEs' agents, third parties'. */
export const AGENT_KINDS = ['nf-agent', 'capability-agent', 'ue-agent', 'third-party'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export interface Provider {
  providerId: string;
  providerIndex: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  allowedCapabilities: string[];
  /**
   * The kinds of agent it may register. The kind an agent declares decides what it may do (only
   * the network's own kinds task capability agents, agent-nf/service.ts), so it is the provider
   * account's to allow, as its capabilities are: a third party's account allows third-party.
   */
  allowedAgentKinds: AgentKind[];
}

export type ProviderCheck =
  | { ok: true; provider: Provider }
  | { ok: false; cause: 'PROVIDER_UNKNOWN' | 'PROVIDER_SUSPENDED' | 'INVALID_PROVIDER_CREDENTIAL'; detail: string };

const exists = (providerId: string) => conflict(`provider ${providerId} exists`, 'PROVIDER_EXISTS');

export function createProviders(deps: { store: AmcStore }) {
  const { store } = deps;

  async function createProvider(request: { providerId: string; name: string; allowedCapabilities: string[]; allowedAgentKinds?: AgentKind[]; clientSecret?: string }) {
    // A provider index is part of every AIC of the provider's agents: a request refused as a
    // duplicate takes none. (Two creations of one id at once may still spend one; the store refuses the second.)
    if (await store.providers.findOne({ _id: request.providerId }, { fields: ['status'] })) throw exists(request.providerId);
    const clientSecret = request.clientSecret ?? randomBytes(24).toString('base64url');
    const secretSalt = randomBytes(16).toString('hex');
    const providerIndex = (await nextCounterValue(store.counters, 'providerIndex')).toString(36).toUpperCase();
    const record: ProviderRecord = {
      _id: request.providerId,
      providerIndex,
      name: request.name,
      status: 'ACTIVE',
      allowedCapabilities: request.allowedCapabilities,
      allowedAgentKinds: request.allowedAgentKinds ?? [...AGENT_KINDS],
      secretSalt,
      secretHash: hashSecret(clientSecret, secretSalt),
    };
    try {
      await store.providers.insertOne(record);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw exists(request.providerId);
      throw error;
    }
    return { ...toProvider(record), clientSecret };
  }

  return {
    createProvider,

    /** Creates the configured accounts that do not exist yet (first start). */
    async seedProviders(seeds: readonly ProviderSeed[]): Promise<void> {
      for (const seed of seeds) {
        if (await store.providers.findOne({ _id: seed.providerId })) continue;
        await createProvider(seed).catch((error: unknown) => {
          // Another replica seeded it at the same moment.
          if (!(error instanceof Error && 'status' in error && (error as { status: number }).status === 409)) throw error;
        });
      }
    },

    async listProviders(): Promise<Provider[]> {
      return (await store.providers.find({}, { sort: { _id: 1 } })).map(toProvider);
    },

    async getProvider(providerId: string): Promise<Provider> {
      const record = await store.providers.findOne({ _id: providerId });
      if (!record) throw notFound(`provider ${providerId} does not exist`);
      return toProvider(record);
    },

    async updateProvider(providerId: string, change: { status?: 'ACTIVE' | 'SUSPENDED'; allowedCapabilities?: string[]; allowedAgentKinds?: AgentKind[] }): Promise<Provider> {
      const updated = await store.providers.findOneAndUpdate({ _id: providerId }, { $set: change });
      if (!updated) throw notFound(`provider ${providerId} does not exist`);
      return toProvider(updated);
    },

    /** Checks client credentials in constant time; says why not, for the AAAP denial. */
    async checkProviderCredentials(providerId: string, clientSecret: string): Promise<ProviderCheck> {
      const record = await store.providers.findOne({ _id: providerId });
      if (!record) return { ok: false, cause: 'PROVIDER_UNKNOWN', detail: `provider ${providerId} is not known to this AMC` };
      const expected = Buffer.from(record.secretHash, 'hex');
      const given = Buffer.from(hashSecret(clientSecret, record.secretSalt), 'hex');
      if (!timingSafeEqual(expected, given)) {
        return { ok: false, cause: 'INVALID_PROVIDER_CREDENTIAL', detail: `the client secret of provider ${providerId} is wrong` };
      }
      if (record.status !== 'ACTIVE') return { ok: false, cause: 'PROVIDER_SUSPENDED', detail: `provider ${providerId} is suspended` };
      return { ok: true, provider: toProvider(record) };
    },
  };
}

export type Providers = ReturnType<typeof createProviders>;

function hashSecret(secret: string, salt: string): string {
  return createHmac('sha256', salt).update(secret).digest('hex');
}

function toProvider(record: ProviderRecord): Provider {
  return {
    providerId: record._id,
    providerIndex: record.providerIndex,
    name: record.name,
    status: record.status,
    allowedCapabilities: record.allowedCapabilities,
    allowedAgentKinds: record.allowedAgentKinds ?? [...AGENT_KINDS],
  };
}
