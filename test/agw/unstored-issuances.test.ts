/**
 * Certificates made for registrations the gateway stopped in (nfs/agw/unstored-issuances.ts): the
 * AMC certified the agent, and the gateway stopped before it stored it.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import { createAgentKeyAndCsr, type AgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import type { NonceDocument } from '../../nfs/agw/store.ts';
import { UNSTORED_GRACE_MS } from '../../nfs/agw/unstored-issuances.ts';
import { freshNonce, operatorCore, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('AGW: certificates of registrations a stopped gateway never stored', function () {
  this.timeout(30_000);
  let core: TestCore;
  /** The gateway's clock runs this far ahead: the grace a registration under way is given has passed. */
  let ahead = 0;
  before(async () => {
    core = await startTestCore({ agw: { now: () => Date.now() + ahead } });
  });
  after(async () => core?.close());

  /** What a gateway stopped mid-registration leaves: the AMC's certificate for an AIC, and the nonce with the key. */
  /**
   * `gatewayId`: the gateway whose grant certified it, this one unless given; `nonce: false`: the
   * registration was another store's gateway's, whose nonces this gateway never sees.
   */
  async function certifiedButNotStored(entitySerial: string, seenAt: Date, options: { key?: AgentKeyAndCsr; gatewayId?: string; nonce?: boolean } = {}) {
    const key = options.key ?? (await createAgentKeyAndCsr());
    const gatewayId = options.gatewayId ?? core.agw.nfInstanceId;
    const grant = (await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
      gateway: { nfInstanceId: gatewayId, domain: 'operator.example' }, provider: operatorCore,
      agent: { name: 'cut-short', version: '1.0', kind: 'capability-agent' }, requestedCapabilities: ['/capability/location'],
      publicKeySha256: key.publicKeySpkiSha256, csrPem: key.csrPem,
    })).body;
    const aic = formatAic(defaultAicScheme, { providerIndex: grant.providerIndex, ontologySerial: 'U', entitySerial });
    const issued = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, { grantId: grant.grantId, aic, csrPem: key.csrPem });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const nonce = freshNonce();
    if (options.nonce !== false) await core.store.collection<NonceDocument>('agw.nonces').insertOne({ _id: nonce, seenAt, publicKeySha256: key.publicKeySpkiSha256, gatewayId });
    return { aic, serialNumber: issued.body.serialNumber as string, key, nonce };
  }

  const statusOf = async (serialNumber: string) => (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`)).body as { status: string; reason?: string };

  it('revokes, once the grace has passed, the live certificates of registrations cut short before this process started, a replica\'s too; it keeps a registered agent\'s and another store\'s gateway\'s', async () => {
    // Before the process started, and within the grace of it.
    const beforeStart = new Date(Date.now() - 60_000);
    const orphan = await certifiedButNotStored('1', beforeStart);
    // A gateway of another store certified the same key at the same time: not this gateway's to revoke.
    const elsewhere = await certifiedButNotStored('4', beforeStart, { key: orphan.key, gatewayId: randomUUID(), nonce: false });
    // A replica on this store (another instance ID) stopped in a registration: its nonce is here.
    const ofReplica = await certifiedButNotStored('7', beforeStart, { gatewayId: randomUUID() });
    // The agent tried again after the gateway stopped, with the same key: registered under another AIC.
    const retried = await certifiedButNotStored('5', beforeStart);
    const again = await registerAgent(core.agwUrl, { name: 'retried-agent', csrPem: retried.key.csrPem });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    const registered = await registerAgent(core.agwUrl, { name: 'kept-agent' });
    expect(registered.status).to.equal(201);
    await core.store.collection<NonceDocument>('agw.nonces').insertOne({ _id: freshNonce(), seenAt: beforeStart, publicKeySha256: registered.key.publicKeySpkiSha256 });

    expect(await core.agw.service.revokeUnstoredIssuances(), 'within the grace: maybe still under way').to.equal(0);
    expect((await statusOf(orphan.serialNumber)).status).to.equal('GOOD');

    ahead = UNSTORED_GRACE_MS + 10_000;
    expect(await core.agw.service.revokeUnstoredIssuances()).to.equal(3);
    expect(await statusOf(orphan.serialNumber)).to.include({ status: 'REVOKED', reason: 'cessationOfOperation' });
    expect(await statusOf(ofReplica.serialNumber), "a replica's").to.include({ status: 'REVOKED', reason: 'cessationOfOperation' });
    expect(await statusOf(retried.serialNumber), 'the first attempt of the agent that tried again').to.include({ status: 'REVOKED', reason: 'cessationOfOperation' });
    expect((await statusOf(registered.body.acs.security.credentialSerialNumber)).status, "a registered agent's").to.equal('GOOD');
    expect((await statusOf(again.body.acs.security.credentialSerialNumber)).status, "the agent that tried again's").to.equal('GOOD');
    expect((await statusOf(elsewhere.serialNumber)).status, "another gateway's").to.equal('GOOD');
    const nonces = core.store.collection<NonceDocument>('agw.nonces');
    expect(await nonces.countDocuments({ _id: { $in: [orphan.nonce, ofReplica.nonce, retried.nonce] } }), 'their nonces given back').to.equal(0);
    expect(await nonces.findOne({ _id: again.sent.nonce }), 'the registered retry keeps its nonce').to.not.equal(null);
    const events = (await request('GET', `${core.agwUrl}/nagw-evts/v1/events?type=agent.registration&aic=${orphan.aic}`)).body as Array<{ outcome: string; cause: string; detail: { serialNumber: string } }>;
    expect(events.map((event) => [event.outcome, event.cause, event.detail.serialNumber])).to.deep.equal([['failure', 'CERTIFICATE_REVOKED', orphan.serialNumber]]);
    // Looked at once: a registration cut short behind the mark is not looked at again.
    const behindTheMark = await certifiedButNotStored('6', new Date(beforeStart.getTime() - 1_000));
    expect(await core.agw.service.revokeUnstoredIssuances(), 'looked at once').to.equal(0);
    expect((await statusOf(behindTheMark.serialNumber)).status).to.equal('GOOD');
  });

  it('leaves the registrations of this process alone: they end here one way or the other', async () => {
    const duringThisProcess = await certifiedButNotStored('2', new Date());
    ahead = 10 * UNSTORED_GRACE_MS;
    expect(await core.agw.service.revokeUnstoredIssuances()).to.equal(0);
    expect((await statusOf(duringThisProcess.serialNumber)).status).to.equal('GOOD');
  });

  it('looks up keys at the AMC by their SHA-256 (ListCredentials public-key-sha256), refusing any other text (400)', async () => {
    const { key, aic } = await certifiedButNotStored('3', new Date());
    const listed = await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?public-key-sha256=${key.publicKeySpkiSha256}`);
    expect(listed.body.map((credential: { aic: string }) => credential.aic)).to.deep.equal([aic]);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?public-key-sha256=${key.publicKeySpkiSha256.toUpperCase()}`)).status).to.equal(400);
  });
});
