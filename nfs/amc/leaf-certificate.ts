/**
 * The DER of an agent certificate (RFC 5280 §4.1), signed with node:crypto. @peculiar/x509 builds
 * the same certificate through its ASN.1 object model and WebCrypto, which costs several times the
 * ECDSA signature itself on every registration; here only the fields that differ per certificate
 * (serial, validity, subject, key, SAN, SKI) are encoded, and the parts every leaf shares (issuer
 * name, profile extensions, signature algorithm) come from the library once, as DER.
 * The unit test checks the output byte for byte against the library's own encoding.
 */
import { sign as nodeSign, type KeyObject } from 'node:crypto';

export interface LeafTemplate {
  /** DER Name of the issuer: the CA certificate's subject (§4.1.2.4). */
  issuerDer: Uint8Array;
  /** DER AlgorithmIdentifier of the CA's signature, in the TBS and around the signature (§4.1.1.2). */
  signatureAlgorithmDer: Uint8Array;
  /** Node's name of the signature's hash (null where the key type has none, e.g. Ed25519). */
  hash: string | null;
  signingKey: KeyObject;
}

export interface LeafFields {
  serialNumberHex: string;
  notBefore: Date;
  notAfter: Date;
  /** The subject's common name: the AIC (ATR §3.2). */
  commonName: string;
  /** DER SubjectPublicKeyInfo, as the CSR carried it. */
  spkiDer: Uint8Array;
  /** DER Extension of each extension, in the order they appear. */
  extensionsDer: Uint8Array[];
}

/** The TBSCertificate (§4.1.2): the bytes the CA signs. */
export function encodeTbsCertificate(template: Pick<LeafTemplate, 'issuerDer' | 'signatureAlgorithmDer'>, fields: LeafFields): Buffer {
  return tlv(0x30, [
    tlv(0xa0, [tlv(0x02, [Buffer.from([2])])]), // [0] EXPLICIT Version v3 (§4.1.2.1)
    tlv(0x02, [positiveInteger(fields.serialNumberHex)]),
    template.signatureAlgorithmDer,
    template.issuerDer,
    tlv(0x30, [time(fields.notBefore), time(fields.notAfter)]),
    commonNameDer(fields.commonName),
    fields.spkiDer,
    tlv(0xa3, [tlv(0x30, fields.extensionsDer)]), // [3] EXPLICIT Extensions
  ]);
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function signLeafCertificate(template: LeafTemplate, fields: LeafFields): Buffer {
  return signedDer(template, encodeTbsCertificate(template, fields));
}

/**
 * SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }: how a certificate (§4.1) and a
 * CRL (§5.1) wrap the bytes the CA signs.
 */
export function signedDer(template: Pick<LeafTemplate, 'hash' | 'signingKey' | 'signatureAlgorithmDer'>, tbs: Buffer): Buffer {
  // ECDSA-Sig-Value as DER, which is what the BIT STRING of an X.509 signature holds (RFC 5758 §3.2).
  const signature = nodeSign(template.hash, tbs, { key: template.signingKey, dsaEncoding: 'der' });
  return tlv(0x30, [tbs, template.signatureAlgorithmDer, tlv(0x03, [Buffer.from([0]), signature])]);
}

/** subjectAltName with one uniformResourceIdentifier [6] IA5String (§4.2.1.6), non-critical. */
export function uriSubjectAltNameDer(uri: string): Buffer {
  return extensionDer('551d11', tlv(0x30, [tlv(0x86, [Buffer.from(uri, 'ascii')])]));
}

/** subjectKeyIdentifier (§4.2.1.2), non-critical. */
export function subjectKeyIdentifierDer(keyId: Uint8Array): Buffer {
  return extensionDer('551d0e', tlv(0x04, [keyId]));
}

/** A non-critical Extension (§4.1.2.9): critical is DEFAULT FALSE, so DER leaves it out (X.690 §11.5). */
export function extensionDer(oidHex: string, value: Buffer): Buffer {
  return tlv(0x30, [tlv(0x06, [Buffer.from(oidHex, 'hex')]), tlv(0x04, [value])]);
}

/** Name with a single CN (2.5.4.3): PrintableString when the text allows it, UTF8String otherwise, as the library chooses. */
function commonNameDer(text: string): Buffer {
  const value = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text) ? tlv(0x13, [Buffer.from(text, 'ascii')]) : tlv(0x0c, [Buffer.from(text, 'utf8')]);
  return tlv(0x30, [tlv(0x31, [tlv(0x30, [tlv(0x06, [Buffer.from('550403', 'hex')]), value])])]);
}

/** §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, no fraction, Zulu. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, [Buffer.from(digits.slice(2), 'ascii')]) : tlv(0x18, [Buffer.from(digits, 'ascii')]);
}

/** DER INTEGER content of a non-negative hex number: minimal octets, 0x00 in front of a set top bit (X.690 §8.3.2). */
export function positiveInteger(hex: string): Buffer {
  let octets = Buffer.from(hex, 'hex');
  let first = 0;
  while (first < octets.length - 1 && octets[first] === 0) first++;
  octets = octets.subarray(first);
  return octets[0] > 0x7f ? Buffer.concat([Buffer.from([0]), octets]) : octets;
}

/** Tag, definite length (X.690 §8.1.3), contents. */
export function tlv(tag: number, contents: Uint8Array[]): Buffer {
  const length = contents.reduce((sum, part) => sum + part.length, 0);
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const lengthOctets: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets.unshift(rest % 256);
    header = [tag, 0x80 | lengthOctets.length, ...lengthOctets];
  }
  return Buffer.concat([Buffer.from(header), ...contents]);
}
