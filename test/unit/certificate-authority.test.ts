import 'reflect-metadata';
import { expect } from 'chai';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509ChainBuilder,
  X509Crl,
  X509CrlGenerator,
  X509CrlReason,
} from '@peculiar/x509';
// The CRL number is decoded with the ASN.1 schema @peculiar/x509 itself is built on, not with our encoder.
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { fromBER, type Sequence } from 'asn1js';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aicOfCertificate,
  createCaMaterial,
  CsrError,
  loadCertificateAuthority,
  verifyChain,
  type CaMaterial,
  type CertificateAuthority,
  type CsrErrorCause,
} from '../../nfs/amc/certificate-authority.ts';
import { encodeTbsCertList } from '../../nfs/amc/certificate-list.ts';
import { createAgentKeyAndCsr, importPrivateKeyPem, spkiSha256 } from '../../nfs/shared/agent-credentials.ts';

const AIC = '1.2.156.3088.1.2.1.1.1.0O41';
const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
const CRL_URI = 'http://amc.example/namc-cred/v1/crl';

async function expectCsrError(promise: Promise<unknown>, cause: CsrErrorCause): Promise<CsrError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CsrError);
    expect((error as CsrError).cause).to.equal(cause);
    expect((error as CsrError).reason).to.be.a('string').that.is.not.empty;
    expect((error as CsrError).status).to.equal(400);
    return error as CsrError;
  }
  expect.fail(`expected a CsrError ${cause}`);
}

function issueRequest(csrPem: string, serialNumberHex = '4a0f0e1d2c3b4a59687766554433221a') {
  return { csrPem, aic: AIC, serialNumberHex, notBefore: NOW, notAfter: new Date(NOW.getTime() + 30 * DAY) };
}

/** The CSR's DER with `edit` applied; lengths must stay the same. */
function editCsrDer(csrPem: string, edit: (der: Buffer) => void): string {
  const der = Buffer.from(new Pkcs10CertificateRequest(csrPem).rawData);
  edit(der);
  return new Pkcs10CertificateRequest(der).toString('pem');
}

async function csrFor(generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm, signingAlgorithm: Algorithm | EcdsaParams): Promise<string> {
  const keys = (await crypto.subtle.generateKey(generate, false, ['sign', 'verify'])) as CryptoKeyPair;
  return (await Pkcs10CertificateRequestGenerator.create({ name: 'CN=agent', keys, signingAlgorithm })).toString('pem');
}

