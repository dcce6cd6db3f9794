/**
 * JSON over node:http, for the SBI calls and the calls every intent makes several times (UE to
 * AMF, AMF to intent agent, intent agent to capability agents, AGW to AMC on every
 * registration). axios costs several times the CPU of the request itself on these paths;
 * node:http with the global keep-alive agent does not. Redirects are never followed (an answer
 * elsewhere would carry a SUPI elsewhere) and answers are bounded.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TextRequestOptions {
  /**
   * No whole answer within this long fails the call (code ETIMEDOUT); none when absent. A deadline,
   * not the socket's idle time: a peer sending its answer a byte at a time does not hold the call.
   */
  timeoutMs?: number;
  headers?: Record<string, string | number>;
  /** Largest answer read; a longer one fails the call (default 1 MB). */
  maxBytes?: number;
  /** Aborting fails the call with the signal's reason. */
  signal?: AbortSignal;
}

export interface TextAnswer {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One request over node:http (https for https: URLs) and its whole answer as text. Rejects on a
 * network error, a timeout (code ETIMEDOUT), an abort or an oversized answer (code ETOOLARGE),
 * each once; any HTTP status resolves.
 */
export function requestText(method: string, url: string, body: string | undefined, options: TextRequestOptions = {}): Promise<TextAnswer> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const headers: Record<string, string | number> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const abort = () => stop(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    const settle = () => {
      settled = true;
      signal?.removeEventListener('abort', abort);
      clearTimeout(deadline);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settle();
      reject(error);
    };
    // Destroyed without an error: the caller has it already, and nobody else listens.
    const stop = (error: Error) => {
      fail(error);
      req.destroy();
    };
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBytes) return stop(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { code: 'ETOOLARGE' }));
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settle();
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, text: Buffer.concat(chunks, size).toString('utf8') });
      });
      res.on('error', fail);
    });
    signal?.addEventListener('abort', abort, { once: true });
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      deadline = setTimeout(() => stop(Object.assign(new Error(`no whole answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    }
    req.on('error', fail);
    req.end(body);
  });
}

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
 * name another) and reads the answer as requestText does, parsed when it is JSON.
 */
export async function requestJson(method: string, url: string, body: unknown, options: JsonRequestOptions): Promise<JsonAnswer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (text !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const answer = await requestText(method, url, text, { timeoutMs: options.timeoutMs, headers, maxBytes: options.maxBytes });
  return { status: answer.status, ...parse(answer.text), headers: answer.headers };
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
