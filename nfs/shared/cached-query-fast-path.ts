/**
 * A GET served before express from a cache of serialized answers. For the hot, repeated queries
 * of discovery services (NRF NFDiscover, AGW agent discovery), express's per-request overhead
 * alone would cap throughput at a fraction of what the machine can do. The query is checked
 * against the service's OpenAPI file (compiled with the validator's rules); an entry is used only
 * while the owner's version is unchanged and it is younger than maxAgeMs (a bound for changes
 * this process does not see, such as writes through another replica). Anything the path does not
 * fully accept (a bad query) goes on to express, which answers it; a refusal or a failure of the
 * answer itself (a policy denial, the store failing) is answered here with the ProblemDetails
 * express's error handler would give.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationHeader, correlationIdFor, withCorrelationId } from './correlation.ts';
import { toProblemDetails } from './error-handler.ts';
import type { Logger } from './logger.ts';
import type { FastPath } from './nf-host.ts';
import { ProblemError, type ProblemDetails } from './problem.ts';
import { createRecentKeys } from './recent-keys.ts';
import type { HeaderCheck, QueryCheck } from './schema-validator.ts';

const maxEntries = 20_000;

interface CacheEntry {
  version: number;
  createdAt: number;
  /** Encoded once: a body of many agents would otherwise be encoded again for every answer. */
  body: Buffer;
}

export interface CachedQueryFastPathOptions {
  /** The resource path, e.g. /nnrf-disc/v1/nf-instances. */
  path: string;
  checkQuery: QueryCheck;
  /** The operation's header parameters (compileHeaderCheck): a request they refuse is express's to answer. */
  checkHeaders?: HeaderCheck;
  /** Query parameters that do not change the answer, so those requesters share entries. */
  ignoredInKey?: string[];
  /**
   * The query as the cache keys it, when some parameter changes the answer only through a class
   * of its values (e.g. a requester whose identity no policy rule names); undefined leaves the
   * request to express. The answer is still computed from the request's own query.
   */
  keyQuery?: (query: Record<string, unknown>, req: IncomingMessage) => Promise<Record<string, unknown> | undefined>;
  /**
   * Whether a key is likely asked once (e.g. by one requester of its own): its answer is kept
   * only when the key is asked again within maxAgeMs. Otherwise every such answer would be held
   * for maxAgeMs, long enough to outlive V8's young-generation collections: each copies what
   * survives it, then moves it to the old generation, and those collections are the pauses in
   * discovery's latency tail.
   */
  admitOnSecondRequest?: (keyQuery: Record<string, unknown>) => boolean;
  /** The answer's JSON text (or its UTF-8 bytes), or undefined to leave the request to express. */
  answer: (query: Record<string, unknown>, req: IncomingMessage) => Promise<string | Buffer | undefined>;
  /** Called for an answer served from the cache (e.g. to record an event). */
  onCacheHit?: (query: Record<string, unknown> | undefined, url: string) => void;
  /** Changes whenever anything the answers depend on changes. */
  version: () => number;
  logger: Logger;
  maxAgeMs?: number;
  now?: () => number;
}

