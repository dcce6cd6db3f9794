/**
 * Who may speak for a requester in discovery and routing. Policy (DMSC architecture draft, "Policy
 * Manager") decides by the requester's AIC, provider and domain; with OAuth on, the gateway
 * believes a named requester only with proof (MACP section 5.4: calls are made "under the
 * caller's credential"):
 * - the requester's own token: a compact JWS signed with the key of the certificate this gateway
 *   registered for its AIC (iss = sub = the AIC, ES256, at most 120 s old). For discovery it is
 *   typed `agent-requester+jwt` (RFC 8725 section 3.11) with this gateway (its NF type or
 *   instance id) as audience (agent-auth.ts, signRequester); for routing it is the call token the
 *   request carries for the agent anyway (`agent-call+jwt`, audience the capability);
 * - for discovery, an NRF access token of an NF of the core, whose scope holds nagw-disc: an NF
 *   names the agent it acts for (the SMF its session's initiator, an NF its own hosted agent), as
 *   NFs name subscribers on the SBI.
 * A request that names a requester without either is 401 REQUESTER_UNPROVEN; an anonymous one is
 * policy's anonymous requester. Without OAuth no SBI caller is authenticated, the management plane
 * that writes the rules included, and the named requester is believed as it is written.
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify, type CryptoKey as JoseKey } from 'jose';
import { X509Certificate } from 'node:crypto';
import { checkAccessToken, type AccessTokenVerifier } from '../shared/access-token-guard.ts';
import { parseAic } from '../shared/aic.ts';
import { CALL_TOKEN_TYPE, REQUESTER_TOKEN_TYPE } from '../shared/agent-auth.ts';
import { bearerUnauthorized, forbidden, ProblemError } from '../shared/problem.ts';
import type { AgentDocument } from './store.ts';
import { bearerTokenOf } from '../shared/bearer-token.ts';

const DISCOVERY_SERVICE = 'nagw-disc';
const ROUTING_SERVICE = 'nagw-route';
const MAX_TOKEN_AGE_SECONDS = 120;
const CLOCK_TOLERANCE_SECONDS = 5;
const REMEMBERED_TOKENS = 10_000;
const REMEMBERED_KEYS = 10_000;

export interface RequesterProofDeps {
  /** NRF access tokens to this gateway; undefined without OAuth, when a named requester is believed. */
  verifyAccessToken?: AccessTokenVerifier;
  /** The certificate this gateway registered for an AIC (canonical form), if it registered one. */
  registeredCredential: (aic: string) => Promise<Pick<AgentDocument, 'certificatePem' | 'credentialSerial'> | undefined>;
  saltHex: string;
  /** This gateway's names as an audience: its NF type and instance id. */
  audiences: string[];
  now: () => number;
}

type Registered = { serial: string; key: JoseKey; notBeforeMs: number; notAfterMs: number };

