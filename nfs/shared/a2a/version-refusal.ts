/**
 * Refuses a JSON-RPC request whose A2A-Version the agent's card does not list (A2A 1.0 section
 * 3.6.2: VersionNotSupportedError, -32009) before the SDK's handler sees it. The SDK gives the
 * same answer but prints the refusal's stack trace as an unhandled error, so a client that sends
 * a version this core does not speak would fill the NF's log. The check and the error object are
 * the SDK's own (validateVersion, JsonRpcTransportHandler.mapToJSONRPCError); without the header
 * the request is a 0.3 one and goes on to the SDK's compatibility layer.
 */
import express, { type RequestHandler } from 'express';
import type { AgentCard } from '@a2a-js/sdk';
import { JsonRpcTransportHandler, validateVersion } from '@a2a-js/sdk/server';

const readJson = express.json();

export function refuseUnsupportedVersion(card: AgentCard): RequestHandler {
  return (req, res, next) => {
    const requested = req.header('A2A-Version');
    // An empty header is no header to the SDK: a 0.3 request.
    if (req.method !== 'POST' || !requested) return next();
    try {
      validateVersion(requested, card, 'JSONRPC');
      return next();
    } catch (refusal) {
      // The body is read only to answer with the request's id; one that is not JSON gets id null
      // (JSON-RPC 2.0 section 5).
      readJson(req, res, (unreadable?: unknown) => {
        const id = unreadable ? null : ((req.body as { id?: unknown } | undefined)?.id ?? null);
        res.status(200).json({ jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(refusal as Error) });
      });
    }
  };
}
