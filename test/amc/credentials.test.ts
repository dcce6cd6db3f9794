import 'reflect-metadata';
import { CRLDistributionPointsExtension, PemConverter, X509Certificate as PeculiarCertificate, X509Crl } from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { fromBER, type Integer, type Sequence } from 'asn1js';
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createAmc } from '../../nfs/amc/app.ts';
import { createCaMaterial, loadCertificateAuthority, type CertificateAuthority } from '../../nfs/amc/certificate-authority.ts';
import { createAuthorization } from '../../nfs/amc/authorization.ts';
import { createCredentials } from '../../nfs/amc/credentials.ts';
import { createProviders } from '../../nfs/amc/providers.ts';
import { defaultAmcSettings } from '../../nfs/amc/settings.ts';
import { openAmcStore, type AmcStore } from '../../nfs/amc/store.ts';
import { createNotifier } from '../../nfs/shared/notifier.ts';
import { defaultAicScheme, formatAic } from '../../nfs/shared/aic.ts';
import { createAgentKeyAndCsr, createCsr, type AgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { checkCsrPem } from '../../nfs/shared/csr.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import type { Update } from '../../nfs/shared/store/collection.ts';
import { acme, operatorCore, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

describe('AMC: AAAP grants and credential issuance (MACP sections 4.2 and 5.1)', () => {
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => {
    await core.close();
  });

  // The demonstration third party's account allows third-party agents alone.
  const authorize = (provider: { providerId: string; clientSecret: string }, capabilities: string[], key: Pick<AgentKeyAndCsr, 'publicKeySpkiSha256' | 'csrPem'>, kind = provider.providerId === acme.providerId ? 'third-party' : 'capability-agent') =>
    request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
      gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' },
      provider,
      agent: { name: 'direct', version: '1.0', kind },
      requestedCapabilities: capabilities,
      publicKeySha256: key.publicKeySpkiSha256,
      csrPem: key.csrPem,
    });
  const aicFor = (providerIndex: string, entity: string) => formatAic(defaultAicScheme, { providerIndex, ontologySerial: 'Z', entitySerial: entity });
  const issue = (grantId: string, aic: string, csrPem: string) => request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, { grantId, aic, csrPem });

  it("refuses a registration's AAAP without the agent's CSR (400 MANDATORY_IE_MISSING), granting and storing nothing", async () => {
    const key = await createAgentKeyAndCsr();
    const grantsBefore = await core.store.collection('amc.grants').countDocuments({});
    for (const purpose of [undefined, 'REGISTRATION']) {
      const res = await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
        gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' }, provider: operatorCore,
        agent: { name: 'no-csr', version: '1.0', kind: 'capability-agent' }, requestedCapabilities: ['/capability/location'],
        publicKeySha256: key.publicKeySpkiSha256, ...(purpose ? { purpose } : {}),
      });
      expect([res.status, res.body.cause, res.body.invalidParams?.[0]?.param], String(purpose)).to.deep.equal([400, 'MANDATORY_IE_MISSING', '/csrPem']);
    }
    expect(await core.store.collection('amc.grants').countDocuments({}), 'no grant stored').to.equal(grantsBefore);
  });

  it('grants the intersection of the requested and allowed capabilities, bound to the key', async () => {
    const key = await createAgentKeyAndCsr();
    const res = await authorize(acme, ['/capability/billing-plan', '/capability/location'], key);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ decision: 'GRANT' });
    expect(res.body.grantedCapabilities).to.deep.equal(['/capability/billing-plan']);
    expect(res.body.deniedCapabilities).to.deep.equal(['/capability/location']);
  });

  it('denies with a cause: wrong secret, unknown provider, suspended provider', async () => {
    const key = await createAgentKeyAndCsr();
    expect((await authorize({ ...acme, clientSecret: 'wrong-secret-value' }, ['/capability/billing-plan'], key)).body).to.include({ decision: 'DENY', cause: 'INVALID_PROVIDER_CREDENTIAL' });
    expect((await authorize({ providerId: 'ghost', clientSecret: 'x' }, ['/capability/billing-plan'], key)).body).to.include({ decision: 'DENY', cause: 'PROVIDER_UNKNOWN' });
    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'short-lived', name: 'Short lived', allowedCapabilities: ['*'] });
    expect(created.status).to.equal(201);
    const suspended = await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/short-lived`, { status: 'SUSPENDED' }, { 'content-type': 'application/json' });
    expect(suspended.body.status).to.equal('SUSPENDED');
    expect((await authorize({ providerId: 'short-lived', clientSecret: created.body.clientSecret }, ['/capability/location'], key)).body).to.include({ decision: 'DENY', cause: 'PROVIDER_SUSPENDED' });
  });

  it('denies a kind of agent the provider account does not allow (KIND_NOT_PERMITTED), storing no grant; an account allows every kind unless told, and its kinds can be changed', async () => {
    const key = await createAgentKeyAndCsr();
    expect((await request('GET', `${core.amcUrl}/namc-prov/v1/providers/acme-agents`)).body.allowedAgentKinds).to.deep.equal(['third-party']);
    const grantsBefore = await core.store.collection('amc.grants').countDocuments({});
    const denied = (await authorize(acme, ['/capability/billing-plan'], key, 'capability-agent')).body;
    expect(denied).to.include({ decision: 'DENY', cause: 'KIND_NOT_PERMITTED' });
    expect(denied.detail).to.contain('kind capability-agent');
    expect(await core.store.collection('amc.grants').countDocuments({})).to.equal(grantsBefore);

    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'any-kind', name: 'Any kind', allowedCapabilities: ['*'] });
    expect(created.body.allowedAgentKinds).to.deep.equal(['nf-agent', 'capability-agent', 'ue-agent', 'third-party']);
    const account = { providerId: 'any-kind', clientSecret: created.body.clientSecret };
    expect((await authorize(account, ['/capability/location'], key, 'capability-agent')).body).to.include({ decision: 'GRANT' });
    const narrowed = await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/any-kind`, { allowedAgentKinds: ['third-party'] }, { 'content-type': 'application/json' });
    expect(narrowed.body.allowedAgentKinds).to.deep.equal(['third-party']);
    expect((await authorize(account, ['/capability/location'], key, 'capability-agent')).body).to.include({ decision: 'DENY', cause: 'KIND_NOT_PERMITTED' });
    expect((await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'no-kind', name: 'No kind', allowedCapabilities: ['*'], allowedAgentKinds: ['robot'] })).status).to.equal(400);
  });

  it('refuses a provider id that exists (409 PROVIDER_EXISTS), spending no provider index on it', async () => {
    const create = (providerId: string) => request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId, name: providerId, allowedCapabilities: ['*'] });
    const first = await create('index-keeper');
    expect(first.status).to.equal(201);
    for (let i = 0; i < 2; i += 1) expect([(await create('index-keeper')).body.cause]).to.deep.equal(['PROVIDER_EXISTS']);
    const next = await create('index-keeper-2');
    expect(parseInt(next.body.providerIndex, 36), 'the index after the first').to.equal(parseInt(first.body.providerIndex, 36) + 1);
  });

  it('with the CSR, grants only after its proof of possession and for its own key; a refusal grants nothing', async () => {
    const key = await createAgentKeyAndCsr();
    const other = await createAgentKeyAndCsr();
    const withCsr = (csrPem: string, publicKeySha256 = key.publicKeySpkiSha256) =>
      request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
        gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' },
        provider: operatorCore,
        agent: { name: 'direct', version: '1.0', kind: 'capability-agent' },
        requestedCapabilities: ['/capability/location'],
        publicKeySha256,
        csrPem,
      });
    const grants = () => core.store.collection('amc.grants').countDocuments({});
    const before = await grants();
    const der = Buffer.from(key.csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] ^= 0x01; // the low byte of the signature's s: still DER, no longer a signature
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const refusals = [
      [await withCsr(forged), 'CSR_SIGNATURE_INVALID'],
      [await withCsr(other.csrPem), 'INVALID_CSR'],
      [await withCsr(`-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(120)}\n-----END CERTIFICATE REQUEST-----`), 'INVALID_CSR'],
    ] as const;
    for (const [res, cause] of refusals) {
      expect(res.status, cause).to.equal(400);
      expect(res.body, cause).to.include({ cause });
      expect(res.body.invalidParams[0].param).to.equal('/csrPem');
    }
    expect(await grants(), 'nothing granted').to.equal(before);
    const granted = await withCsr(key.csrPem);
    expect(granted.body).to.include({ decision: 'GRANT' });
    expect(await grants()).to.equal(before + 1);
    expect((await withCsr(other.csrPem, other.publicKeySpkiSha256)).body).to.include({ decision: 'GRANT' });
  });

  it('issues once per grant, only for the granted key and the grant provider’s AICs; a refused request leaves the grant usable', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const other = await createAgentKeyAndCsr();

    const wrongKey = await issue(grant.grantId, aicFor(grant.providerIndex, '1'), other.csrPem);
    expect(wrongKey.status).to.equal(403);
    expect(wrongKey.body.cause).to.equal('KEY_MISMATCH');

    const otherProvider = await issue(grant.grantId, aicFor('ZZ', '1'), key.csrPem);
    expect(otherProvider.status).to.equal(403);
    expect(otherProvider.body.cause).to.equal('AIC_PROVIDER_MISMATCH');

    const issued = await issue(grant.grantId, aicFor(grant.providerIndex, '7'), key.csrPem);
    expect(issued.status, 'the refusals above did not spend the grant').to.equal(201);
    const replay = await issue(grant.grantId, aicFor(grant.providerIndex, '8'), key.csrPem);
    expect(replay.status).to.equal(403);
    expect(replay.body.cause).to.equal('GRANT_INVALID');
  });

  it('answers the same issuance again (a gateway resending a call whose answer it lost) with the credential it made, and makes no second', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const aic = aicFor(grant.providerIndex, '61');
    const first = await issue(grant.grantId, aic, key.csrPem);
    expect(first.status).to.equal(201);
    const again = await issue(grant.grantId, aic, key.csrPem);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?aic=${aic}`)).body).to.have.length(1);
    // Only the very same request: the grant's key with another CSR of another key is refused.
    const other = await createAgentKeyAndCsr();
    expect((await issue(grant.grantId, aic, other.csrPem)).body.cause).to.equal('GRANT_INVALID');
    // And only while the credential is good: one revoked since is not handed out again.
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${first.body.serialNumber}/revoke`, { reason: 'cessationOfOperation' })).status).to.equal(200);
    expect((await issue(grant.grantId, aic, key.csrPem)).body.cause).to.equal('GRANT_INVALID');
  });

  it('never issues a second certificate for an AIC: another key with its own grant is refused, and the grant stays usable', async () => {
    const holder = await createAgentKeyAndCsr();
    const holderGrant = (await authorize(operatorCore, ['/capability/location'], holder)).body;
    const aic = aicFor(holderGrant.providerIndex, '21');
    expect((await issue(holderGrant.grantId, aic, holder.csrPem)).status).to.equal(201);

    const intruder = await createAgentKeyAndCsr();
    const intruderGrant = (await authorize(operatorCore, ['/capability/location'], intruder)).body;
    const taken = await issue(intruderGrant.grantId, aic, intruder.csrPem);
    expect(taken.status).to.equal(409);
    expect(taken.body.cause).to.equal('AIC_ALREADY_ISSUED');
    const listed = (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?aic=${aic}`)).body;
    expect(listed, 'nothing was issued for the AIC').to.have.length(1);

    const revoked = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${listed[0].serialNumber}/revoke`, { reason: 'cessationOfOperation' });
    expect(revoked.body.status).to.equal('REVOKED');
    const afterRevocation = await issue(intruderGrant.grantId, aic, intruder.csrPem);
    expect(afterRevocation.status, 'a revoked AIC is not handed to another key either').to.equal(409);
    expect((await issue(intruderGrant.grantId, aicFor(intruderGrant.providerIndex, '22'), intruder.csrPem)).status, 'the grant is still usable').to.equal(201);
  });

  it('names a credential by its serial in either case and with a leading zero octet, as openssl and node:crypto print it', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const issued = (await issue(grant.grantId, aicFor(grant.providerIndex, '31'), key.csrPem)).body;
    const printed = new X509Certificate(issued.certificatePem).serialNumber;
    expect(printed).to.not.equal(issued.serialNumber);
    for (const spelling of [printed, `00${issued.serialNumber}`]) {
      const res = await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${spelling}`);
      expect(res.status, spelling).to.equal(200);
      expect(res.body.serialNumber).to.equal(issued.serialNumber);
    }
    const suspended = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${printed}/suspend`, {});
    expect(suspended.body).to.include({ serialNumber: issued.serialNumber, status: 'SUSPENDED' });
  });

  it('names in each certificate where its CRL is published (RFC 5280 section 4.2.1.13), and a CRL is served there', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const issued = (await issue(grant.grantId, aicFor(grant.providerIndex, '35'), key.csrPem)).body;
    const points = new PeculiarCertificate(issued.certificatePem).getExtension(CRLDistributionPointsExtension);
    const uris = points!.distributionPoints.flatMap((point) => point.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier) ?? []);
    expect(uris).to.deep.equal([`${core.amcUrl}/namc-cred/v1/crl`]);
    const crl = await fetch(uris[0]!);
    expect(crl.status).to.equal(200);
    expect(new X509Crl(new Uint8Array(await crl.arrayBuffer())).issuer).to.equal(new PeculiarCertificate(issued.certificatePem).issuer);
  });

  it('serves the CRL for caches to revalidate: no-cache, its CRL number as ETag, Expires its nextUpdate, 304 while unchanged; a status is no-cache', async () => {
    const first = await fetch(`${core.amcUrl}/namc-cred/v1/crl`);
    const crl = new X509Crl(new Uint8Array(await first.arrayBuffer()));
    const crlNumber = BigInt(`0x${Buffer.from(crl.getExtension('2.5.29.20')!.value).toString('hex').slice(4)}`);
    expect(first.headers.get('cache-control')).to.equal('public, no-cache');
    expect(first.headers.get('etag')).to.match(new RegExp(`^"[A-Za-z0-9_-]+\\.${crlNumber}"$`));
    expect(first.headers.get('last-modified'), 'two CRLs of one second would share it').to.equal(null);
    expect(first.headers.get('expires')).to.equal(crl.nextUpdate!.toUTCString());
    const unchanged = await conditionalGet(`${core.amcUrl}/namc-cred/v1/crl`, first.headers.get('etag')!);
    expect([unchanged.status, unchanged.body.length]).to.deep.equal([304, 0]);

    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const { serialNumber } = (await issue(grant.grantId, aicFor(grant.providerIndex, '36'), key.csrPem)).body;
    const status = await fetch(`${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`);
    expect(status.headers.get('cache-control')).to.equal('no-cache');
    expect((await fetch(`${core.amcUrl}/namc-cred/v1/credentials?aic=${aicFor(grant.providerIndex, '36')}`)).headers.get('cache-control')).to.equal('no-cache');
    // A revocation within the same second as the CRL held: the CRL is sent again, listing it.
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/revoke`, { reason: 'affiliationChanged' })).status).to.equal(200);
    const changed = await conditionalGet(`${core.amcUrl}/namc-cred/v1/crl`, first.headers.get('etag')!);
    expect(changed.status).to.equal(200);
    expect(new X509Crl(new Uint8Array(changed.body)).entries.map((entry) => entry.serialNumber.toLowerCase())).to.include(serialNumber);
  });

  it('suspends only as a hold: a suspension with any other reason is refused and changes nothing', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const { serialNumber } = (await issue(grant.grantId, aicFor(grant.providerIndex, '41'), key.csrPem)).body;
    const refused = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/suspend`, { reason: 'keyCompromise' });
    expect(refused.status).to.equal(400);
    expect(refused.body.invalidParams[0].param).to.equal('/reason');
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`)).body.status).to.equal('GOOD');
    const held = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/suspend`, { reason: 'certificateHold' });
    expect(held.body).to.include({ status: 'SUSPENDED', reason: 'certificateHold' });
  });

  it("renews no credential of a suspended provider's agents", async () => {
    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'renewal-check', name: 'Renewal check', allowedCapabilities: ['*'] });
    const provider = { providerId: 'renewal-check', clientSecret: created.body.clientSecret };
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(provider, ['/capability/location'], key)).body;
    const { serialNumber } = (await issue(grant.grantId, aicFor(grant.providerIndex, '51'), key.csrPem)).body;
    await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/renewal-check`, { status: 'SUSPENDED' }, { 'content-type': 'application/json' });
    const renewal = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/renew`, { csrPem: key.csrPem });
    expect(renewal.status).to.equal(403);
    expect(renewal.body.cause).to.equal('PROVIDER_SUSPENDED');
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`)).body.status).to.equal('GOOD');
    await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/renewal-check`, { status: 'ACTIVE' }, { 'content-type': 'application/json' });
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/renew`, { csrPem: await freshCsr(key) })).status).to.equal(201);
  });

  it('certifies no agent of a provider suspended after its grant was made (403 PROVIDER_SUSPENDED), and leaves the grant unspent', async () => {
    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'issuance-check', name: 'Issuance check', allowedCapabilities: ['*'] });
    const provider = { providerId: 'issuance-check', clientSecret: created.body.clientSecret };
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(provider, ['/capability/location'], key)).body;
    await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/issuance-check`, { status: 'SUSPENDED' }, { 'content-type': 'application/json' });
    const aic = aicFor(grant.providerIndex, '55');
    const refused = await issue(grant.grantId, aic, key.csrPem);
    expect(refused.status).to.equal(403);
    expect(refused.body.cause).to.equal('PROVIDER_SUSPENDED');
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?aic=${aic}`)).body).to.have.length(0);
    await request('PATCH', `${core.amcUrl}/namc-prov/v1/providers/issuance-check`, { status: 'ACTIVE' }, { 'content-type': 'application/json' });
    expect((await issue(grant.grantId, aic, key.csrPem)).status, 'the grant was not spent').to.equal(201);
  });

  it('revokes with onlyIfStatus only a credential of that status (409 CREDENTIAL_STATE_CONFLICT otherwise, nothing changed), and never with keyCompromise (400)', async () => {
    const key = await createAgentKeyAndCsr();
    const grant = (await authorize(operatorCore, ['/capability/location'], key)).body;
    const { serialNumber } = (await issue(grant.grantId, aicFor(grant.providerIndex, '63'), key.csrPem)).body;
    const revoke = (body: Record<string, string>) => request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/revoke`, body);
    const status = async () => (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`)).body.status;
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/suspend`, {})).status).to.equal(200);

    const held = await revoke({ reason: 'cessationOfOperation', onlyIfStatus: 'GOOD' });
    expect([held.status, held.body.cause, await status()]).to.deep.equal([409, 'CREDENTIAL_STATE_CONFLICT', 'SUSPENDED']);
    const compromise = await revoke({ reason: 'keyCompromise', onlyIfStatus: 'SUSPENDED' });
    expect([compromise.status, compromise.body.invalidParams?.[0]?.param, await status()]).to.deep.equal([400, '/onlyIfStatus', 'SUSPENDED']);
    const revoked = await revoke({ reason: 'cessationOfOperation', onlyIfStatus: 'SUSPENDED' });
    expect([revoked.status, revoked.body.status, revoked.body.reason]).to.deep.equal([200, 'REVOKED', 'cessationOfOperation']);
  });

  it('names each resource it creates in Location: provider, credential (fast path and express), renewal, subscription', async () => {
    const created = await request('POST', `${core.amcUrl}/namc-prov/v1/providers`, { providerId: 'location-check', name: 'Location check', allowedCapabilities: ['*'] });
    expect(created.headers.get('location')).to.equal(`${core.amcUrl}/namc-prov/v1/providers/location-check`);
    expect(created.headers.get('cache-control'), 'the client secret is shown once').to.equal('no-store');
    const provider = { providerId: 'location-check', clientSecret: created.body.clientSecret };
    const serials: string[] = [];
    // The second with a media type parameter, which the fast path leaves to express.
    for (const [entity, contentType] of [['71', 'application/json'], ['72', 'application/json; profile=express']]) {
      const key = await createAgentKeyAndCsr();
      const grant = (await authorize(provider, ['/capability/location'], key)).body;
      const issued = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials`, { grantId: grant.grantId, aic: aicFor(grant.providerIndex, entity), csrPem: key.csrPem }, { 'content-type': contentType });
      expect([issued.status, issued.headers.get('location')], contentType).to.deep.equal([201, `${core.amcUrl}/namc-cred/v1/credentials/${issued.body.serialNumber}`]);
      expect((await request('GET', issued.headers.get('location')!)).body.serialNumber).to.equal(issued.body.serialNumber);
      serials.push(issued.body.serialNumber);
      if (entity === '71') {
        const renewed = await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${issued.body.serialNumber}/renew`, { csrPem: await freshCsr(key) });
        expect([renewed.status, renewed.headers.get('location')]).to.deep.equal([201, `${core.amcUrl}/namc-cred/v1/credentials/${renewed.body.serialNumber}`]);
      }
    }
    const subscribed = await request('POST', `${core.amcUrl}/namc-cred/v1/subscriptions`, { notificationUri: 'http://127.0.0.1:9/location-check' });
    expect(subscribed.headers.get('location')).to.equal(`${core.amcUrl}/namc-cred/v1/subscriptions/${subscribed.body.subscriptionId}`);
    expect((await request('DELETE', subscribed.headers.get('location')!)).status).to.equal(204);
  });

  it('answers 404 for an unknown serial and 400 for a malformed one', async () => {
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/abcdef0123`)).status).to.equal(404);
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/XYZ`)).status).to.equal(400);
  });

  it('answers 400 for a changed-since that is no time: not a date-time, or a leap second, which the schema takes and Date cannot hold', async () => {
    for (const since of ['yesterday', '2026-02-30T00:00:00Z', '2016-12-31T23:59:60Z']) {
      const res = await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?changed-since=${encodeURIComponent(since)}`);
      expect(res.status, since).to.equal(400);
    }
    expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials?changed-since=${encodeURIComponent('2026-01-01T00:00:00+01:00')}`)).status).to.equal(200);
  });

  it('publishes its CA with the trust anchors', async () => {
    const published = await request('GET', `${core.amcUrl}/namc-cred/v1/ca`);
    expect(published.headers.get('content-type'), 'RFC 8555 section 9.1').to.match(/^application\/pem-certificate-chain/);
    const ca = published.body;
    const anchors = (await request('GET', `${core.amcUrl}/namc-cred/v1/trust-anchors`)).body;
    expect(anchors[0]).to.deep.equal({ domain: 'operator.example', certificatePem: ca });
  });
});

