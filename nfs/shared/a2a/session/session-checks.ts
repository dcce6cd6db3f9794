/**
 * What a target checks before it accepts a session (issue 5; MACP "Agent-to-Agent Process"),
 * beyond the message's proof (agent-auth.ts: the certificate's chain to this domain's AMC CA, the
 * AIC it names, its status): that SESSION_INIT's certificate is the proof's, that the AMC says it
 * is GOOD, and that the SMF-signed artifact verifies with the SMF's JWKS and binds this session:
 * sid, sub = initiator, aud = this agent, cap, not expired.
 */
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { CredentialState } from '../../agent-auth.ts';
import type { SessionManagerPeer } from './session-manager-peer.ts';
import type { RefusalCause } from './session-messages.ts';

/** A refusal with its cause; becomes SESSION_REJECT or SESSION_ERROR on the wire. */
export class SessionRefusal extends Error {
  constructor(readonly cause: RefusalCause, message: string) {
    super(message);
    this.name = 'SessionRefusal';
  }
}

/** The SMF's artifact type (nfs/smf/artifact.ts): no other JWT may pass for an artifact (RFC 8725 section 3.11). */
export const ARTIFACT_TYPE = 'dmsc-session+jwt';

const sameAic = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export interface InitiatorCheckOptions {
  /** The AMC CA certificates this agent trusts (its own AMC's). */
  trustAnchors: () => string[];
  credentialStatus: (serialNumberHex: string) => Promise<CredentialState>;
}

/** Refuses a credential the AMC does not call GOOD, naming what it is. */
export function requireGoodCredential(state: CredentialState, serialNumber: string): void {
  if (state === 'REVOKED') throw new SessionRefusal('CERTIFICATE_REVOKED', `the initiator credential ${serialNumber} is REVOKED at the AMC`);
  if (state === 'SUSPENDED') throw new SessionRefusal('CERTIFICATE_SUSPENDED', `the initiator credential ${serialNumber} is SUSPENDED at the AMC`);
  if (state !== 'GOOD') throw new SessionRefusal('CERTIFICATE_UNTRUSTED', `the initiator credential ${serialNumber} is ${state} at the AMC`);
}

/**
 * Whether SESSION_INIT's certificate is the one the proof was signed under (its x5c): the proof's
 * check already covered that certificate's chain, AIC and status, so only sameness is left.
 */
export function isProofCertificate(certificatePem: string, proof: string): boolean {
  let x5c: unknown;
  try {
    x5c = decodeProtectedHeader(proof).x5c;
  } catch {
    return false;
  }
  const der = certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Array.isArray(x5c) && x5c[0] === der;
}

export interface ArtifactClaims {
  sid: string;
  sub: string;
  aud: string;
  cap: string;
  scope: string[];
  exp: number;
  jti: string;
}

export interface ExpectedArtifact {
  sessionId: string;
  initiatorAic: string;
  /** This agent's AIC. */
  audience: string;
  capabilityId: string;
}

/** Verifies an artifact against the SMF's keys and the session it should authorize. */
export async function checkArtifact(artifact: string, expected: ExpectedArtifact, smf: SessionManagerPeer, now: () => number): Promise<ArtifactClaims> {
  const verify = async (refresh: boolean) =>
    jwtVerify(artifact, await smf.artifactKeys(refresh), { algorithms: ['ES256'], typ: ARTIFACT_TYPE, currentDate: new Date(now()), clockTolerance: 2, requiredClaims: ['sid', 'sub', 'aud', 'cap', 'exp', 'jti'] });
  let payload: JWTPayload;
  try {
    try {
      ({ payload } = await verify(false));
    } catch (error) {
      // The SMF may have a key we have not fetched yet.
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      ({ payload } = await verify(true));
    }
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new SessionRefusal('ARTIFACT_EXPIRED', 'the authorization artifact has expired');
    if (error instanceof joseErrors.JOSEError) throw new SessionRefusal('ARTIFACT_INVALID', `the authorization artifact does not verify with the SMF's keys (${error.code})`);
    throw new SessionRefusal('SESSION_MANAGER_UNAVAILABLE', `the SMF's keys could not be read: ${(error as Error).message}`);
  }
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.some((aud) => typeof aud === 'string' && sameAic(aud, expected.audience))) {
    throw new SessionRefusal('AUDIENCE_MISMATCH', `the artifact is for ${audience.join(', ')}, not this agent ${expected.audience}`);
  }
  if (payload.sid !== expected.sessionId) throw new SessionRefusal('ARTIFACT_INVALID', `the artifact is for session ${String(payload.sid)}, not ${expected.sessionId}`);
  if (typeof payload.sub !== 'string' || !sameAic(payload.sub, expected.initiatorAic)) {
    throw new SessionRefusal('ARTIFACT_INVALID', `the artifact authorizes ${String(payload.sub)}, not the initiator ${expected.initiatorAic}`);
  }
  if (payload.cap !== expected.capabilityId) throw new SessionRefusal('CAPABILITY_MISMATCH', `the artifact is for ${String(payload.cap)}, not ${expected.capabilityId}`);
  const scope = Array.isArray(payload.scope) ? payload.scope.filter((entry): entry is string => typeof entry === 'string') : [];
  return { sid: payload.sid as string, sub: payload.sub, aud: expected.audience, cap: payload.cap as string, scope, exp: payload.exp!, jti: String(payload.jti) };
}
