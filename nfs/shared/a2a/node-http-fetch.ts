/**
 * A `fetch` for the A2A SDK client over node:http and its global keep-alive agent, for the
 * semantic sessions an intent agent opens on every task: Node's built-in fetch (undici, web
 * streams, an abort controller per call) cost more CPU than the SESSION_DATA it carried on the
 * 2-core benchmark machine, as axios did on the task path (json-post.ts). The SDK takes it
 * through its documented `fetchImpl` option; the request is json-post.ts's requestText: answers
 * bounded, redirects never followed.
 */
import { requestText } from '../json-post.ts';

const MAX_ANSWER_BYTES = 1024 * 1024;

export const nodeHttpFetch: typeof fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  // A stream (SSE) needs a real body stream: Node's own fetch serves those.
  if (new Headers(init.headers).get('accept')?.includes('text/event-stream')) return fetch(input, init);
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : undefined;
  if (init.body && body === undefined) throw new TypeError('nodeHttpFetch sends string bodies only');
  const answer = await requestText(init.method ?? 'GET', url, body, { headers, maxBytes: MAX_ANSWER_BYTES, signal: init.signal ?? undefined });
  const headerList = Object.entries(answer.headers).flatMap(([name, value]): Array<[string, string]> => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]]));
  return answerOf(answer.status, answer.statusMessage, headerList, answer.text);
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
