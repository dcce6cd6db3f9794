/**
 * requester-proof.ts on its own: a real certificate from a real CA for a real key, the gateway's
 * directory and the NRF's token check stood in for by functions.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { createCaMaterial, loadCertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import { createRequesterProof } from '../../nfs/agw/requester-proof.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createAgentCallSigner } from '../../nfs/shared/agent-auth.ts';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import type { AccessTokenClaims } from '../../nfs/shared/access-token-guard.ts';

const DAY = 86_400_000;

describe('requester proof (nfs/agw/requester-proof.ts)', () => {
  const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'Q', entitySerial: '1' });
  let certificatePem: string;
  let privateKey: CryptoKey;
  let clock: number;
  const nfTokens: string[] = [];

  const proof = () =>
    createRequesterProof({
      verifyAccessToken: async (token) => {
        nfTokens.push(token);
        return { iss: 'nrf', sub: 'nf-1', aud: 'AGW', scope: 'nagw-disc', exp: 0 } satisfies AccessTokenClaims;
      },
      registeredCredential: async (asked) => (asked === aic ? { certificatePem, credentialSerial: '01' } : undefined),
      saltHex: defaultAicScheme.saltHex,
      audiences: ['AGW', 'agw-instance'],
      now: () => clock,
    });
  const refusal = (error: { status?: number; cause?: string }) => [error.status, error.cause];

  before(async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'requester proof test CA' }));
    const key = await createAgentKeyAndCsr();
    privateKey = key.keys.privateKey;
    certificatePem = (await ca.issue({ csrPem: key.csrPem, aic, serialNumberHex: '01', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 10 * DAY) })).certificatePem;
  });
  beforeEach(() => {
    clock = Date.now();
  });

  it("takes the requester's token for the AIC as named, in another spelling too, and its issuer when none is named", async () => {
    const token = await createAgentCallSigner({ aic, certificatePem, privateKey }).signRequester();
    const checker = proof();
    expect(await checker.discoveryRequester(aic, `Bearer ${token}`)).to.equal(aic);
    expect(await checker.discoveryRequester(aic.toLowerCase(), `bearer ${token}`), 'as written, for the cache key').to.equal(aic.toLowerCase());
    expect(await checker.discoveryRequester(undefined, `Bearer ${token}`)).to.equal(aic);
  });

  it('refuses a token once the registered certificate has expired, though it was taken before', async () => {
    const checker = proof();
    const token = await createAgentCallSigner({ aic, certificatePem, privateKey }).signRequester();
    expect(await checker.discoveryRequester(aic, `Bearer ${token}`)).to.equal(aic);
    clock += 11 * DAY;
    const late = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'agent-requester+jwt' }).setIssuer(aic).setSubject(aic).setAudience('AGW').setIssuedAt(Math.floor(clock / 1000)).setExpirationTime(Math.floor(clock / 1000) + 60).sign(privateKey);
    for (const sent of [token, late]) {
      expect(await checker.discoveryRequester(aic, `Bearer ${sent}`).then(() => 'taken', refusal)).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN']);
    }
  });

  it('takes a verified token no longer than its certificate is valid, though the token itself is', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'short-lived test CA' }));
    const key = await createAgentKeyAndCsr();
    const shortLived = (await ca.issue({ csrPem: key.csrPem, aic, serialNumberHex: '02', notBefore: new Date(clock - DAY), notAfter: new Date(clock + 30_000) })).certificatePem;
    const checker = createRequesterProof({
      verifyAccessToken: async () => { throw new Error('not an NRF token'); },
      registeredCredential: async () => ({ certificatePem: shortLived, credentialSerial: '02' }),
      saltHex: defaultAicScheme.saltHex,
      audiences: ['AGW'],
      now: () => clock,
    });
    const seconds = Math.floor(clock / 1000);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'agent-requester+jwt' }).setIssuer(aic).setSubject(aic).setAudience('AGW').setIssuedAt(seconds).setExpirationTime(seconds + 100).sign(key.keys.privateKey);
    expect(await checker.discoveryRequester(aic, `Bearer ${token}`)).to.equal(aic);
    clock += 40_000; // the token has a minute left, its certificate none
    expect(await checker.discoveryRequester(aic, `Bearer ${token}`).then(() => 'taken', refusal)).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN']);
  });

  it('refuses a token without sub, or whose sub is not its issuer', async () => {
    const seconds = Math.floor(clock / 1000);
    const signed = (sub?: string) => {
      const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'agent-requester+jwt' }).setIssuer(aic).setAudience('AGW').setIssuedAt(seconds).setExpirationTime(seconds + 60);
      return (sub ? jwt.setSubject(sub) : jwt).sign(privateKey);
    };
    for (const token of [await signed(), await signed('someone-else')]) {
      expect(await proof().discoveryRequester(aic, `Bearer ${token}`).then(() => 'taken', refusal)).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN']);
    }
  });

  it("passes any other bearer token to the NRF's check, in either case of the scheme, and believes the requester it names", async () => {
    nfTokens.length = 0;
    expect(await proof().discoveryRequester(aic, 'bearer nrf.issued.token')).to.equal(aic);
    expect(nfTokens).to.deep.equal(['nrf.issued.token']);
  });
});
