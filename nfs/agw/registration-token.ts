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
 * A 401 says how to authenticate (RFC 6750 section 3): a request with no token gets the scheme
 * alone, one with a wrong token error="invalid_token" (a malformed header is the schema's 400).
 */
export function requireRegistrationToken(authorization: string | undefined, expectedSha256: string, aic: string): void {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  const given = Buffer.from(sha256Hex(token ?? ''), 'hex');
  if (!token || !timingSafeEqual(given, Buffer.from(expectedSha256, 'hex'))) {
    const challenge = token ? 'Bearer realm="nagw-reg", error="invalid_token"' : 'Bearer realm="nagw-reg"';
    throw new ProblemError(401, `this request needs the registration access token of ${aic}`, { cause: 'INVALID_REGISTRATION_TOKEN', headers: { 'WWW-Authenticate': challenge } });
  }
}
