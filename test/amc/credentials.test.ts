import 'reflect-metadata';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createAmc } from '../../nfs/amc/app.ts';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import { acme, operatorCore, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('AMC: AAAP grants and credential issuance (MACP sections 4.2 and 5.1)', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });

  const authorize = (provider: { providerId: string; clientSecret: string }, capabilities: string[], publicKeySha256: string) =>
    request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
      gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' },
      provider,
      agent: { name: 'direct', version: '1.0', kind: 'capability-agent' },
      requestedCapabilities: capabilities,
      publicKeySha256,
    });
  const aicFor = (providerIndex: string, entity: string) => formatAic(defaultAicScheme, { providerIndex, ontologySerial: 'Z', entitySerial: entity });
  const issue = (grantId: string, aic: string, csrPem: string) => request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, { grantId, aic, csrPem });

  it('grants the intersection of the requested and allowed capabilities, bound to the key', async () => {
    const key = await createAgentKeyAndCsr();
    const res = await authorize(acme, ['/capability/billing-plan', '/capability/location'], key.publicKeySpkiSha256);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ decision: 'GRANT' });
    expect(res.body.grantedCapabilities).to.deep.equal(['/capability/billing-plan']);
    expect(res.body.deniedCapabilities).to.deep.equal(['/capability/location']);
  });

  it('denies with a cause: wrong secret, unknown provider, suspended provider', async () => {
    const key = await createAgentKeyAndCsr();
    expect((await authorize({ ...acme, clientSecret: 'wrong-secret-value' }, ['/capability/billing-plan'], key.publicKeySpkiSha256)).body).to.include({ decision: 'DENY', cause: 'INVALID_PROVIDER_CREDENTIAL' });
    expect((await authorize({ providerId: 'ghost', clientSecret: 'x' }, ['/capability/billing-plan'], key.publicKeySpkiSha256)).body).to.include({ decision: 'DENY', cause: 'PROVIDER_UNKNOWN' });
    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'short-lived', name: 'Short lived', allowedCapabilities: ['*'] });
    expect(created.status).to.equal(201);
    const suspended = await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/short-lived`, { status: 'SUSPENDED' }, { 'content-type': 'application/json' });
    expect(suspended.body.status).to.equal('SUSPENDED');
    expect((await authorize({ providerId: 'short-lived', clientSecret: created.body.clientSecret }, ['/capability/location'], key.publicKeySpkiSha256)).body).to.include({ decision: 'DENY', cause: 'PROVIDER_SUSPENDED' });
  });

  it('issues once per grant, only for the granted key and the grant provider’s AICs', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key.publicKeySpkiSha256)).body;
    const other = await createAgentKeyAndCsr();

    const wrongKey = await issue(grant.grantId, aicFor(grant.providerIndex, '1'), other.csrPem);
    expect(wrongKey.status).to.equal(403);
    expect(wrongKey.body.cause).to.equal('KEY_MISMATCH');

    const fresh = (await authorize(operatorCore, ['/capability/location'], key.publicKeySpkiSha256)).body;
    const otherProvider = await issue(fresh.grantId, aicFor('ZZ', '1'), key.csrPem);
    expect(otherProvider.status).to.equal(403);
    expect(otherProvider.body.cause).to.equal('AIC_PROVIDER_MISMATCH');

    const third = (await authorize(operatorCore, ['/capability/location'], key.publicKeySpkiSha256)).body;
    const issued = await issue(third.grantId, aicFor(third.providerIndex, '7'), key.csrPem);
    expect(issued.status).to.equal(201);
    const replay = await issue(third.grantId, aicFor(third.providerIndex, '8'), key.csrPem);
    expect(replay.status).to.equal(403);
    expect(replay.body.cause).to.equal('GRANT_INVALID');
  });

  it('answers 404 for an unknown serial and 400 for a malformed one', async () => {
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/abcdef0123`)).status).to.equal(404);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/XYZ`)).status).to.equal(400);
  });

  it('publishes its CA with the trust anchors', async () => {
    const ca = (await request('GET', `${core.amcUrl}/namc-cred/v1/ca`)).body;
    const anchors = (await request('GET', `${core.amcUrl}/namc-cred/v1/trust-anchors`)).body;
    expect(anchors[0]).to.deep.equal({ domain: 'operator.example', certificatePem: ca });
  });
});

describe('AMC keeps its CA and everything it issued across a restart', () => {
  it('loads the same CA and credentials from a data directory after closing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmsc-amc-'));
    const logger = createLogger({ nf: 'AMC', level: 'silent' });
    try {
      const firstStore = createEmbeddedStore({ dataDir });
      const first = await createAmc({ store: firstStore, logger, nrfUri: 'http://127.0.0.1:9' });
      const caPem = first.service.caCertificatePem();
      const key = await createAgentKeyAndCsr();
      const grant = await first.service.authorize({
        gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' },
        provider: operatorCore,
        agent: { name: 'persisted', version: '1.0', kind: 'capability-agent' },
        requestedCapabilities: ['/capability/location'],
        publicKeySha256: key.publicKeySpkiSha256,
      });
      const issued = await first.service.issueCredential({ grantId: grant.grantId!, aic: formatAic(defaultAicScheme, { providerIndex: grant.providerIndex!, ontologySerial: '1', entitySerial: '1' }), csrPem: key.csrPem });
      await firstStore.close();

      const secondStore = createEmbeddedStore({ dataDir });
      const second = await createAmc({ store: secondStore, logger, nrfUri: 'http://127.0.0.1:9' });
      expect(second.service.caCertificatePem()).to.equal(caPem);
      expect((await second.service.getCredentialStatus(issued.serialNumber)).status).to.equal('GOOD');
      expect((await second.service.listProviders()).map((p) => p.providerId)).to.include('operator-core');
      await secondStore.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
