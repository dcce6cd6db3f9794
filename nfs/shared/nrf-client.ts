/**
 * The NRF client every NF uses, written once: NFRegister, heartbeat (NFUpdate with a JSON Patch,
 * TS 29.510 clause 5.2.2.3.2), NFDeregister, NFDiscover and NFStatusSubscribe over HTTP.
 */
import type { AxiosInstance } from 'axios';
import { createDeadlineHttp } from './deadline-http.ts';
import type { components as nfm } from '../../openapi/generated/nnrf-nfm.ts';
import type { components as disc } from '../../openapi/generated/nnrf-disc.ts';
import { correlationHeader, currentCorrelationId } from './correlation.ts';
import { ProblemError, type ProblemDetails } from './problem.ts';

export type NFProfile = nfm['schemas']['NFProfile'];
export type SearchResult = disc['schemas']['SearchResult'];
export type SubscriptionData = nfm['schemas']['SubscriptionData'];

export interface DiscoverQuery {
  targetNfType: string;
  requesterNfType: string;
  serviceNames?: string[];
  requesterNfInstanceId?: string;
  targetNfInstanceId?: string;
  preferredLocality?: string;
  limit?: number;
}

export interface NrfClient {
  readonly nrfUri: string;
  register(profile: NFProfile): Promise<NFProfile>;
  /** Returns false when the NRF no longer knows the instance (404): the caller re-registers. */
  heartbeat(nfInstanceId: string): Promise<boolean>;
  deregister(nfInstanceId: string): Promise<void>;
  discover(query: DiscoverQuery, bearerToken?: string): Promise<SearchResult>;
  subscribe(subscription: SubscriptionData): Promise<SubscriptionData>;
  unsubscribe(subscriptionId: string): Promise<void>;
}

export function createNrfClient(options: { nrfUri: string; timeoutMs?: number; http?: AxiosInstance }): NrfClient {
  const nrfUri = options.nrfUri.replace(/\/$/, '');
  const http = options.http ?? createDeadlineHttp(options.timeoutMs ?? 3000, { validateStatus: () => true });
  const headers = (extra: Record<string, string> = {}) => {
    const correlationId = currentCorrelationId();
    return correlationId ? { ...extra, [correlationHeader]: correlationId } : extra;
  };

  return {
    nrfUri,
    async register(profile) {
      const res = await http.put(`${nrfUri}/nnrf-nfm/v1/nf-instances/${profile.nfInstanceId}`, profile, { headers: headers() });
      expectStatus(res, [200, 201], 'NFRegister');
      return res.data as NFProfile;
    },
    async heartbeat(nfInstanceId) {
      const res = await http.patch(
        `${nrfUri}/nnrf-nfm/v1/nf-instances/${nfInstanceId}`,
        [{ op: 'replace', path: '/nfStatus', value: 'REGISTERED' }],
        { headers: headers({ 'content-type': 'application/json-patch+json' }) },
      );
      if (res.status === 404) return false;
      expectStatus(res, [200, 204], 'NF heartbeat');
      return true;
    },
    async deregister(nfInstanceId) {
      const res = await http.delete(`${nrfUri}/nnrf-nfm/v1/nf-instances/${nfInstanceId}`, { headers: headers() });
      expectStatus(res, [204, 404], 'NFDeregister');
    },
    async discover(query, bearerToken) {
      const params = new URLSearchParams({ 'target-nf-type': query.targetNfType, 'requester-nf-type': query.requesterNfType });
      if (query.serviceNames?.length) params.set('service-names', query.serviceNames.join(','));
      if (query.requesterNfInstanceId) params.set('requester-nf-instance-id', query.requesterNfInstanceId);
      if (query.targetNfInstanceId) params.set('target-nf-instance-id', query.targetNfInstanceId);
      if (query.preferredLocality) params.set('preferred-locality', query.preferredLocality);
      if (query.limit) params.set('limit', String(query.limit));
      const res = await http.get(`${nrfUri}/nnrf-disc/v1/nf-instances?${params}`, {
        headers: headers(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}),
      });
      expectStatus(res, [200], 'NFDiscover');
      // A peer that is not an NRF (a wrong address answering 200) is named as such, not read.
      const result = res.data as Partial<SearchResult> | undefined;
      if (!Array.isArray(result?.nfInstances) || !result.nfInstances.every((profile) => typeof profile === 'object' && profile !== null)) {
        throw new PeerError('NFDiscover', res.status, { detail: 'the answer is not a SearchResult (TS 29.510 clause 6.2.6.2.2): it has no list nfInstances' });
      }
      return result as SearchResult;
    },
    async subscribe(subscription) {
      const res = await http.post(`${nrfUri}/nnrf-nfm/v1/subscriptions`, subscription, { headers: headers() });
      expectStatus(res, [201], 'NFStatusSubscribe');
      return res.data as SubscriptionData;
    },
    async unsubscribe(subscriptionId) {
      const res = await http.delete(`${nrfUri}/nnrf-nfm/v1/subscriptions/${subscriptionId}`, { headers: headers() });
      expectStatus(res, [204, 404], 'NFStatusUnsubscribe');
    },
  };
}

/** A peer's refusal becomes a ProblemError that names the peer's answer; the caller decides what it means. */
export function expectStatus(res: { status: number; data: unknown }, expected: number[], operation: string): void {
  if (expected.includes(res.status)) return;
  const problem = (res.data ?? {}) as ProblemDetails;
  throw new PeerError(operation, res.status, problem);
}

/** A peer NF answered with an error; carried as a 502 unless the caller maps it. */
export class PeerError extends ProblemError {
  constructor(readonly operation: string, readonly peerStatus: number, readonly peerProblem: ProblemDetails) {
    super(502, `${operation} failed: peer answered ${peerStatus}${peerProblem?.detail ? ` (${peerProblem.detail})` : ''}`, {
      cause: 'UPSTREAM_FAILURE',
    });
    this.name = 'PeerError';
  }
}
