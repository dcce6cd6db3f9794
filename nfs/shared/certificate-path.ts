/**
 * Relying-party checks of agent credentials, for every party that is handed a certificate: the
 * AMC, agents checking a caller, session peers. Profile: RFC 5280 and ACPs ATR section 3.2.
 */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509ChainBuilder,
} from '@peculiar/x509';

/** basicConstraints, keyUsage, subjectAltName, extKeyUsage: any other critical extension fails a path (§4.2, §6.1.3). */
const UNDERSTOOD_CRITICAL = new Set(['2.5.29.19', '2.5.29.15', '2.5.29.17', '2.5.29.37']);
export const AIC_PATTERN = /^[0-9A-Z]+(\.[0-9A-Z]+)+$/i; // characters of ACPs-spec-AIC §3; the AIC module checks the rest

/**
 * The AIC a certificate is bound to: its single acps:// URI SAN, provided the subject CN says the
 * same (ATR §3.2: "if CN ≠ SAN AIC the verifier MUST determine that the certificate identity is
 * invalid"). AICs are case-insensitive (ACPs-spec-AIC §3). Undefined when absent or inconsistent.
 */
export function aicOfCertificate(certificatePem: string): string | undefined {
  let certificate: X509Certificate;
  try { certificate = new X509Certificate(certificatePem); } catch { return undefined; }
  const uris = (certificate.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [])
    .filter((name) => name.type === 'url' && name.value.toLowerCase().startsWith('acps://'))
    .map((name) => name.value.slice('acps://'.length));
  const commonNames = certificate.subjectName.getField('CN');
  if (uris.length !== 1 || commonNames.length !== 1) return undefined;
  return uris[0].toUpperCase() === commonNames[0].toUpperCase() && AIC_PATTERN.test(uris[0]) ? uris[0] : undefined;
}

/**
 * Relying-party path check (a subset of RFC 5280 §6.1): the library's chain builder links the leaf
 * to one of the trust anchors, then each link's signature, validity period (§4.1.2.5, inclusive),
 * issuer CA flag (§4.2.1.9, with pathLenConstraint), keyCertSign (§4.2.1.3) and critical extensions
 * are checked. Revocation is not checked here: consult the AMC's CRL or status endpoint.
 */
export async function verifyChain(leafPem: string, trustAnchorsPem: string[], options: { at?: Date } = {}): Promise<boolean> {
  const time = (options.at ?? new Date()).getTime();
  try {
    const leaf = new X509Certificate(leafPem);
    const anchors = trustAnchorsPem.map((pem) => new X509Certificate(pem));
    const chain = await new X509ChainBuilder({ certificates: anchors }).build(leaf);
    const root = chain[chain.length - 1];
    const rootDer = Buffer.from(root.rawData);
    if (chain.length < 2 || !anchors.some((anchor) => rootDer.equals(Buffer.from(anchor.rawData)))) return false;
    for (let i = 0; i < chain.length; i++) {
      const certificate = chain[i];
      if (time < certificate.notBefore.getTime() || time > certificate.notAfter.getTime()) return false;
      if (certificate.extensions.some((ext) => ext.critical && !UNDERSTOOD_CRITICAL.has(ext.type))) return false;
      const issuer = chain[i + 1] ?? certificate; // the anchor signs itself
      if (!(await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }))) return false;
      if (i === 0) continue;
      const constraints = certificate.getExtension(BasicConstraintsExtension);
      if (!constraints?.ca || (constraints.pathLength !== undefined && i - 1 > constraints.pathLength)) return false;
      const usage = certificate.getExtension(KeyUsagesExtension);
      if (usage && !(usage.usages & KeyUsageFlags.keyCertSign)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
