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

  it('never throws anything but a CsrError for a CSR with any byte changed or cut short', async () => {
    const der = derOf((await createAgentKeyAndCsr()).csrPem);
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(der.length), (at, flip, cut) => {
        const changed = Buffer.from(der.subarray(0, Math.max(cut, at + 1)));
        changed[at] ^= flip;
        try {
          expect(csrKeySha256(pemOf(changed))).to.match(/^[0-9a-f]{64}$/);
        } catch (error) {
          expect(error).to.be.instanceOf(CsrError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
