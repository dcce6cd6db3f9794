/**
 * The hot path of Nnrf_NFDiscovery, served before express. NFs discover the same targets again
 * and again; express's per-request overhead alone would cap discovery at a fraction of what the
 * machine can do. This path checks the query against nnrf-disc.yaml (compiled with the same
 * rules as the validator), answers from a cache of serialized SearchResults that is dropped on
 * every registry change, and checks each SearchResult against the schema when it is built.
 * Anything it does not fully accept (a bad query, OAuth on, an error) goes on to express, which
 * gives the ProblemDetails answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationHeader } from '../shared/correlation.ts';
import type { Logger } from '../shared/logger.ts';
import type { FastPath } from '../shared/nf-host.ts';
import type { QueryCheck, SchemaCheck } from '../shared/schema-validator.ts';
import { discoveryQueryFrom } from './discovery.ts';
import type { DiscoveryQuery, SearchResult } from './types.ts';

const discoveryPath = '/nnrf-disc/v1/nf-instances';
const maxEntries = 20_000;

interface CacheEntry {
  version: number;
  createdAt: number;
  body: string;
}

export interface DiscoveryFastPathDeps {
  search: (query: DiscoveryQuery) => Promise<SearchResult>;
  /** Changes whenever a profile visible to discovery changes. */
  registryVersion: () => number;
  checkQuery: QueryCheck;
  checkResult: SchemaCheck;
  logger: Logger;
  /**
   * Bound on an entry's age, for writes this process does not see (another replica on a shared
   * MongoDB); consumers may keep a result for validityPeriod anyway (TS 29.510 clause 6.2.6.2.2).
   */
  maxAgeMs?: number;
  now?: () => number;
}

export function createDiscoveryFastPath(deps: DiscoveryFastPathDeps): FastPath {
  const { maxAgeMs = 1000, now = Date.now } = deps;
  // Keyed both by the exact URL and by the normalized query.
  const cache = new Map<string, CacheEntry>();

  const fresh = (entry: CacheEntry | undefined, version: number): entry is CacheEntry =>
    entry !== undefined && entry.version === version && now() - entry.createdAt < maxAgeMs;
  const remember = (key: string, entry: CacheEntry) => {
    if (cache.size >= maxEntries) cache.clear();
    cache.set(key, entry);
  };

  return (req, res, next) => {
    const url = req.url ?? '';
    if (req.method !== 'GET' || !url.startsWith(`${discoveryPath}?`)) return next();
    const version = deps.registryVersion();
    // The exact URL was accepted before: the same text validates the same way, skip the parsing.
    const byUrl = cache.get(url);
    if (fresh(byUrl, version)) return send(req, res, byUrl.body);

    const query = parseQuery(url.slice(discoveryPath.length + 1));
    if (!query || !deps.checkQuery(query)) return next();
    // requester-nf-instance-id does not change the answer, so requesters share entries.
    const key = JSON.stringify(
      Object.entries(query)
        .filter(([name]) => name !== 'requester-nf-instance-id')
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    const byQuery = cache.get(key);
    if (fresh(byQuery, version)) {
      remember(url, byQuery);
      return send(req, res, byQuery.body);
    }

    deps.search(discoveryQueryFrom(query)).then(
      (result) => {
        const problems = deps.checkResult(result);
        if (problems.length) {
          deps.logger.error('SearchResult breaks nnrf-disc.yaml', { problems });
          return next();
        }
        const entry = { version, createdAt: now(), body: JSON.stringify(result) };
        remember(key, entry);
        remember(url, entry);
        send(req, res, entry.body);
      },
      (error: Error) => {
        deps.logger.warn('discovery fast path failed; express answers', { error: error.message });
        next();
      },
    );
  };
}

/** One value per name; a repeated name is left to express to judge. */
function parseQuery(queryString: string): Record<string, unknown> | undefined {
  const query: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(queryString)) {
    if (name in query) return undefined;
    query[name] = value;
  }
  return query;
}

function send(req: IncomingMessage, res: ServerResponse, body: string): void {
  const correlationId = req.headers[correlationHeader];
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    [correlationHeader]: typeof correlationId === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(correlationId) ? correlationId : randomUUID(),
  });
  res.end(body);
}
