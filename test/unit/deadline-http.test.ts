import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeadlineHttp } from '../../nfs/shared/deadline-http.ts';
import { createNrfClient } from '../../nfs/shared/nrf-client.ts';
import { createTokenProvider } from '../../nfs/shared/token-provider.ts';

/** Answers every request with its headers at once, then a byte every 20 ms for about 2 s. */
function startDrippingPeer(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.endsWith('/quick')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      let sent = 0;
      const drip = setInterval(() => {
        if (res.destroyed || sent === 100) {
          clearInterval(drip);
          return void res.end('"}');
        }
        res.write('x');
        sent += 1;
      }, 20);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('HTTP calls between NFs with a deadline for the whole answer', () => {
  let server: Server;
  let base: string;
  before(async () => ({ server, base } = await startDrippingPeer()));
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  /** Resolves to how long the call took and the code it failed with ('' when it did not fail). */
  async function timed(call: () => Promise<unknown>): Promise<{ ms: number; code: string; message: string }> {
    const started = Date.now();
    const outcome = await call().then(() => ({ code: '', message: '' }), (error: { code?: string; message: string }) => ({ code: error.code ?? '?', message: error.message }));
    return { ms: Date.now() - started, ...outcome };
  }

  it('fails a dripped answer at the deadline with ETIMEDOUT, naming the call, and lets a quick one through', async () => {
    const http = createDeadlineHttp(200);
    const dripped = await timed(() => http.get(`${base}/drip`));
    expect(dripped.code).to.equal('ETIMEDOUT');
    expect(dripped.message).to.equal(`GET ${base}/drip: no whole answer within 200 ms`);
    expect(dripped.ms).to.be.below(1500);
    expect((await http.get(`${base}/quick`)).data).to.deep.equal({ ok: true });
  });

  it('takes a per-call timeout and keeps a caller\'s own abort as an abort', async () => {
    const http = createDeadlineHttp(5000);
    expect((await timed(() => http.get(`${base}/drip`, { timeout: 150 }))).code).to.equal('ETIMEDOUT');
    const aborted = await timed(() => http.get(`${base}/drip`, { signal: AbortSignal.timeout(100) }));
    expect(aborted.code).to.equal('ERR_CANCELED');
  });

  it('bounds the NRF client\'s and the token provider\'s calls', async () => {
    const nrf = createNrfClient({ nrfUri: base, timeoutMs: 200 });
    expect((await timed(() => nrf.discover({ targetNfType: 'AMC', requesterNfType: 'AGW' }))).code).to.equal('ETIMEDOUT');
    const tokens = createTokenProvider({ nrfUri: base, nfInstanceId: '1b2a6f0e-0000-4000-8000-000000000001', nfType: 'AGW', timeoutMs: 200 });
    const token = await timed(() => tokens.token('AMC', 'namc-cred'));
    expect(token.code).to.equal('ETIMEDOUT');
    expect(token.ms).to.be.below(1500);
  });
});
