/**
 * An axios instance whose timeout covers the whole answer. axios's own `timeout` on Node is the
 * socket's idle time: a peer sending its body a byte at a time resets it on every byte and holds
 * the call for as long as it likes. Each request here also carries an AbortSignal that fires at
 * the deadline, whatever the peer sends; a call past it fails with code ETIMEDOUT, as
 * `requestText` (json-post.ts) fails.
 */
import axios, { type AxiosInstance, type CreateAxiosDefaults, type InternalAxiosRequestConfig } from 'axios';

type DeadlineConfig = InternalAxiosRequestConfig & { deadline?: AbortSignal };

export function createDeadlineHttp(timeoutMs: number, defaults: Omit<CreateAxiosDefaults, 'timeout' | 'signal'> = {}): AxiosInstance {
  const http = axios.create({ ...defaults, timeout: timeoutMs });
  http.interceptors.request.use((config: DeadlineConfig) => {
    const deadline = AbortSignal.timeout(config.timeout || timeoutMs);
    config.deadline = deadline;
    config.signal = config.signal ? AbortSignal.any([config.signal as AbortSignal, deadline]) : deadline;
    return config;
  });
  http.interceptors.response.use(undefined, (error: { config?: DeadlineConfig }) => {
    const config = error?.config;
    if (!config?.deadline?.aborted) return Promise.reject(error);
    const stop = new Error(`${config.method?.toUpperCase()} ${config.url}: no whole answer within ${config.timeout || timeoutMs} ms`);
    return Promise.reject(Object.assign(stop, { code: 'ETIMEDOUT' }));
  });
  return http;
}
