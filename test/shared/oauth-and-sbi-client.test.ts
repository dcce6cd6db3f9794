import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createAccessTokenVerifier } from '../../nfs/shared/access-token-guard.ts';
import { correlationHeader, currentCorrelationId, withCorrelationId } from '../../nfs/shared/correlation.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { buildNfProfile } from '../../nfs/shared/nf-profile.ts';
import { createNrfClient } from '../../nfs/shared/nrf-client.ts';
import { createNrfRegistration, type NrfRegistration } from '../../nfs/shared/nrf-registration.ts';
import { createSbiApp } from '../../nfs/shared/sbi-app.ts';
import { createSbiClient } from '../../nfs/shared/sbi-client.ts';
import { createTokenProvider } from '../../nfs/shared/token-provider.ts';
import { request, startTestNrf, type TestNrf } from '../support/nrf-harness.ts';

const echoSpec = fileURLToPath(new URL('../fixtures/necho-test.yaml', import.meta.url));
const silent = createLogger({ nf: 'TEST', level: 'silent' });

/** A test NF built with the shared toolkit, protected by OAuth, registered at the NRF. */
async function startEchoNf(nrfUri: string): Promise<{ nf: ListeningNf; nfInstanceId: string }> {
  const nfInstanceId = randomUUID();
  const app = createSbiApp({
    nf: 'ECHO',
    logger: silent,
    specs: [echoSpec],
    oauth: { protectedServices: ['necho-test'], verify: createAccessTokenVerifier({ nrfUri, audience: ['ECHO', nfInstanceId] }) },
    routes: (router) => router.get('/necho-test/v1/echo', (_req, res) => void res.json({ correlationId: currentCorrelationId() })),
  });
  let registration: NrfRegistration | undefined;
  const nf = await listenNf(
    {
      name: 'echo',
      nfType: 'ECHO',
      nfInstanceId,
      app,
      async start(apiRoot) {
        registration = createNrfRegistration({
          nrf: createNrfClient({ nrfUri }),
          profile: buildNfProfile({ nfInstanceId, nfType: 'ECHO', apiRoot, serviceNames: ['necho-test'] }),
          logger: silent,
        });
        await registration.start();
      },
      stop: async () => registration?.stop(),
    },
    { host: '127.0.0.1', port: 0 },
  );
  return { nf, nfInstanceId };
}

