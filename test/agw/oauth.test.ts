import { expect } from 'chai';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createTokenProvider } from '../../nfs/shared/token-provider.ts';
import { operatorCore, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('AGW and AMC with OAuth on (TS 29.510 clause 5.4)', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore({ oauth: true });
  });
  after(async () => {
    await core.close();
  });

  it('registers an agent: the AGW discovers the AMC and calls AAAP with NRF access tokens', async () => {
    const res = await registerAgent(core.agwUrl);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('refuses AAAP without a token (401) and keeps the CA public', async () => {
    const res = await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {});
    expect(res.status).to.equal(401);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).status).to.equal(200);
  });

  it("protects the gateway's management plane and leaves agent discovery open", async () => {
    expect((await request('GET', `${core.agwUrl}/nagw-tax/v1/capabilities`)).status).to.equal(401);
    expect((await request('GET', `${core.agwUrl}/nagw-pol/v1/rules`)).status).to.equal(401);
    // Events name requesters and what they were refused: operators' reading, not agents'.
    expect((await request('GET', `${core.agwUrl}/nagw-evts/v1/events?limit=1`)).status).to.equal(401);
    // Resource URIs are case-sensitive: another spelling is no way around the token.
    expect((await request('GET', `${core.agwUrl}/NAGW-POL/v1/rules`)).status).to.be.oneOf([401, 404]);
    expect((await request('POST', `${core.amcUrl}/NAMC-PROV/v1/providers`, { providerId: 'evil', name: 'x', allowedCapabilities: ['*'] })).status).to.be.oneOf([401, 404]);
    expect((await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'evil', name: 'x', allowedCapabilities: ['*'] })).status).to.equal(401);
    expect((await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation`)).status).to.equal(200);
  });

  it("binds AAAP and issuance to the gateway whose token is presented, and takes a token for every credential change", async () => {
    const gateway = createTokenProvider({ nrfUri: core.nrfUrl, nfInstanceId: core.agw.nfInstanceId, nfType: 'AGW' });
    // Another registered NF: the AMC itself asks the NRF for tokens to its own services here.
    const otherNf = createTokenProvider({ nrfUri: core.nrfUrl, nfInstanceId: core.amc.nfInstanceId, nfType: 'AMC' });
    const bearer = async (tokens: typeof gateway, service: string) => ({ authorization: `Bearer ${await tokens.token('AMC', service)}` });
    const key = await createAgentKeyAndCsr();
    const aaap = { gateway: { nfInstanceId: core.agw.nfInstanceId, domain: 'operator.example' }, provider: operatorCore, agent: { name: 'bound', version: '1.0', kind: 'capability-agent' }, requestedCapabilities: ['/capability/location'], publicKeySha256: key.publicKeySpkiSha256, csrPem: key.csrPem };

    const posing = await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, aaap, await bearer(otherNf, 'namc-auth'));
    expect(posing.status, 'an NF may not ask in a gateway’s name').to.equal(403);
    expect(posing.body.cause).to.equal('GATEWAY_MISMATCH');
    const grant = (await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, aaap, await bearer(gateway, 'namc-auth'))).body;
    expect(grant.decision).to.equal('GRANT');

    const issuance = { grantId: grant.grantId, aic: formatAic(defaultAicScheme, { providerIndex: grant.providerIndex, ontologySerial: 'Z', entitySerial: '9' }), csrPem: key.csrPem };
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, issuance)).status, 'no token').to.equal(401);
    const stolen = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, issuance, await bearer(otherNf, 'namc-cred'));
    expect(stolen.status, 'a grant is used only by the gateway it was made for').to.equal(403);
    expect(stolen.body.cause).to.equal('GATEWAY_MISMATCH');
    const issued = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, issuance, await bearer(gateway, 'namc-cred'));
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);

    const credential = `${core.amcUrl}/namc-cred/v1/credentials/${issued.body.serialNumber}`;
    for (const change of ['suspend', 'resume', 'revoke', 'renew']) {
      expect((await request('POST', `${credential}/${change}`, change === 'renew' ? { csrPem: key.csrPem } : {})).status, change).to.equal(401);
    }
    expect((await request('GET', credential)).body.status, 'reading a status stays open to relying parties').to.equal('GOOD');
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/crl`)).status).to.equal(200);
    const suspended = await request('POST', `${credential}/suspend`, {}, await bearer(gateway, 'namc-cred'));
    expect(suspended.body.status).to.equal('SUSPENDED');
  });
});

