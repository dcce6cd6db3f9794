/**
 * The DER of the AMC's CRL (RFC 5280 §5.1), signed with node:crypto and encoded as
 * leaf-certificate.ts encodes certificates. @peculiar/x509's X509CrlGenerator gives every entry
 * without a reason code an empty crlEntryExtensions SEQUENCE, which §5.1 does not allow
 * (Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension) and strict parsers refuse; here such an
 * entry has no crlEntryExtensions at all. The unit test checks the rest byte for byte against the
 * library's own encoding.
 */
import { extensionDer, positiveInteger, signedDer, time, tlv, type LeafTemplate } from './leaf-certificate.ts';

export interface CertificateListEntry {
  serialNumberHex: string;
  revocationDate: Date;
  /** CRLReason (§5.3.1); absent for none, as the RFC asks for unspecified(0). */
  reasonCode?: number;
}

export interface CertificateListFields {
  thisUpdate: Date;
  nextUpdate: Date;
  entries: CertificateListEntry[];
  /** DER Extension of each CRL extension (§5.2), in the order they appear. */
  extensionsDer: Uint8Array[];
}

/** The TBSCertList (§5.1.2): the bytes the CA signs. */
export function encodeTbsCertList(template: Pick<LeafTemplate, 'issuerDer' | 'signatureAlgorithmDer'>, fields: CertificateListFields): Buffer {
  return tlv(0x30, [
    tlv(0x02, [Buffer.from([1])]), // Version v2: the CRL has extensions (§5.1.2.1)
    template.signatureAlgorithmDer,
    template.issuerDer,
    time(fields.thisUpdate),
    time(fields.nextUpdate),
    // §5.1.2.6: "When there are no revoked certificates, the revoked certificates list MUST be absent."
    ...(fields.entries.length ? [tlv(0x30, fields.entries.map(entryDer))] : []),
    tlv(0xa0, [tlv(0x30, fields.extensionsDer)]), // [0] EXPLICIT Extensions
  ]);
}

/** CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING } (§5.1.1). */
export function signCertificateList(template: LeafTemplate, fields: CertificateListFields): Buffer {
  return signedDer(template, encodeTbsCertList(template, fields));
}

/** One revokedCertificates entry; crlEntryExtensions only when there is one to carry. */
function entryDer(entry: CertificateListEntry): Buffer {
  return tlv(0x30, [
    tlv(0x02, [positiveInteger(entry.serialNumberHex)]),
    time(entry.revocationDate),
    ...(entry.reasonCode === undefined ? [] : [tlv(0x30, [extensionDer('551d15', tlv(0x0a, [Buffer.from([entry.reasonCode])]))])]), // reasonCode, ENUMERATED
  ]);
}
