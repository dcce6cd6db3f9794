/** The gateway's word on a routed call (nfs/shared/gateway-forward.ts), signed as the AGW signs it. */
import { expect } from 'chai';
import { createAnswerSigner } from '../../nfs/agw/answer-signer.ts';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createForwardVerifier, FORWARD_TYPE, forwardClaims } from '../../nfs/shared/gateway-forward.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { refusal } from '../support/refusal.ts';

const AGENT = '1.2.156.3088.1.2.1.1.2.0O41';
const OTHER = '1.2.156.3088.1.2.1.1.1.0O41';

describe("the gateway's forward assertion", () => {
  it('holds for the agent and call token it names, and for no other, nor once expired, nor when signed by another key', async () => {
    const signer = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const stranger = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const verify = createForwardVerifier(async () => signer.jwks());
    const now = Date.now();
    const assertion = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', now), FORWARD_TYPE);
    await verify(assertion, { agentAic: AGENT, callTokenId: 'jti-1' });
    expect((await refusal(verify(assertion, { agentAic: OTHER, callTokenId: 'jti-1' }))).cause, 'another agent').to.equal('FORWARD_NOT_VOUCHED');
    expect((await refusal(verify(assertion, { agentAic: AGENT, callTokenId: 'jti-2' }))).cause, 'another call token').to.equal('FORWARD_NOT_VOUCHED');
    expect((await refusal(verify(undefined, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'none').to.equal('FORWARD_NOT_VOUCHED');
    const expired = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', now - 120_000), FORWARD_TYPE);
    expect((await refusal(verify(expired, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'expired').to.equal('FORWARD_NOT_VOUCHED');
    const forged = await stranger.sign(forwardClaims('agw-1', AGENT, 'jti-1', now), FORWARD_TYPE);
    expect((await refusal(verify(forged, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'another key').to.equal('FORWARD_NOT_VOUCHED');
  });

  it('asks for the key set afresh when an assertion does not verify with the one it holds (the gateway changed keys), at most once in 5 s', async () => {
    const signer = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const previous = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const asked: boolean[] = [];
    let clock = Date.now();
    const verify = createForwardVerifier(async (fresh) => {
      asked.push(fresh);
      // The same key id, another key: what a gateway whose store was reset publishes.
      return fresh ? signer.jwks() : previous.jwks();
    }, () => clock);
    const assertion = (jti: string) => signer.sign(forwardClaims('agw-1', AGENT, jti, clock), FORWARD_TYPE);
    await verify(await assertion('jti-1'), { agentAic: AGENT, callTokenId: 'jti-1' });
    expect(asked).to.deep.equal([false, true]);
    expect((await refusal(verify(await assertion('jti-2'), { agentAic: AGENT, callTokenId: 'jti-2' }))).cause, 'within 5 s of the last fetch').to.equal('FORWARD_NOT_VOUCHED');
    expect(asked).to.deep.equal([false, true, false]);
    clock += 5_000;
    await verify(await assertion('jti-3'), { agentAic: AGENT, callTokenId: 'jti-3' });
    expect(asked).to.deep.equal([false, true, false, false, true]);
  });

  it('answers 503 when the key set cannot be had, and refuses a JWS of the gateway that is not a forward assertion', async () => {
    const signer = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const away = createForwardVerifier(async () => {
      throw new Error('the AGW is unreachable');
    });
    const assertion = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', Date.now()), FORWARD_TYPE);
    const unavailable = await refusal(away(assertion, { agentAic: AGENT, callTokenId: 'jti-1' }));
    expect([unavailable.status, unavailable.cause]).to.deep.equal([503, 'GATEWAY_KEYS_UNAVAILABLE']);
    // The same claims signed as the gateway signs its discovery answers (no typ).
    const untyped = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', Date.now()));
    const verify = createForwardVerifier(async () => signer.jwks());
    expect((await refusal(verify(untyped, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause).to.equal('FORWARD_NOT_VOUCHED');
  });
});
