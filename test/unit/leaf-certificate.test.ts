import 'reflect-metadata';
import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { createCaMaterial } from '../../nfs/amc/certificate-authority.ts';
import { encodeTbsCertificate, signLeafCertificate, subjectKeyIdentifierDer, uriSubjectAltNameDer } from '../../nfs/amc/leaf-certificate.ts';
import { createAgentKeyAndCsr, importPrivateKeyPem } from '../../nfs/shared/agent-credentials.ts';
import { checkCsrPem } from '../../nfs/shared/csr.ts';

const ECDSA_WITH_SHA256_DER = Buffer.from('300a06082a8648ce3d040302', 'hex');

describe('leaf certificate encoding', () => {
  it('encodes the same TBSCertificate as @peculiar/x509 for the same fields, across serials, names and validity dates', async () => {
    const material = await createCaMaterial({ commonName: 'AMC CA parity' });
    const caCert = new X509Certificate(material.certificatePem);
    const signingKey = await importPrivateKeyPem(material.privateKeyPkcs8Pem);
    const { csrPem } = await createAgentKeyAndCsr();
    const { publicKeySpkiSha256 } = checkCsrPem(csrPem);
    const csr = new Pkcs10CertificateRequest(csrPem);
    const cases = [
      { serialNumberHex: '4a0f0e1d2c3b4a59687766554433221a', commonName: '1.2.156.3088.1.2.1.1.1.0O41', notBefore: new Date('2026-06-01T12:00:00.789Z'), notAfter: new Date('2026-07-01T12:00:00Z') },
      // a set top bit gains a 0x00 octet, leading zeros go; a non-printable name is UTF8String; 2050 onwards is GeneralizedTime
      { serialNumberHex: '00ff01', commonName: 'agent_é', notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('2050-01-01T00:00:00Z') },
    ];
    for (const fields of cases) {
      const extensions = [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new AuthorityKeyIdentifierExtension(caCert.getExtension(SubjectKeyIdentifierExtension)!.keyId),
        new SubjectAlternativeNameExtension([{ type: 'url', value: `acps://${fields.commonName}` }], false),
        new SubjectKeyIdentifierExtension(publicKeySpkiSha256),
      ];
      const reference = await X509CertificateGenerator.create({
        serialNumber: fields.serialNumberHex,
        subject: [{ CN: [fields.commonName] }],
        issuer: caCert.subjectName,
        notBefore: fields.notBefore,
        notAfter: fields.notAfter,
        publicKey: csr.publicKey,
        signingKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
        extensions,
      });
      const ours = encodeTbsCertificate(
        { issuerDer: new Uint8Array(caCert.subjectName.toArrayBuffer()), signatureAlgorithmDer: ECDSA_WITH_SHA256_DER },
        {
          ...fields,
          spkiDer: new Uint8Array(csr.publicKey.rawData),
          extensionsDer: [
            ...extensions.slice(0, 3).map((extension: Extension) => new Uint8Array(extension.rawData)),
            uriSubjectAltNameDer(`acps://${fields.commonName}`),
            subjectKeyIdentifierDer(Buffer.from(publicKeySpkiSha256, 'hex')),
          ],
        },
      );
      const referenceTbs = Buffer.from(AsnConvert.serialize(AsnConvert.parse(reference.rawData, Certificate).tbsCertificate));
      expect(ours.toString('hex')).to.equal(referenceTbs.toString('hex'));
    }
  });

  it('signs a certificate that @peculiar/x509 parses and verifies with the CA key, and that another key does not verify', async () => {
    const material = await createCaMaterial({ commonName: 'AMC CA signing' });
    const other = await createCaMaterial({ commonName: 'AMC CA signing' });
    const { csrPem } = await createAgentKeyAndCsr();
    const { spkiDer } = checkCsrPem(csrPem);
    const caCert = new X509Certificate(material.certificatePem);
    const der = signLeafCertificate(
      { issuerDer: new Uint8Array(caCert.subjectName.toArrayBuffer()), signatureAlgorithmDer: ECDSA_WITH_SHA256_DER, hash: 'sha256', signingKey: createPrivateKey(material.privateKeyPkcs8Pem) },
      { serialNumberHex: '01', commonName: '1.2.156.3088.1.2.1.1.1.0O41', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), spkiDer, extensionsDer: [uriSubjectAltNameDer('acps://1.2.156.3088.1.2.1.1.1.0O41')] },
    );
    const leaf = new X509Certificate(new Uint8Array(der));
    expect(leaf.subjectName.getField('CN')).to.deep.equal(['1.2.156.3088.1.2.1.1.1.0O41']);
    expect(leaf.issuer).to.equal(caCert.subject);
    expect(await leaf.verify({ publicKey: caCert, signatureOnly: true })).to.equal(true);
    expect(await leaf.verify({ publicKey: new X509Certificate(other.certificatePem), signatureOnly: true })).to.equal(false);
  });
});
