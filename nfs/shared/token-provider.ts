/**
 * Obtains access tokens from the NRF (TS 29.510 clause 5.4.2.2, client credentials grant) and
 * keeps each until shortly before it expires.
 */
import type { AxiosInstance } from 'axios';
import { createDeadlineHttp } from './deadline-http.ts';
import { expectStatus } from './nrf-client.ts';

export interface TokenProvider {
  token(targetNfType: string, serviceName: string): Promise<string>;
}

export function createTokenProvider(options: {
  nrfUri: string;
  nfInstanceId: string;
  nfType: string;
  /** No whole answer from the NRF within this long fails the call; 3 s when absent. */
  timeoutMs?: number;
  http?: AxiosInstance;
  now?: () => number;
}): TokenProvider {
  const http = options.http ?? createDeadlineHttp(options.timeoutMs ?? 3000, { validateStatus: () => true });
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: string; refreshAt: number }>();

  return {
    async token(targetNfType, serviceName) {
      const key = `${targetNfType} ${serviceName}`;
      const cached = cache.get(key);
      if (cached && cached.refreshAt > now()) return cached.token;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        nfInstanceId: options.nfInstanceId,
        nfType: options.nfType,
        targetNfType,
        scope: serviceName,
      });
      const res = await http.post(`${options.nrfUri.replace(/\/$/, '')}/oauth2/token`, form.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectStatus(res, [200], `access token for ${serviceName}`);
      const { access_token: token, expires_in: expiresIn = 60 } = res.data as { access_token: string; expires_in?: number };
      // Refresh a little early so a token never expires in flight.
      cache.set(key, { token, refreshAt: now() + Math.max(1, expiresIn - 30) * 1000 });
      return token;
    },
  };
}
