/**
 * The AMC's certificate authority (003 §4.2 "issuing … revoking, and publishing status of Agent
 * Credentials"; 004 §2.2.1 CSR → certificate). Profile: brief §2.3 on top of RFC 5280.
 * The relying-party helpers aicOfCertificate and verifyChain live in nfs/shared/certificate-path.ts.
 */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509CrlReason,
} from '@peculiar/x509';
import { verifyCsrPem, type VerifiedCsr } from '../shared/csr.ts';

export { CsrError, type CsrErrorCause, type VerifiedCsr } from '../shared/csr.ts';

import { AIC_PATTERN } from '../shared/certificate-path.ts';
import { signCertificateList } from './certificate-list.ts';
import { signLeafCertificate, subjectKeyIdentifierDer, uriSubjectAltNameDer, type LeafTemplate } from './leaf-certificate.ts';

export { aicOfCertificate, verifyChain } from '../shared/certificate-path.ts';

const CA_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const CA_SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const CRL_NUMBER_OID = '2.5.29.20';
/** AlgorithmIdentifier ecdsa-with-SHA256 (RFC 5758 §3.2: parameters absent): what CA_SIGNING makes. */
const ECDSA_WITH_SHA256_DER = Buffer.from('300a06082a8648ce3d040302', 'hex');
/** Which key type may make which signature (a mismatch can never be a proof of possession). */

export interface CaMaterial { certificatePem: string; privateKeyPkcs8Pem: string }
export type RevocationReason = 'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded'
  | 'cessationOfOperation' | 'certificateHold' | 'privilegeWithdrawn';
export interface IssueRequest { csrPem: string; aic: string; serialNumberHex: string; notBefore: Date; notAfter: Date }
export interface RevokedEntry { serialNumberHex: string; revokedAt: Date; reason: RevocationReason }
export interface CrlRequest { revoked: RevokedEntry[]; crlNumber: number; thisUpdate: Date; nextUpdate: Date }
export interface CertificateAuthority {
  readonly certificatePem: string;
  readonly certificateDer: Uint8Array<ArrayBuffer>;
  /** The end of the CA certificate's validity: no certificate it issues may end later (RFC 5280 section 6.1.3). */
  readonly notAfter: Date;
  verifyCsr(csrPem: string): Promise<VerifiedCsr>;
  issue(request: IssueRequest): Promise<{ certificatePem: string } & VerifiedCsr>;
  buildCrl(request: CrlRequest): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Names where relying parties fetch the CRL, in every certificate issued from now on (RFC 5280
   * section 4.2.1.13): the AMC knows its own address only once it listens.
   */
  publishCrlAt(uri: string): void;
}

/** A self-signed P-256 root (RFC 5280 §4.2.1.9 CA:true critical; §4.2.1.3 keyCertSign+cRLSign critical). */
export async function createCaMaterial(options: { commonName: string; validityDays?: number; now?: Date }): Promise<CaMaterial> {
  const now = options.now ?? new Date();
  const keys = (await crypto.subtle.generateKey(CA_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, no leading zero octet: 16 octets (§4.1.2.2)
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [options.commonName] }],
    // Backdated as leaves are (credentials.ts), so no leaf's validity starts before its CA's.
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.validityDays ?? 3650) * 86_400_000),
    keys,
    signingAlgorithm: CA_SIGNING,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPkcs8Pem: PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
  };
}

