import { expect } from 'chai';
import { registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
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
    // Resource URIs are case-sensitive: another spelling is no way around the token.
    expect((await request('GET', `${core.agwUrl}/NAGW-POL/v1/rules`)).status).to.be.oneOf([401, 404]);
    expect((await request('POST', `${core.amcUrl}/NAMC-PROV/v1/providers`, { providerId: 'evil', name: 'x', allowedCapabilities: ['*'] })).status).to.be.oneOf([401, 404]);
    expect((await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'evil', name: 'x', allowedCapabilities: ['*'] })).status).to.equal(401);
    expect((await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation`)).status).to.equal(200);
  });
});
