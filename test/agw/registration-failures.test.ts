/**
 * What a registration and the operations after it leave behind when a step fails part-way: a
 * real NRF, AMC and AGW over HTTP on one in-memory store, with one store operation made to fail
 * (or to let another change land) at the step under test, then put back.
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { expect } from 'chai';
import type { Collection, StoredDocument } from '../../nfs/shared/store/collection.ts';
import { createCsr, spkiSha256 } from '../../nfs/shared/agent-credentials.ts';
import { acme, asRegistrant, freshNonce, operatorAmf, operatorCore, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';
import { until } from '../support/until.ts';

/**
 * Replaces one method of a store collection for its next call, or its next call whose arguments
 * `matches` (other calls going on as before).
 */
function onNextCall<K extends 'insertOne' | 'findOne' | 'findOneAndDelete' | 'findOneAndUpdate' | 'find' | 'replaceOne'>(
  collection: Collection<StoredDocument>,
  method: K,
  replacement: Collection<StoredDocument>[K],
  matches: (...args: unknown[]) => boolean = () => true,
): void {
  const original = collection[method] as (...a: unknown[]) => unknown;
  collection[method] = (async (...args: unknown[]) => {
    if (!matches(...args)) return original.apply(collection, args);
    collection[method] = original as Collection<StoredDocument>[K];
    return (replacement as (...a: unknown[]) => unknown)(...args);
  }) as Collection<StoredDocument>[K];
}

