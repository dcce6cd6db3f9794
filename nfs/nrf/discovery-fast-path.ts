/**
 * The hot path of Nnrf_NFDiscovery, served before express from a cache of serialized
 * SearchResults that every registry change drops (shared/cached-query-fast-path.ts). Each
 * SearchResult is checked against nnrf-disc.yaml when it is built.
 */
import { createCachedQueryFastPath } from '../shared/cached-query-fast-path.ts';
import type { Logger } from '../shared/logger.ts';
import type { FastPath } from '../shared/nf-host.ts';
import type { QueryCheck, SchemaCheck } from '../shared/schema-validator.ts';
import { discoveryQueryFrom } from './discovery.ts';
import type { DiscoveryQuery, SearchResult } from './types.ts';

export interface DiscoveryFastPathDeps {
  search: (query: DiscoveryQuery) => Promise<SearchResult>;
  /** Changes whenever a profile visible to discovery changes. */
  registryVersion: () => number;
  checkQuery: QueryCheck;
  checkResult: SchemaCheck;
  logger: Logger;
  /** Consumers may keep a result for validityPeriod anyway (TS 29.510 clause 6.2.6.2.2). */
  maxAgeMs?: number;
  now?: () => number;
}

export function createDiscoveryFastPath(deps: DiscoveryFastPathDeps): FastPath {
  return createCachedQueryFastPath({
    path: '/nnrf-disc/v1/nf-instances',
    checkQuery: deps.checkQuery,
    // requester-nf-instance-id does not change the answer, so requesters share entries.
    ignoredInKey: ['requester-nf-instance-id'],
    version: deps.registryVersion,
    logger: deps.logger,
    maxAgeMs: deps.maxAgeMs,
    now: deps.now,
    async answer(query) {
      const result = await deps.search(discoveryQueryFrom(query));
      const problems = deps.checkResult(result);
      if (problems.length) {
        deps.logger.error('SearchResult breaks nnrf-disc.yaml', { problems });
        return undefined;
      }
      return JSON.stringify(result);
    },
  });
}
