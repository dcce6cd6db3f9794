/**
 * An agent's key pair and PKCS#10 request (RFC 2986), and the SPKI hash that binds a registration
 * grant to a key. Used by agents, the CLI and the AMC; WebCrypto only, X.509 through @peculiar/x509.
 */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { createHash, createPrivateKey } from 'node:crypto';
import {
  PemConverter,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  PublicKey,
  X509Certificate,
  type IPublicKeyContainer,
} from '@peculiar/x509';

/** ECDSA P-256 with SHA-256: the agent key profile (brief §2.3; RFC 5480 §2.1.1.1, RFC 5758 §3.2). */
export const AGENT_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const AGENT_SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export interface AgentKeyAndCsr {
  csrPem: string;
  privateKeyPkcs8Pem: string;
  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER (see spkiSha256). */
  publicKeySpkiSha256: string;
  keys: CryptoKeyPair;
}

/**
 * Generates a fresh P-256 key pair and a CSR signed with it (the signature is the proof of
 * possession the AMC checks). The subject is informative only: the AMC replaces it with CN=<AIC>.
 */
export async function createAgentKeyAndCsr(options: { commonName?: string } = {}): Promise<AgentKeyAndCsr> {
  const keys = (await crypto.subtle.generateKey(AGENT_KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await createCsr(keys, options);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    csrPem: csr.toString('pem'),
    privateKeyPkcs8Pem: PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKeySpkiSha256: sha256Hex(csr.publicKey.rawData),
    keys,
  };
}

/**
 * A new CSR for an agent's key pair, as a renewal needs (the AMC makes one certificate from a
 * renewal CSR, namc-cred.yaml): an ECDSA signature is new each time, so each CSR is.
 */
export async function createCsr(keys: CryptoKeyPair, options: { commonName?: string } = {}) {
  return Pkcs10CertificateRequestGenerator.create({
    // A JSON name, not a DN string, so a commonName with ',' or '=' cannot inject other RDNs.
    name: options.commonName ? [{ CN: [options.commonName] }] : [],
    keys,
    signingAlgorithm: AGENT_SIGNING_ALGORITHM,
  });
}

/** Anything that carries a public key: a CryptoKey, a parsed key/cert/CSR, PEM text or SPKI DER. */
export type PublicKeySource = CryptoKey | PublicKey | IPublicKeyContainer | string | ArrayBuffer | ArrayBufferView;

/**
 * Lowercase hex SHA-256 over the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) — the same value for
 * a key, its CSR and every certificate issued for it, so it binds a grant to a key across renewals.
 * PEM input may be a CERTIFICATE, CERTIFICATE REQUEST or PUBLIC KEY block.
 */
export async function spkiSha256(source: PublicKeySource): Promise<string> {
  return sha256Hex(await spkiDer(source));
}

async function spkiDer(source: PublicKeySource): Promise<ArrayBuffer> {
  if (typeof source === 'string') {
    const [block] = PemConverter.decodeWithHeaders(source);
    if (!block) throw new TypeError('spkiSha256: not PEM');
    switch (block.type) {
      case 'CERTIFICATE':
        return new X509Certificate(block.rawData).publicKey.rawData;
      case 'CERTIFICATE REQUEST':
      case 'NEW CERTIFICATE REQUEST':
        return new Pkcs10CertificateRequest(block.rawData).publicKey.rawData;
      case 'PUBLIC KEY':
        return new PublicKey(block.rawData).rawData;
      default:
        throw new TypeError(`spkiSha256: unsupported PEM block ${block.type}`);
    }
  }
  if (source instanceof PublicKey) return source.rawData;
  if (isCryptoKey(source)) {
    if (source.type !== 'public') throw new TypeError('spkiSha256: needs a public key');
    return crypto.subtle.exportKey('spki', source);
  }
  if (source instanceof ArrayBuffer) return new PublicKey(source).rawData;
  if (ArrayBuffer.isView(source)) return new PublicKey(new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice()).rawData;
  return source.publicKey.rawData;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

function sha256Hex(der: ArrayBuffer): string {
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

/**
 * Imports a PKCS#8 "PRIVATE KEY" PEM (RFC 5958) as a signing CryptoKey. The algorithm is read from
 * the key itself: EC P-256/P-384 become ECDSA, Ed25519 stays Ed25519, RSA becomes RSASSA-PKCS1-v1_5
 * with SHA-256.
 */
export async function importPrivateKeyPem(pem: string, options: { extractable?: boolean } = {}): Promise<CryptoKey> {
  const [block] = PemConverter.decodeWithHeaders(pem);
  if (!block || block.type !== 'PRIVATE KEY') throw new TypeError('importPrivateKeyPem: expected a PKCS#8 PRIVATE KEY PEM block');
  const der = new Uint8Array(block.rawData);
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  return crypto.subtle.importKey('pkcs8', der, webAlgorithmOf(key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve), options.extractable ?? false, ['sign']);
}

function webAlgorithmOf(type: string | undefined, curve: string | undefined): EcKeyImportParams | RsaHashedImportParams | Algorithm {
  if (type === 'ec' && curve === 'prime256v1') return { name: 'ECDSA', namedCurve: 'P-256' };
  if (type === 'ec' && curve === 'secp384r1') return { name: 'ECDSA', namedCurve: 'P-384' };
  if (type === 'ed25519') return { name: 'Ed25519' };
  if (type === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  throw new TypeError(`importPrivateKeyPem: unsupported key type ${type}${curve ? ` (${curve})` : ''}`);
}