describe('AMC CRL entity tags', () => {
  it('differ between CAs for CRLs of the same number: a cache of another CA\'s CRL is sent this one', async () => {
    const started: TestCore[] = [];
    try {
      const urls: string[] = [];
      // Two AMCs on stores that do not persist: each makes its own CA and numbers its CRLs from 1.
      for (let i = 0; i < 2; i += 1) {
        const core = await startTestCore();
        started.push(core);
        urls.push(`${core.amcUrl}/namc-cred/v1/crl`);
      }
      const crls = await Promise.all(urls.map((url) => fetch(url)));
      const numbers = await Promise.all(crls.map(async (res) => Buffer.from(new X509Crl(new Uint8Array(await res.arrayBuffer())).getExtension('2.5.29.20')!.value).toString('hex')));
      expect(numbers[0]).to.equal(numbers[1]);
      const [tagA, tagB] = crls.map((res) => res.headers.get('etag')!);
      expect(tagA).to.not.equal(tagB);
      expect((await conditionalGet(urls[1], tagA)).status).to.equal(200);
      expect((await conditionalGet(urls[1], tagB)).status).to.equal(304);
    } finally {
      for (const nf of started) await nf.close();
    }
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
        csrPem: key.csrPem,
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

describe('AMC start', () => {
  it('fails with the store\'s own error when it cannot keep the CA it made', async () => {
    const store = createEmbeddedStore();
    const failing = { ...store, collection: (name: string) => {
      const collection = store.collection(name);
      return name === 'amc.ca' ? Object.assign(Object.create(collection), { insertOne: async () => { throw new Error('no space left on the device'); } }) : collection;
    } } as typeof store;
    const started = await createAmc({ store: failing, logger: createLogger({ nf: 'AMC', level: 'silent' }), nrfUri: 'http://127.0.0.1:9' }).then(() => 'started', (error: Error) => error.message);
    expect(started).to.equal('no space left on the device');
  });
});

/** Another CSR of the key: what its holder makes for a renewal (a new ECDSA signature each time). */
async function freshCsr(key: AgentKeyAndCsr): Promise<string> {
  return (await createCsr(key.keys)).toString('pem');
}

/** The order n of P-256's base point (SEC 2 section 2.4.2). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The same CSR with its ECDSA signature (r, s) made (r, n - s): as valid, and made without the key. */
function ecdsaTwinOf(csrPem: string): string {
  const csr = AsnConvert.parse(PemConverter.decodeFirst(csrPem), CertificationRequest);
  const [r, s] = (fromBER(csr.signature).result as Sequence).valueBlock.value as Integer[];
  const integer = (octets: Buffer) => Buffer.concat([Buffer.from([0x02, octets.length + (octets[0] & 0x80 ? 1 : 0)]), octets[0] & 0x80 ? Buffer.from([0]) : Buffer.alloc(0), octets]);
  const twinS = (P256_ORDER - BigInt(`0x${Buffer.from(s.valueBlock.valueHexView).toString('hex')}`)).toString(16);
  const body = Buffer.concat([integer(Buffer.from(r.valueBlock.valueHexView).subarray(r.valueBlock.valueHexView[0] === 0 ? 1 : 0)), integer(Buffer.from(twinS.padStart(twinS.length + (twinS.length % 2), '0'), 'hex'))]);
  csr.signature = new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body])).buffer;
  return PemConverter.encode(AsnConvert.serialize(csr), 'CERTIFICATE REQUEST');
}

/** The first call of `fn` waits until release(); later calls go straight through. */
function holdingFirstCall<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = true;
  const call = async (...args: A): Promise<R> => {
    if (held) {
      held = false;
      await released;
    }
    return fn(...args);
  };
  return { call, release };
}

