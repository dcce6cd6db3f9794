import { expect } from 'chai';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createLocalIntentAgent } from '../../nfs/shared/intent/local-intent-agent.ts';
import { createAmf } from '../../nfs/amf/app.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { defaultCapabilityAgentSettings } from '../../nfs/agent-nf/settings.ts';
import { request } from '../support/nrf-harness.ts';
import { until } from '../support/until.ts';
import { createUeClient } from '../../ue-sim/ue-client.ts';

describe('AMF in mode local: it comprehends intents itself through its own registered intent agent', function () {
  this.timeout(30_000);
  let core: TestCore;
  let amf: ListeningNf;
  let capabilities: TestAgentNf;

  before(async () => {
    core = await startTestCore({ smf: true });
    capabilities = await startTestAgentNf(core, 'capability-agents', { agents: defaultCapabilityAgentSettings.agents });
    const logger = createLogger({ nf: 'AMF', level: 'silent' });
    const localIntentHandler = await createLocalIntentAgent({ nrfUri: core.nrfUrl, logger, host: { nfType: 'AMF' } });
    amf = await listenNf(await createAmf({ store: core.store, logger, nrfUri: core.nrfUrl, backgroundTimers: false, settings: { mode: 'local' }, localIntentHandler }), { host: '127.0.0.1', port: 0 });
    await until(async () => (await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/intent-recognition`)).body.agents?.length === 1, 'the AMF intent agent registered');
  });
  after(async () => {
    await amf.close();
    await capabilities.close();
    await core.close();
  });

  it('registers the AMF\'s intent agent at the AGW, answering on the AMF\'s own port', async () => {
    const found = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/intent-recognition`);
    const invokeUrl = found.body.agents[0].acs.endpoints.invokeUrl;
    expect(invokeUrl).to.equal(`${amf.apiRoot}/nagent-tip/v1/agents/amf-intent-agent/intents`);
    const answer = await request('POST', invokeUrl, { supi: 'imsi-001010000003002', text: 'where am I' });
    expect(answer.body.outcome).to.equal('completed');
  });

  it('answers a UE\'s intent with tasks run by the capability agents, no intent agent NF involved', async () => {
    const ue = createUeClient({ nrfUri: core.nrfUrl, amfUri: `${amf.apiRoot}/namf-nas/v1`, supi: 'imsi-001010000003001', hasAgent: false });
    const outcome = await ue.sendIntent('how busy is my cell right now?');
    expect(outcome.outcome).to.equal('completed');
    const analytics = capabilities.handle.service.listHostedAgents().find((agent) => agent.name === 'analytics-agent')!;
    expect(outcome.tasks.map((task) => task.agent)).to.include(analytics.aic);
  });
});