export function createCachedQueryFastPath(options: CachedQueryFastPathOptions): FastPath {
  const { maxAgeMs = 1000, now = Date.now, ignoredInKey = [] } = options;
  // Keyed both by the exact URL and by the normalized query.
  // The map is in insertion order, nearly age order (an entry set again is deleted first), so
  // sweeping stops at the first fresh entry. A cache hit files its entry under the URL too, at
  // the end: such an entry may outlive maxAgeMs by one sweep, never answering (fresh() checks).
  const cache = new Map<string, CacheEntry>();
  const askedOnce = options.admitOnSecondRequest ? createRecentKeys(maxAgeMs) : undefined;
  const fresh = (entry: CacheEntry | undefined, version: number): entry is CacheEntry =>
    entry !== undefined && entry.version === version && now() - entry.createdAt < maxAgeMs;
  let lastSweep = now();
  const sweep = () => {
    const at = now();
    if (at - lastSweep < maxAgeMs) return;
    lastSweep = at;
    for (const [key, entry] of cache) {
      if (at - entry.createdAt < maxAgeMs) break;
      cache.delete(key);
    }
  };
  const remember = (key: string, entry: CacheEntry) => {
    if (cache.size >= maxEntries) cache.clear();
    cache.delete(key);
    cache.set(key, entry);
  };
  /** True when the answer to `key` is to be kept (see admitOnSecondRequest). */
  const admits = (key: string, keyQuery: Record<string, unknown>): boolean => {
    if (!askedOnce || !options.admitOnSecondRequest?.(keyQuery)) return true;
    return askedOnce.askedAgain(key, now());
  };

  return (req, res, next) => {
    const url = req.url ?? '';
    if (req.method !== 'GET' || !url.startsWith(`${options.path}?`)) return next();
    const version = options.version();
    // The exact URL was accepted before: the same text validates the same way, skip the parsing.
    // With the same credential: an answer may depend on who asks (keyQuery may check a token).
    const urlKey = req.headers.authorization === undefined ? url : `${url}\n${req.headers.authorization}`;
    const byUrl = cache.get(urlKey);
    if (fresh(byUrl, version)) return answerFromCache(req, res, byUrl.body, options.onCacheHit && (() => options.onCacheHit!(undefined, url)));
    const query = parseQuery(url.slice(options.path.length + 1));
    if (!query || !options.checkQuery(query) || options.checkHeaders?.(req.headers).length) return next();
    const proceed = (keyQuery: Record<string, unknown> | undefined): void => {
      if (!keyQuery) return next();
      const key = JSON.stringify(
        Object.entries(keyQuery)
          .filter(([name]) => !ignoredInKey.includes(name))
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const byQuery = cache.get(key);
      if (fresh(byQuery, version)) {
        remember(urlKey, byQuery);
        return answerFromCache(req, res, byQuery.body, options.onCacheHit && (() => options.onCacheHit!(query, url)));
      }
      // One id for the answer's header and for everything recorded while computing it.
      const correlationId = correlationIdFor(requestCorrelationId(req));
      // Express answers under the same id, so the events of both attempts name the answer's.
      const toExpress = () => {
        req.headers[correlationHeader] = correlationId;
        next();
      };
      withCorrelationId(correlationId, () => options.answer(query, req)).then(
        (body) => {
          if (body === undefined) return toExpress();
          const entry = { version, createdAt: now(), body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
          sweep();
          if (admits(key, keyQuery)) {
            remember(key, entry);
            remember(urlKey, entry);
          }
          send(req, res, entry.body, { correlationId });
        },
        (error: Error & { status?: number }) => {
          // A refusal or a failure is answered here, as express's error handler would: asking
          // express would compute the answer a second time, and record its events (a policy
          // denial, a failure) twice.
          if (!(error instanceof ProblemError) || error.status >= 500) options.logger.error('request failed', { path: options.path, error: error.message });
          sendProblem(req, res, toProblemDetails(error, url), { headers: error instanceof ProblemError ? error.headers : undefined, correlationId });
        },
      );
    };
    if (!options.keyQuery) return proceed(query);
    // A query the key function refuses (e.g. a malformed AIC) is express's to answer.
    options.keyQuery(query, req).then(proceed, () => next());
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

/** A cached answer, with what a hit records (an event) under the id the answer carries. */
function answerFromCache(req: IncomingMessage, res: ServerResponse, body: Buffer, recordHit: (() => void) | undefined): void {
  const correlationId = correlationIdFor(requestCorrelationId(req));
  if (recordHit) withCorrelationId(correlationId, recordHit);
  send(req, res, body, { correlationId });
}

function requestCorrelationId(req: IncomingMessage): string | undefined {
  const header = req.headers[correlationHeader];
  return typeof header === 'string' ? header : undefined;
}

interface SendOptions {
  status?: number;
  contentType?: string;
  headers?: Readonly<Record<string, string>>;
  /** The request's correlation id, when it was settled before the answer (a computed one). */
  correlationId?: string;
}

function send(req: IncomingMessage, res: ServerResponse, body: Buffer, { status = 200, contentType = 'application/json; charset=utf-8', headers, correlationId }: SendOptions = {}): void {
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': body.length,
    [correlationHeader]: correlationId ?? correlationIdFor(requestCorrelationId(req)),
  });
  res.end(body);
}

function sendProblem(req: IncomingMessage, res: ServerResponse, problem: ProblemDetails, options: Pick<SendOptions, 'headers' | 'correlationId'> = {}): void {
  send(req, res, Buffer.from(JSON.stringify(problem), 'utf8'), { ...options, status: problem.status ?? 400, contentType: 'application/problem+json' });
}