/**
 * A real CA whose issue runs what `afterSigning.once` was given, once, after it signs a certificate
 * and before the caller stores it: another procedure landing mid-issuance or mid-renewal.
 */
async function caPausingAfterSigning(commonName: string) {
  const realCa = await loadCertificateAuthority(await createCaMaterial({ commonName }));
  let between: () => Promise<unknown> = async () => {};
  const ca = { ...realCa, certificatePem: realCa.certificatePem, issue: async (request) => {
    const issued = await realCa.issue(request);
    const run = between;
    between = async () => {};
    await run();
    return issued;
  } } as CertificateAuthority;
  return { ca, afterSigning: { once: (interleaved: () => Promise<unknown>) => void (between = interleaved) } };
}

/**
 * A GET with If-None-Match and nothing else, as an HTTP cache revalidates what it holds (fetch()
 * would add Cache-Control: no-cache to such a request, which asks for the whole answer).
 */
function conditionalGet(url: string, entityTag: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { 'if-none-match': entityTag } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** The AMC's credential procedures over a fresh in-memory store, with the CA and clock given. */
async function credentialsWith(ca: CertificateAuthority, now: () => number = Date.now) {
  const store = await openAmcStore(createEmbeddedStore());
  const credentials = createCredentials({ store, settings: defaultAmcSettings, ca, aicSaltHex: defaultAicScheme.saltHex, notifier: createNotifier({ logger: createLogger({ nf: 'AMC', level: 'silent' }) }), now });
  /** An unused grant for the key, as AAAP stores it. */
  const grant = (grantId: string, publicKeySha256: string) =>
    store.grants.insertOne({ _id: grantId, providerId: 'operator-core', providerIndex: '1', grantedCapabilities: ['/capability/location'], publicKeySha256, used: false, expiresAt: new Date(now() + 60_000) });
  return { store, credentials, grant };
}

describe('AMC CRL cache', () => {
  it('keeps no CRL whose list a revocation overtook while it was being signed: the next request lists the revocation', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'CRL cache test CA' }));
    // The one fake: the first CRL's signature waits until the revocation below is complete.
    const signing = holdingFirstCall(ca.buildCrl);
    const { store, credentials } = await credentialsWith({ ...ca, certificatePem: ca.certificatePem, buildCrl: signing.call } as CertificateAuthority);
    const serialNumber = '0a'.repeat(16);
    await store.credentials.insertOne({ _id: serialNumber, aic: '1.2.156.3088.1.2.1.1.1.0O41', status: 'GOOD', notBefore: new Date().toISOString(), notAfter: new Date(Date.now() + 86_400_000).toISOString(), certificatePem: 'unused here', publicKeySha256: 'unused here' });

    const madeBeforeTheRevocation = credentials.crl();
    await new Promise((resolve) => setTimeout(resolve, 20)); // its list is read, its signature waits
    await credentials.revokeCredential(serialNumber, 'keyCompromise');
    signing.release();
    expect(new X509Crl(new Uint8Array((await madeBeforeTheRevocation).der)).entries, 'the CRL read before the revocation').to.have.length(0);
    const next = new X509Crl(new Uint8Array((await credentials.crl()).der));
    expect(next.entries.map((entry) => entry.serialNumber.toLowerCase())).to.deep.equal([serialNumber]);
  });

  it('lists a revocation made through another AMC replica on the same store, though this one has a CRL cached', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'CRL replica test CA' }));
    const { store, credentials: replicaA } = await credentialsWith(ca);
    const replicaB = createCredentials({ store, settings: defaultAmcSettings, ca, aicSaltHex: defaultAicScheme.saltHex, notifier: createNotifier({ logger: createLogger({ nf: 'AMC', level: 'silent' }) }), now: Date.now });
    const serialNumber = '0b'.repeat(16);
    await store.credentials.insertOne({ _id: serialNumber, aic: '1.2.156.3088.1.2.1.1.1.0O41', status: 'GOOD', notBefore: new Date().toISOString(), notAfter: new Date(Date.now() + 86_400_000).toISOString(), certificatePem: 'unused here', publicKeySha256: 'unused here' });
    expect(new X509Crl(new Uint8Array((await replicaB.crl()).der)).entries, 'cached by B before the revocation').to.have.length(0);
    await replicaA.revokeCredential(serialNumber, 'keyCompromise');
    const fromB = new X509Crl(new Uint8Array((await replicaB.crl()).der));
    expect(fromB.entries.map((entry) => entry.serialNumber.toLowerCase())).to.deep.equal([serialNumber]);
    const again = (await replicaB.crl()).der;
    expect(Buffer.from(again).equals(Buffer.from((await replicaB.crl()).der)), 'kept again until the next change').to.equal(true);
  });
});

