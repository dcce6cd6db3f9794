/**
 * A `fetch` for the A2A SDK client over node:http and its global keep-alive agent, for the
 * semantic sessions an intent agent opens on every task: Node's built-in fetch (undici, web
 * streams, an abort controller per call) cost more CPU than the SESSION_DATA it carried on the
 * 2-core benchmark machine, as axios did on the task path (json-post.ts). The SDK takes it
 * through its documented `fetchImpl` option; answers are bounded and redirects never followed
 * (node:http does not follow them).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MAX_ANSWER_BYTES = 1024 * 1024;

export const nodeHttpFetch: typeof fetch = (input, init = {}) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  // A stream (SSE) needs a real body stream: Node's own fetch serves those.
  if (new Headers(init.headers).get('accept')?.includes('text/event-stream')) return fetch(input, init);
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
        const text = Buffer.concat(chunks, size).toString('utf8');
        const headerList = Object.entries(res.headers).flatMap(([name, value]): Array<[string, string]> => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]]));
        resolve(answerOf(status, res.statusMessage ?? '', headerList, text));
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

/**
 * What the SDK's JSON-RPC transport reads of an answer (ok, status, statusText, headers, text,
 * json), without a web-streams body: building a full Response per message is most of undici's
 * cost. Streaming requests never come here (they need a body stream), see nodeHttpFetch.
 */
function answerOf(status: number, statusText: string, headerList: Array<[string, string]>, text: string): Response {
  let headers: Headers | undefined;
  let used = false;
  const read = () => {
    if (used) return Promise.reject(new TypeError('the body was read already'));
    used = true;
    return Promise.resolve(text);
  };
  const answer = {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    redirected: false,
    type: 'basic',
    url: '',
    body: null,
    get bodyUsed() {
      return used;
    },
    get headers() {
      headers ??= new Headers(headerList);
      return headers;
    },
    text: read,
    json: () => read().then((body) => JSON.parse(body) as unknown),
  };
  return answer as unknown as Response;
}
