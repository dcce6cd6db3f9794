import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson, requestJson, requestText } from '../../nfs/shared/json-post.ts';

describe('JSON over node:http', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method?: string; contentType?: string; body: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, contentType: req.headers['content-type'], body });
        if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":[1,"é"]}');
        if (req.url === '/pem') return res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end('-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n');
        if (req.url === '/string') return res.writeHead(200, { 'content-type': 'application/json' }).end('"ok"');
        if (req.url === '/big') return res.writeHead(200).end('x'.repeat(5000));
        if (req.url === '/hang') return res.writeHead(200).write('partial');
        if (req.url === '/drip') {
          // A byte every 20 ms for about 2 s: never idle for long, never done in time.
          res.writeHead(200);
          let sent = 0;
          const drip = setInterval(() => {
            if (res.destroyed || sent === 100) {
              clearInterval(drip);
              return void res.end();
            }
            res.write('x');
            sent += 1;
          }, 20);
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  it('parses JSON answers and keeps any other answer as its text', async () => {
    const json = await requestJson('GET', `${base}/json`, undefined, { timeoutMs: 2000 });
    expect(json).to.deep.include({ status: 200, data: { a: [1, 'é'] }, json: true });
    const pem = await requestJson('GET', `${base}/pem`, undefined, { timeoutMs: 2000 });
    expect(pem.json).to.equal(false);
    expect(pem.data).to.match(/^-----BEGIN CERTIFICATE-----/);
    const empty = await requestJson('DELETE', `${base}/gone`, undefined, { timeoutMs: 2000 });
    expect(empty).to.deep.include({ status: 204, data: '', json: false });
  });

  it('sends a body as JSON unless the headers name another type, and none without one', async () => {
    seen.length = 0;
    await requestJson('POST', `${base}/x`, { b: 2 }, { timeoutMs: 2000 });
    await requestJson('PATCH', `${base}/x`, [{ op: 'remove', path: '/b' }], { timeoutMs: 2000, headers: { 'Content-Type': 'application/json-patch+json' } });
    await requestJson('GET', `${base}/x`, undefined, { timeoutMs: 2000 });
    expect(seen).to.deep.equal([
      { method: 'POST', contentType: 'application/json', body: '{"b":2}' },
      { method: 'PATCH', contentType: 'application/json-patch+json', body: '[{"op":"remove","path":"/b"}]' },
      { method: 'GET', contentType: undefined, body: '' },
    ]);
  });

  it('tells a JSON string answer from a text one in postJson', async () => {
    expect((await postJson(`${base}/string`, {}, { timeoutMs: 2000 })).data).to.equal('ok');
    expect((await postJson(`${base}/pem`, {}, { timeoutMs: 2000 })).data).to.equal(undefined);
  });

  it('fails an answer larger than maxBytes with ETOOLARGE', async () => {
    const failure = await requestJson('GET', `${base}/big`, undefined, { timeoutMs: 2000, maxBytes: 1000 }).catch((error: unknown) => error);
    expect((failure as { code?: string }).code).to.equal('ETOOLARGE');
  });

  it('fails a call its signal aborts with the reason, and a timeout with ETIMEDOUT', async () => {
    const controller = new AbortController();
    const pending = requestText('GET', `${base}/hang`, undefined, { signal: controller.signal }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    expect(((await pending) as Error).message).to.equal('caller gave up');
    const late = await requestText('GET', `${base}/hang`, undefined, { timeoutMs: 50 }).catch((error: unknown) => error);
    expect((late as { code?: string }).code).to.equal('ETIMEDOUT');
  });

  it('fails with ETIMEDOUT an answer still coming in at the deadline, though bytes keep arriving', async () => {
    const dripped = await requestText('GET', `${base}/drip`, undefined, { timeoutMs: 200 }).then((answer) => answer.text.length, (error: { code?: string }) => error.code);
    expect(dripped).to.equal('ETIMEDOUT');
  });
});
