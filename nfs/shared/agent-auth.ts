/**
 * Authenticated calls between agents before a session exists (MACP section 5.4, "each task is
 * invoked under the caller's credential"): the caller signs a short-lived compact JWS with the key
 * of its AMC-issued certificate and puts the certificate in the x5c header (RFC 7515 §4.1.6); the
 * callee checks the certificate chain to its AMC's CA, that the certificate names the caller's AIC
 * (acps:// URI SAN, ATR §3.2), that it is neither revoked nor suspended, then the JWS signature,
 * audience, capability and expiry, and refuses a replayed token (jti).
 *
 * The audience is the callee's AIC, or, for a call sent through the gateway's semantic routing,
 * the capability id: the caller does not know which instance will answer, and the gateway may
 * fail over to another. Such a token reaches every instance tried, any of which could present it
 * elsewhere, so it must also carry the digest of its task (`tdg`: SHA-256 of the task's JSON in
 * the canonical form of RFC 8785), and is taken only with that very task, and only with the
 * gateway's word that it forwarded the token to this instance (gateway-forward.ts).
 */
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import canonicalize from 'canonicalize';
import { decodeProtectedHeader, importX509, jwtVerify, SignJWT, errors as joseErrors, type CryptoKey as JoseKey } from 'jose';
import { aicOfCertificate, verifyChain } from './certificate-path.ts';
import { bearerUnauthorized, ProblemError } from './problem.ts';

export interface AgentIdentity {
  aic: string;
  certificatePem: string;
  privateKey: CryptoKey;
}

export interface AgentCallClaims {
  /** AIC of the agent called, or the capability id for a call through the gateway's routing. */
  audience: string;
  capabilityId: string;
  taskId: string;
  /** The task sent (taskDigest): required by the callee when the audience is a capability. */
  task?: unknown;
}

/** base64url SHA-256 of a task's RFC 8785 canonical JSON: the same for any serialization of it. */
export function taskDigest(task: unknown): string {
  return createHash('sha256').update(canonicalize(task) ?? '').digest('base64url');
}

/** Whether a token's tdg is the digest of the task received; never for a task RFC 8785 cannot encode (a lone surrogate in a string). */
function sameTask(tdg: unknown, task: unknown): boolean {
  if (typeof tdg !== 'string') return false;
  try {
    return tdg === taskDigest(task);
  } catch {
    return false;
  }
}

const TOKEN_LIFETIME_SECONDS = 60;

/** The JWS typ of a call token (RFC 8725 section 3.11: each kind of token its own type). */
export const CALL_TOKEN_TYPE = 'agent-call+jwt';
/** The JWS typ of a token that names its signer as the requester of a discovery at its gateway (agw/requester-proof.ts). */
export const REQUESTER_TOKEN_TYPE = 'agent-requester+jwt';

/**
 * Signs calls as one agent: a JWS per call with iss = sub = the agent's AIC, aud = the callee's
 * AIC, cap, tid, jti and exp. The certificate is parsed once, here: a DER parse per call would
 * cost more than the signature.
 */
