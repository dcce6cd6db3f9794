/**
 * Checks every SBI request meets before validation: bodies of bounded depth (deep nesting would
 * exhaust the stack of whatever walks the body later), and methods the API documents
 * (TS 29.500 clause 5.2.7.2: 405 with an Allow header, not 404).
 */
import type { Request, RequestHandler, Response } from 'express';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { badRequest, ProblemError } from './problem.ts';

/** A body with no Content-Type is not read as anything: 415, rather than acting on an empty body. */
export function requireContentTypeForBody(): RequestHandler {
  return (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.get('content-type')) {
      return next(new ProblemError(415, 'the request has a body but no Content-Type header', { cause: 'UNSUPPORTED_MEDIA_TYPE' }));
    }
    next();
  };
}

/** Where the body parsers record how many bytes of body a request had (readBodyLength). */
const bodyLength = Symbol('bodyLength');

/** The body parsers' verify hook: remembers how long the body read was, empty or not. */
export function readBodyLength(req: unknown, _res: unknown, buffer: Buffer): void {
  (req as { [bodyLength]?: number })[bodyLength] = buffer.length;
}

/**
 * After the OpenAPI validator: an operation whose request body is required (OpenAPI 3.0
 * requestBody.required) and that was sent none, or an empty one, is refused with 400
 * MANDATORY_IE_MISSING. The validator takes such a request: the body parser reads an empty body
 * as {}, which a schema without required members accepts, and no body at all as nothing, which
 * reached the operation as undefined.
 */
export function requireDocumentedBody(): RequestHandler {
  return (req, _res, next) => {
    const operation = (req as { openapi?: { schema?: { requestBody?: { required?: boolean } } } }).openapi?.schema;
    if (!operation?.requestBody?.required || ((req as { [bodyLength]?: number })[bodyLength] ?? 0) > 0) return next();
    next(missingBody());
  };
}

/** The refusal of a request sent without the body its operation requires. */
export const missingBody = () => badRequest('the request has no body; this operation takes one', [{ param: 'body', reason: 'missing' }], 'MANDATORY_IE_MISSING');

/** Refuses a JSON body nesting deeper than maxDepth; walks iteratively so the check itself cannot overflow. */
export function limitBodyDepth(maxDepth = maxBodyDepth): RequestHandler {
  return (req, _res, next) => {
    const refused = bodyDepthProblem(req.body, maxDepth);
    next(refused);
  };
}

export const maxBodyDepth = 32;

/** The refusal of a parsed body that nests deeper than maxDepth, or undefined; for express and the fast paths alike. */
export function bodyDepthProblem(body: unknown, maxDepth = maxBodyDepth): ProblemError | undefined {
  if (body === undefined || typeof body !== 'object' || body === null) return undefined;
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > maxDepth) return badRequest(`the request body nests deeper than ${maxDepth} levels`, [{ param: '/', reason: `deeper than ${maxDepth} levels` }]);
    for (const child of Object.values(value as object)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

interface DocumentedPath {
  pattern: RegExp;
  methods: string[];
}

/**
 * Reads the paths and methods of the given OpenAPI files (base path from their first server URL).
 * A path that has GET has HEAD too (RFC 9110 section 9.1: a general-purpose server supports both).
 */
export function documentedPaths(specFiles: string[]): DocumentedPath[] {
  return specFiles.flatMap((file) => {
    const spec = parseYaml(readFileSync(file, 'utf8')) as { servers?: Array<{ url: string }>; paths?: Record<string, Record<string, unknown>> };
    const base = (spec.servers?.[0]?.url ?? '').replace(/\/$/, '');
    return Object.entries(spec.paths ?? {}).map(([path, item]) => {
      const methods = Object.keys(item)
        .filter((key) => ['get', 'put', 'post', 'patch', 'delete', 'options', 'head'].includes(key))
        .map((method) => method.toUpperCase());
      if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
      return { pattern: new RegExp(`^${escape(base + path).replace(/\\\{[^}]+\\\}/g, '[^/]+')}/?$`), methods };
    });
  });
}

/**
 * Refuses a query parameter whose name has a bracket. No operation here has one (none takes
 * deepObject or bracket-array parameters), and the OpenAPI validator reads such names as parts of
 * another parameter, so without this `?[x]=1` would pass as no parameter at all rather than as the
 * unknown parameter it is.
 */
export function rejectBracketedQueryNames(): RequestHandler {
  return (req, _res, next) => {
    const bracketed = Object.keys(req.query as Record<string, unknown>).filter((name) => /[[\]]/.test(name));
    if (!bracketed.length) return next();
    next(badRequest(`unknown query parameter ${bracketed.map((name) => JSON.stringify(name)).join(', ')}`, bracketed.map((name) => ({ param: `query ${name}`, reason: 'not a parameter of this operation' }))));
  };
}

/** The method as the client sent it: sbi-app.ts serves a HEAD as GET, and keeps what was asked in res.locals. */
export function askedMethod(req: Request, res: Response): string {
  return (res.locals.askedMethod as string | undefined) ?? req.method;
}

/** A documented path asked with an undocumented method: 405 and the methods it has. */
export function rejectUndocumentedMethods(paths: DocumentedPath[]): RequestHandler {
  return (req, res, next) => {
    const match = paths.find((candidate) => candidate.pattern.test(req.path));
    if (!match || match.methods.includes(req.method)) return next();
    res.set('Allow', match.methods.join(', '));
    next(new ProblemError(405, `${askedMethod(req, res)} is not allowed on ${req.path}; allowed: ${match.methods.join(', ')}`, { cause: 'METHOD_NOT_ALLOWED' }));
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
