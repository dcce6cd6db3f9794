/**
 * What makes a CSR this one CSR, for the AMC's rule that a renewal brings a CSR no certificate was
 * made from (amc/credentials.ts): SHA-256 over the signed CertificationRequestInfo (RFC 2986 §4.1)
 * and what identifies the signature. Not over the text or DER as sent: PEM line breaks, the outer
 * length octets and the BIT STRING around the signature can all be written again without the key,
 * and an ECDSA signature (r, s) has a twin (r, n - s) that verifies as well, which anyone who saw
 * the CSR can make. For ECDSA, r stands for the signature: it is the x coordinate of kG for the
 * signer's secret nonce k, and a signature of the same bytes with the same r is (r, s) or its twin
 * (SEC 1 §4.1.3). RSA PKCS#1 v1.5 and Ed25519 signatures (RFC 8032 §5.1.7 refuses S >= L) have one
 * value per message: theirs is taken whole. Only TLV headers are read (X.690 §8.1.3): csr.ts takes
 * it of a CSR it has parsed and verified, from the DER the library read, so no other spelling of
 * the PEM gets another fingerprint.
 */
import { createHash } from 'node:crypto';

/** Lowercase hex; publicKeyAlgorithm as checkCsrPem reports it ('ECDSA P-256', 'Ed25519', 'RSA 2048'). */
export function csrFingerprint(der: Uint8Array, publicKeyAlgorithm: string): string {
  const request = tlvAt(der, 0);
  const info = tlvAt(der, request.contentAt);
  const signatureAlgorithm = tlvAt(der, info.end);
  const signatureBits = tlvAt(der, signatureAlgorithm.end);
  const signature = der.subarray(signatureBits.contentAt + 1, signatureBits.end); // after the unused-bits octet
  return createHash('sha256')
    .update(der.subarray(info.at, info.end))
    .update(publicKeyAlgorithm.startsWith('ECDSA') ? ecdsaR(signature) : signature)
    .digest('hex');
}

/** r of an ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2), without leading zero octets. */
function ecdsaR(signature: Uint8Array): Uint8Array {
  const r = tlvAt(signature, tlvAt(signature, 0).contentAt);
  let first = r.contentAt;
  while (first < r.end - 1 && signature[first] === 0) first++;
  return signature.subarray(first, r.end);
}

/** The TLV starting at `at`: where its contents start and where it ends (definite lengths, X.690 §8.1.3). */
export function tlvAt(der: Uint8Array, at: number): { at: number; contentAt: number; end: number } {
  const first = der[at + 1];
  if (first < 0x80) return { at, contentAt: at + 2, end: at + 2 + first };
  const octets = first & 0x7f;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[at + 2 + i];
  return { at, contentAt: at + 2 + octets, end: at + 2 + octets + length };
}
