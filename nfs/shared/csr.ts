/**
 * Proof of possession for PKCS#10 CSRs (RFC 2986): parse, apply the key policy, and check the
 * request's signature with its own public key. The AMC runs it in AAAP before it grants (MACP
 * section 5.1) and again before it signs anything; the AGW only reads the key (csr-key.ts).
 */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { checkCsrOnThread, CsrCheckThreadStopped } from './csr-check-thread.ts';
import { csrFingerprint, tlvAt } from './csr-fingerprint.ts';
import { badRequest, ProblemError } from './problem.ts';
import { csrKeySha256 } from './csr-key.ts';

const MAX_CSR_PEM_LENGTH = 16_384; // bounds parse work; a P-384 or RSA-4096 CSR is well under 4 KiB
const SIGNATURE_KEY_TYPES: Record<string, string> = { ECDSA: 'ec', Ed25519: 'ed25519', 'RSASSA-PKCS1-v1_5': 'rsa' };

export interface VerifiedCsr {
  publicKeySpkiSha256: string;
  publicKeyAlgorithm: string;
  /** csr-fingerprint.ts: the same for every spelling of this CSR, different for any other. */
  fingerprint: string;
}

export type CsrErrorCause = 'INVALID_CSR' | 'CSR_SIGNATURE_INVALID' | 'WEAK_KEY';

/** A refused CSR: a 400 problem whose cause names the check that failed. */
export class CsrError extends ProblemError {
  declare readonly cause: CsrErrorCause;
  readonly reason: string;
  constructor(cause: CsrErrorCause, reason: string) {
    super(400, reason, { cause });
    this.name = 'CsrError';
    this.reason = reason;
  }
}

/** What the AMC signs over: the request's SubjectPublicKeyInfo, as DER. */
export type CheckedCsr = VerifiedCsr & { spkiDer: Uint8Array };

/**
 * The CSRs verified lately, by their exact PEM text. Verification is a function of that text
 * alone, so an exact repeat needs no second check: the AMC's at authorization and at issuance
 * are one check. A check under way is shared too. A refused CSR is not kept; a kept result is
 * read only.
 */
const recentlyVerified = new Map<string, Promise<Readonly<CheckedCsr>>>();
const RECENTLY_VERIFIED = 256;

/**
 * Parses a PEM CSR and checks the key policy and the proof of possession (RFC 2986 §3: the request
 * is signed with the private key of the key it certifies), on the CSR-check thread
 * (csr-check-thread.ts) unless useCsrCheckThread(false): the check is the largest single cost of
 * a registration, and this keeps it off the thread that serves requests. Rejects with a CsrError
 * naming what failed.
 */
export function verifyCsrPem(csrPem: string): Promise<Readonly<CheckedCsr>> {
  const known = typeof csrPem === 'string' ? recentlyVerified.get(csrPem) : undefined;
  if (known) return known;
  const unfit = unfitInput(csrPem);
  if (unfit) return Promise.reject(unfit);
  const check = checkThreadInUse ? checkOnCheckThread(csrPem) : checkHere(csrPem);
  if (recentlyVerified.size >= RECENTLY_VERIFIED) recentlyVerified.delete(recentlyVerified.keys().next().value!);
  recentlyVerified.set(csrPem, check);
  check.catch(() => {
    if (recentlyVerified.get(csrPem) === check) recentlyVerified.delete(csrPem);
  });
  return check;
}

/** checkCsrPem on the calling thread, its refusal a rejection. */
function checkHere(csrPem: string): Promise<Readonly<CheckedCsr>> {
  return new Promise((resolve) => resolve(Object.freeze(checkCsrPem(csrPem))));
}

/**
 * On the CSR-check thread. If the thread ends under a check, the check is made here instead (a
 * registration is not refused for it); if it failed on its own (it could not start, say), this
 * process checks here from then on rather than start a failing thread for every check.
 */
function checkOnCheckThread(csrPem: string): Promise<Readonly<CheckedCsr>> {
  return checkCsrOnThread<CheckedCsr>(csrPem).then(
    (reply) => {
      if ('checked' in reply) return Object.freeze(reply.checked);
      if ('refused' in reply) throw new CsrError(reply.refused.cause as CsrErrorCause, reply.refused.reason);
      throw new Error(`the CSR check failed: ${reply.failed}`);
    },
    (error: Error) => {
      if (!(error instanceof CsrCheckThreadStopped)) checkThreadInUse = false;
      return checkHere(csrPem);
    },
  );
}

let checkThreadInUse = true;

/**
 * Whether verifyCsrPem checks on the CSR-check thread (the default) or on the calling thread. A
 * process that runs one NF of several on the same machine (`dmsc up --processes`) checks on the
 * calling thread: the other NFs' processes already keep the other cores busy, and handing each
 * check to a thread and back only adds to the work (measured on the 2-core benchmark machine: 315
 * registrations per second against 359 without the thread).
 */
export function useCsrCheckThread(enabled: boolean): void {
  checkThreadInUse = enabled;
}

