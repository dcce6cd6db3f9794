/**
 * Session control messages (JSON-RPC SendMessage with the semantic-session extension activated)
 * served before express, as every other hop of an intent is (README, benchmarks): the SDK's own
 * JsonRpcTransportHandler and request handler answer them, so the protocol is the SDK's; only the
 * express router and body parser, which cost as much CPU as the session logic on the 2-core
 * benchmark machine, are left out. Anything else under /a2a/ (cards, streaming, messages without
 * the extension, agents not registered, requests of any A2A version but 1.0) goes to the SDK's
 * express handlers unchanged: a request without A2A-Version is a 0.3 one (A2A 1.0 section
 * 3.6.2), which the SDK's compatibility layer answers there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { A2A_PROTOCOL_VERSION, Extensions, type AgentCard } from '@a2a-js/sdk';
import { defaultServerCallContextBuilder, JsonRpcTransportHandler, UnauthenticatedUser, validateVersion } from '@a2a-js/sdk/server';
import type { Logger } from '../logger.ts';
import { SEMANTIC_SESSION_EXTENSION_URI } from './semantic-session-extension.ts';

/** express.json()'s default limit, which the SDK's express handler applies. */
const MAX_BODY_BYTES = 100 * 1024;
/** JSON-RPC 2.0 codes the SDK answers with (A2A 1.0 section 9). */
const PARSE_ERROR = -32700;
const INTERNAL_ERROR = -32603;

export interface SessionEndpoint {
  card: AgentCard;
  rpc: JsonRpcTransportHandler;
}

const agentPath = /^\/a2a\/([A-Za-z0-9._-]{1,64})\/?$/;

/**
 * Whether the request is session control this path takes; if so, it answers it, or hands a
 * request that is no SendMessage to `fallback` (the SDK's express handler) with its body parsed.
 */
export function createSessionFastPath(deps: { endpoint(agentName: string): SessionEndpoint | undefined; logger: Logger }) {
  return (req: IncomingMessage, res: ServerResponse, fallback: () => void): boolean => {
    const name = req.method === 'POST' ? agentPath.exec(req.url ?? '')?.[1] : undefined;
    const extensions = req.headers['a2a-extensions'];
    if (!name || typeof extensions !== 'string' || !extensions.includes(SEMANTIC_SESSION_EXTENSION_URI)) return false;
    if (req.headers['a2a-version'] !== A2A_PROTOCOL_VERSION) return false;
    if ((req.headers.accept ?? '').includes('text/event-stream')) return false;
    if ((req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase() !== 'application/json') return false;
    const endpoint = deps.endpoint(name);
    if (!endpoint) return false;
    void serve(req, res, endpoint, extensions, fallback).catch((error: Error) => {
      deps.logger.error('session control fast path failed', { error: error.message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
    return true;
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, endpoint: SessionEndpoint, extensions: string, fallback: () => void): Promise<void> {
  const text = await readBody(req);
  if (text === undefined) {
    res.writeHead(413, { 'content-type': 'application/problem+json', connection: 'close' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Payload Too Large', status: 413, detail: `a JSON-RPC request is at most ${MAX_BODY_BYTES} bytes`, cause: 'PAYLOAD_TOO_LARGE' }));
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    answer(res, 200, { jsonrpc: '2.0', id: null, error: { code: PARSE_ERROR, message: 'Invalid JSON payload.' } });
    return;
  }
  if (body?.method !== 'SendMessage') {
    // body-parser leaves a finished request's body as it is (body-parser read.js).
    Object.assign(req, { body });
    fallback();
    return;
  }
  const context = defaultServerCallContextBuilder({
    extensions: Extensions.parseServiceParameter(extensions),
    user: new UnauthenticatedUser(),
    headers: req.headers,
    requestedVersion: A2A_PROTOCOL_VERSION,
  });
  const id = typeof body?.id === 'string' || typeof body?.id === 'number' ? body.id : null;
  try {
    validateVersion(context.requestedVersion, endpoint.card, 'JSONRPC');
    // SendMessage answers one JSON-RPC response, never a stream.
    answer(res, 200, await endpoint.rpc.handle(body, context), context.activatedExtensions);
  } catch (error) {
    const mapped = JsonRpcTransportHandler.mapToJSONRPCError(error);
    answer(res, mapped.code === INTERNAL_ERROR ? 500 : 200, { jsonrpc: '2.0', id, error: mapped });
  }
}

function answer(res: ServerResponse, status: number, body: unknown, activated?: ReadonlySet<string> | string[]): void {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json; charset=utf-8' };
  if (activated && [...activated].length) headers['a2a-extensions'] = [...activated];
  const text = JSON.stringify(body);
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, headers);
  res.end(text);
}

/** The body as text, or undefined when it exceeds the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks, size).toString('utf8')));
    req.on('error', reject);
  });
}
