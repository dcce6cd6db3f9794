/**
 * POST /namf-nas/v1/n1-messages served before express. Every message of every UE passes here
 * (three per registration), and express with its validator costs more per request than the
 * whole registration procedure does. The path reads the body (1 MB at most, as the SBI app),
 * checks it against namf-nas.yaml (nas-schema.ts), calls the service, checks the answer against
 * the same file, and writes what the central error handler would for every failure: problem+json
 * with the same detail, cause and invalidParams. Other methods and media types go on to express.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationHeader, currentCorrelationId, withCorrelationId } from '../shared/correlation.ts';
import { toProblemDetails } from '../shared/error-handler.ts';
import type { Logger } from '../shared/logger.ts';
import type { FastPath } from '../shared/nf-host.ts';
import type { ProblemDetails } from '../shared/problem.ts';
import type { NasChecks } from './nas-schema.ts';
import type { DownlinkNasMessage, UplinkNasMessage } from './types.ts';

export interface NasFastPathOptions {
  path: string;
  checks: NasChecks;
  handle: (message: UplinkNasMessage) => Promise<DownlinkNasMessage | undefined>;
  logger: Logger;
  bodyLimitBytes?: number;
}

const jsonType = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

export function createNasFastPath(options: NasFastPathOptions): FastPath {
  const { path, checks, logger, bodyLimitBytes = 1024 * 1024 } = options;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, bodyLimitBytes);
    if (body === undefined) return sendProblem(res, toProblemDetails({ status: 413, type: 'entity.too.large' }, path), true);
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch {
      return sendProblem(res, toProblemDetails({ status: 400, type: 'entity.parse.failed' }, path));
    }
    const refused = checks.uplink(message);
    if (refused.length) return sendProblem(res, toProblemDetails({ status: 400, errors: refused }, path));
    const answer = await options.handle(message as UplinkNasMessage);
    if (answer === undefined) {
      res.writeHead(204, { [correlationHeader]: currentCorrelationId() ?? randomUUID() });
      res.end();
      return;
    }
    const broken = checks.downlink(answer);
    if (broken.length) {
      // An answer that breaks our own spec is our bug: a 500, never the half-valid body.
      logger.error('downlink NAS message breaks namf-nas.yaml', { messageType: (answer as { messageType?: string }).messageType, errors: broken });
      return sendProblem(res, toProblemDetails(new Error('invalid response'), path));
    }
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(answer));
  }

  return (req, res, next) => {
    if (req.method !== 'POST' || req.url !== path || !jsonType.test(req.headers['content-type'] ?? '')) return next();
    const header = req.headers[correlationHeader];
    withCorrelationId(typeof header === 'string' ? header : undefined, () => {
      serve(req, res).catch((error: unknown) => {
        const problem = toProblemDetails(error, path);
        if ((problem.status ?? 500) >= 500) logger.error('request failed', { method: 'POST', path, error: (error as Error)?.stack ?? String(error) });
        if (!res.headersSent) sendProblem(res, problem);
      });
    });
  };
}

/** The body, or undefined when it is larger than the limit (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function sendProblem(res: ServerResponse, problem: ProblemDetails, close = false): void {
  if (close) res.setHeader('connection', 'close');
  send(res, problem.status ?? 500, 'application/problem+json', JSON.stringify(problem));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    [correlationHeader]: currentCorrelationId() ?? randomUUID(),
  });
  res.end(body);
}
