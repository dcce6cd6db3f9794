/**
 * Hot JSON POST operations served before express: every NAS message of every UE, and each hop of
 * an intent (the AMF's call to the intent agent, the intent agent's task calls), would otherwise pay express and its validator,
 * which cost more than the operation. A route here checks the body against the same OpenAPI
 * schema (compiled with ajv), calls the service, checks the answer against the spec as well, and
 * answers every failure as the central error handler would: problem+json with the same detail,
 * cause and invalidParams. Anything it does not match (other paths, methods, media types) goes
 * on to express, which stays the reference behaviour.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { correlationHeader, currentCorrelationId, withCorrelationId } from './correlation.ts';
import { toProblemDetails } from './error-handler.ts';
import type { Logger } from './logger.ts';
import type { FastPath } from './nf-host.ts';
import { ProblemError, type ProblemDetails } from './problem.ts';
import { bodyDepthProblem } from './request-guards.ts';
import type { BodyCheck, ValidatorItem } from './schema-validator.ts';

export interface JsonPostRoute {
  /** The path parameters when the path is this route's, e.g. {agentName} of /agents/{agentName}/tasks. */
  match(path: string): Record<string, string> | undefined;
  checkBody: BodyCheck;
  checkAnswer: BodyCheck;
  /** Header checks the spec makes (e.g. a required Authorization), problems with path `/headers/<name>`. */
  checkHeaders?: (headers: IncomingHttpHeaders) => ValidatorItem[];
  /** The status of an answer with a body (the operation's success code); 200 unless said. */
  status?: number;
  /** Headers the operation's success answer carries (e.g. Location of a created resource). */
  answerHeaders?: (answer: unknown) => Record<string, string>;
  /** The answer's body; undefined answers 204 No Content. */
  handle(input: { params: Record<string, string>; body: unknown; headers: IncomingHttpHeaders }): Promise<unknown>;
}

const jsonType = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/** A matcher for a path with `{name}` segments, each one path segment. */
export function pathMatcher(template: string): JsonPostRoute['match'] {
  const names: string[] = [];
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/?#]+)'))}$`);
  return (path) => {
    const found = pattern.exec(path);
    if (!found) return undefined;
    try {
      return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
    } catch {
      return undefined;
    }
  };
}

/**
 * onRefusedBeforeHandling hears of each request refused before its operation ran (headers, body
 * size, JSON, depth, schema), as SbiAppOptions.onRefusedBeforeRoutes does for express: an NF
 * that records refusals as events records these too.
 */
export function createJsonPostFastPath(options: {
  routes: readonly JsonPostRoute[];
  logger: Logger;
  bodyLimitBytes?: number;
  onRefusedBeforeHandling?: (request: { method: string; path: string }, problem: ProblemDetails) => unknown;
}): FastPath {
  const { logger, bodyLimitBytes = 1024 * 1024 } = options;

  async function serve(route: JsonPostRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const refuse = (problem: ProblemDetails, close = false): void => {
      sendProblem(res, problem, close);
      options.onRefusedBeforeHandling?.({ method: 'POST', path }, problem);
    };
    const headerProblems = route.checkHeaders?.(req.headers) ?? [];
    if (headerProblems.length) return refuse(toProblemDetails({ status: 400, errors: headerProblems }, path));
    const raw = await readBody(req, bodyLimitBytes);
    if (raw === undefined) return refuse(toProblemDetails({ status: 413, type: 'entity.too.large' }, path), true);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse(toProblemDetails({ status: 400, type: 'entity.parse.failed' }, path));
    }
    const tooDeep = bodyDepthProblem(body);
    if (tooDeep) return refuse(toProblemDetails(tooDeep, path));
    const refused = route.checkBody(body);
    if (refused.length) return refuse(toProblemDetails({ status: 400, errors: refused }, path));
    const answer = await route.handle({ params, body, headers: req.headers });
    if (answer === undefined) {
      res.writeHead(204, { [correlationHeader]: currentCorrelationId() ?? randomUUID() });
      res.end();
      return;
    }
    const broken = route.checkAnswer(answer);
    if (broken.length) {
      logger.error('an answer breaks its OpenAPI schema', { path, errors: broken });
      return sendProblem(res, toProblemDetails(new Error('invalid response'), path));
    }
    send(res, route.status ?? 200, 'application/json; charset=utf-8', JSON.stringify(answer), route.answerHeaders?.(answer));
  }

  return (req, res, next) => {
    if (req.method !== 'POST' || !jsonType.test(req.headers['content-type'] ?? '')) return next();
    const path = req.url ?? '';
    let matched: { route: JsonPostRoute; params: Record<string, string> } | undefined;
    for (const route of options.routes) {
      const params = route.match(path);
      if (params) {
        matched = { route, params };
        break;
      }
    }
    if (!matched) return next();
    const header = req.headers[correlationHeader];
    withCorrelationId(typeof header === 'string' ? header : undefined, () => {
      serve(matched.route, matched.params, req, res, path).catch((error: unknown) => {
        const problem = toProblemDetails(error, path);
        if ((problem.status ?? 500) >= 500) logger.error('request failed', { method: 'POST', path, error: (error as Error)?.stack ?? String(error) });
        if (!res.headersSent) sendProblem(res, problem, false, error instanceof ProblemError ? error.headers : undefined);
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

function sendProblem(res: ServerResponse, problem: ProblemDetails, close = false, headers?: Readonly<Record<string, string>>): void {
  if (close) res.setHeader('connection', 'close');
  send(res, problem.status ?? 500, 'application/problem+json', JSON.stringify(problem), headers);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    [correlationHeader]: currentCorrelationId() ?? randomUUID(),
  });
  res.end(body);
}