describe('AMC CRL numbers', () => {
  const crlNumberOf = (der: Uint8Array) => BigInt(`0x${Buffer.from(new X509Crl(new Uint8Array(der)).getExtension('2.5.29.20')!.value).toString('hex').slice(4)}`);
  const anyCredential = (serialNumber: string) => ({ _id: serialNumber, aic: '1.2.156.3088.1.2.1.1.1.0O41', status: 'GOOD' as const, notBefore: new Date().toISOString(), notAfter: new Date(Date.now() + 86_400_000).toISOString(), certificatePem: 'unused here', publicKeySha256: 'unused here' });

  it('makes one CRL for requests that come while it is made', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'CRL sharing test CA' }));
    const { credentials } = await credentialsWith(ca);
    const crls = await Promise.all(Array.from({ length: 5 }, () => credentials.crl()));
    expect(new Set(crls.map((crl) => crlNumberOf(crl.der))).size).to.equal(1);
  });

  it('gives a higher number to no older list: a CRL whose list was read while a replica numbered another takes a new number', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'CRL number test CA' }));
    const { store, credentials: replicaB } = await credentialsWith(ca);
    // Replica A's first read of the list waits until B has made its CRL and a revocation is done.
    const listRead = holdingFirstCall(store.credentials.find.bind(store.credentials));
    const storeOfA = { ...store, credentials: Object.assign(Object.create(store.credentials), { find: listRead.call }) } as AmcStore;
    const replicaA = createCredentials({ store: storeOfA, settings: defaultAmcSettings, ca, aicSaltHex: defaultAicScheme.saltHex, notifier: createNotifier({ logger: createLogger({ nf: 'AMC', level: 'silent' }) }), now: Date.now });
    const serialNumber = '0c'.repeat(16);
    await store.credentials.insertOne(anyCredential(serialNumber));

    const fromA = replicaA.crl();
    await new Promise((resolve) => setTimeout(resolve, 20)); // A has its number; its read waits
    const fromB = (await replicaB.crl()).der;
    await replicaB.revokeCredential(serialNumber, 'affiliationChanged');
    listRead.release();
    const newer = (await fromA).der;
    expect(new X509Crl(new Uint8Array(fromB)).entries, 'B read its list before the revocation').to.have.length(0);
    expect(new X509Crl(new Uint8Array(newer)).entries.map((entry) => entry.serialNumber.toLowerCase()), 'A read its list after it').to.deep.equal([serialNumber]);
    expect(crlNumberOf(newer) > crlNumberOf(fromB), 'the newer list has the higher number').to.equal(true);
  });
});

describe('AMC issuance under concurrency', () => {
  it('certifies an AIC once when a second issuance for it arrives while the first is being signed', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'concurrency test CA' }));
    // The one fake: the first signature waits until the second issuance has been answered.
    const signing = holdingFirstCall(ca.issue);
    const { store, credentials, grant } = await credentialsWith({ ...ca, certificatePem: ca.certificatePem, issue: signing.call } as CertificateAuthority);
    const keys = await Promise.all([createAgentKeyAndCsr(), createAgentKeyAndCsr()]);
    for (const [i, key] of keys.entries()) await grant(`grant-${i}`, key.publicKeySpkiSha256);
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'Q', entitySerial: '1' });
    const first = credentials.issueCredential({ grantId: 'grant-0', aic, csrPem: keys[0].csrPem });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first is signing now
    const second = await credentials.issueCredential({ grantId: 'grant-1', aic, csrPem: keys[1].csrPem }).then(() => 'issued', (error: { cause?: string }) => error.cause);
    signing.release();
    expect((await first).aic).to.equal(aic);
    expect(second).to.equal('AIC_ALREADY_ISSUED');
    expect(await store.credentials.countDocuments({ aic })).to.equal(1);
    expect((await store.grants.findOne({ _id: 'grant-1' }))!.used, 'the refused issuance left its grant usable').to.equal(false);
  });
});