describe('OAuth 2.0 on the SBI and the SBI client (TS 29.510 clause 5.4, TS 33.501 clause 13.4.1)', () => {
  let nrf: TestNrf;
  let echo: Awaited<ReturnType<typeof startEchoNf>>;
  const consumerId = randomUUID();

  before(async () => {
    nrf = await startTestNrf({ oauth: true });
    echo = await startEchoNf(nrf.url);
    await createNrfClient({ nrfUri: nrf.url }).register(
      buildNfProfile({ nfInstanceId: consumerId, nfType: 'AMF', apiRoot: 'http://127.0.0.1:9', serviceNames: ['namf-comm'] }),
    );
  });
  after(async () => {
    await echo.nf.close();
    await nrf.close();
  });

  const tokenFor = (form: Record<string, string>) =>
    request('POST', `${nrf.url}/oauth2/token`, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

  it('issues an ES256 JWT with iss, sub, aud and scope that verifies against the NRF key set', async () => {
    const res = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, nfType: 'AMF', targetNfType: 'ECHO', scope: 'necho-test' });
    expect(res.status).to.equal(200);
    expect(res.body.token_type).to.equal('Bearer');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(decodeProtectedHeader(res.body.access_token).alg).to.equal('ES256');
    const jwks = (await request('GET', `${nrf.url}/oauth2/jwks`)).body;
    const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks), { audience: 'ECHO' });
    expect(payload).to.include({ iss: nrf.nrf.nfInstanceId, sub: consumerId, scope: 'necho-test' });
    expect(payload.exp! - payload.iat!).to.equal(3600);
  });

  it('refuses tokens to unregistered clients, unknown scopes and other grants with AccessTokenErr', async () => {
    const unknownClient = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: randomUUID(), targetNfType: 'ECHO', scope: 'necho-test' });
    expect(unknownClient.status).to.equal(400);
    expect(unknownClient.body.error).to.equal('invalid_client');
    const wrongType = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, nfType: 'SMF', targetNfType: 'ECHO', scope: 'necho-test' });
    expect(wrongType.body.error).to.equal('invalid_client');
    const badScope = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, targetNfType: 'ECHO', scope: 'nudm-sdm' });
    expect(badScope.body.error).to.equal('invalid_scope');
    const badGrant = await tokenFor({ grant_type: 'password', nfInstanceId: consumerId, targetNfType: 'ECHO', scope: 'necho-test' });
    expect(badGrant.body.error).to.equal('unsupported_grant_type');
  });

  it('answers 401 without a token or with a tampered or foreign one, and 200 with a valid one', async () => {
    const echoUrl = `${echo.nf.apiRoot}/necho-test/v1/echo`;
    const none = await request('GET', echoUrl);
    expect(none.status).to.equal(401);
    expect(none.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(none.headers.get('www-authenticate'), 'RFC 6750 section 3.1: no error code without a token').to.equal('Bearer realm="necho-test"');

    const { body } = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, targetNfType: 'ECHO', scope: 'necho-test' });
    const [header, payload, signature] = (body.access_token as string).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: randomUUID() })).toString('base64url');
    const tampered = await request('GET', echoUrl, undefined, { authorization: `Bearer ${header}.${forged}.${signature}` });
    expect(tampered.status).to.equal(401);
    expect(tampered.body.cause).to.equal('INVALID_TOKEN');
    expect(tampered.headers.get('www-authenticate')).to.equal('Bearer realm="necho-test", error="invalid_token"');

    const nrfToken = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, targetNfType: 'NRF', scope: 'nnrf-disc' });
    const otherAudience = await request('GET', echoUrl, undefined, { authorization: `Bearer ${nrfToken.body.access_token}` });
    expect(otherAudience.status).to.equal(401);

    const good = await request('GET', echoUrl, undefined, { authorization: `Bearer ${body.access_token}` });
    expect(good.status).to.equal(200);
  });

  it('answers 403 for a token of the right audience whose scope lacks the service', async () => {
    const other = randomUUID();
    await createNrfClient({ nrfUri: nrf.url }).register(
      buildNfProfile({ nfInstanceId: other, nfType: 'ECHO', apiRoot: 'http://127.0.0.1:10', serviceNames: ['necho-other'] }),
    );
    const { body } = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, targetNfType: 'ECHO', scope: 'necho-other' });
    const res = await request('GET', `${echo.nf.apiRoot}/necho-test/v1/echo`, undefined, { authorization: `Bearer ${body.access_token}` });
    expect(res.status).to.equal(403);
    expect(res.body.cause).to.equal('INSUFFICIENT_SCOPE');
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="necho-test", error="insufficient_scope", scope="necho-test"');
  });

  it('protects NRF discovery with a token when OAuth is on', async () => {
    const query = `${nrf.url}/nnrf-disc/v1/nf-instances?target-nf-type=ECHO&requester-nf-type=AMF&service-names=necho-test`;
    expect((await request('GET', query)).status).to.equal(401);
    const token = await tokenFor({ grant_type: 'client_credentials', nfInstanceId: consumerId, targetNfType: 'NRF', scope: 'nnrf-disc' });
    const res = await request('GET', query, undefined, { authorization: `Bearer ${token.body.access_token}` });
    expect(res.status).to.equal(200);
    expect(res.body.nfInstances.map((p: { nfInstanceId: string }) => p.nfInstanceId)).to.deep.equal([echo.nfInstanceId]);
  });

  it('finds the peer through the NRF, takes tokens and passes the correlation id on', async () => {
    const client = createSbiClient({
      nrf: createNrfClient({ nrfUri: nrf.url }),
      self: { nfInstanceId: consumerId, nfType: 'AMF' },
      tokens: createTokenProvider({ nrfUri: nrf.url, nfInstanceId: consumerId, nfType: 'AMF' }),
    });
    const res = await withCorrelationId('corr-42', () =>
      client.call<{ correlationId: string }>({ targetNfType: 'ECHO', serviceName: 'necho-test', method: 'GET', path: '/echo' }),
    );
    expect(res.status).to.equal(200);
    expect(res.data.correlationId).to.equal('corr-42');
    expect(res.headers[correlationHeader]).to.equal('corr-42');
    expect(await client.serviceUri('ECHO', 'necho-test')).to.equal(`${echo.nf.apiRoot}/necho-test/v1`);
  });

  it('moves on to another instance when the preferred one is unreachable', async () => {
    // A higher-priority instance that is registered but dead (nothing listens on port 9).
    await createNrfClient({ nrfUri: nrf.url }).register(
      buildNfProfile({ nfInstanceId: randomUUID(), nfType: 'ECHO', apiRoot: 'http://127.0.0.1:9', serviceNames: ['necho-test'], extra: { priority: 0 } }),
    );
    await createNrfClient({ nrfUri: nrf.url }).register(
      buildNfProfile({ nfInstanceId: echo.nfInstanceId, nfType: 'ECHO', apiRoot: echo.nf.apiRoot, serviceNames: ['necho-test'], extra: { priority: 5 } }),
    );
    const client = createSbiClient({
      nrf: createNrfClient({ nrfUri: nrf.url }),
      self: { nfInstanceId: consumerId, nfType: 'AMF' },
      tokens: createTokenProvider({ nrfUri: nrf.url, nfInstanceId: consumerId, nfType: 'AMF' }),
    });
    expect(await client.serviceUri('ECHO', 'necho-test')).to.equal('http://127.0.0.1:9/necho-test/v1');
    const res = await client.call<{ correlationId: string }>({ targetNfType: 'ECHO', serviceName: 'necho-test', method: 'GET', path: '/echo' });
    expect(res.status).to.equal(200);
    expect(await client.serviceUri('ECHO', 'necho-test')).to.equal(`${echo.nf.apiRoot}/necho-test/v1`);
  });

  it('reports a 503 ProblemError when no peer offers the service', async () => {
    const client = createSbiClient({
      nrf: createNrfClient({ nrfUri: nrf.url }),
      self: { nfInstanceId: consumerId, nfType: 'AMF' },
      tokens: createTokenProvider({ nrfUri: nrf.url, nfInstanceId: consumerId, nfType: 'AMF' }),
    });
    let status: number | undefined;
    try {
      await client.call({ targetNfType: 'UDM', serviceName: 'nudm-sdm', method: 'GET', path: '/x' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).to.equal(503);
  });
});