/** Rebuilds the CA from stored material, so a restarted AMC keeps its trust anchor. */
export async function loadCertificateAuthority(material: CaMaterial, options: { crlUri?: string } = {}): Promise<CertificateAuthority> {
  const caCert = new X509Certificate(material.certificatePem);
  if (!(await caCert.isSelfSigned()) || caCert.getExtension(BasicConstraintsExtension)?.ca !== true) {
    throw new Error('CA material: certificate is not a self-signed CA certificate');
  }
  const privateKey = createPrivateKey(material.privateKeyPkcs8Pem);
  if (privateKey.asymmetricKeyType !== 'ec') throw new Error('CA material: the CA key must be an ECDSA key');
  const derivedSpki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derivedSpki.equals(Buffer.from(caCert.publicKey.rawData))) throw new Error('CA material: private key does not match the certificate');
  const ski = caCert.getExtension(SubjectKeyIdentifierExtension);
  if (!ski) throw new Error('CA material: certificate has no subject key identifier');
  // §4.2.1.1 / §5.2.1: AKI keyIdentifier = the issuer's SKI; built once, shared by every certificate and CRL.
  const aki = new AuthorityKeyIdentifierExtension(ski.keyId);
  // The extensions every leaf shares are encoded once: the library's ASN.1 encoding dominates issue time.
  const leafExtensions = (rsa: boolean, crlUri: string | undefined) => [
    new BasicConstraintsExtension(false, undefined, true), // §4.2.1.9
    // §4.2.1.3; keyEncipherment only where the key can do RSA key transport (brief §2.3)
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature | (rsa ? KeyUsageFlags.keyEncipherment : 0), true),
    // §4.2.1.12; one certificate for both TLS roles (brief §9 #10, a documented deviation from ACPs)
    new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth, ExtendedKeyUsage.serverAuth], false),
    aki,
    ...(crlUri ? [new CRLDistributionPointsExtension([crlUri])] : []), // §4.2.1.13
  ];
  const sharedExtensionsDer = (rsa: boolean, crlUri: string | undefined) => leafExtensions(rsa, crlUri).map((extension) => new Uint8Array(extension.rawData));
  const sharedExtensionsFor = (crlUri: string | undefined) => ({ rsa: sharedExtensionsDer(true, crlUri), other: sharedExtensionsDer(false, crlUri) });
  let sharedExtensions = sharedExtensionsFor(options.crlUri);
  const template: LeafTemplate = {
    issuerDer: new Uint8Array(caCert.subjectName.toArrayBuffer()),
    signatureAlgorithmDer: ECDSA_WITH_SHA256_DER,
    hash: 'sha256',
    signingKey: privateKey,
  };

  return {
    certificatePem: caCert.toString('pem'),
    get certificateDer() { return new Uint8Array(caCert.rawData.slice(0)); }, // a copy: callers cannot alter the CA
    get notAfter() { return new Date(caCert.notAfter); },
    async verifyCsr(csrPem) {
      const { publicKeySpkiSha256, publicKeyAlgorithm, fingerprint } = await verifyCsrPem(csrPem);
      return { publicKeySpkiSha256, publicKeyAlgorithm, fingerprint };
    },
    async issue(request) {
      checkIssueRequest(request, caCert);
      // Requested extensions and attributes in the CSR are ignored: the profile and the grant decide.
      const { spkiDer, publicKeySpkiSha256, publicKeyAlgorithm, fingerprint } = await verifyCsrPem(request.csrPem);
      const der = signLeafCertificate(template, {
        serialNumberHex: request.serialNumberHex,
        notBefore: request.notBefore,
        notAfter: request.notAfter,
        commonName: request.aic, // ATR §3.2: "CN MUST use the AIC"
        spkiDer: spkiDer.slice(), // a copy: the verified CSR is shared (csr.ts)
        extensionsDer: [
          ...sharedExtensions[publicKeyAlgorithm.startsWith('RSA') ? 'rsa' : 'other'],
          // §4.2.1.6: the subject is not empty, so the SAN is non-critical
          uriSubjectAltNameDer(`acps://${request.aic}`),
          // §4.2.1.2 allows other methods: RFC 7093 §2 (4), SHA-256 of the SPKI DER, which is also the
          // value a registration grant binds to, and costs nothing more here
          subjectKeyIdentifierDer(Buffer.from(publicKeySpkiSha256, 'hex')),
        ],
      });
      return { certificatePem: PemConverter.encode(new Uint8Array(der), 'CERTIFICATE'), publicKeySpkiSha256, publicKeyAlgorithm, fingerprint };
    },
    publishCrlAt(uri) {
      sharedExtensions = sharedExtensionsFor(uri);
    },
    async buildCrl(request) {
      if (!Number.isSafeInteger(request.crlNumber) || request.crlNumber < 0) throw new RangeError('crlNumber must be a non-negative integer');
      if (request.nextUpdate <= request.thisUpdate) throw new RangeError('nextUpdate must be after thisUpdate');
      const der = signCertificateList(template, {
        thisUpdate: request.thisUpdate,
        nextUpdate: request.nextUpdate, // §5.1.2.5: conforming issuers MUST include nextUpdate
        // §5.2.1 AKI and §5.2.3 CRL number: both MUST be present, both non-critical
        extensionsDer: [new Uint8Array(aki.rawData), new Uint8Array(new Extension(CRL_NUMBER_OID, false, derInteger(request.crlNumber)).rawData)],
        entries: request.revoked.map((entry) => ({
          serialNumberHex: checkSerial(entry.serialNumberHex),
          revocationDate: entry.revokedAt,
          // §5.3.1: the reasonCode is left out rather than unspecified(0), as the RFC recommends
          ...(entry.reason === 'unspecified' ? {} : { reasonCode: X509CrlReason[entry.reason] }),
        })),
      });
      return new Uint8Array(der);
    },
  };
}

function checkIssueRequest(request: IssueRequest, caCert: X509Certificate): void {
  if (!AIC_PATTERN.test(request.aic)) throw new RangeError(`not an AIC: ${request.aic}`);
  checkSerial(request.serialNumberHex);
  if (!(request.notBefore < request.notAfter)) throw new RangeError('notBefore must be before notAfter');
  if (request.notAfter > caCert.notAfter) throw new RangeError('notAfter is beyond the CA certificate validity');
}

/** §4.1.2.2: positive, non-zero, at most 20 octets (after the 0x00 the library adds when the top bit is set). */
function checkSerial(hex: string): string {
  const digits = /^[0-9a-f]+$/i.test(hex) && hex.length % 2 === 0 ? hex.replace(/^(00)+/, '') : '';
  const octets = digits.length / 2 + (parseInt(digits.slice(0, 1) || '0', 16) >= 8 ? 1 : 0);
  if (!digits || octets > 20) throw new RangeError(`serial number must be 1..20 octets of even-length hex, non-zero: ${hex}`);
  return hex.toLowerCase();
}

/** DER INTEGER (X.690 §8.3) of a non-negative safe integer: the CRLNumber value (§5.2.3). */
function derInteger(value: number): Uint8Array<ArrayBuffer> {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0], 16) >= 8) hex = `00${hex}`; // keep it positive
  const content = Buffer.from(hex, 'hex');
  return new Uint8Array([0x02, content.length, ...content]);
}


