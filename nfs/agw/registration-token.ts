/**
 * The registration access token (in the manner of RFC 7592): returned once with a registration,
 * kept only as a hash, and demanded as a bearer token on the operations that act on that one
 * registration (heartbeat, UE state, deregistration), since an AIC itself is public.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProblemError } from '../shared/problem.ts';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A 401 says how to authenticate (RFC 6750 section 3): a request with no bearer token (none, or
 * another scheme: section 3.1 gives no error code to a client "unaware that authentication is
 * necessary or attempted using an unsupported authentication method") gets the scheme alone, one
 * with a wrong token error="invalid_token". The scheme is case-insensitive (RFC 9110 section 11.1).
 */
export function requireRegistrationToken(authorization: string | undefined, expectedSha256: string, aic: string): void {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  const given = Buffer.from(sha256Hex(token ?? ''), 'hex');
  if (!token || !timingSafeEqual(given, Buffer.from(expectedSha256, 'hex'))) {
    const challenge = token ? 'Bearer realm="nagw-reg", error="invalid_token"' : 'Bearer realm="nagw-reg"';
    throw new ProblemError(401, `this request needs the registration access token of ${aic}`, { cause: 'INVALID_REGISTRATION_TOKEN', headers: { 'WWW-Authenticate': challenge } });
  }
}
