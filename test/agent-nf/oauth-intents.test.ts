import { expect } from 'chai';
import { startTestAmfCore, type TestAmfCore } from '../support/amf-harness.ts';
import { startTestAgents } from '../support/agent-nf-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';
import { createTokenProvider } from '../../nfs/shared/token-provider.ts';

describe('with OAuth on, only NFs of the core may submit intents (an intent acts on the SUPI it names)', function () {
  this.timeout(30_000);
  let core: TestAmfCore;
  let agents: Awaited<ReturnType<typeof startTestAgents>>;

  before(async () => {
    core = await startTestAmfCore({ core: { oauth: true, smf: true }, amf: { oauth: true } });
    agents = await startTestAgents(core, { oauth: true });
  });
  after(async () => {
    await agents.close();
    await core.close();
  });

  it('refuses an intent submitted without an NRF access token, and one with a forged token', async () => {
    const url = `${agents.intent.url}/nagent-tip/v1/agents/intent-agent/intents`;
    const anonymous = await request('POST', url, { supi: 'imsi-001010000000042', text: 'where am I?' });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.cause).to.equal('UNAUTHORIZED');
    expect(anonymous.headers.get('www-authenticate')).to.equal('Bearer realm="nagent-tip"');
    const forged = await request('POST', url, { supi: 'imsi-001010000000042', text: 'where am I?' }, { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
    expect(forged.status).to.equal(401);
    expect(forged.body.cause).to.equal('INVALID_TOKEN');
    expect(forged.headers.get('www-authenticate')).to.equal('Bearer realm="nagent-tip", error="invalid_token"');
  });

  it('answers the AMF, which takes a token from the NRF for the intent agent\'s NF', async () => {
    const ue = createUeClient({ nrfUri: core.nrfUrl, amfUri: `${core.amfUrl}/namf-nas/v1`, supi: 'imsi-001010000003100', hasAgent: false });
    const outcome = await ue.sendIntent('where am I?');
    expect(outcome.outcome).to.equal('completed');
    expect(outcome.tasks[0]).to.include({ capability: '/capability/location', state: 'completed' });
  });

  it("reads an intent's outcome, which names its SUPI, only with an NRF access token", async () => {
    const ue = createUeClient({ nrfUri: core.nrfUrl, amfUri: `${core.amfUrl}/namf-nas/v1`, supi: 'imsi-001010000003101', hasAgent: false });
    const { intentId } = await ue.sendIntent('where am I?');
    const url = `${agents.intent.url}/nagent-tip/v1/agents/intent-agent/intents/${intentId}`;
    const anonymous = await request('GET', url);
    expect([anonymous.status, anonymous.body.cause]).to.deep.equal([401, 'UNAUTHORIZED']);
    const tokens = createTokenProvider({ nrfUri: core.nrfUrl, nfInstanceId: core.amf.nfInstanceId, nfType: 'AMF' });
    const read = await request('GET', url, undefined, { authorization: `Bearer ${await tokens.token('AGENT_NF', 'nagent-tip')}` });
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ intentId, outcome: 'completed' });
  });
});
