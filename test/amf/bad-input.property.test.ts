/**
 * Property: every uplink message that namf-nas.yaml refuses is answered 4xx with
 * application/problem+json by a real AMF, never a 5xx, and stores nothing. Messages are valid ones
 * of each type with a member dropped, added or replaced by any JSON value, or any JSON at all;
 * only those the schema refuses are sent (the valid rest is the other tests' business).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { compileBodyCheck, type BodyCheck } from '../../nfs/shared/schema-validator.ts';
import { refusalProbe } from '../support/malformed-requests.ts';
import { startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';

const securityHeader = { ngKsi: 1, nasCount: 0, mac: 'A'.repeat(43) };
const guti = '5g-guti-00101cafe0012345678';
const valid: Record<string, unknown>[] = [
  { messageType: 'REGISTRATION_REQUEST', registrationType: 'INITIAL', supi: 'imsi-001010000000001' },
  { messageType: 'AUTHENTICATION_RESPONSE', authenticationContextId: 'A'.repeat(22), res: '0'.repeat(64) },
  { messageType: 'REGISTRATION_COMPLETE', guti, securityHeader },
  { messageType: 'DEREGISTRATION_REQUEST', guti, securityHeader },
  { messageType: 'SERVICE_REQUEST', guti, serviceType: 'SIGNALLING', securityHeader },
  { messageType: 'UL_NAS_TRANSPORT', guti, payloadContainerType: 'INTENT', payloadContainer: { text: 'hello' }, securityHeader },
];

const template = fc.constantFrom(...valid);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const malformed = fc.oneof(
  template.chain((message) => fc.constantFrom(...Object.keys(message)).map((name) => Object.fromEntries(Object.entries(message).filter(([key]) => key !== name)))),
  template.chain((message) => fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), anyJson).map(([name, value]) => ({ ...message, [name]: value }))),
  template.chain((message) => fc.tuple(fc.constantFrom(...Object.keys(message)), anyJson).map(([name, value]) => ({ ...message, [name]: value }))),
  template.chain((message) => anyJson.map((value) => ({ ...message, securityHeader: { ...securityHeader, nasCount: value } }))),
  template.chain((message) => anyJson.map((value) => ({ ...message, payloadContainer: value }))),
  anyJson,
);

describe('AMF refuses every malformed uplink message (property)', () => {
  let core: TestAmfCore;
  let uplink: BodyCheck;
  before(async () => {
    core = await startTestAmfCore();
    uplink = await compileBodyCheck('namf-nas.yaml', 'UplinkNasMessage', { discriminator: true });
  });
  after(async () => {
    await core.close();
  });

  it('answers 4xx problem+json and stores nothing', async () => {
    const counts = () => Promise.all(['amf.ue-contexts', 'amf.authentications', 'agw.agents'].map((name) => core.store.collection(name).countDocuments({})));
    const before = await counts();
    const probe = refusalProbe(() => core.amfUrl);
    await fc.assert(
      fc.asyncProperty(malformed, async (message) => {
        fc.pre(uplink(message).length > 0);
        await probe.refused({ label: 'malformed uplink', method: 'POST', path: '/namf-nas/v1/n1-messages', contentType: 'application/json', body: JSON.stringify(message) });
      }),
      { numRuns: 300 },
    );
    expect(probe.sent()).to.be.above(100);
    expect(await counts()).to.deep.equal(before);
  });
});
