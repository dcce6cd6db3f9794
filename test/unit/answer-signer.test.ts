import { expect } from 'chai';
import { compactVerify, createLocalJWKSet } from 'jose';
import { createAnswerSigner } from '../../nfs/agw/answer-signer.ts';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';

describe('AGW answer signer', () => {
  it('writes the answer once with its JWS as a last member, byte for byte what encoding both would give', async () => {
    const signer = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const answer = { gatewayId: 'gw-1', validityPeriod: 30, agents: [{ aic: 'a', description: 'Café réseau, 東京 📶', load: 3 }] };
    const body = signer.signedJson(answer);
    const { signature, ...unsigned } = JSON.parse(body.toString('utf8')) as typeof answer & { signature: string };
    expect(unsigned).to.deep.equal(answer);
    expect(body.equals(Buffer.from(JSON.stringify({ ...answer, signature }), 'utf8'))).to.equal(true);
    const verified = await compactVerify(signature, createLocalJWKSet(signer.jwks()));
    expect(new TextDecoder().decode(verified.payload)).to.equal(JSON.stringify(answer));
    expect(verified.protectedHeader.alg).to.equal('ES256');
  });
});