describe('AMC renewal after a process stopped mid-renewal', () => {
  it('takes over a claim older than a minute, and the renewed certificate replaces every good one of the AIC, the one left behind included', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'renewal test CA' }));
    let clock = Date.now();
    const { store, credentials, grant } = await credentialsWith(ca, () => clock);
    const key = await createAgentKeyAndCsr();
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'R', entitySerial: '1' });
    await grant('grant', key.publicKeySpkiSha256);
    const current = await credentials.issueCredential({ grantId: 'grant', aic, csrPem: key.csrPem });
    // What a stop between signing and revoking leaves: the claim, and a second good certificate.
    await store.credentials.findOneAndUpdate({ _id: current.serialNumber }, { $set: { renewing: true, renewingSince: new Date(clock).toISOString() } });
    const leftBehind = { ...(await store.credentials.findOne({ _id: current.serialNumber }))!, _id: '7e'.repeat(16), renewing: undefined, renewingSince: undefined, csrFingerprint: 'its own CSR' };
    await store.credentials.insertOne(JSON.parse(JSON.stringify(leftBehind)));

    const tooSoon = await credentials.renewCredential(current.serialNumber, await freshCsr(key)).then(() => 'renewed', (error: { cause?: string }) => error.cause);
    expect(tooSoon, 'a young claim may be a renewal under way').to.equal('CREDENTIAL_STATE_CONFLICT');
    clock += 61_000;
    const renewed = await credentials.renewCredential(current.serialNumber, await freshCsr(key));
    const statuses = (await store.credentials.find({ aic })).map((record) => [record._id, record.status, record.supersededBy ?? null]);
    expect(statuses).to.have.deep.members([
      [current.serialNumber, 'REVOKED', renewed.serialNumber],
      ['7e'.repeat(16), 'REVOKED', renewed.serialNumber],
      [renewed.serialNumber, 'GOOD', null],
    ]);
  });
});

describe('AMC release of renewals a stopped process left half done', () => {
  /** What a stop after signing and before replacing leaves: the old certificate claimed since `since`, and the renewal's certificate, never handed out. */
  async function leaveRenewalHalfDone(store: AmcStore, serialNumber: string, since: number, strayId = '7f'.repeat(16)) {
    const claimedAt = new Date(since).toISOString();
    await store.credentials.findOneAndUpdate({ _id: serialNumber }, { $set: { renewing: true, renewingSince: claimedAt } });
    return madeByRenewal(store, serialNumber, claimedAt, strayId);
  }

  /** A certificate a renewal of `serialNumber` claimed at `claimedAt` made. */
  async function madeByRenewal(store: AmcStore, serialNumber: string, claimedAt: string, id: string) {
    const made = { ...(await store.credentials.findOne({ _id: serialNumber })), _id: id, status: 'GOOD', renewing: undefined, renewingSince: undefined, renewalOf: serialNumber, renewalClaimedAt: claimedAt, csrFingerprint: `CSR of ${id}` };
    await store.credentials.insertOne(JSON.parse(JSON.stringify(made)));
    return id;
  }

  it('revokes the certificate of a claim older than a minute and releases the claim, so a suspension leaves no GOOD certificate', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'abandoned renewal test CA' }));
    let clock = Date.now();
    const { store, credentials, grant } = await credentialsWith(ca, () => clock);
    const key = await createAgentKeyAndCsr();
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'S', entitySerial: '1' });
    await grant('grant', key.publicKeySpkiSha256);
    const current = await credentials.issueCredential({ grantId: 'grant', aic, csrPem: key.csrPem });
    const stray = await leaveRenewalHalfDone(store, current.serialNumber, clock);
    const statuses = async () => (await store.credentials.find({ aic })).map((record) => [record._id, record.status, record.reason ?? null, record.renewing ?? null]);

    expect(await credentials.releaseAbandonedRenewals(), 'a young claim may be a renewal under way').to.equal(0);
    expect(await statuses()).to.have.deep.members([[current.serialNumber, 'GOOD', null, true], [stray, 'GOOD', null, null]]);
    clock += 61_000;
    expect(await credentials.releaseAbandonedRenewals()).to.equal(1);
    expect(await statuses()).to.have.deep.members([[current.serialNumber, 'GOOD', null, null], [stray, 'REVOKED', 'cessationOfOperation', null]]);
    await credentials.suspendCredential(current.serialNumber);
    expect((await statuses()).filter(([, status]) => status === 'GOOD')).to.deep.equal([]);
    expect(await credentials.releaseAbandonedRenewals(), 'nothing left to release').to.equal(0);
  });

  /** A credential of a fresh key, its clock movable. */
  async function issuedWithClock(entity: string) {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: `abandoned renewal test CA ${entity}` }));
    const clock = { at: Date.now() };
    const { store, credentials, grant } = await credentialsWith(ca, () => clock.at);
    const key = await createAgentKeyAndCsr();
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'S', entitySerial: entity });
    await grant('grant', key.publicKeySpkiSha256);
    const current = await credentials.issueCredential({ grantId: 'grant', aic, csrPem: key.csrPem });
    const statuses = async () => (await store.credentials.find({ aic })).map((record) => [record._id, record.status, record.reason ?? null]);
    return { store, credentials, clock, current, statuses };
  }

  it('releases a claim only once it is stale, first, then revokes what renewals made under it or earlier claims, not under a later one', async () => {
    const { store, credentials, clock, current, statuses } = await issuedWithClock('2');
    const claimedFirst = clock.at;
    const stray = await leaveRenewalHalfDone(store, current.serialNumber, claimedFirst);
    // Taken over a minute later by a renewal that also stopped after signing.
    clock.at += 61_000;
    const takenOverAt = new Date(clock.at).toISOString();
    await store.credentials.findOneAndUpdate({ _id: current.serialNumber }, { $set: { renewingSince: takenOverAt } });
    const takeoverStray = await madeByRenewal(store, current.serialNumber, takenOverAt, '7d'.repeat(16));
    clock.at += 10_000;
    expect(await credentials.releaseAbandonedRenewals(), 'the takeover claim is young').to.equal(0);
    expect((await store.credentials.findOne({ _id: current.serialNumber }))?.renewingSince).to.equal(takenOverAt);
    // A renewal that claims the certificate after the sweep's release signs under a later claim.
    const later = await madeByRenewal(store, current.serialNumber, new Date(clock.at + 60_000).toISOString(), '7c'.repeat(16));
    clock.at += 51_000;
    expect(await credentials.releaseAbandonedRenewals()).to.equal(1);
    expect(await statuses()).to.have.deep.members([
      [current.serialNumber, 'GOOD', null], [stray, 'REVOKED', 'cessationOfOperation'], [takeoverStray, 'REVOKED', 'cessationOfOperation'], [later, 'GOOD', null],
    ]);
    expect((await store.credentials.findOne({ _id: current.serialNumber }))?.renewing, 'released').to.equal(undefined);
  });

  it('revokes a stray certificate for the reason its renewed certificate was revoked meanwhile', async () => {
    const { store, credentials, clock, current, statuses } = await issuedWithClock('3');
    const stray = await leaveRenewalHalfDone(store, current.serialNumber, clock.at);
    await credentials.revokeCredential(current.serialNumber, 'privilegeWithdrawn');
    clock.at += 61_000;
    expect(await credentials.releaseAbandonedRenewals()).to.equal(1);
    expect(await statuses()).to.have.deep.members([[current.serialNumber, 'REVOKED', 'privilegeWithdrawn'], [stray, 'REVOKED', 'privilegeWithdrawn']]);
  });

  it('is done by the AMC when it starts', async () => {
    const store = createEmbeddedStore();
    let core = await startTestCore({ store });
    try {
      const issued = await registerAgent(core.agwUrl);
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      const serialNumber = issued.body.acs.security.credentialSerialNumber as string;
      await core.close();
      const stray = await leaveRenewalHalfDone(await openAmcStore(store), serialNumber, Date.now() - 120_000);
      core = await startTestCore({ store });
      let status = '';
      for (let i = 0; i < 50 && status !== 'REVOKED'; i += 1) {
        status = (await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${stray}`)).body.status;
        if (status !== 'REVOKED') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).to.equal('REVOKED');
      expect((await request('GET', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}`)).body.status).to.equal('GOOD');
    } finally {
      await core.close();
      await store.close();
    }
  });
});

