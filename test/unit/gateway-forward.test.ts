/** The gateway's word on a routed call (nfs/shared/gateway-forward.ts), signed as the AGW signs it. */
import { expect } from 'chai';
import { createAnswerSigner } from '../../nfs/agw/answer-signer.ts';
import { openAgwStore } from '../../nfs/agw/store.ts';
import { createForwardVerifier, forwardClaims } from '../../nfs/shared/gateway-forward.ts';
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
    const assertion = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', now));
    await verify(assertion, { agentAic: AGENT, callTokenId: 'jti-1' });
    expect((await refusal(verify(assertion, { agentAic: OTHER, callTokenId: 'jti-1' }))).cause, 'another agent').to.equal('FORWARD_NOT_VOUCHED');
    expect((await refusal(verify(assertion, { agentAic: AGENT, callTokenId: 'jti-2' }))).cause, 'another call token').to.equal('FORWARD_NOT_VOUCHED');
    expect((await refusal(verify(undefined, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'none').to.equal('FORWARD_NOT_VOUCHED');
    const expired = await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', now - 120_000));
    expect((await refusal(verify(expired, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'expired').to.equal('FORWARD_NOT_VOUCHED');
    const forged = await stranger.sign(forwardClaims('agw-1', AGENT, 'jti-1', now));
    expect((await refusal(verify(forged, { agentAic: AGENT, callTokenId: 'jti-1' }))).cause, 'another key').to.equal('FORWARD_NOT_VOUCHED');
  });

  it('asks for the key set afresh once when the one it holds has no matching key (the gateway changed keys)', async () => {
    const signer = await createAnswerSigner(await openAgwStore(createEmbeddedStore(), 3600));
    const asked: boolean[] = [];
    const verify = createForwardVerifier(async (fresh) => {
      asked.push(fresh);
      return fresh ? signer.jwks() : { keys: [] };
    });
    await verify(await signer.sign(forwardClaims('agw-1', AGENT, 'jti-1', Date.now())), { agentAic: AGENT, callTokenId: 'jti-1' });
    expect(asked).to.deep.equal([false, true]);
  });
});
