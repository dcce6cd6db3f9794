/**
 * The key a PKCS#10 CSR names, read without checking it: SHA-256 over the DER of its
 * SubjectPublicKeyInfo (RFC 2986 section 4.1: CertificationRequest, then CertificationRequestInfo,
 * whose third element after version and subject is subjectPKInfo). This is the gateway's
 * preliminary validation (MACP section 5.1): the CSR is PEM and shaped as a CSR, and the gateway
 * learns which key it names. The proof of possession and the key policy are the AMC's, in AAAP
 * (amc/authorization.ts), which parses the CSR itself and grants only for the key it finds there.
 * So a DER this reader takes differently from the AMC's parser gets no grant, never a wrong one.
 * Only TLV headers are read (X.690 section 8.1.3), each bounded by the element that holds it.
 */
import { createHash } from 'node:crypto';
import { CsrError, pemCsrRefusal } from './csr.ts';

const SEQUENCE = 0x30;
const INTEGER = 0x02;

/** Lowercase hex SHA-256 of the CSR's SubjectPublicKeyInfo; throws a CsrError (INVALID_CSR) for what is not shaped as a CSR. */
export function csrKeySha256(csrPem: string): string {
  const refusal = pemCsrRefusal(csrPem);
  if (refusal) throw refusal;
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, ''), 'base64');
  const request = element(der, 0, der.length, SEQUENCE);
  const info = element(der, request.contentAt, request.end, SEQUENCE);
  const version = element(der, info.contentAt, info.end, INTEGER);
  const subject = element(der, version.end, info.end, SEQUENCE);
  const spki = element(der, subject.end, info.end, SEQUENCE);
  return createHash('sha256').update(der.subarray(spki.at, spki.end)).digest('hex');
}

/** The element of this tag at `at`, ending by `within`; definite lengths of up to 3 octets (16 MiB), as a CSR needs. */
function element(der: Uint8Array, at: number, within: number, tag: number): { at: number; contentAt: number; end: number } {
  if (at + 2 > within || der[at] !== tag) throw notACsr();
  let contentAt = at + 2;
  let length = der[at + 1];
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 3 || contentAt + octets > within) throw notACsr();
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentAt++];
  }
  if (contentAt + length > within) throw notACsr();
  return { at, contentAt, end: contentAt + length };
}

const notACsr = () => new CsrError('INVALID_CSR', 'not a PKCS#10 certification request (RFC 2986): its DER does not hold a subjectPKInfo');