export function createAgentCallSigner(identity: AgentIdentity) {
  const x5c = Buffer.from(new X509Certificate(identity.certificatePem).rawData).toString('base64');
  return {
    sign: (claims: AgentCallClaims): Promise<string> =>
      new SignJWT({ cap: claims.capabilityId, tid: claims.taskId, ...(claims.task !== undefined ? { tdg: taskDigest(claims.task) } : {}) })
        .setProtectedHeader({ alg: 'ES256', typ: CALL_TOKEN_TYPE, x5c: [x5c] })
        .setIssuer(identity.aic)
        .setSubject(identity.aic)
        .setAudience(claims.audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
        .setJti(randomUUID())
        .sign(identity.privateKey),
    /**
     * A token for discoveries at the gateway (with OAuth on, the gateway believes a named
     * requester only with it): aud the gateway, by NF type unless an instance id is given. The
     * gateway checks it with the certificate it registered for the AIC, so it carries none.
     */
    signRequester: (audience = 'AGW'): Promise<string> =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', typ: REQUESTER_TOKEN_TYPE })
        .setIssuer(identity.aic)
        .setSubject(identity.aic)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
        .setJti(randomUUID())
        .sign(identity.privateKey),
  };
}

export type AgentCallSigner = ReturnType<typeof createAgentCallSigner>;

export type CredentialState = 'GOOD' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED' | 'UNKNOWN';

export interface AgentCallVerifierOptions {
  /** PEM certificates of the CAs whose agents may call (the AMC's CA). */
  trustAnchors: () => string[];
  /** The AMC's word on a certificate, by lower-case hex serial number. */
  credentialStatus: (serialNumberHex: string) => Promise<CredentialState>;
  /** How long a status answer is trusted before asking the AMC again. */
  statusCacheMs?: number;
  now?: () => number;
}

export interface VerifiedAgentCall {
  callerAic: string;
  serialNumber: string;
  jti: string;
  /** The token names the capability as its audience (a call through the gateway's routing), not the callee. */
  routed: boolean;
}

interface CheckedCertificate {
  aic: string;
  serialNumber: string;
  key: JoseKey;
}

const refused = (detail: string, cause = 'INVALID_AGENT_CREDENTIAL') => bearerUnauthorized(detail, cause, { tokenSent: true });

export function createAgentCallVerifier(options: AgentCallVerifierOptions) {
  const now = options.now ?? Date.now;
  const statusCacheMs = options.statusCacheMs ?? 5_000;
  // A path check costs a few ms; a certificate once checked is remembered (its status is not).
  const checked = new Map<string, CheckedCertificate>();
  const statuses = new Map<string, { state: CredentialState; at: number }>();
  const seenTokenIds = new Map<string, number>();

  async function checkCertificate(x5c: unknown): Promise<CheckedCertificate> {
    if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') throw refused('the call token carries no x5c certificate');
    const fingerprint = createHash('sha256').update(x5c[0]).digest('hex');
    const known = checked.get(fingerprint);
    if (known) return known;
    const pem = `-----BEGIN CERTIFICATE-----\n${x5c[0].match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
    if (!(await verifyChain(pem, options.trustAnchors(), { at: new Date(now()) }))) {
      throw refused('the caller certificate does not chain to this domain\'s AMC CA, or is out of its validity period', 'UNTRUSTED_CERTIFICATE');
    }
    const aic = aicOfCertificate(pem);
    if (!aic) throw refused('the caller certificate names no AIC', 'UNTRUSTED_CERTIFICATE');
    const serialNumber = new X509Certificate(pem).serialNumber.toLowerCase();
    const entry = { aic, serialNumber, key: await importX509(pem, 'ES256') };
    if (checked.size > 10_000) checked.clear();
    checked.set(fingerprint, entry);
    return entry;
  }

  async function stateOf(serialNumber: string): Promise<CredentialState> {
    const cached = statuses.get(serialNumber);
    if (cached && now() - cached.at < statusCacheMs) return cached.state;
    const state = await options.credentialStatus(serialNumber);
    if (statuses.size > 10_000) statuses.clear();
    statuses.set(serialNumber, { state, at: now() });
    return state;
  }

  function spendTokenId(jti: unknown, exp: number): void {
    if (typeof jti !== 'string' || !jti) throw refused('the call token has no jti');
    const nowSeconds = now() / 1000;
    if (seenTokenIds.has(jti)) throw refused('the call token was used before: a replay', 'REPLAYED_TOKEN');
    if (seenTokenIds.size > 50_000) for (const [id, expiry] of seenTokenIds) if (expiry < nowSeconds) seenTokenIds.delete(id);
    seenTokenIds.set(jti, exp);
  }

  return {
    /**
     * `audience`: the callee's AIC. `routed`: the audience a call through the gateway's routing
     * names instead (the capability id), the task received, whose digest the token must carry, and
     * the check that the gateway forwarded this token here (gateway-forward.ts).
     */
    async verify(
      token: string,
      expected: { audience: string; routed?: { audience: string; task: unknown; vouched: (callTokenId: string) => Promise<void> }; capabilityId: string; taskId?: string },
    ): Promise<VerifiedAgentCall> {
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw refused('the Authorization header does not hold a JWS');
      }
      if (header.alg !== 'ES256') throw refused(`call tokens are ES256, not ${String(header.alg)}`);
      const certificate = await checkCertificate(header.x5c);
      let payload;
      try {
        ({ payload } = await jwtVerify(token, certificate.key, {
          algorithms: ['ES256'],
          issuer: certificate.aic,
          audience: expected.routed ? [expected.audience, expected.routed.audience] : expected.audience,
          maxTokenAge: `${TOKEN_LIFETIME_SECONDS * 2}s`,
          clockTolerance: 5,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTClaimValidationFailed) throw refused(`call token ${error.claim} check failed: ${error.reason}`, 'TOKEN_CLAIM_MISMATCH');
        if (error instanceof joseErrors.JWTExpired) throw refused('the call token has expired', 'TOKEN_EXPIRED');
        throw refused(`the call token signature does not verify with the caller certificate (${(error as Error).message})`);
      }
      const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const routed = !audiences.includes(expected.audience);
      if (expected.routed && routed) {
        if (!sameTask(payload.tdg, expected.routed.task)) throw refused('a call token addressed to a capability must carry the digest of this very task (tdg)', 'TOKEN_CLAIM_MISMATCH');
        if (typeof payload.jti !== 'string') throw refused('the call token has no jti');
        // Before the token is spent here: a token shown where the gateway did not send it leaves
        // it usable where the gateway does.
        await expected.routed.vouched(payload.jti);
      }
      if (payload.cap !== expected.capabilityId) {
        const reason = payload.cap === undefined ? `the call token has no cap claim (the capability it is for: ${expected.capabilityId})` : `the call token is for ${String(payload.cap)}, not ${expected.capabilityId}`;
        throw new ProblemError(403, reason, { cause: 'TOKEN_CLAIM_MISMATCH' });
      }
      if (expected.taskId !== undefined && payload.tid !== expected.taskId) {
        const reason = payload.tid === undefined ? `the call token has no tid claim (the taskId it is for: ${expected.taskId})` : `the call token is for task ${String(payload.tid)}, not ${expected.taskId}`;
        throw new ProblemError(403, reason, { cause: 'TOKEN_CLAIM_MISMATCH' });
      }
      const state = await stateOf(certificate.serialNumber);
      if (state !== 'GOOD') throw new ProblemError(403, `the caller credential ${certificate.serialNumber} is ${state} at the AMC`, { cause: `CREDENTIAL_${state}` });
      spendTokenId(payload.jti, payload.exp ?? 0);
      return { callerAic: certificate.aic, serialNumber: certificate.serialNumber, jti: payload.jti as string, routed };
    },
  };
}

export type AgentCallVerifier = ReturnType<typeof createAgentCallVerifier>;
