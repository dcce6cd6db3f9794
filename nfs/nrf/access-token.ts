/**
 * Nnrf_AccessToken (TS 29.510 clause 5.4.2.2, RFC 6749 clause 4.4 client credentials): a JWT
 * signed ES256 with the claims of TS 29.510 clause 6.3.5.2.4 (iss, sub, aud, scope, exp). The
 * signing key lives in the store, so a restart or a replica signs with the same key, and is
 * published as a JWKS for the NFs that verify tokens.
 */
import { SignJWT } from 'jose';
import { loadOrCreateSigningKey } from '../shared/signing-key.ts';
import { ProblemError } from '../shared/problem.ts';
import type { NrfStore } from './store.ts';
import type { NrfSettings } from './settings.ts';
import type { AccessTokenReq, AccessTokenRsp } from './types.ts';

const keyId = 'nrf-es256-1';

/** The NRF's own services, which it offers without being in its own registry. */
const nrfServiceNames = ['nnrf-nfm', 'nnrf-disc'];

/** RFC 6749 clause 5.2 error codes, carried as the ProblemError cause; the route renders AccessTokenErr. */
export type AccessTokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

const refuse = (error: AccessTokenErrorCode, detail: string) => new ProblemError(400, detail, { cause: error });

export async function createAccessTokens(deps: { store: NrfStore; settings: NrfSettings; now: () => number }) {
  const { store, settings } = deps;
  const signingKey = await loadOrCreateSigningKey(store.signingKeys, keyId);

  return {
    jwks: signingKey.jwks,

    /** AccessTokenRequest: the requester must be registered; every scope must be a service the target offers. */
    async accessTokenRequest(request: AccessTokenReq): Promise<AccessTokenRsp> {
      if (request.grant_type !== 'client_credentials') {
        throw refuse('unsupported_grant_type', `grant_type ${request.grant_type} is not supported; use client_credentials`);
      }
      if (!request.targetNfType && !request.targetNfInstanceId) {
        throw refuse('invalid_request', 'targetNfType or targetNfInstanceId is required');
      }
      const requester = await store.profiles.findOne({ _id: request.nfInstanceId });
      if (!requester || (request.nfType && requester.nfType !== request.nfType)) {
        throw refuse('invalid_client', `NF instance ${request.nfInstanceId} is not registered${request.nfType ? ` as ${request.nfType}` : ''}`);
      }
      const scopes = request.scope.split(' ');
      const targetFilter = request.targetNfInstanceId ? { _id: request.targetNfInstanceId } : { nfType: request.targetNfType };
      const targets = await store.profiles.find({ ...targetFilter, serviceNames: { $in: scopes } });
      const offered = new Set(targets.flatMap((target) => target.serviceNames));
      if (request.targetNfType === 'NRF') nrfServiceNames.forEach((name) => offered.add(name));
      const unknown = scopes.filter((scope) => !offered.has(scope));
      if (unknown.length) throw refuse('invalid_scope', `no registered target offers ${unknown.join(', ')}`);

      const audience = request.targetNfInstanceId ?? request.targetNfType!;
      const now = Math.floor(deps.now() / 1000);
      const accessToken = await new SignJWT({ scope: request.scope })
        .setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'JWT' })
        .setIssuer(settings.nrfInstanceId)
        .setSubject(request.nfInstanceId)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + settings.accessTokenLifetimeSeconds)
        .sign(signingKey.privateKey);
      return { access_token: accessToken, token_type: 'Bearer', expires_in: settings.accessTokenLifetimeSeconds, scope: request.scope };
    },
  };
}

export type AccessTokens = Awaited<ReturnType<typeof createAccessTokens>>;
