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
  /** Whether data is parsed JSON. */
  json: boolean;
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
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBytes) {
          fail(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { code: 'ETOOLARGE' }));
          // Destroyed without an error: the caller has it already, and nobody else listens.
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, ...parse(Buffer.concat(chunks, size).toString('utf8')), headers: res.headers });
      });
      res.on('error', fail);
    });
    req.setTimeout(options.timeoutMs, () => {
      fail(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      req.destroy();
    });
    req.on('error', fail);
    req.end(text);
  });
}

/** A JSON POST whose answer is parsed JSON or undefined. */
export async function postJson(url: string, body: unknown, options: JsonRequestOptions): Promise<{ status: number; data: unknown }> {
  const answer = await requestJson('POST', url, body, options);
  return { status: answer.status, data: answer.json ? answer.data : undefined };
}

/** JSON when it parses (as axios reads answers), else the text itself. */
function parse(text: string): { data: unknown; json: boolean } {
  if (!text) return { data: '', json: false };
  try {
    return { data: JSON.parse(text), json: true };
  } catch {
    return { data: text, json: false };
  }
}
