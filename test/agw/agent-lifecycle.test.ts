import 'reflect-metadata';
import { expect } from 'chai';
import { X509Crl, X509CrlReason, X509Certificate } from '@peculiar/x509';
import { acme, operatorCore, registerAgent, startTestCore, type TestCore, asRegistrant } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { until } from '../support/until.ts';
import { createCsr } from '../../nfs/shared/agent-credentials.ts';


describe('Registered agents: update, credential status at the AMC and relying parties, deregistration', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });

  const registration = (aic: string) => request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${aic}`);
  const discoverable = async (aic: string) =>
    (await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?aic=${aic}`)).body.agents.some((agent: { aic: string }) => agent.aic === aic);
  const credential = (serial: string, action: string, body?: unknown) => request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/${action}`, body ?? {});
  const crl = async () => {
    const res = await fetch(`${core.amcUrl}/namc-cred/v1/crl`);
    expect(res.headers.get('content-type')).to.match(/application\/pkix-crl/);
    return new X509Crl(new Uint8Array(await res.arrayBuffer()));
  };
  const serialOf = (pem: string) => new X509Certificate(pem).serialNumber.toLowerCase();

  it('refuses a request that needs a body and was sent none, with or without a JSON content type: 400, the agent unchanged', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'bodiless' });
    const registrationUrl = `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`;
    const sends: Array<[string, string]> = [['PUT', `${registrationUrl}/heartbeat`], ['PUT', `${registrationUrl}/ue-state`], ['PATCH', registrationUrl], ['POST', `${core.agwUrl}/nagw-disc/v1/resolutions`], ['POST', `${core.agwUrl}/nagw-reg/v1/registrations`]];
    for (const [method, url] of sends) {
      for (const headers of [{ 'content-type': 'application/json' }, {}] as Array<Record<string, string>>) {
        const res = await fetch(url, { method, headers: { ...headers, ...asRegistrant(body.aic) } });
        const text = await res.text();
        const problem = text ? JSON.parse(text) : {};
        expect([res.status, res.headers.get('content-type')?.split(';')[0]], `${method} ${url} ${JSON.stringify(headers)}: ${text}`).to.deep.equal([400, 'application/problem+json']);
        if (url.endsWith('/heartbeat')) expect([problem.cause, problem.detail]).to.deep.equal(['MANDATORY_IE_MISSING', 'the request has no body; this operation takes one']);
      }
    }
    expect((await registration(body.aic)).body).to.include({ state: 'ACTIVE' });
  });

  it('records a request the OpenAPI schema refuses as an event of its operation: update, heartbeat, discovery, routing', async () => {
    const since = new Date().toISOString();
    const short = '1.2.156.3088.1.2.1';
    const sends: Array<[string, () => ReturnType<typeof request>]> = [
      ['agent.updated', () => request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${short}`, { provider: operatorCore, version: '2.0.0' }, { 'content-type': 'application/json' })],
      ['agent.heartbeat', () => request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${short}/heartbeat`, { load: 5 })],
      ['discovery.structured', () => request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=not-a-capability`)],
      ['discovery.natural_language', () => request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, { query: '' })],
      ['routing.decided', () => request('POST', `${core.agwUrl}/nagw-route/v1/capability/Not_A_Name`, {})],
    ];
    for (const [type, send] of sends) {
      const res = await send();
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).to.equal(400);
      const events = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=${type}&since=${encodeURIComponent(since)}`)).body as Array<{ outcome: string; cause: string }>;
      expect(events.map((event) => [event.outcome, event.cause]), type).to.deep.include(['refused', res.body.cause]);
    }
  });

  it('updates capabilities within the grant and raises the ACS version', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'updatable' });
    const res = await request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, {
      provider: operatorCore,
      requestedCapabilities: ['/capability/qos-optimisation', '/capability/location'],
      endpoints: { a2aUrl: 'http://127.0.0.1:10/a2a' },
    }, { 'content-type': 'application/json' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.capabilities).to.deep.equal(['/capability/qos-optimisation', '/capability/location']);
    expect(res.body.acs.acsVersion).to.equal(2);
    expect(res.body.a2aUrl).to.equal('http://127.0.0.1:10/a2a');
  });

  it('refuses an update that widens the scope beyond what the AMC grants (403)', async () => {
    const { body } = await registerAgent(core.agwUrl, { provider: acme, name: 'narrow', capabilities: ['/capability/billing-plan'] });
    const res = await request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider: acme, requestedCapabilities: ['/capability/billing-plan', '/capability/location'] }, { 'content-type': 'application/json' });
    expect(res.status).to.equal(403);
    expect((await registration(body.aic)).body.capabilities).to.deep.equal(['/capability/billing-plan']);
  });

  it('stores no AAAP grant for an update, granted or refused, and records the refusal as an event', async () => {
    const grants = () => core.store.collection('amc.grants').countDocuments({});
    const { body } = await registerAgent(core.agwUrl, { provider: acme, name: 'no-grant-kept', capabilities: ['/capability/billing-plan'] });
    const before = await grants();
    const patch = (update: object) => request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider: acme, ...update }, { 'content-type': 'application/json' });
    expect((await patch({ version: '1.1.0' })).status).to.equal(200);
    const refused = await patch({ requestedCapabilities: ['/capability/billing-plan', '/capability/location'] });
    expect(refused.status).to.equal(403);
    expect(refused.body.cause).to.equal('SCOPE_NOT_PERMITTED');
    expect(await grants()).to.equal(before);
    const events = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.updated&aic=${body.aic}`);
    expect(events.body.map((event: { outcome: string; cause?: string }) => [event.outcome, event.cause ?? null])).to.deep.equal([['refused', 'SCOPE_NOT_PERMITTED'], ['success', null]]);
  });

  it("refuses an update with a wrong provider secret as registration does (403 INVALID_PROVIDER_CREDENTIAL) and changes nothing", async () => {
    const { body } = await registerAgent(core.agwUrl, { provider: acme, name: 'secret-check', capabilities: ['/capability/billing-plan'] });
    const res = await request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider: { ...acme, clientSecret: 'not-the-secret-at-all' }, version: '2.0.0' }, { 'content-type': 'application/json' });
    expect(res.status).to.equal(403);
    expect(res.body.cause).to.equal('INVALID_PROVIDER_CREDENTIAL');
    expect(res.body.detail).to.not.contain('does not grant');
    expect((await registration(body.aic)).body.acs.version).to.equal('1.0.0');
  });

  it('takes a revoked agent out of discovery, lists it in the CRL, and refuses its heartbeats', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'to-revoke' });
    const serial = serialOf(body.certificatePem);
    expect(await discoverable(body.aic)).to.equal(true);

    const revoked = await credential(serial, 'revoke', { reason: 'keyCompromise' });
    expect(revoked.status).to.equal(200);
    expect(revoked.body).to.include({ status: 'REVOKED', reason: 'keyCompromise' });

    // Relying parties: the status service and the CRL both say so.
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serial}`)).body.status).to.equal('REVOKED');
    const list = await crl();
    const ca = new X509Certificate((await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body);
    expect(await list.verify({ publicKey: ca.publicKey })).to.equal(true);
    const entry = list.findRevoked(new X509Certificate(body.certificatePem));
    expect(entry?.reason).to.equal(X509CrlReason.keyCompromise);

    // The gateway hears of it from the AMC.
    await until(async () => (await registration(body.aic)).body.state === 'REVOKED', 'the AGW marking the agent REVOKED');
    expect(await discoverable(body.aic)).to.equal(false);
    const beat = await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/heartbeat`, { load: 1 }, asRegistrant(body.aic));
    expect(beat.status).to.equal(403);
    expect(beat.body.cause).to.equal('CREDENTIAL_REVOKED');
    expect((await credential(serial, 'resume')).status).to.equal(409);
  });

  it('never certifies a key again once a certificate of it is revoked for keyCompromise: its next registration is 403 KEY_COMPROMISED and stores nothing', async () => {
    const { body, sent } = await registerAgent(core.agwUrl, { name: 'compromised-key' });
    expect((await credential(serialOf(body.certificatePem), 'revoke', { reason: 'keyCompromise' })).status).to.equal(200);
    await until(async () => (await registration(body.aic)).body.state === 'REVOKED', 'the AGW marking the agent REVOKED');
    expect((await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic))).status).to.equal(204);

    const counts = () => Promise.all(['amc.grants', 'amc.credentials', 'agw.agents', 'agw.nonces'].map((name) => core.store.collection(name).countDocuments({})));
    const before = await counts();
    const again = await registerAgent(core.agwUrl, { name: 'compromised-key', csrPem: sent.csrPem });
    expect(again.status, JSON.stringify(again.body)).to.equal(403);
    expect(again.body.cause).to.equal('KEY_COMPROMISED');
    expect(await counts()).to.deep.equal(before);
    const latest = await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.registration&limit=1`);
    expect(latest.body[0]).to.include({ outcome: 'refused', cause: 'KEY_COMPROMISED' });
  });

  it('suspends and resumes: certificateHold in the CRL, out of and back into discovery', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'to-suspend' });
    const serial = serialOf(body.certificatePem);
    expect((await credential(serial, 'suspend')).body.status).to.equal('SUSPENDED');
    expect((await crl()).findRevoked(new X509Certificate(body.certificatePem))?.reason).to.equal(X509CrlReason.certificateHold);
    await until(async () => !(await discoverable(body.aic)), 'the suspended agent leaving discovery');
    expect((await registration(body.aic)).body.state).to.equal('SUSPENDED');

    expect((await credential(serial, 'resume')).body.status).to.equal('GOOD');
    expect((await crl()).findRevoked(new X509Certificate(body.certificatePem))).to.equal(null);
    await until(async () => discoverable(body.aic), 'the resumed agent returning to discovery');
  });

  it("refuses an update by another provider (403 NOT_OWNER), and a suspended agent's update and heartbeat (403 CREDENTIAL_SUSPENDED), each an event, changing nothing", async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'guarded' });
    const patch = (provider: object) => request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider, version: '9.0.0' }, { 'content-type': 'application/json' });
    const notOwner = await patch(acme);
    expect([notOwner.status, notOwner.body.cause]).to.deep.equal([403, 'NOT_OWNER']);

    expect((await credential(serialOf(body.certificatePem), 'suspend')).status).to.equal(200);
    await until(async () => (await registration(body.aic)).body.state === 'SUSPENDED', 'the AGW marking the agent SUSPENDED');
    const held = await patch(operatorCore);
    expect([held.status, held.body.cause]).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);
    const beat = await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/heartbeat`, { load: 1 }, asRegistrant(body.aic));
    expect([beat.status, beat.body.cause]).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);

    expect((await registration(body.aic)).body.acs).to.deep.include({ version: '1.0.0', acsVersion: 1 });
    const eventsOf = async (type: string) => (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=${type}&aic=${body.aic}`)).body.map((event: { outcome: string; cause?: string }) => [event.outcome, event.cause]);
    expect(await eventsOf('agent.updated')).to.deep.equal([['refused', 'CREDENTIAL_SUSPENDED'], ['refused', 'NOT_OWNER']]);
    expect(await eventsOf('agent.heartbeat')).to.deep.equal([['refused', 'CREDENTIAL_SUSPENDED']]);
  });

  it('keeps a suspended agent registered: its own deregistration is 403 CREDENTIAL_SUSPENDED until the AMC resumes it, and its key cannot register again meanwhile', async () => {
    const { body, sent } = await registerAgent(core.agwUrl, { name: 'held' });
    const serial = serialOf(body.certificatePem);
    expect((await credential(serial, 'suspend')).status).to.equal(200);
    await until(async () => (await registration(body.aic)).body.state === 'SUSPENDED', 'the AGW marking the agent SUSPENDED');
    const leave = () => request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
    const refused = await leave();
    expect([refused.status, refused.body.cause]).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serial}`)).body.status, 'the hold stands').to.equal('SUSPENDED');
    const [event] = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.deregistered&aic=${body.aic}`)).body;
    expect(event).to.include({ outcome: 'refused', cause: 'CREDENTIAL_SUSPENDED' });
    const again = await registerAgent(core.agwUrl, { name: 'held', csrPem: sent.csrPem });
    expect(again.status).to.equal(409);

    expect((await credential(serial, 'resume')).status).to.equal(200);
    await until(async () => (await registration(body.aic)).body.state !== 'SUSPENDED', 'the AGW hearing of the resumption');
    expect((await leave()).status).to.equal(204);
  });

  it('refuses a suspended or revoked agent as a requester: discovery, routing and policy decisions, each refusal an event', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'suspended-requester' });
    const serial = serialOf(body.certificatePem);
    const qos = encodeURIComponent('/capability/qos-optimisation');
    const asks = {
      // Twice: the second would be a cache hit for a requester policy treats like any other.
      'discovery.structured': () => request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=${qos}&requester-aic=${body.aic}`),
      'discovery.natural_language': () => request('POST', `${core.agwUrl}/nagw-disc/v1/resolutions`, { query: 'improve my video quality', requesterAic: body.aic }),
      'routing.decided': () => request('POST', `${core.agwUrl}/nagw-route/v1/capability/qos-optimisation?requester-aic=${body.aic}`, { ueId: 'imsi-001010000000001' }),
      'request.refused': () => request('GET', `${core.agwUrl}/nagw-pol/v1/decisions?requester-aic=${body.aic}&capability-id=${qos}&action=invoke`),
    };
    expect((await asks['discovery.structured']()).status, 'while GOOD').to.equal(200);
    const refusalsOf = async (type: string, cause: string) =>
      ((await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=${type}&aic=${body.aic}`)).body as Array<{ outcome: string; cause?: string }>).filter((event) => event.outcome === 'refused' && event.cause === cause).length;
    for (const [action, status] of [['suspend', 'SUSPENDED'], ['revoke', 'REVOKED']] as const) {
      expect((await credential(serial, action)).body.status).to.equal(status);
      await until(async () => (await registration(body.aic)).body.state === status, `the gateway learning of the ${action}`);
      for (const [type, ask] of Object.entries(asks)) {
        const before = await refusalsOf(type, `CREDENTIAL_${status}`);
        for (const attempt of [1, 2]) {
          const res = await ask();
          expect([res.status, res.body.cause], `${type} ${attempt}: ${JSON.stringify(res.body)}`).to.deep.equal([403, `CREDENTIAL_${status}`]);
        }
        await until(async () => (await refusalsOf(type, `CREDENTIAL_${status}`)) === before + 2, `two ${type} refusals recorded`);
      }
      if (action === 'suspend') {
        expect((await credential(serial, 'resume')).body.status).to.equal('GOOD');
        await until(async () => (await asks['discovery.structured']()).status === 200, 'the resumed agent asking again');
      }
    }
  });

  it('deregisters: the agent leaves the directory and its credential is revoked as cessationOfOperation', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'leaving' });
    const serial = serialOf(body.certificatePem);
    expect((await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic))).status).to.equal(204);
    expect((await registration(body.aic)).status).to.equal(404);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serial}`)).body).to.include({ status: 'REVOKED', reason: 'cessationOfOperation' });
  });

  it('refuses a malformed AIC (AIC_SYNTAX) and a mistyped one (AIC_CHECKSUM) before any lookup', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'typo-target' });
    const malformed = await registration('1.2.156.3088.1.2.1.1.1.ABCDE');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.cause).to.equal('AIC_SYNTAX');
    // The checksum's last character changed: still at most 1EKF, a CRC-16 in Base36, so in range.
    const mistyped = `${body.aic.slice(0, -1)}${body.aic.endsWith('0') ? '1' : '0'}`;
    const res = await registration(mistyped);
    expect(res.status).to.equal(400);
    expect(res.body.cause).to.equal('AIC_CHECKSUM');
    expect(res.body.detail).to.contain('mistyped or forged');
    const lookups = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.lookup&limit=2`)).body;
    expect(lookups.map((event: { cause: string }) => event.cause), 'each refusal is an event').to.deep.equal(['AIC_CHECKSUM', 'AIC_SYNTAX']);
    expect(lookups[0]).to.include({ outcome: 'refused' }).and.not.have.property('aic');

    // So is a credential event naming a mistyped AIC.
    const notice = await request('POST', `${core.agwUrl}/nagw-reg/v1/credential-events`, { event: 'CREDENTIAL_REVOKED', serialNumber: body.acs.security.credentialSerialNumber, aic: mistyped, status: 'REVOKED' });
    expect(notice.status).to.equal(400);
    expect(notice.body.cause).to.equal('AIC_CHECKSUM');
    const [credentialEvent] = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.credential&limit=1`)).body;
    expect(credentialEvent).to.include({ outcome: 'refused', cause: 'AIC_CHECKSUM' });
  });

  it("refuses a deregistration without the registrant's token (401), keeps the agent and records the refusal", async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'staying' });
    const res = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, { authorization: `Bearer ${'A'.repeat(43)}` });
    expect(res.status).to.equal(401);
    expect(res.body.cause).to.equal('INVALID_REGISTRATION_TOKEN');
    expect(res.headers.get('www-authenticate'), 'RFC 6750 section 3').to.equal('Bearer realm="nagw-reg", error="invalid_token"');
    const none = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`);
    expect(none.status, 'no token at all').to.equal(401);
    expect(none.headers.get('www-authenticate'), 'no error code when no token was sent').to.equal('Bearer realm="nagw-reg"');
    expect((await registration(body.aic)).status).to.equal(200);
    const refused = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.deregistered&aic=${body.aic}`)).body;
    expect(refused).to.have.length(2);
    expect(refused[0]).to.include({ outcome: 'refused', cause: 'INVALID_REGISTRATION_TOKEN', aic: body.aic });
  });

  it('renews with the same key: a new serial for the same AIC, the old one superseded, and the gateway follows', async () => {
    const { body, key } = await registerAgent(core.agwUrl, { name: 'renewing' });
    const serial = serialOf(body.certificatePem);
    // A CSR made for the renewal: the registration's has made its certificate.
    const renewed = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/renew`, { csrPem: (await createCsr(key.keys)).toString('pem') });
    expect(renewed.status).to.equal(201);
    expect(renewed.body.aic).to.equal(body.aic);
    expect(renewed.body.serialNumber).to.not.equal(serial);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serial}`)).body).to.include({ status: 'REVOKED', reason: 'superseded', supersededBy: renewed.body.serialNumber });
    await until(async () => (await registration(body.aic)).body.acs.security.credentialSerialNumber === renewed.body.serialNumber, 'the AGW taking the renewed certificate');
    expect((await registration(body.aic)).body.state).to.equal('ACTIVE');
  });

  it('refuses a renewal whose CSR carries another key (403 KEY_MISMATCH)', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'renew-thief' });
    const other = await registerAgent(core.agwUrl, { name: 'someone-else' });
    const res = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialOf(body.certificatePem)}/renew`, { csrPem: other.sent.csrPem });
    expect(res.status).to.equal(403);
    expect(res.body.cause).to.equal('KEY_MISMATCH');
  });
});
