/**
 * Nnrf_NFDiscovery (TS 29.510 clause 5.3.2.2): only REGISTERED profiles of the target type,
 * offering the requested services, that allow the requester's NF type (allowedNfTypes), with
 * profiles in the preferred locality first.
 */
import type { Filter } from '../shared/store/collection.ts';
import { profileOf, type NrfStore, type ProfileRecord } from './store.ts';
import type { NrfSettings } from './settings.ts';
import type { DiscoveryQuery, SearchResult } from './types.ts';

export function createDiscovery(deps: { store: NrfStore; settings: NrfSettings }) {
  const { store, settings } = deps;

  return {
    async searchNFInstances(query: DiscoveryQuery): Promise<SearchResult> {
      const filter: Filter = {
        nfType: query.targetNfType,
        nfStatus: 'REGISTERED',
        // clause 6.1.6.2.2: a profile listing allowedNfTypes is discoverable only by those types.
        $or: [{ allowedNfTypes: { $exists: false } }, { allowedNfTypes: query.requesterNfType }],
      };
      if (query.targetNfInstanceId) filter._id = query.targetNfInstanceId;
      if (query.serviceNames?.length) filter.serviceNames = { $in: query.serviceNames };

      const records = query.preferredLocality
        ? await preferLocality(filter, query.preferredLocality, query.limit)
        : await store.profiles.find(filter, { limit: query.limit });
      return {
        validityPeriod: settings.discoveryValidityPeriod,
        nfInstances: records.map(profileOf),
        numNfInstComplete: records.length,
      };
    },
  };

  /** Profiles in the preferred locality first, then the others, within the limit. */
  async function preferLocality(filter: Filter, locality: string, limit?: number): Promise<ProfileRecord[]> {
    const local = await store.profiles.find({ ...filter, locality }, { limit });
    if (limit !== undefined && local.length >= limit) return local;
    const others = await store.profiles.find(
      { ...filter, locality: { $ne: locality } },
      { limit: limit === undefined ? undefined : limit - local.length },
    );
    return [...local, ...others];
  }
}

export type Discovery = ReturnType<typeof createDiscovery>;

/** The query parameters of clause 6.2.3.2.3.1, once validated and coerced against nnrf-disc.yaml. */
export function discoveryQueryFrom(query: Record<string, unknown>): DiscoveryQuery {
  return {
    targetNfType: query['target-nf-type'] as string,
    requesterNfType: query['requester-nf-type'] as string,
    serviceNames: query['service-names'] as string[] | undefined,
    requesterNfInstanceId: query['requester-nf-instance-id'] as string | undefined,
    targetNfInstanceId: query['target-nf-instance-id'] as string | undefined,
    preferredLocality: query['preferred-locality'] as string | undefined,
    limit: query.limit as number | undefined,
  };
}