/** The checks of verifyCsrPem, on the calling thread. The signature is checked with node:crypto directly: it is several times faster than the library's WebCrypto round trip. */
export function checkCsrPem(csrPem: string): CheckedCsr {
  const refusal = pemCsrRefusal(csrPem);
  if (refusal) throw refusal;
  let csr: Pkcs10CertificateRequest, key: KeyObject, signature: { name: string; hash?: { name: string } };
  try {
    csr = new Pkcs10CertificateRequest(csrPem);
    signature = csr.signatureAlgorithm as typeof signature;
    key = publicKeyOf(new Uint8Array(csr.publicKey.rawData));
  } catch (error) {
    throw new CsrError('INVALID_CSR', `not a PKCS#10 certification request (RFC 2986): ${(error as Error).message}`);
  }
  const publicKeyAlgorithm = acceptedKey(key);
  if (signature.hash && !['SHA-256', 'SHA-384', 'SHA-512'].includes(signature.hash.name)) {
    throw new CsrError('WEAK_KEY', `signature hash ${signature.hash.name} is not accepted; use SHA-256 or stronger`);
  }
  if (!Object.hasOwn(SIGNATURE_KEY_TYPES, signature.name)) throw new CsrError('INVALID_CSR', `unsupported signature algorithm ${signature.name}`);
  let proven = false;
  if (SIGNATURE_KEY_TYPES[signature.name] === key.asymmetricKeyType) {
    const hash = signature.hash ? signature.hash.name.replace('SHA-', 'sha') : null; // Ed25519 hashes internally
    const signed = certificationRequestInfo(new Uint8Array(csr.rawData));
    try { proven = nodeVerify(hash, signed, key, new Uint8Array(csr.signature)); } catch { /* malformed signature */ }
  }
  if (!proven) throw new CsrError('CSR_SIGNATURE_INVALID', 'CSR signature does not verify with its public key (no proof of possession)');
  const spkiDer = new Uint8Array(csr.publicKey.rawData.slice(0));
  const publicKeySpkiSha256 = createHash('sha256').update(spkiDer).digest('hex');
  // The gateway reads the key from the DER's headers alone (csr-key.ts). The library also parses
  // what is not a CertificationRequest SEQUENCE in DER (another outer tag, say: the signature
  // covers only the inner CertificationRequestInfo), so what the two read differently is refused
  // here too, and the gateway and the AMC agree on every CSR the AMC takes.
  if (headerKeyOf(csrPem) !== publicKeySpkiSha256) {
    throw new CsrError('INVALID_CSR', 'not a PKCS#10 certification request in DER (RFC 2986 section 4, X.690 section 10): its headers do not read as one naming this key');
  }
  return { publicKeyAlgorithm, publicKeySpkiSha256, spkiDer, fingerprint: csrFingerprint(new Uint8Array(csr.rawData), publicKeyAlgorithm) };
}

/** csrKeySha256, or undefined for what its header walk refuses. */
function headerKeyOf(csrPem: string): string | undefined {
  try {
    return csrKeySha256(csrPem);
  } catch {
    return undefined;
  }
}

/**
 * The refusal of what is not PEM "CERTIFICATE REQUEST" text (RFC 7468 section 7) of a parsable
 * length. Only PEM: the library would otherwise also read hex or base64, so garbage could parse as
 * something.
 */
export function pemCsrRefusal(csrPem: unknown): CsrError | undefined {
  const unfit = unfitInput(csrPem);
  if (unfit) return unfit;
  if (/^\s*-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/.test(csrPem as string)) return undefined;
  return new CsrError('INVALID_CSR', 'not a PEM "CERTIFICATE REQUEST" block (RFC 7468 §7)');
}

/** A check of a request's CSR, its refusal (a CsrError) the request's problem: 400, its cause, the parameter /csrPem. */
export async function csrRefusalsAs400<T>(check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof CsrError) throw badRequest(`the CSR is refused: ${error.reason}`, [{ param: '/csrPem', reason: error.reason }], error.cause);
    throw error;
  }
}

/** The refusal of what is not a string or too long to parse (checked before a CSR goes to the thread, or into the memo). */
function unfitInput(csrPem: unknown): CsrError | undefined {
  if (typeof csrPem === 'string' && csrPem.length <= MAX_CSR_PEM_LENGTH) return undefined;
  return new CsrError('INVALID_CSR', `CSR must be a PEM string of at most ${MAX_CSR_PEM_LENGTH} characters`);
}

/** SubjectPublicKeyInfo of an uncompressed P-256 point, up to the point (RFC 5480 §2.1.1, §2.2). */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');

/**
 * The key of an SPKI. The agent profile's P-256 key goes in as a JWK: OpenSSL 3 decodes DER through
 * its generic decoder chain, several times slower, and both ways check the point is on the curve.
 */
function publicKeyOf(spki: Uint8Array): KeyObject {
  if (spki.length === P256_SPKI_PREFIX.length + 64 && P256_SPKI_PREFIX.equals(spki.subarray(0, P256_SPKI_PREFIX.length))) {
    const point = Buffer.from(spki.subarray(P256_SPKI_PREFIX.length));
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(0, 32).toString('base64url'), y: point.subarray(32).toString('base64url') }, format: 'jwk' });
  }
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

/** Key policy: ECDSA P-256/P-384, Ed25519, RSA ≥ 2048. */
function acceptedKey(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  const { namedCurve, modulusLength } = key.asymmetricKeyDetails ?? {};
  if (type === 'ec' && namedCurve === 'prime256v1') return 'ECDSA P-256';
  if (type === 'ec' && namedCurve === 'secp384r1') return 'ECDSA P-384';
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'rsa') {
    if ((modulusLength ?? 0) < 2048) throw new CsrError('WEAK_KEY', `RSA key of ${modulusLength} bits; at least 2048 are required`);
    return `RSA ${modulusLength}`;
  }
  throw new CsrError('WEAK_KEY', `unsupported public key ${type}${namedCurve ? ` ${namedCurve}` : ''}; accepted: ECDSA P-256/P-384, Ed25519, RSA >= 2048`);
}

/**
 * The signed bytes of a CSR: the DER CertificationRequestInfo, first element of the outer SEQUENCE
 * (RFC 2986 §4.2). Only TLV headers are read (X.690 §8.1.3); the library has already parsed the rest.
 */
function certificationRequestInfo(der: Uint8Array): Uint8Array {
  const info = tlvAt(der, tlvAt(der, 0).contentAt);
  return der.subarray(info.at, info.end);
}
