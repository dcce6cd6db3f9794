import { expect } from 'chai';
import { startTestCore, type TestCore } from '../support/core-harness.ts';
import { startTestAgentNf, type TestAgentNf } from '../support/agent-nf-harness.ts';
import { until } from '../support/until.ts';

describe('hosted agents register again when the AGW no longer knows them', function () {
  this.timeout(20_000);
  let core: TestCore;
  let nf: TestAgentNf;

  before(async () => {
    // Heartbeats every half second (half the interval the gateway grants).
    core = await startTestCore({ agw: { settings: { heartbeatIntervalSeconds: 1 } } });
    nf = await startTestAgentNf(core, 'spare', { agents: [{ name: 'location-agent', role: 'capability', capabilities: ['/capability/location'] }] });
  });
  after(async () => {
    await nf.close();
    await core.close();
  });

  it('a heartbeat answered 404 leads to a fresh ARP registration with a new AIC', async () => {
    const [before] = nf.handle.service.listHostedAgents();
    // The gateway loses the registration (as with a lost data directory).
    await core.store.collection('agw.agents').deleteMany({ _id: before.aic });
    await until(async () => {
      const [now] = nf.handle.service.listHostedAgents();
      return now.state === 'REGISTERED' && now.aic !== before.aic;
    }, 'the agent registered again', 10_000);
    const [after] = nf.handle.service.listHostedAgents();
    expect(await core.store.collection('agw.agents').countDocuments({ _id: after.aic })).to.equal(1);
  });
});
