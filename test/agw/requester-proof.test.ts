/**
 * With OAuth on, the gateway believes a requester named in discovery and routing only with proof
 * (nfs/agw/requester-proof.ts): the requester's own token, checked with the certificate the
 * gateway registered for it, or an NF's NRF access token. Policy here lets only one agent find
 * /capability/location, so a requester that could pass for it would show.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createAgentCallSigner, type AgentIdentity } from '../../nfs/shared/agent-auth.ts';
import { aicChecksum } from '../../nfs/shared/aic.ts';
import { createTokenProvider } from '../../nfs/shared/token-provider.ts';
import { acme, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

const location = '/capability/location';

describe('AGW with OAuth on: a named requester must be proven (requester-proof.ts)', () => {
  let core: TestCore;
  let trusted: AgentIdentity;
  let other: AgentIdentity;
  let nfToken: (service: string, nfType?: string) => Promise<string>;
  let otherSerial: string;
  let agentServer: Server;
  let agentRequests = 0;

  const identityOf = (registered: Awaited<ReturnType<typeof registerAgent>>): AgentIdentity => ({
    aic: registered.body.aic,
    certificatePem: registered.body.certificatePem,
    privateKey: registered.key.keys.privateKey,
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const discover = (query: string, headers: Record<string, string> = {}) => request('GET', `${core.agwUrl}/nagw-disc/v1/agents?${query}`, undefined, headers);
  const asNf = async (service: string) => bearer(await nfToken(service));
  const refusalOf = (res: { status: number; body: { cause?: string }; headers: Headers }) => [res.status, res.body.cause, res.headers.get('www-authenticate')];

  before(async () => {
    core = await startTestCore({ oauth: true });
    agentServer = createServer((req, res) => {
      agentRequests += 1;
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"located":true}'));
    });
    await new Promise<void>((resolve) => agentServer.listen(0, '127.0.0.1', resolve));
    const agentUrl = `http://127.0.0.1:${(agentServer.address() as AddressInfo).port}/invoke`;
    const holder = await registerAgent(core.agwUrl, { name: 'locator', capabilities: [location], a2aUrl: agentUrl });
    expect(holder.status, JSON.stringify(holder.body)).to.equal(201);
    trusted = identityOf(await registerAgent(core.agwUrl, { name: 'trusted-requester', capabilities: ['/capability/billing-plan'] }));
    const otherRegistered = await registerAgent(core.agwUrl, { name: 'other-requester', provider: acme, capabilities: ['/capability/billing-plan'] });
    other = identityOf(otherRegistered);
    otherSerial = otherRegistered.body.acs.security.credentialSerialNumber;
    // Any NF of the core may act for a requester; the AMC is the one at hand.
    const tokens = createTokenProvider({ nrfUri: core.nrfUrl, nfInstanceId: core.amc.nfInstanceId, nfType: 'AMC' });
    nfToken = (service, nfType = 'AGW') => tokens.token(nfType, service);
    const rules = [
      ['location-for-trusted', { effect: 'ALLOW', priority: 10, subject: { aic: trusted.aic }, capabilityId: location, actions: ['discover', 'invoke'] }],
      ['location-for-no-one-else', { effect: 'DENY', priority: 1, subject: {}, capabilityId: location, actions: ['discover', 'invoke'] }],
    ] as const;
    for (const [ruleId, rule] of rules) {
      const put = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/${ruleId}`, rule, await asNf('nagw-pol'));
      expect(put.status, JSON.stringify(put.body)).to.equal(201);
    }
  });
  after(async () => {
    agentServer.closeAllConnections();
    await new Promise((resolve) => agentServer.close(resolve));
    await core.close();
  });

  describe('structured discovery', () => {
    it('refuses a named requester without proof: 401 REQUESTER_UNPROVEN with a Bearer challenge, recorded as an event', async () => {
      const since = new Date().toISOString();
      const res = await discover(`capability-id=${location}&requester-aic=${trusted.aic}`);
      expect(refusalOf(res)).to.deep.equal([401, 'REQUESTER_UNPROVEN', 'Bearer realm="nagw-disc"']);
      const events = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=discovery.structured&aic=${trusted.aic}&since=${encodeURIComponent(since)}`, undefined, await asNf('nagw-evts'));
      expect(events.body.map((event: { outcome: string; cause: string }) => [event.outcome, event.cause])).to.deep.include(['refused', 'REQUESTER_UNPROVEN']);
    });

    it("takes the requester's own token: the rule for it applies, while an anonymous requester is denied", async () => {
      const token = await createAgentCallSigner(trusted).signRequester();
      const proven = await discover(`capability-id=${location}&requester-aic=${trusted.aic}`, bearer(token));
      expect(proven.status, JSON.stringify(proven.body)).to.equal(200);
      expect(proven.body.agents).to.have.length(1);
      const anonymous = await discover(`capability-id=${location}`);
      expect([anonymous.status, anonymous.body.cause]).to.deep.equal([403, 'POLICY_DENIED']);
    });

    it('takes the token alone: its issuer is the requester', async () => {
      const trustedAlone = await discover(`capability-id=${location}`, bearer(await createAgentCallSigner(trusted).signRequester()));
      expect(trustedAlone.status, JSON.stringify(trustedAlone.body)).to.equal(200);
      const otherAlone = await discover(`capability-id=${location}`, bearer(await createAgentCallSigner(other).signRequester()));
      expect([otherAlone.status, otherAlone.body.cause]).to.deep.equal([403, 'POLICY_DENIED']);
    });

    it("refuses a token signed with another key than the registered one (401), and another agent's token for the named requester (403 REQUESTER_MISMATCH)", async () => {
      const forged = await createAgentCallSigner({ ...trusted, privateKey: other.privateKey }).signRequester();
      expect(refusalOf(await discover(`capability-id=${location}&requester-aic=${trusted.aic}`, bearer(forged)))).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN', 'Bearer realm="nagw-disc", error="invalid_token"']);
      const othersToken = await createAgentCallSigner(other).signRequester();
      const mismatch = await discover(`capability-id=${location}&requester-aic=${trusted.aic}`, bearer(othersToken));
      expect([mismatch.status, mismatch.body.cause]).to.deep.equal([403, 'REQUESTER_MISMATCH']);
    });

    it('refuses an expired token, one for another audience, a call token (another type) and one whose issuer is an AIC of another scheme', async () => {
      const query = `capability-id=${location}&requester-aic=${trusted.aic}`;
      const old = Math.floor(Date.now() / 1000) - 600;
      const expired = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'agent-requester+jwt' }).setIssuer(trusted.aic).setSubject(trusted.aic).setAudience('AGW').setIssuedAt(old).setExpirationTime(old + 60).sign(trusted.privateKey);
      const elsewhere = await createAgentCallSigner(trusted).signRequester('SMF');
      const callToken = await createAgentCallSigner(trusted).sign({ audience: 'AGW', capabilityId: location, taskId: 't1' });
      // An AIC of another scheme: its checksum is made with another salt.
      const dataCode = trusted.aic.slice(0, trusted.aic.lastIndexOf('.'));
      const foreignAic = `${dataCode}.${aicChecksum(dataCode, 'abcd')}`;
      const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'application/Agent-Requester+JWT' }).setIssuer(foreignAic).setSubject(foreignAic).setAudience('AGW').setIssuedAt().setExpirationTime('60s').sign(trusted.privateKey);
      for (const token of [expired, elsewhere, callToken, foreign]) {
        const res = await discover(query, bearer(token));
        expect([res.status, res.body.cause], res.body.detail).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN']);
      }
    });

    it("believes an NF's access token (scope nagw-disc) naming the requester it acts for, and checks its scope", async () => {
      const res = await discover(`capability-id=${location}&requester-aic=${trusted.aic}`, await asNf('nagw-disc'));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const wrongScope = await discover(`capability-id=${location}&requester-aic=${trusted.aic}`, await asNf('nagw-pol'));
      expect([wrongScope.status, wrongScope.body.cause]).to.deep.equal([403, 'INSUFFICIENT_SCOPE']);
    });

    it('does not answer a request from the cache of the same URL asked with a token', async () => {
      const url = `capability-id=${location}&requester-aic=${trusted.aic}&limit=3`;
      const token = await createAgentCallSigner(trusted).signRequester();
      expect((await discover(url, bearer(token))).status).to.equal(200);
      expect((await discover(url, bearer(token))).status, 'asked again with its token').to.equal(200);
      expect(refusalOf(await discover(url))).to.deep.equal([401, 'REQUESTER_UNPROVEN', 'Bearer realm="nagw-disc"']);
    });
  });

  it('natural-language discovery: a named requester needs its token too', async () => {
    const body = { query: 'where is this phone? I need its location', requesterAic: trusted.aic };
    const since = new Date().toISOString();
    const unproven = await request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, body);
    expect(refusalOf(unproven)).to.deep.equal([401, 'REQUESTER_UNPROVEN', 'Bearer realm="nagw-disc"']);
    const events = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=discovery.natural_language&aic=${trusted.aic}&since=${encodeURIComponent(since)}`, undefined, await asNf('nagw-evts'));
    expect(events.body.map((event: { outcome: string; cause: string }) => [event.outcome, event.cause])).to.deep.include(['refused', 'REQUESTER_UNPROVEN']);
    const proven = await request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, body, bearer(await createAgentCallSigner(trusted).signRequester()));
    expect(proven.status, JSON.stringify(proven.body)).to.equal(200);
    expect(proven.body.agents.map((agent: { matchedCapability: string }) => agent.matchedCapability)).to.include(location);
  });

  describe('routing', () => {
    const task = { ueId: 'imsi-001010000000001' };
    const route = (query: string, headers: Record<string, string> = {}) => request('POST', `${core.agwUrl}/nagw-route/v1/capability/location${query}`, task, headers);

    it('refuses a named requester without a call token (401, realm nagw-route) and a call token its issuer did not sign, before any agent is reached', async () => {
      const before = agentRequests;
      expect(refusalOf(await route(`?requester-aic=${trusted.aic}`))).to.deep.equal([401, 'REQUESTER_UNPROVEN', 'Bearer realm="nagw-route"']);
      const forged = await createAgentCallSigner({ ...trusted, privateKey: other.privateKey }).sign({ audience: location, capabilityId: location, taskId: 't-forged', task });
      expect(refusalOf(await route('', bearer(forged)))).to.deep.equal([401, 'INVALID_REQUESTER_TOKEN', 'Bearer realm="nagw-route", error="invalid_token"']);
      expect(agentRequests, 'no agent was reached').to.equal(before);
    });

    it("routes a call whose token its issuer signed, policy applying to the proven issuer", async () => {
      const call = await createAgentCallSigner(trusted).sign({ audience: location, capabilityId: location, taskId: 't-trusted', task });
      const res = await route('', bearer(call));
      expect([res.status, res.body], JSON.stringify(res.body)).to.deep.equal([200, { located: true }]);
      const othersCall = await createAgentCallSigner(other).sign({ audience: location, capabilityId: location, taskId: 't-other', task });
      const denied = await route('', bearer(othersCall));
      expect([denied.status, denied.body.cause]).to.deep.equal([403, 'POLICY_DENIED']);
    });
  });

  // Last: mocha runs a describe's own tests before its nested describes, and this one suspends `other`.
  describe('a suspended requester', () => {
    it('refuses a suspended requester that proves who it is: 403 CREDENTIAL_SUSPENDED', async () => {
      const suspend = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${otherSerial}/suspend`, {}, bearer(await nfToken('namc-cred', 'AMC')));
      expect(suspend.status, JSON.stringify(suspend.body)).to.equal(200);
      const token = await createAgentCallSigner(other).signRequester();
      let res = await discover(`capability-id=/capability/billing-plan&requester-aic=${other.aic}`, bearer(token));
      // The AMC tells the gateway of the suspension by a notification.
      for (let i = 0; i < 50 && res.status === 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        res = await discover(`capability-id=/capability/billing-plan&requester-aic=${other.aic}`, bearer(token));
      }
      expect([res.status, res.body.cause]).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);
    });
  });
});