describe('AGW registration when a step fails part-way', function () {
  this.timeout(30_000);
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => core?.close());

  const agents = () => core.store.collection<StoredDocument & { credentialSerial?: string; credentialStatus?: string }>('agw.agents');
  const eventsOf = async (type: string) => (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=${type}`)).body as Array<{ outcome: string; cause?: string; aic?: string; detail?: Record<string, unknown> }>;
  /** The AMC's credentials certifying a key, whatever their AIC. */
  const certificatesOf = async (publicKeySha256: string) => {
    const all = (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials`)).body as Array<{ serialNumber: string; status: string; reason?: string; certificatePem: string }>;
    const ofTheKey = [];
    for (const credential of all) if ((await spkiSha256(new X509Certificate(credential.certificatePem).publicKey)) === publicKeySha256) ofTheKey.push(credential);
    return ofTheKey;
  };
  const credentialsOfAic = async (aic: string) => (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?aic=${aic}`)).body as Array<{ serialNumber: string; status: string }>;

  it('revokes the certificate made for a registration whose agent could not be stored, gives its nonce back, and records the failure', async () => {
    onNextCall(agents(), 'insertOne', async () => {
      throw new Error('no space left on device (injected)');
    });
    const failed = await registerAgent(core.agwUrl, { name: 'unstored' });
    expect(failed.status, JSON.stringify(failed.body)).to.equal(500);

    // The AMC made a certificate for the key before the store failed: it is revoked now.
    const ofTheKey = await certificatesOf(failed.key.publicKeySpkiSha256);
    expect(ofTheKey.map((credential) => [credential.status, credential.reason])).to.deep.equal([['REVOKED', 'cessationOfOperation']]);

    const failures = (await eventsOf('agent.registration')).filter((event) => event.outcome === 'failure' && event.detail?.name === 'unstored');
    expect(failures.map((event) => event.cause)).to.deep.equal(['SYSTEM_FAILURE']);

    // The same request again (nonce and key) goes through: nothing of the failed one stayed.
    const retried = await request('POST', `${core.agwUrl}/nagw-reg/v1/registrations`, failed.sent);
    expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
  });

  describe('an issuance whose answer never reached the gateway', () => {
    const credentials = () => core.store.collection<StoredDocument>('amc.credentials');

    it('is sent again, and the registration goes on with the certificate the AMC made', async () => {
      const original = credentials().insertOne.bind(credentials());
      // The AMC stores and signs the certificate, then fails before it answers: the gateway gets a 500.
      onNextCall(credentials(), 'insertOne', async (doc) => {
        await original(doc);
        throw new Error('the AMC fails after storing the certificate (injected)');
      });
      const registered = await registerAgent(core.agwUrl, { name: 'answer-lost' });
      expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
      const made = await certificatesOf(registered.key.publicKeySpkiSha256);
      expect(made.map((credential) => [credential.serialNumber, credential.status])).to.deep.equal([[registered.body.acs.security.credentialSerialNumber, 'GOOD']]);
    });

    it('has the certificate of its key revoked, and no other, when the repeat fails too', async () => {
      const revokedBefore = await credentials().countDocuments({ status: 'REVOKED' });
      const original = credentials().insertOne.bind(credentials());
      onNextCall(credentials(), 'insertOne', async (doc) => {
        await original(doc);
        // The repeat fails as well: its look-up of what the first made.
        onNextCall(credentials(), 'findOne', async () => {
          throw new Error('the AMC cannot read its credentials (injected)');
        });
        throw new Error('the AMC fails after storing the certificate (injected)');
      });
      const failed = await registerAgent(core.agwUrl, { name: 'answer-lost-twice' });
      expect([failed.status, failed.body.cause], JSON.stringify(failed.body)).to.deep.equal([502, 'AMC_FAILURE']);
      const made = await certificatesOf(failed.key.publicKeySpkiSha256);
      expect(made.map((credential) => [credential.status, credential.reason])).to.deep.equal([['REVOKED', 'cessationOfOperation']]);
      expect(await credentials().countDocuments({ status: 'REVOKED' }), 'no other certificate was revoked').to.equal(revokedBefore + 1);
      const revokedEvents = (await eventsOf('agent.registration')).filter((event) => event.cause === 'CERTIFICATE_REVOKED');
      expect(revokedEvents.map((event) => event.detail?.serialNumber)).to.include(made[0].serialNumber);
    });
  });

  it("answers a UE's new agent as registered when removing the UE's older agent fails, and records that failure", async () => {
    const supi = 'imsi-001010000000777';
    const ue = { provider: operatorAmf, kind: 'ue-agent', name: 'ue-agent', description: 'Measures on the device', capabilities: ['/capability/ue-measurement'] };
    const older = await registerAgent(core.agwUrl, { ...ue, onBehalfOf: { supi, cmState: 'CM-CONNECTED' } });
    expect(older.status, JSON.stringify(older.body)).to.equal(201);

    onNextCall(agents(), 'findOneAndDelete', async () => {
      throw new Error('the store is unreachable (injected)');
    });
    const newer = await registerAgent(core.agwUrl, { ...ue, onBehalfOf: { supi, cmState: 'CM-CONNECTED' } });
    expect(newer.status, JSON.stringify(newer.body)).to.equal(201);
    expect((await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${newer.body.aic}`)).status).to.equal(200);
    const failures = (await eventsOf('agent.deregistered')).filter((event) => event.outcome === 'failure');
    expect(failures.some((event) => String(event.detail?.reason).includes(newer.body.aic)), JSON.stringify(failures)).to.equal(true);
    // The older agent's certificate was revoked before its removal failed: it is out of discovery.
    expect((await credentialsOfAic(older.body.aic)).map((credential) => credential.status)).to.deep.equal(['REVOKED']);
  });

  it('revokes on deregistration a renewed certificate whose notice has not reached the gateway', async () => {
    const { body, key } = await registerAgent(core.agwUrl, { name: 'renewed-unheard' });
    const firstSerial: string = body.acs.security.credentialSerialNumber;
    const renewed = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${firstSerial}/renew`, { csrPem: (await createCsr(key.keys)).toString('pem') });
    expect(renewed.status, JSON.stringify(renewed.body)).to.equal(201);
    await until(async () => (await agents().findOne({ _id: body.aic }))?.credentialSerial === renewed.body.serialNumber, 'the gateway hearing of the renewal');
    // As if the notice had been lost: the gateway still knows the first certificate only.
    await agents().findOneAndUpdate({ _id: body.aic }, { $set: { credentialSerial: firstSerial, 'acs.security.credentialSerialNumber': firstSerial } });

    const gone = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
    expect(gone.status, JSON.stringify(gone.body)).to.equal(204);
    expect((await credentialsOfAic(body.aic)).map((credential) => credential.status)).to.deep.equal(['REVOKED', 'REVOKED']);
  });

  it('deregisters an agent whose credential it knows revoked while the AMC cannot list credentials, and keeps one it does not', async () => {
    const credentials = core.store.collection<StoredDocument>('amc.credentials');
    const failingList = async () => {
      throw new Error('the AMC cannot read its credentials (injected)');
    };
    const revoked = (await registerAgent(core.agwUrl, { name: 'revoked-then-gone' })).body;
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${revoked.acs.security.credentialSerialNumber}/revoke`, { reason: 'keyCompromise' })).status).to.equal(200);
    await until(async () => (await agents().findOne({ _id: revoked.aic }))?.credentialStatus === 'REVOKED', 'the gateway hearing of the revocation');
    onNextCall(credentials, 'find', failingList);
    expect((await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${revoked.aic}`, undefined, asRegistrant(revoked.aic))).status).to.equal(204);

    const good = (await registerAgent(core.agwUrl, { name: 'good-stays' })).body;
    onNextCall(credentials, 'find', failingList);
    expect((await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${good.aic}`, undefined, asRegistrant(good.aic))).status, 'its certificate could not be revoked').to.equal(502);
    expect(await agents().findOne({ _id: good.aic })).to.not.equal(null);
    const [failure] = (await eventsOf('agent.deregistered')).filter((event) => event.aic === good.aic);
    expect(failure, 'the failure is an event').to.include({ outcome: 'failure', cause: 'AMC_FAILURE' });
  });

  it('keeps an agent the AMC holds suspended though the gateway has not heard of it yet: 403 CREDENTIAL_SUSPENDED, the hold standing', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'held-unheard' });
    const serial: string = body.acs.security.credentialSerialNumber;
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/suspend`, {})).status).to.equal(200);
    await until(async () => (await agents().findOne({ _id: body.aic }))?.credentialStatus === 'SUSPENDED', 'the gateway hearing of the suspension');
    // As if the notice had been lost.
    await agents().findOneAndUpdate({ _id: body.aic }, { $set: { credentialStatus: 'GOOD' } });
    const res = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
    expect([res.status, res.body.cause], JSON.stringify(res.body)).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);
    expect((await credentialsOfAic(body.aic)).map((credential) => credential.status)).to.deep.equal(['SUSPENDED']);
    expect(await agents().findOne({ _id: body.aic })).to.not.equal(null);
    const [refusal] = (await eventsOf('agent.deregistered')).filter((event) => event.aic === body.aic);
    expect(refusal).to.include({ outcome: 'refused', cause: 'CREDENTIAL_SUSPENDED' });
  });

  it('catches up on a revocation whose notices never reached it: after its next subscription the agent is REVOKED and out of discovery', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'revoked-unheard' });
    const serial: string = body.acs.security.credentialSerialNumber;
    await core.agw.service.catchUpCredentialChanges();
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/revoke`, { reason: 'privilegeWithdrawn' })).status).to.equal(200);
    await until(async () => (await agents().findOne({ _id: body.aic }))?.credentialStatus === 'REVOKED', 'the gateway hearing of the revocation');
    // As if every notice had been lost.
    await agents().findOneAndUpdate({ _id: body.aic }, { $set: { credentialStatus: 'GOOD' } });
    expect((await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`)).body.state).to.equal('ACTIVE');

    expect(await core.agw.service.catchUpCredentialChanges(), 'agents changed').to.equal(1);
    expect((await request('GET', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`)).body.state).to.equal('REVOKED');
    const [event] = (await eventsOf('agent.credential')).filter((candidate) => candidate.aic === body.aic);
    expect(event.detail).to.include({ caughtUp: true, status: 'REVOKED', serialNumber: serial });
    expect(await core.agw.service.catchUpCredentialChanges(), 'nothing new the next time').to.equal(0);
  });

  it('answers a heartbeat 404 AGENT_NOT_FOUND, and records it, when the agent was deregistered after it was found', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'gone-while-beating' });
    const original = agents().findOneAndUpdate.bind(agents());
    onNextCall(agents(), 'findOneAndUpdate', (async (...args: Parameters<typeof original>) => {
      await agents().findOneAndDelete({ _id: body.aic });
      return original(...args);
    }) as typeof original);
    const beat = await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/heartbeat`, { load: 3 }, asRegistrant(body.aic));
    expect(beat.status, JSON.stringify(beat.body)).to.equal(404);
    expect(beat.body.cause).to.equal('AGENT_NOT_FOUND');
    const [refusal] = (await eventsOf('agent.heartbeat')).filter((event) => event.aic === body.aic);
    expect(refusal).to.include({ outcome: 'refused', cause: 'AGENT_NOT_FOUND' });
  });

  describe('an update while something else changes the agent', () => {
    const amcCredentials = () => core.store.collection<StoredDocument>('amc.credentials');
    const patch = (aic: string) =>
      request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${aic}`, { provider: operatorCore, version: '2.0.0' }, { 'content-type': 'application/json' });

    it('is refused 409 ACS_CHANGED, not written over, when the ACS changed while the AMC was asked', async () => {
      const { body } = await registerAgent(core.agwUrl, { name: 'renewed-meanwhile' });
      // AAAP looks for a compromised key: at that moment a renewal's new ACS version lands at the gateway.
      const original = amcCredentials().findOne.bind(amcCredentials());
      onNextCall(amcCredentials(), 'findOne', (async (...args: Parameters<typeof original>) => {
        await agents().findOneAndUpdate({ _id: body.aic }, { $set: { 'acs.security.credentialSerialNumber': 'renewed' }, $inc: { 'acs.acsVersion': 1 } });
        return original(...args);
      }) as typeof original);
      const res = await patch(body.aic);
      expect(res.status, JSON.stringify(res.body)).to.equal(409);
      expect(res.body.cause).to.equal('ACS_CHANGED');
      const kept = await agents().findOne({ _id: body.aic });
      expect(kept).to.deep.include({ version: '1.0.0' });
      expect((kept as unknown as { acs: { acsVersion: number; security: { credentialSerialNumber: string } } }).acs).to.deep.include({ acsVersion: 2, security: { ...body.acs.security, credentialSerialNumber: 'renewed' } });
      expect((await patch(body.aic)).status, 'sent again').to.equal(200);
    });

    it('is answered 404 when the agent was deregistered while the AMC was asked', async () => {
      const { body } = await registerAgent(core.agwUrl, { name: 'gone-meanwhile', provider: acme, capabilities: ['/capability/billing-plan'] });
      const original = amcCredentials().findOne.bind(amcCredentials());
      onNextCall(amcCredentials(), 'findOne', (async (...args: Parameters<typeof original>) => {
        await agents().findOneAndDelete({ _id: body.aic });
        return original(...args);
      }) as typeof original);
      const res = await request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider: acme, version: '2.0.0' }, { 'content-type': 'application/json' });
      expect(res.status, JSON.stringify(res.body)).to.equal(404);
      expect(res.body.cause).to.equal('AGENT_NOT_FOUND');
      expect(await agents().findOne({ _id: body.aic })).to.equal(null);
    });
  });

  describe('a deletion from the taxonomy crossing a write that holds the capability', () => {
    const capabilityUrl = (name: string) => `${core.agwUrl}/nagw-tax/v1/capabilities/${name}`;
    const taxonomy = () => core.store.collection<StoredDocument>('agw.taxonomy');
    const policies = () => core.store.collection<StoredDocument>('agw.policies');
    const addCapability = async (name: string) => expect((await request('PUT', capabilityUrl(name), { name, description: `Crossing test capability ${name}` })).status).to.equal(201);
    const deleteCapability = (name: string) => request('DELETE', capabilityUrl(name));

    it('refuses a registration whose capability was deleted after it was resolved: 400 UNKNOWN_CAPABILITY, nothing stored, its certificate revoked', async () => {
      await addCapability('crossing-registration');
      // Just before the agent is stored, the deletion runs whole: no agent holds the capability yet.
      const original = agents().insertOne.bind(agents());
      onNextCall(agents(), 'insertOne', (async (...args: Parameters<typeof original>) => {
        expect((await deleteCapability('crossing-registration')).status, 'the deletion').to.equal(204);
        return original(...args);
      }) as typeof original);
      const refused = await registerAgent(core.agwUrl, { name: 'crossing-registration', capabilities: ['/capability/crossing-registration'] });
      expect([refused.status, refused.body.cause], JSON.stringify(refused.body)).to.deep.equal([400, 'UNKNOWN_CAPABILITY']);
      expect(await agents().findOne({ name: 'crossing-registration' }), 'no agent stored').to.equal(null);
      expect((await certificatesOf(refused.key.publicKeySpkiSha256)).map((credential) => [credential.status, credential.reason])).to.deep.equal([['REVOKED', 'cessationOfOperation']]);
    });

    it('restores a capability an agent registered with while it was being deleted: 409 CAPABILITY_IN_USE, the agent discoverable', async () => {
      await addCapability('crossing-deletion');
      // The deletion found no holder; before its write, a registration of the capability lands.
      const original = taxonomy().findOneAndDelete.bind(taxonomy());
      let registered: Awaited<ReturnType<typeof registerAgent>> | undefined;
      onNextCall(taxonomy(), 'findOneAndDelete', (async (...args: Parameters<typeof original>) => {
        registered = await registerAgent(core.agwUrl, { name: 'crossing-deletion', capabilities: ['/capability/crossing-deletion'] });
        const deleted = await original(...args);
        // Another change reloads the gateway's taxonomy while the capability is away.
        await addCapability('crossing-deletion-other');
        return deleted;
      }) as typeof original);
      const deletion = await deleteCapability('crossing-deletion');
      expect(registered?.status, JSON.stringify(registered?.body)).to.equal(201);
      expect([deletion.status, deletion.body.cause], JSON.stringify(deletion.body)).to.deep.equal([409, 'CAPABILITY_IN_USE']);
      expect((await request('GET', capabilityUrl('crossing-deletion'))).status, 'the capability is back').to.equal(200);
      const found = await request('GET', `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/crossing-deletion`);
      expect([found.status, found.body.agents?.map((agent: { aic: string }) => agent.aic)], JSON.stringify(found.body)).to.deep.equal([200, [registered!.body.aic]]);
      const next = await registerAgent(core.agwUrl, { name: 'crossing-deletion-next', capabilities: ['/capability/crossing-deletion'] });
      expect(next.status, `the gateway knows it again: ${JSON.stringify(next.body)}`).to.equal(201);
    });

    it('undoes an update that added a capability deleted meanwhile: 400 UNKNOWN_CAPABILITY, the agent as it was', async () => {
      await addCapability('crossing-update');
      const { body } = await registerAgent(core.agwUrl, { name: 'crossing-update' });
      const original = agents().findOneAndUpdate.bind(agents());
      // The update's own write, over the ACS version it read.
      onNextCall(agents(), 'findOneAndUpdate', (async (...args: Parameters<typeof original>) => {
        expect((await deleteCapability('crossing-update')).status, 'the deletion').to.equal(204);
        return original(...args);
      }) as typeof original, (filter) => (filter as Record<string, unknown>)['acs.acsVersion'] !== undefined);
      const res = await request('PATCH', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, { provider: operatorCore, requestedCapabilities: ['/capability/qos-optimisation', '/capability/crossing-update'] }, { 'content-type': 'application/json' });
      expect([res.status, res.body.cause], JSON.stringify(res.body)).to.deep.equal([400, 'UNKNOWN_CAPABILITY']);
      const kept = (await agents().findOne({ _id: body.aic })) as unknown as { capabilityIds: string[]; acs: { acsVersion: number } };
      expect([kept.capabilityIds, kept.acs.acsVersion]).to.deep.equal([['/capability/qos-optimisation'], body.acs.acsVersion]);
    });

    it('takes back a policy rule naming a capability deleted while the rule was stored: 400 UNKNOWN_CAPABILITY, no rule', async () => {
      await addCapability('crossing-rule');
      const original = policies().replaceOne.bind(policies());
      onNextCall(policies(), 'replaceOne', (async (...args: Parameters<typeof original>) => {
        expect((await deleteCapability('crossing-rule')).status, 'the deletion').to.equal(204);
        return original(...args);
      }) as typeof original);
      const res = await request('PUT', `${core.agwUrl}/nagw-pol/v1/rules/crossing-rule`, { effect: 'DENY', subject: { providerId: 'acme-agents' }, capabilityId: '/capability/crossing-rule', actions: ['invoke'] });
      expect([res.status, res.body.cause], JSON.stringify(res.body)).to.deep.equal([400, 'UNKNOWN_CAPABILITY']);
      expect(await policies().findOne({ _id: 'crossing-rule' }), 'no rule stored').to.equal(null);
    });

    it('takes back only its own write: a PUT of the same rule that landed meanwhile stands', async () => {
      await addCapability('crossing-rule-twice');
      const ruleUrl = `${core.agwUrl}/nagw-pol/v1/rules/crossing-rule-twice`;
      const original = policies().replaceOne.bind(policies());
      let other: Awaited<ReturnType<typeof request>> | undefined;
      onNextCall(policies(), 'replaceOne', (async (...args: Parameters<typeof original>) => {
        expect((await deleteCapability('crossing-rule-twice')).status, 'the deletion').to.equal(204);
        const written = await original(...args);
        other = await request('PUT', ruleUrl, { effect: 'DENY', subject: { providerId: 'acme-agents' }, capabilityId: '*', actions: ['invoke'] });
        return written;
      }) as typeof original);
      const res = await request('PUT', ruleUrl, { effect: 'DENY', subject: { providerId: 'acme-agents' }, capabilityId: '/capability/crossing-rule-twice', actions: ['invoke'] });
      expect([res.status, other?.status]).to.deep.equal([400, 200]);
      const stored = (await request('GET', `${core.agwUrl}/nagw-pol/v1/rules`)).body.find((rule: { ruleId: string }) => rule.ruleId === 'crossing-rule-twice');
      expect(stored, 'the other PUT stands, its rule as it was answered').to.deep.equal(other!.body);
      await request('DELETE', ruleUrl);
    });
  });

  it('leaves a hold placed while an agent was leaving standing: 403 CREDENTIAL_SUSPENDED, the certificate SUSPENDED, the agent registered', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'held-while-leaving' });
    const serial: string = body.acs.security.credentialSerialNumber;
    // The AMC lists the credential GOOD to the gateway; the operator's hold lands right after.
    const credentials = core.store.collection<StoredDocument>('amc.credentials');
    const original = credentials.find.bind(credentials);
    onNextCall(credentials, 'find', (async (...args: Parameters<typeof original>) => {
      const listed = await original(...args);
      expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serial}/suspend`, {})).status, 'the hold').to.equal(200);
      return listed;
    }) as typeof original, (filter) => (filter as { aic?: string }).aic === body.aic);
    const res = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
    expect([res.status, res.body.cause], JSON.stringify(res.body)).to.deep.equal([403, 'CREDENTIAL_SUSPENDED']);
    expect((await credentialsOfAic(body.aic)).map((credential) => credential.status)).to.deep.equal(['SUSPENDED']);
    expect(await agents().findOne({ _id: body.aic })).to.not.equal(null);
  });

  it('answers one of two deregistrations of an agent that cross 204 and the other 404 AGENT_NOT_FOUND, one success recorded', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'left-twice' });
    const original = agents().findOneAndDelete.bind(agents());
    let inner: Awaited<ReturnType<typeof request>> | undefined;
    onNextCall(agents(), 'findOneAndDelete', (async (...args: Parameters<typeof original>) => {
      inner = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
      return original(...args);
    }) as typeof original);
    const outer = await request('DELETE', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}`, undefined, asRegistrant(body.aic));
    expect([inner?.status, outer.status, outer.body.cause]).to.deep.equal([204, 404, 'AGENT_NOT_FOUND']);
    const outcomes = (await eventsOf('agent.deregistered')).filter((event) => event.aic === body.aic).map((event) => [event.outcome, event.cause]);
    expect(outcomes).to.deep.equal([['refused', 'AGENT_NOT_FOUND'], ['success', undefined]]);
  });

  it('records a refusal of ue-state for an agent that is not a UE agent', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'not-a-ue-agent', nonce: freshNonce() });
    const res = await request('PUT', `${core.agwUrl}/nagw-reg/v1/registrations/${body.aic}/ue-state`, { cmState: 'CM-IDLE' }, asRegistrant(body.aic));
    expect(res.status).to.equal(409);
    const refusals = (await eventsOf('agent.ue_state')).filter((event) => event.aic === body.aic);
    expect(refusals.map((event) => [event.outcome, event.cause])).to.deep.equal([['refused', 'NOT_A_UE_AGENT']]);
  });
});
