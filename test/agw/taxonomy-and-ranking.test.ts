import { expect } from 'chai';
import { registerAgent, startTestCore, type TestCore, asRegistrant } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import type { PolicyDocument } from '../../nfs/agw/store.ts';

describe('AGW capability taxonomy (management plane) and load ranking', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });
  const tax = '/nagw-tax/v1/capabilities';
  const json = { 'content-type': 'application/json' };

  it('starts with the default capabilities and a version', async () => {
    const res = await request('GET', `${core.agwUrl}${tax}`);
    expect(res.status).to.equal(200);
    expect(res.body.version).to.be.greaterThan(0);
    const ids = res.body.capabilities.map((c: { capabilityId: string }) => c.capabilityId);
    for (const id of ['/capability/qos-optimisation', '/capability/network-diagnosis', '/capability/location', '/capability/cell-load-analytics', '/capability/broadband-troubleshooting', '/capability/billing-plan', '/capability/intent-recognition']) {
      expect(ids).to.include(id);
    }
  });

  it('adds a capability with synonyms and parameters, raises the version, and matches text to it at once', async () => {
    const before = (await request('GET', `${core.agwUrl}${tax}`)).body.version;
    const added = await request('PUT', `${core.agwUrl}${tax}/drone-sensing`, {
      name: 'Drone sensing', description: 'Detect and track drones with radio sensing.', synonyms: ['uav detection', 'spot drones'],
      parameters: [{ name: 'area', type: 'string', required: true }],
    }, json);
    expect(added.status).to.equal(201);
    expect(added.body).to.include({ capabilityId: '/capability/drone-sensing' });
    expect(added.body.version).to.be.greaterThan(before);
    expect((await request('GET', `${core.agwUrl}${tax}/drone-sensing`)).body.synonyms).to.deep.equal(['uav detection', 'spot drones']);
    const registered = await registerAgent(core.agwUrl, { name: 'sensing', capabilities: ['spot drones over the stadium'] });
    expect(registered.body.capabilityIds).to.deep.equal(['/capability/drone-sensing']);
    const replaced = await request('PUT', `${core.agwUrl}${tax}/drone-sensing`, { name: 'Drone sensing', description: 'Radio sensing of drones.' }, json);
    expect(replaced.status).to.equal(200);
  });

  it('refuses to delete a capability agents hold (409) and deletes an unused one', async () => {
    const held = await request('DELETE', `${core.agwUrl}${tax}/drone-sensing`);
    expect(held.status).to.equal(409);
    await request('PUT', `${core.agwUrl}${tax}/unused-thing`, { name: 'Unused', description: 'Nobody offers this.' }, json);
    // A policy rule naming it holds it too: the rule would apply again to a capability made later under the id.
    const rule = `${core.agwUrl}/nagw-pol/v1/rules/about-unused-thing`;
    expect((await request('PUT', rule, { effect: 'DENY', capabilityId: '/capability/unused-thing', actions: ['invoke'] }, json)).status).to.equal(201);
    const named = await request('DELETE', `${core.agwUrl}${tax}/unused-thing`);
    expect([named.status, named.body.cause]).to.deep.equal([409, 'CAPABILITY_IN_USE']);
    expect(named.body.detail).to.contain('about-unused-thing');
    expect((await request('DELETE', rule)).status).to.equal(204);
    expect((await request('DELETE', `${core.agwUrl}${tax}/unused-thing`)).status).to.equal(204);
    expect((await request('GET', `${core.agwUrl}${tax}/unused-thing`)).status).to.equal(404);
  });

  it('takes a rule stored before rules were checked against the taxonomy again as it was, and refuses a new one naming the same unknown capability', async () => {
    await core.store.collection<PolicyDocument>('agw.policies').insertOne({ _id: 'from-before', effect: 'DENY', capabilityId: '/capability/long-gone', actions: ['discover'], priority: 100 });
    const rule = (id: string) => request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/${id}`, { effect: 'DENY', capabilityId: '/capability/long-gone', actions: ['discover', 'invoke'] }, json);
    expect((await rule('from-before')).status).to.equal(200);
    const fresh = await rule('new-one');
    expect([fresh.status, fresh.body.cause]).to.deep.equal([400, 'UNKNOWN_CAPABILITY']);
    expect((await request('DELETE', `${core.agwUrl}/nagw-pol/v1/rules/from-before`)).status).to.equal(204);
  });

  it('refuses a malformed capability definition (400 naming the field)', async () => {
    const res = await request('PUT', `${core.agwUrl}${tax}/bad`, { name: 'No description' }, json);
    expect(res.status).to.equal(400);
    expect(res.body.invalidParams.map((p: { param: string }) => p.param)).to.include('/description');
  });

  it('answers the least loaded agents first even when the limit is smaller than the group', async () => {
    const aics: string[] = [];
    for (const load of [50, 40, 0]) {
      const { body } = await registerAgent(core.agwUrl, { name: `ranked-${load}`, capabilities: ['/capability/e2e-testing'] });
      await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/heartbeat`, { load }, asRegistrant(body.aic, json));
      aics.push(body.aic);
    }
    const res = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/e2e-testing&limit=2`);
    expect(res.body.agents.map((a: { load: number }) => a.load)).to.deep.equal([0, 40]);
    const nl = await request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, { query: 'run a speed test on my line', limit: 2 }, json);
    expect(nl.body.agents.map((a: { aic: string }) => a.aic)).to.deep.equal([aics[2], aics[1]]);
  });
});
