/**
 * Registration with the AMF over the N1-like interface (TS 24.501 clause 5.5.1.2 with the
 * authentication of clause 5.4.1), the UE agent the AMF registers at the AGW on the UE's behalf,
 * and deregistration, through the UE simulator's client against a real NRF, AMC, AGW and AMF.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { X509Certificate, X509ChainBuilder } from '@peculiar/x509';
import { createAmf } from '../../nfs/amf/app.ts';
import { spkiSha256 } from '../../nfs/shared/agent-credentials.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf } from '../../nfs/shared/nf-host.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';
import type { ScenarioUe } from '../../ue-sim/scenario-runner.ts';
import { registerByHand, sendNas, startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('AMF registration and deregistration (TS 24.501 clauses 5.5.1.2, 5.4.1, 5.5.2.2)', () => {
  let core: TestAmfCore;
  let caPem: string;
  before(async () => {
    core = await startTestAmfCore();
    caPem = (await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body;
  });
  after(async () => {
    await core.close();
  });

  const agwAgent = (aic: string) => request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${aic}`);
  const ue = (supi: string, extra: Partial<Parameters<typeof createUeClient>[0]> = {}) => createUeClient({ nrfUri: core.nrfUrl, supi, ...extra });

  it('registers a UE with an agent: the accept carries a 5G-GUTI, the AIC, and a certificate for the UE key that chains to the AMC CA', async () => {
    const client = ue('imsi-001010000000001');
    const registration = await client.register();
    expect(registration.guti).to.match(/^5g-guti-00101cafe00[0-9a-f]{8}$/);
    expect(registration.ueAgent.status).to.equal('REGISTERED');
    expect(registration.aic).to.equal(registration.ueAgent.aic);
    expect(registration.ueAgent.registrationAccessToken).to.be.a('string').that.is.not.empty;
    expect(registration.ueAgent.capabilityIds).to.deep.equal(['/capability/ue-measurement']);
    expect(registration.intentConversionOnUe).to.equal(false);

    const certificate = new X509Certificate(registration.ueAgent.certificatePem!);
    const ca = new X509Certificate(caPem);
    const chain = await new X509ChainBuilder({ certificates: [ca] }).build(certificate);
    expect(chain.map((c) => c.subject)).to.deep.equal([certificate.subject, ca.subject]);
    expect(await certificate.verify({ publicKey: ca.publicKey, signatureOnly: true })).to.equal(true);
    // The key is the UE's own: the AMF forwarded the CSR and never saw a private key.
    expect(await spkiSha256(certificate.publicKey)).to.equal(client.agentKey()!.publicKeySpkiSha256);

    const atAgw = await agwAgent(registration.aic!);
    expect(atAgw.status).to.equal(200);
    expect(atAgw.body).to.include({ state: 'ACTIVE', cmState: 'CM-CONNECTED' });
    expect(atAgw.body.acs).to.deep.include({ kind: 'ue-agent', providerId: 'operator-amf', onBehalfOf: { supi: 'imsi-001010000000001' } });

    const context = await core.amf.service.ueContext('imsi-001010000000001');
    expect(context).to.deep.include({ rmState: 'RM-REGISTERED', cmState: 'CM-CONNECTED', guti: registration.guti, registrationComplete: true });
    expect(context!.ueAgent!.aic).to.equal(registration.aic);
  });

  it('tells a UE whose subscription converts intents on the UE so', async () => {
    const registration = await ue('imsi-001010000001500').register();
    expect(registration.intentConversionOnUe).to.equal(true);
    expect(registration.ueAgent.status).to.equal('REGISTERED');
  });

  it('registers a UE without an agent subscription without asking the AGW, even when the UE sends a CSR', async () => {
    const before = (await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations`)).body.length;
    const registration = await ue('imsi-001010000050000').register();
    expect(registration.ueAgent).to.deep.equal({ status: 'NOT_SUBSCRIBED' });
    expect(registration.aic).to.equal(undefined);
    expect((await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations`)).body.length).to.equal(before);
  });

  it('says NOT_REQUESTED when a subscriber with an agent registers from a UE that has none', async () => {
    const registration = await ue('imsi-001010000000002', { hasAgent: false }).register();
    expect(registration.ueAgent).to.deep.equal({ status: 'NOT_REQUESTED' });
  });

  it('registers the UE even when the AGW refuses its agent, and says why', async () => {
    const session = await registerByHand(core.n1Url, 'imsi-001010000000003', { ueAgent: { csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(200)}\n-----END CERTIFICATE REQUEST-----\n`, a2aUrl: 'http://127.0.0.1:9/a2a' } });
    expect(session.accept.ueAgent.status).to.equal('FAILED');
    expect(session.accept.ueAgent.detail).to.match(/AGW refused/);
    expect((await core.amf.service.ueContext('imsi-001010000000003'))!.ueAgent).to.equal(undefined);
  });

  it('deregisters the UE and its agent at the AGW; the context stays RM-DEREGISTERED', async () => {
    const client = ue('imsi-001010000000004');
    const { aic, guti } = await client.register();
    expect((await agwAgent(aic!)).status).to.equal(200);
    await client.deregister();
    expect(client.state().rmState).to.equal('RM-DEREGISTERED');
    expect((await agwAgent(aic!)).status).to.equal(404);
    const context = await core.amf.service.ueContext('imsi-001010000000004');
    expect(context).to.deep.include({ rmState: 'RM-DEREGISTERED', cmState: 'CM-IDLE', guti });
    expect(context!.ueAgent).to.equal(undefined);
  });

  it('replaces the UE agent on a new registration: the old one leaves the AGW, the same key is registered again', async () => {
    const client = ue('imsi-001010000000005');
    const first = await client.register();
    const second = await client.register();
    expect(second.guti).to.not.equal(first.guti);
    expect(second.ueAgent.status).to.equal('REGISTERED');
    expect(second.aic).to.not.equal(first.aic);
    expect((await agwAgent(first.aic!)).status).to.equal(404);
    expect((await agwAgent(second.aic!)).status).to.equal(200);
    // The old 5G-GUTI no longer names a context.
    const stale = await sendNas(core.n1Url, { messageType: 'SERVICE_REQUEST', guti: first.guti, serviceType: 'SIGNALLING', securityHeader: { ngKsi: 0, nasCount: 9, mac: 'A'.repeat(43) } });
    expect(stale.body).to.include({ messageType: 'SERVICE_REJECT', fiveGmmCause: 9 });
  });

  it('keeps registrations in the store: another AMF on it serves the UE by its 5G-GUTI and security context', async () => {
    const session = await registerByHand(core.n1Url, 'imsi-001010000060000');
    const second = await createAmf({ store: core.store, logger: createLogger({ nf: 'AMF', level: 'silent' }), nrfUri: core.nrfUrl, backgroundTimers: false });
    const listening = await listenNf(second, { host: '127.0.0.1', port: 0 });
    try {
      const answer = await sendNas(`${listening.apiRoot}/namf-nas/v1/n1-messages`, session.protect({ messageType: 'SERVICE_REQUEST', serviceType: 'SIGNALLING' }));
      expect(answer.status).to.equal(200);
      expect(answer.body.messageType).to.equal('SERVICE_ACCEPT');
    } finally {
      await listening.close();
    }
  });

  it('can be driven by the scenario runner as a ScenarioUe', async () => {
    const scenarioUe: ScenarioUe = ue('imsi-001010000060001', { hasAgent: false });
    expect(await scenarioUe.register()).to.not.have.property('aic');
    await scenarioUe.deregister();
  });

  it('reports the time each step took', async () => {
    const registration = await ue('imsi-001010000060002').register();
    expect(registration.timings).to.have.all.keys('agentKeyMs', 'authenticationMs', 'registrationMs');
    for (const ms of Object.values(registration.timings)) expect(ms).to.be.a('number').that.is.at.least(0);
  });
});
