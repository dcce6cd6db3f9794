/**
 * The N1 route without its fast path: served by express and its OpenAPI validator, as when the
 * AMF's app is mounted on its own. The answers are the same NAS messages; refusals are 4xx
 * ProblemDetails (the validator's detail is longer: it lists each message type's objection).
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerByHand, sendNas, startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';

describe('AMF N1 route through express (no fast path)', () => {
  let core: TestAmfCore;
  let server: Server;
  let n1Url: string;
  before(async () => {
    core = await startTestAmfCore();
    server = createServer(core.amf.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    n1Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/namf-nas/v1/n1-messages`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await core.close();
  });

  it('runs a whole registration and answers REGISTRATION COMPLETE with 204', async () => {
    const session = await registerByHand(n1Url, 'imsi-001010000080001');
    expect(session.accept.messageType).to.equal('REGISTRATION_ACCEPT');
    expect((await core.amf.service.ueContext('imsi-001010000080001'))!.registrationComplete).to.equal(true);
  });

  it('answers a NAS reject with 200 and a refused message with 400', async () => {
    const rejected = await sendNas(n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-999990000000001' });
    expect(rejected.status).to.equal(200);
    expect(rejected.body).to.include({ messageType: 'REGISTRATION_REJECT', fiveGmmCause: 9 });
    const refused = await sendNas(n1Url, { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-001010000080001', imei: '1' });
    expect(refused.status).to.equal(400);
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });
});