describe('AMC serial numbers as other tools print them', () => {
  it('finds a credential whose serial starts with a zero digit when named without it, as Go, Java and pyca print serials', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'serial test CA' }));
    const { store, credentials } = await credentialsWith(ca);
    const serialNumber = `0b${'23'.repeat(15)}`;
    await store.credentials.insertOne({ _id: serialNumber, aic: '1.2.156.3088.1.2.1.1.1.0O41', status: 'GOOD', notBefore: new Date().toISOString(), notAfter: new Date(Date.now() + 86_400_000).toISOString(), certificatePem: 'unused here', publicKeySha256: 'unused here' });
    for (const spelling of [serialNumber.slice(1), serialNumber.slice(1).toUpperCase(), serialNumber, `00${serialNumber}`]) {
      expect((await credentials.getCredentialStatus(spelling)).serialNumber, spelling).to.equal(serialNumber);
    }
  });
});

describe('AMC credential validity and the CA certificate', () => {
  it("ends a credential with the CA certificate when the CA ends first, in the certificate and in its record", async () => {
    // A CA kept from an earlier start with a shorter validity than the credentials now asked for.
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'short CA', validityDays: 10 }));
    const { credentials, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    await grant('grant', key.publicKeySpkiSha256);
    const issued = await credentials.issueCredential({ grantId: 'grant', aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'V', entitySerial: '1' }), csrPem: key.csrPem });
    const certificateEnd = new Date(new X509Certificate(issued.certificatePem).validTo).getTime();
    expect(certificateEnd).to.equal(Math.floor(ca.notAfter.getTime() / 1000) * 1000);
    expect(Date.parse(issued.notAfter)).to.equal(ca.notAfter.getTime());
  });

  it('refuses issuance and renewal once the CA certificate has expired (500 CA_EXPIRED), spending no grant and leaving no claim', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'expiring CA', validityDays: 40 }));
    let clock = Date.now();
    const { store, credentials, grant } = await credentialsWith(ca, () => clock);
    const holder = await createAgentKeyAndCsr();
    await grant('first', holder.publicKeySpkiSha256);
    const current = await credentials.issueCredential({ grantId: 'first', aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'V', entitySerial: '2' }), csrPem: holder.csrPem });
    const key = await createAgentKeyAndCsr();
    clock = ca.notAfter.getTime() + 1000;
    await grant('third', key.publicKeySpkiSha256);
    const refusal = (error: { status?: number; cause?: string }) => [error.status, error.cause];
    const issuance = await credentials.issueCredential({ grantId: 'third', aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'V', entitySerial: '3' }), csrPem: key.csrPem }).then(() => 'issued', refusal);
    expect(issuance).to.deep.equal([500, 'CA_EXPIRED']);
    expect((await store.grants.findOne({ _id: 'third' }))!.used).to.equal(false);
    // A credential ends with its CA, so it reads EXPIRED by now; one whose record says otherwise
    // (a CA replaced under it) is refused for the CA too.
    expect(await credentials.renewCredential(current.serialNumber, await freshCsr(holder)).then(() => 'renewed', refusal)).to.deep.equal([409, 'CREDENTIAL_STATE_CONFLICT']);
    await store.credentials.findOneAndUpdate({ _id: current.serialNumber }, { $set: { notAfter: new Date(clock + 86_400_000).toISOString() } });
    expect(await credentials.renewCredential(current.serialNumber, await freshCsr(holder)).then(() => 'renewed', refusal)).to.deep.equal([500, 'CA_EXPIRED']);
    expect((await store.credentials.findOne({ _id: current.serialNumber }))!.renewing).to.equal(undefined);
  });

  it('grants nothing for an issuance once the CA certificate has expired (500 CA_EXPIRED), though it still decides an update', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'expired AAAP CA', validityDays: 40 }));
    const store = await openAmcStore(createEmbeddedStore());
    const providers = createProviders({ store });
    const provider = await providers.createProvider({ providerId: 'aaap-expiry', name: 'AAAP expiry', allowedCapabilities: ['*'] });
    const authorization = createAuthorization({ store, settings: defaultAmcSettings, providers, ca, now: () => ca.notAfter.getTime() + 1000 });
    const key = await createAgentKeyAndCsr();
    const asked = (purpose: 'REGISTRATION' | 'UPDATE') => authorization.authorize({
      gateway: { nfInstanceId: randomUUID(), domain: 'operator.example' }, provider: { providerId: provider.providerId, clientSecret: provider.clientSecret },
      agent: { name: 'late', version: '1.0', kind: 'capability-agent' }, requestedCapabilities: ['/capability/location'], publicKeySha256: key.publicKeySpkiSha256, csrPem: key.csrPem, purpose,
    });
    expect(await asked('REGISTRATION').then(() => 'granted', (error: { status?: number; cause?: string }) => [error.status, error.cause])).to.deep.equal([500, 'CA_EXPIRED']);
    expect(await store.grants.countDocuments({}), 'no grant stored').to.equal(0);
    expect((await asked('UPDATE')).decision).to.equal('GRANT');
  });

  it('refuses at start a credentialValidityDays not below caValidityDays, naming both settings', async () => {
    const logger = createLogger({ nf: 'AMC', level: 'silent' });
    const started = await createAmc({ store: createEmbeddedStore(), logger, nrfUri: 'http://127.0.0.1:9', settings: { caValidityDays: 30, credentialValidityDays: 30 } }).then(() => 'started', (error: Error) => error.message);
    expect(started).to.match(/amc\.credentialValidityDays \(30\) must be below amc\.caValidityDays \(30\)/);
  });
});

describe('AMC: a renewal takes a CSR no certificate was made from', () => {
  const refusal = (error: { status?: number; cause?: string }) => [error.status, error.cause];

  async function registered(entity: string) {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'CSR replay test CA' }));
    const { store, credentials, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    await grant(`grant-${entity}`, key.publicKeySpkiSha256);
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'P', entitySerial: entity });
    const current = await credentials.issueCredential({ grantId: `grant-${entity}`, aic, csrPem: key.csrPem });
    return { store, credentials, grant, key, aic, current };
  }

  it('refuses a renewal with the registration CSR (409 CSR_ALREADY_USED) and changes nothing: it passed through the gateway', async () => {
    const { store, credentials, key, aic, current } = await registered('1');
    const before = await store.credentials.find({ aic });
    expect(await credentials.renewCredential(current.serialNumber, key.csrPem).then(() => 'renewed', refusal)).to.deep.equal([409, 'CSR_ALREADY_USED']);
    expect(await store.credentials.find({ aic })).to.deep.equal(before);
  });

  it("refuses the registration CSR's twin signature (r, n - s) too: valid, and made without the key", async () => {
    const { credentials, key, current } = await registered('2');
    const twin = ecdsaTwinOf(key.csrPem);
    expect(twin).to.not.equal(key.csrPem);
    expect(checkCsrPem(twin).publicKeySpkiSha256, 'the twin proves possession as well').to.equal(key.publicKeySpkiSha256);
    expect(await credentials.renewCredential(current.serialNumber, twin).then(() => 'renewed', refusal)).to.deep.equal([409, 'CSR_ALREADY_USED']);
    expect((await credentials.getCredentialStatus(current.serialNumber)).status).to.equal('GOOD');
  });

  it('renews with a CSR the holder makes afresh, once: the same renewal CSR again is refused', async () => {
    const { credentials, key, aic, current } = await registered('3');
    const renewalCsr = await freshCsr(key);
    const renewed = await credentials.renewCredential(current.serialNumber, renewalCsr);
    expect(await credentials.renewCredential(renewed.serialNumber, renewalCsr).then(() => 'renewed', refusal)).to.deep.equal([409, 'CSR_ALREADY_USED']);
    const again = await credentials.renewCredential(renewed.serialNumber, await freshCsr(key));
    expect((await credentials.listCredentials(aic)).map((credential) => [credential.serialNumber, credential.status])).to.have.deep.members([
      [current.serialNumber, 'REVOKED'], [renewed.serialNumber, 'REVOKED'], [again.serialNumber, 'GOOD'],
    ]);
  });

  it('does not ask it of an issuance, bound by its single-use grant: a registration rolled back may be sent again as it was', async () => {
    const { credentials, grant, key, current } = await registered('4');
    await credentials.revokeCredential(current.serialNumber, 'cessationOfOperation');
    await grant('retry', key.publicKeySpkiSha256);
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'P', entitySerial: '5' });
    const again = await credentials.issueCredential({ grantId: 'retry', aic, csrPem: key.csrPem });
    expect(again.status).to.equal('GOOD');
    expect(await credentials.renewCredential(again.serialNumber, key.csrPem).then(() => 'renewed', refusal), 'its renewal still needs a new CSR').to.deep.equal([409, 'CSR_ALREADY_USED']);
  });

  it('keeps records made before CSRs were recorded: several without the field, each renewable', async () => {
    const { store, credentials, key, current } = await registered('6');
    const legacy = { ...(await store.credentials.findOne({ _id: current.serialNumber }))! };
    delete legacy.csrFingerprint;
    await store.credentials.findOneAndUpdate({ _id: current.serialNumber }, { $unset: { csrFingerprint: '' } });
    await store.credentials.insertOne({ ...legacy, _id: '6e'.repeat(16), aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'P', entitySerial: '7' }) });
    const renewed = await credentials.renewCredential(current.serialNumber, await freshCsr(key));
    expect(renewed.status).to.equal('GOOD');
    expect((await credentials.renewCredential('6e'.repeat(16), await freshCsr(key))).status).to.equal('GOOD');
  });
});