describe('AMC certificate authority', () => {
  let material: CaMaterial;
  let ca: CertificateAuthority;
  let caCert: X509Certificate;
  let otherCaPem: string;

  before(async () => {
    material = await createCaMaterial({ commonName: 'AMC CA domain-1', now: new Date(NOW.getTime() - DAY) });
    ca = await loadCertificateAuthority(material, { crlUri: CRL_URI });
    caCert = new X509Certificate(ca.certificatePem);
    otherCaPem = (await createCaMaterial({ commonName: 'AMC CA domain-1', now: new Date(NOW.getTime() - DAY) })).certificatePem;
  });

  it('creates a self-signed CA certificate with critical basicConstraints CA:true, keyCertSign+cRLSign and an SKI', async () => {
    expect(await caCert.isSelfSigned()).to.equal(true);
    expect(await caCert.verify({ publicKey: caCert, date: NOW })).to.equal(true);
    const constraints = caCert.getExtension(BasicConstraintsExtension)!;
    expect(constraints.ca).to.equal(true);
    expect(constraints.critical).to.equal(true);
    const usage = caCert.getExtension(KeyUsagesExtension)!;
    expect(usage.usages).to.equal(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign);
    expect(usage.critical).to.equal(true);
    const ski = caCert.getExtension(SubjectKeyIdentifierExtension)!;
    expect(ski.keyId).to.equal(Buffer.from(await caCert.publicKey.getKeyIdentifier()).toString('hex'));
    expect(ca.certificateDer).to.deep.equal(new Uint8Array(caCert.rawData));
  });

  it('backdates the CA a minute, as leaves are, so no leaf issued at once starts before its CA', () => {
    expect(caCert.notBefore.getTime()).to.equal(NOW.getTime() - DAY - 60_000);
  });

  it('accepts a CSR from createAgentKeyAndCsr and reports its key', async () => {
    const agent = await createAgentKeyAndCsr({ commonName: 'weather-agent, O=evil' });
    const verified = await ca.verifyCsr(agent.csrPem);
    expect(verified.publicKeyAlgorithm).to.equal('ECDSA P-256');
    expect(verified.publicKeySpkiSha256).to.equal(agent.publicKeySpkiSha256);
    expect(verified.publicKeySpkiSha256).to.equal(await spkiSha256(agent.keys.publicKey));
    // The common name is one CN attribute, not parsed as a DN string.
    expect(new Pkcs10CertificateRequest(agent.csrPem).subjectName.getField('CN')).to.deep.equal(['weather-agent, O=evil']);
  });

  it('issues a certificate with CN = SAN = AIC and the CSR key that chains to the CA and not to another CA', async () => {
    const agent = await createAgentKeyAndCsr();
    const issued = await ca.issue(issueRequest(agent.csrPem));
    const leaf = new X509Certificate(issued.certificatePem);

    expect(leaf.subjectName.getField('CN')).to.deep.equal([AIC]);
    const san = leaf.getExtension(SubjectAlternativeNameExtension)!;
    expect(san.names.items.map((n) => [n.type, n.value])).to.deep.equal([['url', `acps://${AIC}`]]);
    expect(aicOfCertificate(issued.certificatePem)).to.equal(AIC);
    expect(await spkiSha256(leaf)).to.equal(await spkiSha256(agent.csrPem));
    expect(await spkiSha256(leaf)).to.equal(await spkiSha256(agent.keys.publicKey));
    expect(leaf.serialNumber).to.equal('4a0f0e1d2c3b4a59687766554433221a');
    expect(leaf.notBefore.getTime()).to.equal(NOW.getTime());

    const constraints = leaf.getExtension(BasicConstraintsExtension)!;
    expect([constraints.ca, constraints.critical]).to.deep.equal([false, true]);
    const usage = leaf.getExtension(KeyUsagesExtension)!;
    expect([usage.usages, usage.critical]).to.deep.equal([KeyUsageFlags.digitalSignature, true]);
    expect(leaf.getExtension(ExtendedKeyUsageExtension)!.usages).to.have.members([ExtendedKeyUsage.clientAuth, ExtendedKeyUsage.serverAuth]);
    // RFC 7093 §2 (4): the SKI is the SHA-256 of the SPKI, the same value a grant binds to
    expect(leaf.getExtension(SubjectKeyIdentifierExtension)!.keyId).to.equal(await spkiSha256(leaf.publicKey));
    expect(leaf.getExtension(AuthorityKeyIdentifierExtension)!.keyId).to.equal(caCert.getExtension(SubjectKeyIdentifierExtension)!.keyId);
    const dp = leaf.getExtension(CRLDistributionPointsExtension)!.distributionPoints[0];
    expect(dp.distributionPoint?.fullName?.[0].uniformResourceIdentifier).to.equal(CRL_URI);

    expect(await leaf.verify({ publicKey: caCert, date: new Date(NOW.getTime() + DAY) })).to.equal(true);
    const chain = await new X509ChainBuilder({ certificates: [caCert] }).build(leaf);
    expect(chain).to.have.length(2);
    expect(Buffer.from(await chain[1].getThumbprint())).to.deep.equal(Buffer.from(await caCert.getThumbprint()));
    expect(await verifyChain(issued.certificatePem, [ca.certificatePem], { at: new Date(NOW.getTime() + DAY) })).to.equal(true);

    const otherCa = new X509Certificate(otherCaPem); // same subject name, different key
    expect(await leaf.verify({ publicKey: otherCa, signatureOnly: true })).to.equal(false);
    expect(await new X509ChainBuilder({ certificates: [otherCa] }).build(leaf)).to.have.length(1);
    expect(await verifyChain(issued.certificatePem, [otherCaPem], { at: new Date(NOW.getTime() + DAY) })).to.equal(false);
  });

  it('verifyChain refuses a certificate outside its validity period', async () => {
    const agent = await createAgentKeyAndCsr();
    const { certificatePem } = await ca.issue(issueRequest(agent.csrPem, '01'));
    expect(await verifyChain(certificatePem, [ca.certificatePem], { at: new Date(NOW.getTime() - 1000) })).to.equal(false);
    expect(await verifyChain(certificatePem, [ca.certificatePem], { at: new Date(NOW.getTime() + 31 * DAY) })).to.equal(false);
  });

  it('aicOfCertificate returns undefined when the CN and the acps:// SAN disagree', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const mismatched = await X509CertificateGenerator.createSelfSigned({
      name: [{ CN: [AIC] }],
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions: [new SubjectAlternativeNameExtension([{ type: 'url', value: 'acps://1.2.156.3088.1.2.1.1.2.0O42' }])],
    });
    expect(aicOfCertificate(mismatched.toString('pem'))).to.equal(undefined);
    expect(aicOfCertificate(ca.certificatePem)).to.equal(undefined);
  });

  it('refuses a CSR whose signature was tampered with (CSR_SIGNATURE_INVALID), also at issue', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    const signature = Buffer.from(new Pkcs10CertificateRequest(csrPem).signature);
    const tampered = editCsrDer(csrPem, (der) => {
      const at = der.lastIndexOf(signature);
      expect(at).to.be.greaterThan(0);
      der[at + signature.length - 1] ^= 0x01; // last octet of the ECDSA s value
    });
    expect(Buffer.from(new Pkcs10CertificateRequest(tampered).signature)).to.not.deep.equal(signature);
    await expectCsrError(ca.verifyCsr(tampered), 'CSR_SIGNATURE_INVALID');
    await expectCsrError(ca.issue(issueRequest(tampered)), 'CSR_SIGNATURE_INVALID');
  });

  it('refuses a CSR whose public key was swapped for another key (no proof of possession)', async () => {
    const victim = await createAgentKeyAndCsr();
    const attacker = await createAgentKeyAndCsr();
    const victimSpki = Buffer.from(new Pkcs10CertificateRequest(victim.csrPem).publicKey.rawData);
    const attackerSpki = Buffer.from(new Pkcs10CertificateRequest(attacker.csrPem).publicKey.rawData);
    const swapped = editCsrDer(attacker.csrPem, (der) => victimSpki.copy(der, der.indexOf(attackerSpki)));
    expect(await spkiSha256(swapped)).to.equal(victim.publicKeySpkiSha256);
    await expectCsrError(ca.verifyCsr(swapped), 'CSR_SIGNATURE_INVALID');
  });

  it('refuses garbage, non-PEM input and PEM that is not a CSR with INVALID_CSR', async () => {
    const notCsr = [
      '',
      'hello',
      'deadbeef',
      '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
      ca.certificatePem,
      `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`,
    ];
    for (const input of notCsr) await expectCsrError(ca.verifyCsr(input), 'INVALID_CSR');
  });

  it('refuses a CSR whose P-256 point is not on the curve with INVALID_CSR', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    const spki = Buffer.from(new Pkcs10CertificateRequest(csrPem).publicKey.rawData);
    const offCurve = editCsrDer(csrPem, (der) => {
      const at = der.indexOf(spki);
      der[at + spki.length - 1] ^= 0x01; // last octet of y: the point leaves the curve
    });
    await expectCsrError(ca.verifyCsr(offCurve), 'INVALID_CSR');
  });

  it('refuses an RSA-1024 CSR as WEAK_KEY', async () => {
    const csrPem = await csrFor({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' });
    const error = await expectCsrError(ca.verifyCsr(csrPem), 'WEAK_KEY');
    expect(error.reason).to.match(/1024/);
  });

  it('accepts ECDSA P-384, Ed25519 and RSA-2048 CSRs', async () => {
    const cases: Array<[string, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm, Algorithm | EcdsaParams]> = [
      ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams],
      ['Ed25519', { name: 'Ed25519' }, { name: 'Ed25519' }],
      ['RSA 2048', { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams, { name: 'RSASSA-PKCS1-v1_5' }],
    ];
    for (const [expected, generate, signing] of cases) {
      const csrPem = await csrFor(generate, signing);
      expect((await ca.verifyCsr(csrPem)).publicKeyAlgorithm).to.equal(expected);
      const leaf = new X509Certificate((await ca.issue(issueRequest(csrPem))).certificatePem);
      expect(await leaf.verify({ publicKey: caCert, signatureOnly: true })).to.equal(true);
      const rsa = expected.startsWith('RSA') ? KeyUsageFlags.keyEncipherment : 0;
      expect(leaf.getExtension(KeyUsagesExtension)!.usages).to.equal(KeyUsageFlags.digitalSignature | rsa);
    }
  });

  it('builds a DER CRL signed by the CA with the CRL number, the AKI and RFC 5280 reason codes', async () => {
    const thisUpdate = new Date('2026-06-02T00:00:00Z');
    const nextUpdate = new Date('2026-06-02T01:00:00Z');
    const der = await ca.buildCrl({
      crlNumber: 128, // 0x80: the DER INTEGER needs a leading zero octet
      thisUpdate,
      nextUpdate,
      revoked: [
        { serialNumberHex: '0a01', revokedAt: new Date('2026-06-01T13:00:00Z'), reason: 'keyCompromise' },
        { serialNumberHex: 'f0e1d2', revokedAt: new Date('2026-06-01T14:00:00Z'), reason: 'certificateHold' },
        { serialNumberHex: '0b02', revokedAt: new Date('2026-06-01T15:00:00Z'), reason: 'superseded' },
        { serialNumberHex: '0c03', revokedAt: new Date('2026-06-01T16:00:00Z'), reason: 'unspecified' },
      ],
    });
    expect(der).to.be.instanceOf(Uint8Array);
    const crl = new X509Crl(der);
    expect(await crl.verify({ publicKey: caCert })).to.equal(true);
    expect(await crl.verify({ publicKey: new X509Certificate(otherCaPem) })).to.equal(false);
    expect(crl.issuerName.getField('CN')).to.deep.equal(caCert.subjectName.getField('CN'));
    expect([crl.thisUpdate.getTime(), crl.nextUpdate?.getTime()]).to.deep.equal([thisUpdate.getTime(), nextUpdate.getTime()]);
    expect(crl.entries.map((e) => [e.serialNumber, e.reason, e.revocationDate.toISOString()])).to.deep.equal([
      ['0a01', X509CrlReason.keyCompromise, '2026-06-01T13:00:00.000Z'],
      ['f0e1d2', X509CrlReason.certificateHold, '2026-06-01T14:00:00.000Z'],
      ['0b02', X509CrlReason.superseded, '2026-06-01T15:00:00.000Z'],
      ['0c03', undefined, '2026-06-01T16:00:00.000Z'], // §5.3.1: reasonCode absent rather than unspecified(0)
    ]);
    const number = crl.getExtension(id_ce_cRLNumber)!;
    expect(number.critical).to.equal(false);
    expect(AsnConvert.parse(number.value, CRLNumber).value).to.equal(128);
    expect(crl.getExtension(AuthorityKeyIdentifierExtension)!.keyId).to.equal(caCert.getExtension(SubjectKeyIdentifierExtension)!.keyId);
  });

  it('gives a CRL entry without a reason code no crlEntryExtensions, never an empty SEQUENCE (RFC 5280 section 5.1: SIZE (1..MAX))', async () => {
    const der = await ca.buildCrl({
      crlNumber: 7,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 3_600_000),
      revoked: [
        { serialNumberHex: '0c03', revokedAt: new Date('2026-06-01T16:00:00Z'), reason: 'unspecified' },
        { serialNumberHex: '0a01', revokedAt: new Date('2026-06-01T13:00:00Z'), reason: 'keyCompromise' },
      ],
    });
    // Read as BER with asn1js: the schema layer would read an empty SEQUENCE and none alike.
    const tbsCertList = (fromBER(new Uint8Array(der)).result as Sequence).valueBlock.value[0] as Sequence;
    const entries = tbsCertList.valueBlock.value[5] as Sequence; // version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates
    const extensionCounts = entries.valueBlock.value.map((entry) => (entry as Sequence).valueBlock.value.slice(2).map((extensions) => (extensions as Sequence).valueBlock.value.length));
    expect(extensionCounts, 'the extensions of each entry').to.deep.equal([[], [1]]);
    expect(await new X509Crl(der).verify({ publicKey: caCert })).to.equal(true);
    if (spawnSync('openssl', ['version']).status !== 0) return; // openssl is optional on the test machine
    const dir = await mkdtemp(join(tmpdir(), 'dmsc-crl-'));
    try {
      await writeFile(join(dir, 'crl.der'), der);
      await writeFile(join(dir, 'ca.pem'), ca.certificatePem);
      const read = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'crl.der'), '-CAfile', join(dir, 'ca.pem'), '-noout', '-text'], { encoding: 'utf8' });
      expect(read.status, read.stderr).to.equal(0);
      expect(read.stderr).to.match(/verify OK/);
      expect(read.stdout).to.match(/Serial Number: 0C03/).and.match(/Key Compromise/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('encodes the same TBSCertList as @peculiar/x509 for entries with reason codes and for none', async () => {
    const signingKey = await importPrivateKeyPem(material.privateKeyPkcs8Pem);
    const extension = caCert.getExtension(SubjectKeyIdentifierExtension)!;
    const extensions = [new AuthorityKeyIdentifierExtension(extension.keyId)];
    const template = { issuerDer: new Uint8Array(caCert.subjectName.toArrayBuffer()), signatureAlgorithmDer: Buffer.from('300a06082a8648ce3d040302', 'hex') };
    const revoked = [
      { serialNumber: '0a01', revocationDate: new Date('2026-06-01T13:00:00.456Z'), reason: X509CrlReason.keyCompromise },
      { serialNumber: 'f0e1d2', revocationDate: new Date('2050-01-01T00:00:00Z'), reason: X509CrlReason.certificateHold },
    ];
    for (const entries of [revoked, []]) {
      const library = await X509CrlGenerator.create({ issuer: caCert.subjectName, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 3_600_000), signingKey, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams, extensions, entries });
      const ours = encodeTbsCertList(template, {
        thisUpdate: NOW,
        nextUpdate: new Date(NOW.getTime() + 3_600_000),
        extensionsDer: extensions.map((extension) => new Uint8Array(extension.rawData)),
        entries: entries.map((entry) => ({ serialNumberHex: entry.serialNumber, revocationDate: entry.revocationDate, reasonCode: entry.reason })),
      });
      const libraryTbs = Buffer.from(AsnConvert.serialize(AsnConvert.parse(library.rawData, CertificateList).tbsCertList));
      expect(ours.toString('hex'), `${entries.length} entries`).to.equal(libraryTbs.toString('hex'));
    }
  });

  it('round-trips CA material: two loads give the same CA and both issue certificates that chain to it', async () => {
    const stored = await createCaMaterial({ commonName: 'AMC CA restart', now: new Date(NOW.getTime() - DAY) });
    const first = await loadCertificateAuthority(stored, {});
    const second = await loadCertificateAuthority(JSON.parse(JSON.stringify(stored)) as CaMaterial, {});
    const anchor = new X509Certificate(stored.certificatePem);
    for (const loaded of [first, second]) {
      const thumbprint = await new X509Certificate(loaded.certificateDer).getThumbprint('SHA-256');
      expect(Buffer.from(thumbprint)).to.deep.equal(Buffer.from(await anchor.getThumbprint('SHA-256')));
      const { csrPem } = await createAgentKeyAndCsr();
      const { certificatePem } = await loaded.issue(issueRequest(csrPem));
      const chain = await new X509ChainBuilder({ certificates: [anchor] }).build(new X509Certificate(certificatePem));
      expect(chain).to.have.length(2);
      expect(await verifyChain(certificatePem, [stored.certificatePem], { at: NOW })).to.equal(true);
      expect(new X509Certificate(certificatePem).getExtension(CRLDistributionPointsExtension)).to.equal(null);
    }
  });

  it('refuses CA material whose private key does not belong to the certificate', async () => {
    const a = await createCaMaterial({ commonName: 'A' });
    const b = await createCaMaterial({ commonName: 'B' });
    let failed = false;
    try { await loadCertificateAuthority({ certificatePem: a.certificatePem, privateKeyPkcs8Pem: b.privateKeyPkcs8Pem }, {}); } catch { failed = true; }
    expect(failed).to.equal(true);
  });

  it('importPrivateKeyPem gives a key that signs for the agent certificate key', async () => {
    const agent = await createAgentKeyAndCsr();
    const key = await importPrivateKeyPem(agent.privateKeyPkcs8Pem);
    const data = new TextEncoder().encode('proof');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, agent.keys.publicKey, signature, data)).to.equal(true);
  });

  it('refuses an issue request with a malformed AIC or serial number before signing anything', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    for (const bad of [{ aic: 'x, O=evil' }, { serialNumberHex: '00' }, { serialNumberHex: 'ab'.repeat(21) }, { serialNumberHex: 'xyz1' }]) {
      let error: unknown;
      try { await ca.issue({ ...issueRequest(csrPem), ...bad }); } catch (e) { error = e; }
      expect(error).to.be.instanceOf(RangeError);
    }
  });
});
