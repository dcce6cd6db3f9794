/**
 * JSON over node:http, for the SBI calls and the calls every intent makes several times (UE to
 * AMF, AMF to intent agent, intent agent to capability agents, AGW to AMC on every
 * registration). axios costs several times the CPU of the request itself on these paths;
 * node:http with the global keep-alive agent does not. Redirects are never followed (an answer
 * elsewhere would carry a SUPI elsewhere) and answers are bounded.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonRequestOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Largest answer read; a longer one fails the call (default 1 MB). */
  maxBytes?: number;
}

export interface JsonAnswer {
  status: number;
  /** The parsed body when it is JSON, else its text ('' when empty). */
  data: unknown;
  headers: IncomingHttpHeaders;
}

/**
 * Sends `body` (JSON-encoded unless a string; content-type application/json unless the headers
 * name another) and reads the answer. Rejects on a network error, a timeout (code ETIMEDOUT) or
 * an oversized answer (code ETOOLARGE); any HTTP status resolves.
 */
export function requestJson(method: string, url: string, body: unknown, options: JsonRequestOptions): Promise<JsonAnswer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const headers: Record<string, string | number> = { ...options.headers };
  if (text !== undefined) {
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(text);
  }
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { code: 'ETOOLARGE' }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, data: parse(Buffer.concat(chunks, size).toString('utf8')), headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(text);
  });
}

/** A JSON POST whose answer is parsed JSON or undefined. */
export async function postJson(url: string, body: unknown, options: JsonRequestOptions): Promise<{ status: number; data: unknown }> {
  const answer = await requestJson('POST', url, body, options);
  return { status: answer.status, data: typeof answer.data === 'string' ? undefined : answer.data };
}

/** JSON when it parses (as axios reads answers), else the text itself. */
function parse(text: string): unknown {
  if (!text) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