describe('AMC renewal against a suspension or revocation between its claim and its end', () => {
  /** Credentials whose CA runs `between` after signing a renewal's certificate: after the claim, before the old one is replaced. */
  async function renewalWithInterleaving() {
    const { ca, afterSigning } = await caPausingAfterSigning('interleaving test CA');
    const { store, credentials, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    await grant('grant', key.publicKeySpkiSha256);
    const aic = formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'I', entitySerial: '1' });
    const current = await credentials.issueCredential({ grantId: 'grant', aic, csrPem: key.csrPem });
    const renew = async (interleaved: () => Promise<unknown>) => {
      afterSigning.once(interleaved);
      return credentials.renewCredential(current.serialNumber, await freshCsr(key)).then(() => 'renewed', (error: { status?: number; cause?: string }) => [error.status, error.cause]);
    };
    const statuses = async () => (await store.credentials.find({ aic })).map((record) => [record._id === current.serialNumber ? 'old' : 'new', record.status, record.reason ?? null, record.renewing ?? null]);
    return { credentials, current, renew, statuses };
  }

  it('keeps a keyCompromise revocation made meanwhile, and revokes the new certificate of the same key for it (409)', async () => {
    const { credentials, current, renew, statuses } = await renewalWithInterleaving();
    expect(await renew(() => credentials.revokeCredential(current.serialNumber, 'keyCompromise'))).to.deep.equal([409, 'CREDENTIAL_STATE_CONFLICT']);
    expect(await statuses()).to.have.deep.members([['old', 'REVOKED', 'keyCompromise', null], ['new', 'REVOKED', 'keyCompromise', null]]);
  });

  it('keeps a suspension made meanwhile and revokes the new certificate (409); resuming leaves one GOOD certificate', async () => {
    const { credentials, current, renew, statuses } = await renewalWithInterleaving();
    expect(await renew(() => credentials.suspendCredential(current.serialNumber))).to.deep.equal([409, 'CREDENTIAL_STATE_CONFLICT']);
    expect(await statuses()).to.have.deep.members([['old', 'SUSPENDED', 'certificateHold', null], ['new', 'REVOKED', 'cessationOfOperation', null]]);
    await credentials.resumeCredential(current.serialNumber);
    expect((await statuses()).filter(([, status]) => status === 'GOOD')).to.deep.equal([['old', 'GOOD', null, null]]);
  });

  it('replaces a certificate suspended and resumed meanwhile, and leaves one GOOD certificate', async () => {
    const { credentials, current, renew, statuses } = await renewalWithInterleaving();
    expect(await renew(async () => {
      await credentials.suspendCredential(current.serialNumber);
      await credentials.resumeCredential(current.serialNumber);
    })).to.equal('renewed');
    expect(await statuses()).to.have.deep.members([['old', 'REVOKED', 'superseded', null], ['new', 'GOOD', null, null]]);
  });

  it('answers a revocation that comes after the renewal with the certificate that replaced the old one, so it can be revoked instead', async () => {
    const { credentials, current, renew } = await renewalWithInterleaving();
    expect(await renew(async () => {})).to.equal('renewed');
    const successor = (await credentials.getCredentialStatus(current.serialNumber)).supersededBy;
    const refused = await credentials.revokeCredential(current.serialNumber, 'privilegeWithdrawn').then(() => null, (error: Error & { cause?: string }) => [error.cause, error.message]);
    expect(refused).to.deep.equal(['CREDENTIAL_STATE_CONFLICT', `credential ${current.serialNumber} is REVOKED, superseded by ${successor}; this change needs GOOD or SUSPENDED`]);
  });

  it('carries a keyCompromise revocation of a superseded certificate to its successor, of the same key, keeping the first revocation date', async () => {
    const { credentials, current, renew, statuses } = await renewalWithInterleaving();
    expect(await renew(async () => {})).to.equal('renewed');
    const supersededAt = (await credentials.getCredentialStatus(current.serialNumber)).revokedAt;
    const answer = await credentials.revokeCredential(current.serialNumber, 'keyCompromise');
    expect([answer.status, answer.reason, answer.revokedAt]).to.deep.equal(['REVOKED', 'keyCompromise', supersededAt]);
    expect(await statuses()).to.have.deep.members([['old', 'REVOKED', 'keyCompromise', null], ['new', 'REVOKED', 'keyCompromise', null]]);
    const again = await credentials.revokeCredential(current.serialNumber, 'keyCompromise').then(() => null, (error: { status?: number; cause?: string }) => [error.status, error.cause]);
    expect(again, 'once only').to.deep.equal([409, 'CREDENTIAL_STATE_CONFLICT']);
  });
  it('carries a keyCompromise revocation of a successor back to the certificate it superseded, keeping that one\'s revocation date', async () => {
    const { credentials, current, renew, statuses } = await renewalWithInterleaving();
    expect(await renew(async () => {})).to.equal('renewed');
    const { supersededBy, revokedAt: supersededAt } = await credentials.getCredentialStatus(current.serialNumber);
    await credentials.revokeCredential(supersededBy!, 'keyCompromise');
    expect(await statuses()).to.have.deep.members([['old', 'REVOKED', 'keyCompromise', null], ['new', 'REVOKED', 'keyCompromise', null]]);
    expect((await credentials.getCredentialStatus(current.serialNumber)).revokedAt).to.equal(supersededAt);
    const entries = new X509Crl(new Uint8Array((await credentials.crl()).der)).entries;
    expect(entries.map((entry) => [entry.serialNumber.toLowerCase(), entry.reason])).to.have.deep.members([[current.serialNumber, 1], [supersededBy, 1]]);
  });
});

describe('AMC keyCompromise against a renewal landing meanwhile', () => {
  it('keeps the revocation date the renewal gave the certificate it superseded between the read and the update', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'key compromise race CA' }));
    const { store, credentials: setUp, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    await grant('g', key.publicKeySpkiSha256);
    const issued = await setUp.issueCredential({ grantId: 'g', aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'R', entitySerial: '1' }), csrPem: key.csrPem });
    const supersededAt = new Date(Date.now() - 5_000).toISOString();
    // The first status update of the revocation finds the certificate superseded just before it.
    let landed = false;
    const racing = Object.assign(Object.create(store.credentials), {
      findOneAndUpdate: async (filter: Record<string, unknown>, update: Update) => {
        if (!landed) {
          landed = true;
          await store.credentials.findOneAndUpdate({ _id: issued.serialNumber }, { $set: { status: 'REVOKED', reason: 'superseded', revokedAt: supersededAt } });
        }
        return store.credentials.findOneAndUpdate(filter, update);
      },
    });
    const credentials = createCredentials({ store: { ...store, credentials: racing } as AmcStore, settings: defaultAmcSettings, ca, aicSaltHex: defaultAicScheme.saltHex, notifier: createNotifier({ logger: createLogger({ nf: 'AMC', level: 'silent' }) }), now: Date.now });
    const answer = await credentials.revokeCredential(issued.serialNumber, 'keyCompromise');
    expect([answer.status, answer.reason, answer.revokedAt]).to.deep.equal(['REVOKED', 'keyCompromise', supersededAt]);
  });
});

