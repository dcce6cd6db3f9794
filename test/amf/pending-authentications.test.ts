import { expect } from 'chai';
import { sendNas, startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';

describe('AMF: pending authentications cannot pile up', function () {
  this.timeout(20_000);
  let core: TestAmfCore;
  before(async () => {
    core = await startTestAmfCore();
  });
  after(() => core.close());

  it('keeps one pending challenge per SUPI however many REGISTRATION REQUESTs come, and the latest one still works', async () => {
    const supi = 'imsi-001010000004001';
    for (let i = 0; i < 50; i++) {
      const answer = await sendNas(core.n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi });
      expect(answer.body.messageType).to.equal('AUTHENTICATION_REQUEST');
    }
    expect(await core.store.collection('amf.authentications').countDocuments({ supi })).to.equal(1);
    const registration = await createUeClient({ nrfUri: core.nrfUrl, amfUri: `${core.amfUrl}/namf-nas/v1`, supi, hasAgent: false }).register();
    expect(registration.guti).to.be.a('string');
  });
});
