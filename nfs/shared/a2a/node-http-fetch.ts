/**
 * A `fetch` for the A2A SDK client over node:http and its global keep-alive agent, for the
 * semantic sessions an intent agent opens on every task: Node's built-in fetch (undici, web
 * streams, an abort controller per call) cost more CPU than the SESSION_DATA it carried on the
 * 2-core benchmark machine, as axios did on the task path (json-post.ts). The SDK takes it
 * through its documented `fetchImpl` option; answers are bounded and redirects never followed.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MAX_ANSWER_BYTES = 1024 * 1024;

export const nodeHttpFetch: typeof fetch = (input, init = {}) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : undefined;
  if (init.body && body === undefined) return Promise.reject(new TypeError('nodeHttpFetch sends string bodies only'));
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        signal?.removeEventListener('abort', abort);
        const status = res.statusCode ?? 0;
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        // A Response may not carry a body with these statuses.
        const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
        resolve(new Response(nullBody ? null : Buffer.concat(chunks, size), { status, statusText: res.statusMessage ?? '', headers: answerHeaders }));
      });
      res.on('error', reject);
    });
    const abort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', abort, { once: true });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(error);
    });
    req.end(body);
  });
};
