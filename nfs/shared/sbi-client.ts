/**
 * Calls to peer NFs over the SBI: the peer is found through NRF discovery and kept for the
 * SearchResult's validityPeriod; every call has a timeout, carries the correlation id and, when
 * OAuth is on, a bearer token from the NRF. An unreachable instance is dropped from the cache and
 * the call is tried once more on a freshly discovered one.
 */
import { correlationHeader, currentCorrelationId } from './correlation.ts';
import { requestJson } from './json-post.ts';
import { ProblemError } from './problem.ts';
import type { NFProfile, NrfClient } from './nrf-client.ts';
import type { TokenProvider } from './token-provider.ts';

export interface SbiRequest {
  targetNfType: string;
  serviceName: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the service's apiRoot/serviceName/version, e.g. `/nf-instances`. */
  path: string;
  body?: unknown;
  contentType?: string;
  /** Extra headers; an explicit authorization (e.g. an AGW registration token) replaces the NRF token. */
  headers?: Record<string, string>;
}

export interface SbiResponse<T> {
  status: number;
  data: T;
  headers: Record<string, unknown>;
}

export interface SbiClient {
  call<T = unknown>(request: SbiRequest): Promise<SbiResponse<T>>;
  /** The base URI of a service on a discovered instance (`http://host:port/prefix/service/v1`). */
  serviceUri(targetNfType: string, serviceName: string): Promise<string>;
}

export function createSbiClient(options: {
  nrf: NrfClient;
  self: { nfInstanceId: string; nfType: string };
  tokens?: TokenProvider;
  timeoutMs?: number;
  now?: () => number;
  /**
   * NFs at known addresses (NF type -> http://host:port), reached without NRF discovery: for a
   * caller that holds no token for it (a UE's agent on a core with OAuth on).
   */
  addresses?: Readonly<Partial<Record<string, string>>>;
}): SbiClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  // Listings (every agent, every NF profile) run larger than one message; this bounds them still.
  const maxBytes = 32 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { uris: string[]; expiresAt: number }>();

  async function discoverUris(targetNfType: string, serviceName: string): Promise<string[]> {
    const address = options.addresses?.[targetNfType];
    if (address !== undefined) return [`${address}/${serviceName}/v1`];
    const key = `${targetNfType} ${serviceName}`;
    const cached = cache.get(key);
    if (cached && cached.expiresAt > now() && cached.uris.length) return cached.uris;
    const bearer = options.tokens ? await options.tokens.token('NRF', 'nnrf-disc') : undefined;
    const result = await options.nrf.discover(
      { targetNfType, requesterNfType: options.self.nfType, requesterNfInstanceId: options.self.nfInstanceId, serviceNames: [serviceName] },
      bearer,
    );
    const uris = byPriority(result.nfInstances).flatMap((profile) => serviceUrisOf(profile, serviceName));
    if (!uris.length) throw new ProblemError(503, `no ${targetNfType} offering ${serviceName} is registered`, { cause: 'TARGET_NF_NOT_REACHABLE' });
    cache.set(key, { uris, expiresAt: now() + (result.validityPeriod ?? 0) * 1000 });
    return uris;
  }

  function forget(targetNfType: string, serviceName: string, uri: string): void {
    const entry = cache.get(`${targetNfType} ${serviceName}`);
    if (entry) entry.uris = entry.uris.filter((candidate) => candidate !== uri);
  }

  async function send<T>(uri: string, request: SbiRequest): Promise<SbiResponse<T>> {
    const headers: Record<string, string> = {};
    const correlationId = currentCorrelationId();
    if (correlationId) headers[correlationHeader] = correlationId;
    if (request.contentType) headers['content-type'] = request.contentType;
    if (options.tokens && !request.headers?.authorization) headers.authorization = `Bearer ${await options.tokens.token(request.targetNfType, request.serviceName)}`;
    Object.assign(headers, request.headers);
    const res = await requestJson(request.method, `${uri}${request.path}`, request.body, { timeoutMs, maxBytes, headers });
    return { status: res.status, data: res.data as T, headers: res.headers as Record<string, unknown> };
  }

  return {
    async call<T>(request: SbiRequest) {
      const [first] = await discoverUris(request.targetNfType, request.serviceName);
      try {
        return await send<T>(first, request);
      } catch (error) {
        if ((error as { code?: string }).code === 'ETOOLARGE') {
          throw new ProblemError(502, `${request.targetNfType} ${request.serviceName} answered more than ${maxBytes} bytes`, { cause: 'TARGET_NF_ANSWER_TOO_LARGE' });
        }
        if (!isUnreachable(error)) throw error;
        forget(request.targetNfType, request.serviceName, first);
        const [second] = await discoverUris(request.targetNfType, request.serviceName).catch(() => [undefined]);
        if (!second || second === first) {
          throw new ProblemError(504, `${request.targetNfType} ${request.serviceName} is unreachable: ${(error as Error).message}`, { cause: 'TARGET_NF_NOT_REACHABLE' });
        }
        return send<T>(second, request);
      }
    },
    async serviceUri(targetNfType, serviceName) {
      return (await discoverUris(targetNfType, serviceName))[0];
    },
  };
}

/** Lower priority value first (TS 29.510 clause 6.1.6.2.2), the rest in the NRF's order. */
function byPriority(profiles: NFProfile[]): NFProfile[] {
  return [...profiles].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
}

/** `{scheme}://{host}:{port}{apiPrefix}/{serviceName}/{apiVersionInUri}` (TS 29.501 clause 4.4.1). */
export function serviceUrisOf(profile: NFProfile, serviceName: string): string[] {
  const services = [...(profile.nfServices ?? []), ...Object.values(profile.nfServiceList ?? {})];
  return services
    .filter((service) => service.serviceName === serviceName && service.nfServiceStatus === 'REGISTERED')
    .flatMap((service) => {
      const endpoint = service.ipEndPoints?.[0];
      const host = service.fqdn ?? endpoint?.ipv4Address ?? (endpoint?.ipv6Address ? `[${endpoint.ipv6Address}]` : undefined) ?? profile.fqdn ?? profile.ipv4Addresses?.[0];
      if (!host) return [];
      const port = endpoint?.port ?? (service.scheme === 'https' ? 443 : 80);
      return [`${service.scheme}://${host}:${port}${service.apiPrefix ?? ''}/${serviceName}/${service.versions[0].apiVersionInUri}`];
    });
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code ?? '');
}