describe('AMC credentials past their notAfter', () => {
  it('reads a good or held certificate past its notAfter as EXPIRED, and takes no hold or revocation of it but for keyCompromise (409 CREDENTIAL_EXPIRED)', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'expiry test CA' }));
    let ahead = 0;
    const { credentials, grant } = await credentialsWith(ca, () => Date.now() + ahead);
    const issued = async (entitySerial: string) => {
      const key = await createAgentKeyAndCsr();
      await grant(`grant-${entitySerial}`, key.publicKeySpkiSha256);
      return credentials.issueCredential({ grantId: `grant-${entitySerial}`, aic: formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'E', entitySerial }), csrPem: key.csrPem });
    };
    const [good, held, compromised] = [await issued('1'), await issued('2'), await issued('3')];
    // The record's times are the certificate's, to the second.
    const certificate = new X509Certificate(good.certificatePem);
    expect([good.notBefore, good.notAfter]).to.deep.equal([new Date(certificate.validFrom).toISOString(), new Date(certificate.validTo).toISOString()]);
    await credentials.suspendCredential(held.serialNumber);

    // Past the latest of the three notAfters (whole seconds: issuances a second apart end a second apart).
    ahead = Math.max(...[good, held, compromised].map((credential) => Date.parse(credential.notAfter))) - Date.now() + 1000;
    const statusOf = async (serial: string) => (await credentials.getCredentialStatus(serial)).status;
    expect([await statusOf(good.serialNumber), await statusOf(held.serialNumber)]).to.deep.equal(['EXPIRED', 'EXPIRED']);
    const refusal = (error: { status?: number; cause?: string }) => [error.status, error.cause];
    expect(await credentials.suspendCredential(good.serialNumber).then(() => 'suspended', refusal)).to.deep.equal([409, 'CREDENTIAL_EXPIRED']);
    expect(await credentials.revokeCredential(good.serialNumber, 'privilegeWithdrawn').then(() => 'revoked', refusal)).to.deep.equal([409, 'CREDENTIAL_EXPIRED']);
    expect(await credentials.revokeCredential(held.serialNumber, 'affiliationChanged').then(() => 'revoked', refusal)).to.deep.equal([409, 'CREDENTIAL_EXPIRED']);
    expect(await statusOf(good.serialNumber), 'nothing changed').to.equal('EXPIRED');
    // A hold may still be lifted, and a compromised key is still reported, so that it is certified no more.
    expect((await credentials.resumeCredential(held.serialNumber)).status).to.equal('EXPIRED');
    expect((await credentials.revokeCredential(compromised.serialNumber, 'keyCompromise')).status).to.equal('REVOKED');
    const entries = new X509Crl(new Uint8Array((await credentials.crl()).der)).entries;
    expect(entries.map((entry) => entry.serialNumber.toLowerCase())).to.deep.equal([compromised.serialNumber]);
  });
});

describe('AMC: a key revoked for keyCompromise is certified no more (RFC 5280 section 5.3.1)', () => {
  it("revokes the key's certificates under every AIC, and refuses a grant made before the report (403 KEY_COMPROMISED), leaving it unspent", async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'key compromise test CA' }));
    const { store, credentials, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    const aic = (entitySerial: string) => formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'I', entitySerial });
    // The same key under two AICs: registered again after its first agent left, say.
    await grant('first', key.publicKeySpkiSha256);
    await grant('second', key.publicKeySpkiSha256);
    await grant('made-before-the-report', key.publicKeySpkiSha256);
    const first = await credentials.issueCredential({ grantId: 'first', aic: aic('1'), csrPem: key.csrPem });
    const second = await credentials.issueCredential({ grantId: 'second', aic: aic('2'), csrPem: key.csrPem });

    await credentials.revokeCredential(first.serialNumber, 'keyCompromise');
    expect((await credentials.getCredentialStatus(second.serialNumber)).reason).to.equal('keyCompromise');
    const refused = await credentials.issueCredential({ grantId: 'made-before-the-report', aic: aic('3'), csrPem: key.csrPem }).then(() => null, (error: { status?: number; cause?: string }) => [error.status, error.cause]);
    expect(refused).to.deep.equal([403, 'KEY_COMPROMISED']);
    expect(await store.grants.findOne({ _id: 'made-before-the-report' })).to.include({ used: false });
    expect(await store.credentials.countDocuments({ aic: aic('3') })).to.equal(0);
  });

  it('revokes a certificate of the key signed while its compromise was reported, and refuses it (403 KEY_COMPROMISED)', async () => {
    const { ca, afterSigning } = await caPausingAfterSigning('key compromise race test CA');
    const { store, credentials, grant } = await credentialsWith(ca);
    const key = await createAgentKeyAndCsr();
    const aic = (entitySerial: string) => formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'I', entitySerial });
    await grant('first', key.publicKeySpkiSha256);
    await grant('second', key.publicKeySpkiSha256);
    const first = await credentials.issueCredential({ grantId: 'first', aic: aic('1'), csrPem: key.csrPem });
    // The report comes after the second issuance's check, and its sweep before its record is written.
    afterSigning.once(() => credentials.revokeCredential(first.serialNumber, 'keyCompromise'));
    const refused = await credentials.issueCredential({ grantId: 'second', aic: aic('2'), csrPem: key.csrPem }).then(() => null, (error: { status?: number; cause?: string }) => [error.status, error.cause]);
    expect(refused).to.deep.equal([403, 'KEY_COMPROMISED']);
    expect((await store.credentials.find({ aic: aic('2') })).map((record) => [record.status, record.reason])).to.deep.equal([['REVOKED', 'keyCompromise']]);
  });

  it('revokes at start the certificates of a compromised key that a store kept from before revocations reached every AIC', async () => {
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'key compromise leftovers test CA' }));
    const { store, credentials } = await credentialsWith(ca);
    const record = (serial: string, aic: string, publicKeySha256: string, revoked: boolean) => ({
      _id: serial, aic, notBefore: new Date().toISOString(), notAfter: new Date(Date.now() + 86_400_000).toISOString(), certificatePem: 'unused here', publicKeySha256,
      ...(revoked ? { status: 'REVOKED' as const, reason: 'keyCompromise', revokedAt: new Date().toISOString() } : { status: 'GOOD' as const }),
    });
    await store.credentials.insertOne(record('0c01', '1.2.156.3088.1.2.1.1.1.0O41', 'a'.repeat(64), true));
    await store.credentials.insertOne(record('0c02', '1.2.156.3088.1.2.1.1.2.0O41', 'a'.repeat(64), false));
    await store.credentials.insertOne(record('0c03', '1.2.156.3088.1.2.1.1.3.0O41', 'b'.repeat(64), false));
    expect(await credentials.revokeLeftoversOfCompromisedKeys()).to.equal(1);
    expect((await store.credentials.find({}, { sort: { _id: 1 } })).map((stored) => [stored._id, stored.status, stored.reason ?? null])).to.deep.equal([
      ['0c01', 'REVOKED', 'keyCompromise'],
      ['0c02', 'REVOKED', 'keyCompromise'],
      ['0c03', 'GOOD', null],
    ]);
    expect(await credentials.revokeLeftoversOfCompromisedKeys(), 'none left').to.equal(0);
  });
});

describe('AMC: credentials changed since a time (what a gateway that missed notices reads back)', () => {
  it('lists the credentials whose status changed at or after the time, in the order of the changes, each naming when; an issuance is no change', async () => {
    // Whole seconds from now (grants lapse by the store's own clock).
    const start = Math.ceil(Date.now() / 1000) * 1000;
    let clock = start;
    const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
    const ca = await loadCertificateAuthority(await createCaMaterial({ commonName: 'changes test CA' }));
    const { credentials, grant } = await credentialsWith(ca, () => clock);
    const aic = (entitySerial: string) => formatAic(defaultAicScheme, { providerIndex: '1', ontologySerial: 'I', entitySerial });
    const issued: string[] = [];
    const keys: AgentKeyAndCsr[] = [];
    for (const entity of ['1', '2', '3']) {
      const key = await createAgentKeyAndCsr();
      keys.push(key);
      await grant(`grant-${entity}`, key.publicKeySpkiSha256);
      issued.push((await credentials.issueCredential({ grantId: `grant-${entity}`, aic: aic(entity), csrPem: key.csrPem })).serialNumber);
      clock += 1000;
    }
    const since = new Date(clock).toISOString();
    clock += 1000;
    await credentials.suspendCredential(issued[2]);
    clock += 1000;
    await credentials.revokeCredential(issued[0], 'privilegeWithdrawn');
    clock += 1000;
    await credentials.resumeCredential(issued[2]);

    const changed = await credentials.listCredentials(undefined, since);
    expect(changed.map(({ serialNumber, status, statusChangedAt }) => [issued.indexOf(serialNumber), status, statusChangedAt])).to.deep.equal([
      [0, 'REVOKED', at(5)],
      [2, 'GOOD', at(6)],
    ]);
    expect(await credentials.listCredentials(undefined, at(7)), 'nothing after the last change').to.deep.equal([]);
    const renewed = await credentials.renewCredential(issued[1], await freshCsr(keys[1]));
    expect((await credentials.listCredentials(undefined, at(6))).map(({ serialNumber }) => serialNumber), 'a renewal: its certificate, and the one it replaced').to.have.members([issued[2], issued[1], renewed.serialNumber]);
  });
});
