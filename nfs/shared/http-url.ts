/**
 * The schema's `format: uri` lets "http://" and "http://[::1" through; a URL this emulator will
 * call (a callback, an agent endpoint) must parse and name a host (RFC 9110 section 4.2.1). It
 * carries no user name or password either: RFC 9110 section 4.2.4 deprecates userinfo in http(s)
 * URIs, and an agent endpoint is published to every requester in discovery answers.
 */
import { badRequest } from './problem.ts';

export function requireHttpUrl(value: string, param: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
    throw badRequest(`${param} is not an http(s) URL with a host: ${value}`, [{ param, reason: 'an http(s) URL with a host is required' }]);
  }
  if (url.username || url.password || /^[^/]*\/\/[^/?#]*@/.test(value)) {
    throw badRequest(`${param} must not carry a user name or password (RFC 9110 section 4.2.4)`, [{ param, reason: 'userinfo is not allowed' }]);
  }
}
