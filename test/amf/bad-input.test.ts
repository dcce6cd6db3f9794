/**
 * What the AMF does with every kind of bad input: NAS rejects with TS 24.501 5GMM causes for
 * well-formed messages it cannot accept, 403 for protected messages that fail the integrity or
 * replay check (TS 24.501 clause 4.4.4.3: discarded), 4xx ProblemDetails for messages that cannot
 * be decoded. None of them stores anything, none is a 5xx, and the AMF keeps serving.
 */
import { expect } from 'chai';
import { authenticationResponse, demoMasterSecret, subscriberKey } from '../../nfs/shared/ue-keys.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';
import { intentMessage, registerByHand, sendNas, startTestAmfCore, testClock, type TestAmfCore } from '../support/amf-harness.ts';
import { startIntentAgentStub, type IntentAgentStub } from '../support/amf-intent-agent-stub.ts';

describe('AMF refusals of bad input', () => {
  const clock = testClock();
  let core: TestAmfCore;
  let stub: IntentAgentStub;
  before(async () => {
    core = await startTestAmfCore({ amf: { now: clock.now } });
    stub = await startIntentAgentStub();
    await stub.register(core.agwUrl);
  });
  after(async () => {
    await stub.close();
    await core.close();
  });

  const contexts = () => core.store.collection('amf.ue-contexts').countDocuments({});
  const pendingAuthentications = () => core.store.collection('amf.authentications').countDocuments({});
  const challenge = async (supi: string) => (await sendNas(core.n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi })).body;
  const respond = (authenticationContextId: string, res: string) => sendNas(core.n1Url, { messageType: 'AUTHENTICATION_RESPONSE', authenticationContextId, res });

  describe('registration', () => {
    it('rejects an unknown SUPI with #9 and stores nothing', async () => {
      const [before, pending] = [await contexts(), await pendingAuthentications()];
      const answer = await sendNas(core.n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-999990000000001' });
      expect(answer.status).to.equal(200);
      expect(answer.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 9, causeName: 'UE identity cannot be derived by the network' });
      expect(answer.body).to.not.have.property('securityHeader');
      expect([await contexts(), await pendingAuthentications()]).to.deep.equal([before, pending]);
    });

    it('rejects a wrong RES with #3, stores no context, and lets the challenge be answered only once', async () => {
      const before = await contexts();
      const { authenticationContextId, rand } = await challenge('imsi-001010000070001');
      const wrongKey = subscriberKey('not-the-network-master-secret', 'imsi-001010000070001');
      const failed = await respond(authenticationContextId, authenticationResponse(wrongKey, rand));
      expect(failed.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 3, causeName: 'Illegal UE' });
      expect(await contexts()).to.equal(before);
      const retried = await respond(authenticationContextId, authenticationResponse(subscriberKey(demoMasterSecret, 'imsi-001010000070001'), rand));
      expect(retried.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 111 });
      expect(await contexts()).to.equal(before);
    });

    it('rejects a replayed AUTHENTICATION RESPONSE with #111 and leaves the registration it made alone', async () => {
      const { authenticationContextId, rand } = await challenge('imsi-001010000070002');
      const res = authenticationResponse(subscriberKey(demoMasterSecret, 'imsi-001010000070002'), rand);
      const accepted = await respond(authenticationContextId, res);
      expect(accepted.body.messageType).to.equal('REGISTRATION_ACCEPT');
      const replayed = await respond(authenticationContextId, res);
      expect(replayed.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 111 });
      expect((await core.amf.service.ueContext('imsi-001010000070002'))!.guti).to.equal(accepted.body.guti);
    });

    it('rejects an answer to a challenge that lapsed with #111', async () => {
      const { authenticationContextId, rand } = await challenge('imsi-001010000070003');
      clock.advance(31_000);
      const late = await respond(authenticationContextId, authenticationResponse(subscriberKey(demoMasterSecret, 'imsi-001010000070003'), rand));
      expect(late.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 111 });
      expect(await core.amf.service.ueContext('imsi-001010000070003')).to.equal(null);
    });

    it('makes a UE with the wrong K fail: the simulator reports the reject', async () => {
      const client = createUeClient({ nrfUri: core.nrfUrl, supi: 'imsi-001010000070004', masterSecret: 'a-master-secret-the-network-lacks', hasAgent: false });
      await client.register().then(
        () => expect.fail('registered with the wrong K'),
        (error: Error) => expect(error.message).to.match(/REGISTRATION_REJECT #3 Illegal UE/),
      );
    });
  });

  describe('NAS security of protected messages', () => {
    const ulCount = async (supi: string) => (await core.amf.service.ueContext(supi))!.security!.ulCount;

    it('discards a message with a forged MAC (403) without spending its NAS COUNT', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070010');
      const genuine = session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' }) as { securityHeader: { mac: string } };
      const forged = { ...genuine, securityHeader: { ...genuine.securityHeader, mac: genuine.securityHeader.mac.startsWith('A') ? `B${genuine.securityHeader.mac.slice(1)}` : `A${genuine.securityHeader.mac.slice(1)}` } };
      const counted = await ulCount('imsi-001010000070010');
      const answer = await sendNas(core.n1Url, forged);
      expect(answer.status).to.equal(403);
      expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(answer.body).to.include({ cause: 'INTEGRITY_CHECK_FAILED' });
      expect(answer.body.detail).to.match(/integrity check.*discarded/);
      expect(await ulCount('imsi-001010000070010')).to.equal(counted);
      expect((await sendNas(core.n1Url, genuine)).body.messageType).to.equal('SERVICE_ACCEPT');
    });

    it('discards a message altered after it was protected (the MAC covers every field)', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070011');
      const message = intentMessage(session, { text: 'check my signal' }) as { payloadContainer: { text: string } };
      const altered = { ...message, payloadContainer: { text: 'revoke every agent' } };
      const answer = await sendNas(core.n1Url, altered);
      expect(answer.status).to.equal(403);
      expect(stub.received.map((received) => received.text)).to.not.include('revoke every agent');
    });

    it('discards a replayed message, and one with an older NAS COUNT (403 NAS_COUNT_REPLAYED)', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070012');
      const older = session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' });
      const newer = session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'DATA' });
      expect((await sendNas(core.n1Url, newer)).body.messageType).to.equal('SERVICE_ACCEPT');
      const replayed = await sendNas(core.n1Url, newer);
      expect(replayed.status).to.equal(403);
      expect(replayed.body.cause).to.equal('NAS_COUNT_REPLAYED');
      expect((await sendNas(core.n1Url, older)).status).to.equal(403);
    });

    it('discards a message under another ngKSI', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070013');
      session.ngKsi = (session.ngKsi + 1) % 7;
      expect((await sendNas(core.n1Url, session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' }))).status).to.equal(403);
    });
  });

  describe('intents the AMF cannot take', () => {
    const ghost = { messageType: 'UL_NAS_TRANSPORT', guti: '5g-guti-00101cafe00deadbeef', payloadContainerType: 'INTENT', payloadContainer: { text: 'hello' }, securityHeader: { ngKsi: 1, nasCount: 0, mac: 'A'.repeat(43) } };

    it('answers an intent before any registration with an unprotected 5GMM STATUS #9, and stores nothing', async () => {
      const before = await contexts();
      const answer = await sendNas(core.n1Url, ghost);
      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.equal({ messageType: '5GMM_STATUS', fiveGmmCause: 9, causeName: 'UE identity cannot be derived by the network', detail: 'no UE context has this 5G-GUTI: register first' });
      expect(await contexts()).to.equal(before);
    });

    it('answers an intent before REGISTRATION COMPLETE with #98', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070020', { complete: false });
      const answer = await sendNas(core.n1Url, intentMessage(session, { text: 'hello' }));
      expect(answer.body).to.include({ messageType: '5GMM_STATUS', fiveGmmCause: 98 });
      expect(answer.body.detail).to.match(/REGISTRATION COMPLETE/);
    });

    it('answers an intent after deregistration with #10', async () => {
      const session = await registerByHand(core.n1Url, 'imsi-001010000070021');
      expect((await sendNas(core.n1Url, session.protect({ messageType: 'DEREGISTRATION_REQUEST' }))).body.messageType).to.equal('DEREGISTRATION_ACCEPT');
      const answer = await sendNas(core.n1Url, intentMessage(session, { text: 'hello' }));
      expect(answer.body).to.include({ messageType: '5GMM_STATUS', fiveGmmCause: 10, causeName: 'Implicitly de-registered' });
      const service = await sendNas(core.n1Url, session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' }));
      expect(service.body).to.include({ messageType: 'SERVICE_REJECT', fiveGmmCause: 10 });
    });

    for (const [what, payloadContainer, param, reason] of [
      ['an empty text', { text: '' }, '/payloadContainer/text', 'must NOT have fewer than 1 characters'],
      ['a blank text', { text: ' \n\t ' }, '/payloadContainer/text', 'must match pattern "\\S"'],
      ['a 100 KB text', { text: 'x'.repeat(100 * 1024) }, '/payloadContainer/text', 'must NOT have more than 2000 characters'],
      ['both text and an operator intent', { text: 'a', operatorIntent: { intentExpectations: [] } }, '/payloadContainer', 'must NOT have more than 1 properties'],
      ['no intent at all', {}, '/payloadContainer', 'must NOT have fewer than 1 properties'],
    ] as const) {
      it(`refuses ${what} with 400 naming the field, forwards nothing and spends no NAS COUNT`, async () => {
        const session = await registerByHand(core.n1Url, 'imsi-001010000070030');
        const forwarded = stub.received.length;
        const answer = await sendNas(core.n1Url, intentMessage(session, payloadContainer));
        expect(answer.status).to.equal(400);
        expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(answer.body.invalidParams).to.deep.include({ param, reason });
        expect(stub.received.length).to.equal(forwarded);
        session.nextCount -= 1;
        expect((await sendNas(core.n1Url, intentMessage(session, { text: 'hello' }))).body.messageType).to.equal('DL_NAS_TRANSPORT');
      });
    }
  });

  describe('messages that cannot be decoded', () => {
    const raw = (body: string, contentType = 'application/json') => fetch(core.n1Url, { method: 'POST', headers: { 'content-type': contentType }, body });

    for (const [what, message, param] of [
      ['an unknown message type', { messageType: 'IDENTITY_RESPONSE', supi: 'imsi-001010000000001' }, '/'],
      ['a missing field', { messageType: 'REGISTRATION_REQUEST', supi: 'imsi-001010000000001' }, '/registrationType'],
      ['an unknown field', { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-001010000000001', imei: '1' }, '/imei'],
      ['a malformed SUPI', { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-12' }, '/supi'],
      ['a downlink message sent uplink', { messageType: 'SERVICE_ACCEPT', securityHeader: { ngKsi: 0, nasCount: 0, mac: 'A'.repeat(43) } }, '/'],
      ['a NAS COUNT beyond 24 bits', { ...intentFor('5g-guti-00101cafe00deadbeef'), securityHeader: { ngKsi: 0, nasCount: 2 ** 24, mac: 'A'.repeat(43) } }, '/securityHeader/nasCount'],
      ['an array', [], '/'],
    ] as const) {
      it(`refuses ${what} with 400 naming ${param}`, async () => {
        const answer = await sendNas(core.n1Url, message);
        expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
        expect(answer.body.invalidParams.map((invalid: { param: string }) => invalid.param)).to.include(param);
        expect(answer.body.invalidParams).to.have.length.below(3);
      });
    }

    it('refuses a body that is not JSON (400), of another media type (415), over 1 MB (413), and a GET (405)', async () => {
      const notJson = await raw('{"messageType":');
      expect([notJson.status, (await notJson.json()).cause]).to.deep.equal([400, 'INVALID_MSG_FORMAT']);
      expect((await raw('messageType=REGISTRATION_REQUEST', 'text/plain')).status).to.equal(415);
      expect((await raw(JSON.stringify({ messageType: 'REGISTRATION_REQUEST', padding: 'x'.repeat(1100 * 1024) }))).status).to.equal(413);
      const get = await fetch(core.n1Url);
      expect(get.status).to.equal(405);
      expect(get.headers.get('allow')).to.equal('POST');
    });
  });

  // Mocha runs a describe's own tests before its nested ones: this one goes last in a describe of its own.
  describe('afterwards', () => {
  it('keeps serving after all of it, with one context per registration that succeeded', async () => {
    const client = createUeClient({ nrfUri: core.nrfUrl, supi: 'imsi-001010000000401' });
    await client.register();
    expect((await client.sendIntent('is my broadband line ok?')).outcome).to.equal('completed');
    const stored = (await core.store.collection<{ _id: string }>('amf.ue-contexts').find({})).map((context) => context._id);
    expect(stored).to.not.include.members(['imsi-999990000000001', 'imsi-001010000070001', 'imsi-001010000070003', 'imsi-001010000070004']);
    expect(stored).to.include.members(['imsi-001010000070002', 'imsi-001010000070010', 'imsi-001010000000401']);
  });
  });
});

function intentFor(guti: string) {
  return { messageType: 'UL_NAS_TRANSPORT', guti, payloadContainerType: 'INTENT', payloadContainer: { text: 'hello' } };
}
