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
 * RFC 6750 section 3: a request with no bearer token (none, or another scheme: section 3.1
 * gives no error code to a client "unaware that authentication is necessary or attempted using an
 * unsupported authentication method") gets 401 with the scheme alone; a bearer credential that is
 * not a b64token (section 2.1) is invalid_request, 400; a wrong token invalid_token, 401. The
 * scheme's name is case-insensitive (RFC 9110 section 11.1).
 */
export function requireRegistrationToken(authorization: string | undefined, expectedSha256: string, aic: string): void {
  const [, scheme, credentials = ''] = /^(\S+)(?: +(.*))?$/.exec(authorization ?? '') ?? [];
  if (scheme?.toLowerCase() !== 'bearer') throw tokenProblem(401, `this request needs the registration access token of ${aic}`, 'Bearer realm="nagw-reg"');
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(credentials.trimEnd())) {
    throw tokenProblem(400, 'the Authorization header is "Bearer" and one token (RFC 6750 section 2.1)', 'Bearer realm="nagw-reg", error="invalid_request"', [{ param: 'header authorization', reason: 'not a b64token' }]);
  }
  const given = Buffer.from(sha256Hex(credentials.trimEnd()), 'hex');
  if (!timingSafeEqual(given, Buffer.from(expectedSha256, 'hex'))) {
    throw tokenProblem(401, `this request needs the registration access token of ${aic}`, 'Bearer realm="nagw-reg", error="invalid_token"');
  }
}

function tokenProblem(status: 400 | 401, detail: string, challenge: string, invalidParams?: Array<{ param: string; reason: string }>): ProblemError {
  return new ProblemError(status, detail, { cause: 'INVALID_REGISTRATION_TOKEN', invalidParams, headers: { 'WWW-Authenticate': challenge } });
}
