import 'reflect-metadata';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { expect } from 'chai';
import fc from 'fast-check';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { checkCsrPem, CsrError } from '../../nfs/shared/csr.ts';
import { csrKeySha256 } from '../../nfs/shared/csr-key.ts';

const pemOf = (der: Uint8Array) => `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
const derOf = (csrPem: string) => Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

function refusalOf(csrPem: string): CsrError {
  try {
    csrKeySha256(csrPem);
  } catch (error) {
    expect(error).to.be.instanceOf(CsrError);
    return error as CsrError;
  }
  throw new Error('csrKeySha256 took it');
}

describe("the gateway's reading of a CSR's key (no proof of possession)", () => {
  it('reads the key the full check reads, for every key type the policy knows', async () => {
    const agent = await createAgentKeyAndCsr();
    const pems = [agent.csrPem];
    const kinds: Array<[RsaHashedKeyGenParams | EcKeyGenParams | Algorithm, Algorithm | EcdsaParams]> = [
      [{ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams],
      [{ name: 'Ed25519' }, { name: 'Ed25519' }],
      [{ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams, { name: 'RSASSA-PKCS1-v1_5' }],
    ];
    for (const [generate, signingAlgorithm] of kinds) {
      const keys = (await crypto.subtle.generateKey(generate, false, ['sign', 'verify'])) as CryptoKeyPair;
      // A subject long enough for a two-octet length: the walk reads long-form lengths too.
      pems.push((await Pkcs10CertificateRequestGenerator.create({ name: [{ CN: ['x'.repeat(200)] }], keys, signingAlgorithm })).toString('pem'));
    }
    for (const pem of pems) expect(csrKeySha256(pem)).to.equal(checkCsrPem(pem).publicKeySpkiSha256);
    expect(csrKeySha256(agent.csrPem)).to.equal(agent.publicKeySpkiSha256);
  });

  it('reads the key of a CSR whose signature does not verify: the proof is the AMC\'s to check', async () => {
    const agent = await createAgentKeyAndCsr();
    const der = derOf(agent.csrPem);
    der[der.length - 1] ^= 0x01;
    expect(csrKeySha256(pemOf(der))).to.equal(agent.publicKeySpkiSha256);
  });

  it('refuses what is not a PEM CSR, and DER that does not reach a subjectPKInfo, as INVALID_CSR', async () => {
    const der = derOf((await createAgentKeyAndCsr()).csrPem);
    const retagged = Buffer.from(der);
    retagged[0] = 0x31; // a SET, not a SEQUENCE
    const inputs = ['', 'not a csr', 'A'.repeat(20_000), pemOf(Buffer.from('A'.repeat(120))), pemOf(der.subarray(0, 40)), pemOf(retagged), pemOf(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))];
    for (const input of inputs) expect(refusalOf(input).cause, input.slice(0, 40)).to.equal('INVALID_CSR');
  });

  it('refuses an element that runs past the one holding it, at every level down to the subjectPKInfo', () => {
    const nested = {
      'info longer than the request': '3005 3010 020100',
      'version past the info': '3006 3004 02050000',
      'subject past the info': '300a 3008 020100 3010 0000',
      'no subjectPKInfo in the info': '300a 3008 020100 3003 310100',
      'subjectPKInfo past the info': '300f 300d 020100 3000 3010 000000000000',
      'subjectPKInfo not a SEQUENCE': '300d 300b 020100 3000 0404 00000000',
    };
    for (const [what, hex] of Object.entries(nested)) expect(refusalOf(pemOf(Buffer.from(hex.replaceAll(' ', ''), 'hex'))).cause, what).to.equal('INVALID_CSR');
    expect(csrKeySha256(pemOf(Buffer.from('300f 300d 020100 3000 3006 000000000000'.replaceAll(' ', ''), 'hex'))), 'the same shape, in bounds').to.match(/^[0-9a-f]{64}$/);
  });

  it('is not alone in refusing a CSR whose outer element is not a SEQUENCE: the full check, whose signature covers only the inner one, refuses it too', async () => {
    const der = derOf((await createAgentKeyAndCsr()).csrPem);
    const retagged = pemOf(Buffer.from(der).map((byte, i) => (i === 0 ? 0xb0 : byte)));
    expect(refusalOf(retagged).cause).to.equal('INVALID_CSR');
    expect(() => checkCsrPem(retagged)).to.throw(CsrError).with.property('cause', 'INVALID_CSR');
  });

  it('for a CSR with any byte changed or cut short: refuses only with a CsrError, and a CSR the full check takes names the key it certifies', async () => {
    const der = derOf((await createAgentKeyAndCsr()).csrPem);
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(der.length), (at, flip, cut) => {
        const changed = pemOf(Buffer.from(der.subarray(0, Math.max(cut, at + 1))).map((byte, i) => (i === at ? byte ^ flip : byte)));
        let read: string | undefined;
        try {
          read = csrKeySha256(changed);
        } catch (error) {
          expect(error).to.be.instanceOf(CsrError);
        }
        let certified: string | undefined;
        try {
          certified = checkCsrPem(changed).publicKeySpkiSha256;
        } catch {
          return; // no proof of possession: the AMC refuses it, whatever key it names
        }
        expect(read, 'a CSR the AMC takes is read the same').to.equal(certified);
      }),
      { numRuns: 300 },
    );
  });
});
