/**
 * One JSON POST over node:http, for the calls every intent makes several times (UE to AMF, AMF to
 * intent agent, intent agent to capability agents). axios costs several times the CPU of the
 * request itself on these paths; node:http with the global keep-alive agent does not. Redirects
 * are never followed (an answer elsewhere would carry a SUPI elsewhere) and answers are bounded.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonPostOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Largest answer read; a longer one fails the call (default 1 MB). */
  maxBytes?: number;
}

export interface JsonPostAnswer {
  status: number;
  /** The parsed body, or undefined when it is empty or not JSON. */
  data: unknown;
}

/** Rejects on a network error, a timeout (code ETIMEDOUT) or an oversized answer; any HTTP status resolves. */
export function postJson(url: string, body: unknown, options: JsonPostOptions): Promise<JsonPostAnswer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
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
      res.on('end', () => resolve({ status: res.statusCode ?? 0, data: parse(Buffer.concat(chunks, size).toString('utf8')) }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(text);
  });
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