export function createRequesterProof(deps: RequesterProofDeps) {
  const required = deps.verifyAccessToken !== undefined;
  // A certificate's key is imported once per serial; a requester token, verified once, serves the
  // discoveries of its lifetime as an access token does (a cached discovery is a map lookup).
  const keys = new Map<string, Registered>();
  const verifiedDiscoveryTokens = new Map<string, { aic: string; serial: string; expiresAtMs: number }>();

  const unproven = (detail: string, realm: string) => bearerUnauthorized(detail, 'REQUESTER_UNPROVEN', { tokenSent: false, realm });
  const invalid = (detail: string, realm: string) => bearerUnauthorized(detail, 'INVALID_REQUESTER_TOKEN', { tokenSent: true, realm });

  /** The AIC a token names as its issuer (iss), in canonical form; undefined for anything else (an NRF token, no JWT). */
  function issuerAicOf(token: string): string | undefined {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    const parsed = typeof issuer === 'string' ? parseAic(issuer, { saltHex: deps.saltHex }) : undefined;
    return parsed?.ok ? parsed.aic.text : undefined;
  }

  /** Whether a token is an agent's: it names an AIC of this gateway's scheme as its issuer, or carries an agent token's typ (agent-auth.ts). */
  function isAgentToken(token: string): boolean {
    if (issuerAicOf(token) !== undefined) return true;
    try {
      // As jose compares a typ: without case, and with or without "application/" (RFC 8725 section 3.11).
      const typ = String(decodeProtectedHeader(token).typ).toLowerCase().replace(/^application\//, '');
      return typ === REQUESTER_TOKEN_TYPE || typ === CALL_TOKEN_TYPE;
    } catch {
      return false;
    }
  }

  /** The key of the certificate this gateway registered for an AIC. */
  async function registeredKey(aic: string, realm: string): Promise<Registered> {
    const credential = await deps.registeredCredential(aic);
    if (!credential) throw invalid(`the token's issuer ${aic} is not an agent registered at this gateway`, realm);
    const known = keys.get(aic);
    if (known?.serial === credential.credentialSerial) return known;
    let key: JoseKey;
    try {
      key = await importX509(credential.certificatePem, 'ES256');
    } catch {
      throw invalid(`${aic}'s certificate has no P-256 key: its tokens cannot be ES256`, realm);
    }
    const certificate = new X509Certificate(credential.certificatePem);
    const registered = { serial: credential.credentialSerial, key, notBeforeMs: Date.parse(certificate.validFrom), notAfterMs: Date.parse(certificate.validTo) };
    if (keys.size >= REMEMBERED_KEYS) keys.clear();
    keys.set(aic, registered);
    return registered;
  }

  /** Verifies an agent's token with its registered key; the AIC it proves, in canonical form. */
  async function verifiedIssuer(token: string, expected: { typ: string; audience: string | string[]; realm: string }): Promise<{ aic: string; serial: string; expiresAtMs: number }> {
    let algorithm: unknown;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid('the bearer token is not a JWS', expected.realm);
    }
    if (algorithm !== 'ES256') throw invalid(`requester tokens are ES256, not ${String(algorithm)}`, expected.realm);
    const aic = issuerAicOf(token);
    if (!aic) throw invalid('the token\'s issuer (iss) is not an AIC', expected.realm);
    const registered = await registeredKey(aic, expected.realm);
    // A certificate outside its validity proves nothing (RFC 5280 section 4.1.2.5), whatever the
    // status the gateway last heard; so does one whose validity cannot be read.
    const at = deps.now();
    if (!(at >= registered.notBeforeMs && at <= registered.notAfterMs)) throw invalid(`${aic}'s registered certificate is not valid now (${certificateValidity(registered)})`, expected.realm);
    try {
      const { payload } = await jwtVerify(token, registered.key, {
        algorithms: ['ES256'],
        typ: expected.typ,
        audience: expected.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: `${MAX_TOKEN_AGE_SECONDS}s`,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(deps.now()),
      });
      if (payload.sub !== payload.iss) throw invalid('the token\'s sub is not its issuer', expected.realm);
      // Taken until it expires, grows too old or outlives its certificate, whichever comes first.
      return { aic, serial: registered.serial, expiresAtMs: Math.min(Math.min(payload.exp as number, (payload.iat as number) + MAX_TOKEN_AGE_SECONDS) * 1000, registered.notAfterMs) };
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw invalid('the requester token has expired', expected.realm);
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw invalid(`the requester token's ${error.claim} check failed: ${error.reason}`, expected.realm);
      throw invalid(`the requester token does not verify with ${aic}'s registered certificate`, expected.realm);
    }
  }

  async function discoveryTokenIssuer(token: string): Promise<string> {
    const known = verifiedDiscoveryTokens.get(token);
    if (known && known.expiresAtMs > deps.now()) {
      // Another certificate registered since (a renewal) is checked afresh: its validity, its key.
      const credential = await deps.registeredCredential(known.aic);
      if (credential?.credentialSerial === known.serial) return known.aic;
    }
    const verified = await verifiedIssuer(token, { typ: REQUESTER_TOKEN_TYPE, audience: deps.audiences, realm: DISCOVERY_SERVICE });
    if (verifiedDiscoveryTokens.size >= REMEMBERED_TOKENS) verifiedDiscoveryTokens.clear();
    verifiedDiscoveryTokens.set(token, verified);
    return verified.aic;
  }

  /** A named requester must be the token's issuer (the forms may differ: both are made canonical). */
  function sameRequester(named: string, issuer: string): boolean {
    const parsed = parseAic(named, { saltHex: deps.saltHex });
    return parsed.ok && parsed.aic.text === issuer;
  }

  return {
    /** Whether a named requester needs proof (OAuth on); without, it is believed. */
    required,

    /**
     * The requester of a discovery: the one named, once proven; without a name, the issuer of an
     * agent's requester token, if one is sent. Throws 401 (no proof, or a token that does not
     * verify) or 403 REQUESTER_MISMATCH (a token of another agent). Without OAuth, the one named.
     */
    async discoveryRequester(named: string | undefined, authorization: string | undefined): Promise<string | undefined> {
      if (!required) return named;
      const token = bearerTokenOf(authorization);
      if (!token) {
        if (named === undefined) return undefined;
        throw unproven(`requester-aic ${named} must be proven: send the requester's own token (${REQUESTER_TOKEN_TYPE}) or an NRF access token as a bearer token`, DISCOVERY_SERVICE);
      }
      // An agent's token names an AIC as its issuer, or says it is one by its typ; any other is
      // taken for an NRF access token.
      if (!isAgentToken(token)) {
        await checkAccessToken(deps.verifyAccessToken!, authorization, DISCOVERY_SERVICE);
        return named;
      }
      const issuer = await discoveryTokenIssuer(token);
      if (named === undefined) return issuer;
      if (!sameRequester(named, issuer)) throw forbidden(`requester-aic ${named} is not the issuer of the requester token (${issuer})`, 'REQUESTER_MISMATCH');
      // As written: the requester is the one the query names (the cached fast path compares them).
      return named;
    },

    /**
     * Proves the issuer of a routed call's token with its registered key (the agent reached
     * checks the rest: its certificate's status, the task digest, the gateway's word). Throws 401
     * when a requester is named without a call token, or the token does not verify.
     */
    async checkRoutedCall(named: string | undefined, callToken: string | undefined, capabilityId: string): Promise<void> {
      if (!required) return;
      if (!callToken) {
        if (named === undefined) return;
        throw unproven(`requester-aic ${named} must be proven by the requester's call token (${CALL_TOKEN_TYPE}) in Authorization`, ROUTING_SERVICE);
      }
      await verifiedIssuer(callToken, { typ: CALL_TOKEN_TYPE, audience: capabilityId, realm: ROUTING_SERVICE });
    },
  };
}

export type RequesterProof = ReturnType<typeof createRequesterProof>;

function certificateValidity(registered: Registered): string {
  const iso = (ms: number) => (Number.isNaN(ms) ? 'unreadable' : new Date(ms).toISOString());
  return `${iso(registered.notBeforeMs)} to ${iso(registered.notAfterMs)}`;
}
