/**
 * The registration access token (in the manner of RFC 7592): returned once with a registration,
 * kept only as a hash, and demanded as a bearer token on the operations that act on that one
 * registration (heartbeat, UE state, deregistration), since an AIC itself is public.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerChallenge, bearerUnauthorized, ProblemError } from '../shared/problem.ts';

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
  const refused = (tokenSent: boolean) => bearerUnauthorized(`this request needs the registration access token of ${aic}`, CAUSE, { tokenSent, realm: REALM });
  if (scheme?.toLowerCase() !== 'bearer') throw refused(false);
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(credentials.trimEnd())) {
    throw new ProblemError(400, 'the Authorization header is "Bearer" and one token (RFC 6750 section 2.1)', {
      cause: CAUSE,
      invalidParams: [{ param: 'header authorization', reason: 'not a b64token' }],
      headers: { 'WWW-Authenticate': bearerChallenge(REALM, 'error="invalid_request"') },
    });
  }
  const given = Buffer.from(sha256Hex(credentials.trimEnd()), 'hex');
  if (!timingSafeEqual(given, Buffer.from(expectedSha256, 'hex'))) throw refused(true);
}

const REALM = 'nagw-reg';
const CAUSE = 'INVALID_REGISTRATION_TOKEN';
