/**
 * OAuth 2.0 protection of an NF's SBI (TS 33.501 clause 13.4.1, TS 29.510 clause 5.4): the
 * consumer presents a bearer token from the NRF; the producer checks the NRF's signature, that
 * the audience is its NF type or instance, and that the scope holds the requested service.
 */
import type { RequestHandler } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { bearerTokenOf } from './bearer-token.ts';
import { bearerChallenge, bearerUnauthorized, ProblemError } from './problem.ts';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  scope: string;
  exp: number;
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenClaims>;

/** Verifies NRF-issued ES256 tokens against the NRF's published key set (GET /oauth2/jwks). */
export function createAccessTokenVerifier(options: {
  nrfUri: string;
  audience: string[];
  keySet?: JWTVerifyGetKey;
}): AccessTokenVerifier {
  const keySet = options.keySet ?? createRemoteJWKSet(new URL('/oauth2/jwks', options.nrfUri));
  return async (token) => {
    const { payload } = await jwtVerify(token, keySet, { algorithms: ['ES256'], audience: options.audience });
    if (typeof payload.scope !== 'string' || typeof payload.sub !== 'string') {
      throw new Error('token lacks scope or sub');
    }
    return payload as unknown as AccessTokenClaims;
  };
}

/**
 * Checks the Authorization header of a request to one service: a bearer token the NRF signed,
 * whose scope holds the service. Throws ProblemError: 401 UNAUTHORIZED (none), 401 INVALID_TOKEN,
 * 403 INSUFFICIENT_SCOPE, each with its RFC 6750 section 3 challenge, the service its realm. Used
 * by the middleware below and by routes served before express.
 */
export async function checkAccessToken(verify: AccessTokenVerifier, authorization: string | undefined, serviceName: string): Promise<AccessTokenClaims> {
  // A b64token (RFC 6750 section 2.1) after the scheme; anything else counts as no bearer token.
  const token = bearerTokenOf(authorization);
  if (!token || !/^[A-Za-z0-9._~+/=-]+$/.test(token)) throw bearerUnauthorized(`a bearer access token is required for ${serviceName}`, 'UNAUTHORIZED', { tokenSent: false, realm: serviceName });
  let claims: AccessTokenClaims;
  try {
    claims = await verify(token);
  } catch (error) {
    throw bearerUnauthorized(`invalid access token: ${(error as Error).message}`, 'INVALID_TOKEN', { tokenSent: true, realm: serviceName });
  }
  if (!claims.scope.split(' ').includes(serviceName)) {
    throw new ProblemError(403, `the access token's scope does not include ${serviceName}`, {
      cause: 'INSUFFICIENT_SCOPE',
      headers: { 'WWW-Authenticate': bearerChallenge(serviceName, 'error="insufficient_scope"', `scope="${serviceName}"`) },
    });
  }
  return claims;
}

/**
 * Demands a valid bearer token on every request to one of the protected services, and on every
 * request other than GET and HEAD to one of the write-protected ones (a service whose reads are
 * public, like a CA's status and CRL, but whose changes are not); the service name is the first
 * path segment (`/nnrf-disc/v1/...` -> `nnrf-disc`), as in 3GPP resource URIs. The verified claims
 * are left in res.locals.accessTokenClaims, for operations that bind a request to its caller.
 */
export function requireAccessToken(options: { verify: AccessTokenVerifier; protectedServices: string[]; protectedWrites?: string[] }): RequestHandler {
  const protectedServices = new Set(options.protectedServices);
  const protectedWrites = new Set(options.protectedWrites);
  return (req, res, next) => {
    // Lower-cased so that no spelling of a protected service slips past the guard.
    const serviceName = (req.path.split('/')[1] ?? '').toLowerCase();
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (!protectedServices.has(serviceName) && !(protectedWrites.has(serviceName) && !isRead)) return next();
    checkAccessToken(options.verify, req.get('authorization'), serviceName).then(
      (claims) => {
        res.locals.accessTokenClaims = claims;
        next();
      },
      (error: ProblemError) => next(error),
    );
  };
}

/** The NF instance that called, as its verified access token names it (sub, TS 29.510 clause 6.3.5.2.4); undefined without OAuth. */
export function callerOf(res: { locals: Record<string, unknown> }): { nfInstanceId: string } | undefined {
  const claims = res.locals.accessTokenClaims as AccessTokenClaims | undefined;
  return claims ? { nfInstanceId: claims.sub } : undefined;
}
