/**
 * Two AGW replicas on one store (DESIGN.md "Scale beyond one machine"): what is written through
 * one applies at the other within a bound, although each keeps what it reads in memory.
 */
import { expect } from 'chai';
import { createAgw } from '../../nfs/agw/app.ts';
import { POLICY_RELOAD_MS } from '../../nfs/agw/policy.ts';
import { TAXONOMY_CHECK_MS } from '../../nfs/agw/taxonomy.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

/** Asks until `done` holds or `withinMs` has passed; answers how long it took, or throws. */
async function eventually(withinMs: number, ask: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= withinMs) {
    if (await ask()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not seen within ${withinMs} ms`);
}

describe('AGW replicas sharing a store', () => {
  let core: TestCore;
  let replica: ListeningNf;
  const location = '/capability/location';
  before(async () => {
    core = await startTestCore();
    const handle = await createAgw({ store: core.store, logger: createLogger({ nf: 'AGW', level: 'silent' }), nrfUri: core.nrfUrl });
    replica = await listenNf(handle, { host: '127.0.0.1', port: 0 });
    const registered = await registerAgent(core.agwUrl, { capabilities: [location] });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
  });
  after(async () => {
    await replica.close();
    await core.close();
  });

  const discoverAt = (agwUrl: string) => request('GET', `${agwUrl}/nagw-disc/v1/agents?capability-id=${location}`);

  it('applies a policy rule written through one replica at the other within its reload bound, cached answers included', async () => {
    for (let i = 0; i < 3; i++) expect((await discoverAt(replica.apiRoot)).status, 'warm: rules and answers cached').to.equal(200);
    const put = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/deny-anonymous-location`, { effect: 'DENY', subject: { anonymous: true }, capabilityId: location, actions: ['discover'] });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    expect((await discoverAt(core.agwUrl)).status, 'at once where it was written').to.equal(403);
    // The rules are read again after POLICY_RELOAD_MS, and answers cached on the old rules go
    // with them; the margin covers a cached answer's own second and a slow machine.
    await eventually(POLICY_RELOAD_MS + 3_000, async () => (await discoverAt(replica.apiRoot)).status === 403);
    const denied = await discoverAt(replica.apiRoot);
    expect(denied.body.detail).to.contain('deny-anonymous-location');

    await request('DELETE', `${core.agwUrl}/nagw-pol/v1/rules/deny-anonymous-location`);
    await eventually(POLICY_RELOAD_MS + 3_000, async () => (await discoverAt(replica.apiRoot)).status === 200);
  });

  it('routes and discovers by a capability added through the other replica at once, before its copy of the taxonomy is refreshed', async () => {
    const put = await request('PUT', `${core.agwUrl}/nagw-tax/v1/capabilities/tower-climbing`, { name: 'Tower climbing', description: 'Climbs towers' });
    expect(put.status, JSON.stringify(put.body)).to.be.oneOf([200, 201]);
    // No instance offers it: not an unknown capability (404), but none to route to (503).
    const routed = await request('POST', `${replica.apiRoot}/nagw-route/v1/capability/tower-climbing`, { taskId: 't' });
    expect([routed.status, routed.body.cause], JSON.stringify(routed.body)).to.deep.equal([503, 'NO_AVAILABLE_INSTANCE']);
    const discovered = await request('GET', `${replica.apiRoot}/nagw-disc/v1/agents?capability-id=/capability/tower-climbing`);
    expect([discovered.status, discovered.body.agents], JSON.stringify(discovered.body)).to.deep.equal([200, []]);
  });

  it('knows a capability added to the taxonomy through the other replica within its check interval', async () => {
    const capability = `${replica.apiRoot}/nagw-tax/v1/capabilities/drone-inspection`;
    expect((await request('GET', capability)).status, 'unknown to begin with').to.equal(404);
    const put = await request('PUT', `${core.agwUrl}/nagw-tax/v1/capabilities/drone-inspection`, { name: 'Drone inspection', description: 'Inspects cell sites with a drone' });
    expect(put.status, JSON.stringify(put.body)).to.be.oneOf([200, 201]);
    await eventually(TAXONOMY_CHECK_MS + 3_000, async () => (await request('GET', capability)).status === 200);
    const matched = await request('POST', `${replica.apiRoot}/nagw-disc/v1/resolutions`, { query: 'inspect a cell site with a drone' });
    expect(matched.status, JSON.stringify(matched.body)).to.equal(200);
    expect(matched.body.capabilityMatches.map((match: { capabilityId: string }) => match.capabilityId)).to.include('/capability/drone-inspection');
  });
});
