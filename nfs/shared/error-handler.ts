/**
 * The central error handler: every failure becomes application/problem+json (TS 29.571 clause
 * 5.2.4.1). Validation failures name the offending field in invalidParams using the TS 29.571
 * clause 5.2.4.2 conventions; unknown errors are logged and become 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ProblemError, statusTitle, type InvalidParam, type ProblemDetails } from './problem.ts';
import type { Logger } from './logger.ts';
import { askedMethod, missingBody } from './request-guards.ts';

export function sendProblem(res: Response, problem: ProblemDetails): void {
  res.status(problem.status ?? 500).type('application/problem+json').send(JSON.stringify(problem));
}

/** For requests no route or spec knows. */
export function notFoundHandler(): RequestHandler {
  return (req, res, next) => next(new ProblemError(404, `no resource at ${askedMethod(req, res)} ${req.path}`, { cause: 'RESOURCE_URI_STRUCTURE_NOT_FOUND' }));
}

interface ValidatorErrorItem {
  path?: string;
  message?: string;
}

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
  errors?: ValidatorErrorItem[];
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = toProblemDetails(err, req.originalUrl);
    if ((problem.status ?? 500) >= 500) {
      logger.error('request failed', { method: askedMethod(req, res), path: req.path, error: describe(err) });
    } else {
      logger.debug('request rejected', { method: askedMethod(req, res), path: req.path, status: problem.status, detail: problem.detail });
    }
    if (res.headersSent) return;
    if (err instanceof ProblemError && err.headers) res.set(err.headers);
    sendProblem(res, problem);
  };
}

export function toProblemDetails(err: unknown, instance?: string): ProblemDetails {
  if (err instanceof ProblemError) return err.toProblemDetails(instance);
  const httpError = err as HttpLikeError;
  // The validator's "unsupported media type undefined": no Content-Type, and so no body (one with
  // a body but no type is refused before, requireContentTypeForBody), for an operation that takes one.
  if (httpError?.status === 415 && /media type undefined/.test(httpError.message ?? '')) return missingBody().toProblemDetails(instance);
  const status = httpError?.status ?? httpError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const invalidParams = (httpError.errors ?? []).map(toInvalidParam);
    return {
      type: 'about:blank',
      title: statusTitle(status),
      status,
      detail: clientDetail(httpError, invalidParams),
      instance,
      cause: clientCause(status, httpError),
      ...(invalidParams.length ? { invalidParams } : {}),
    };
  }
  // A response that breaks our own spec is our bug: a 500, never the half-valid body.
  return { type: 'about:blank', title: statusTitle(500), status: 500, detail: 'internal error', instance, cause: 'SYSTEM_FAILURE' };
}

function clientDetail(err: HttpLikeError, invalidParams: InvalidParam[]): string {
  if (err.type === 'entity.parse.failed') return 'the request body is not valid JSON';
  if (err.type === 'entity.too.large') return 'the request body is too large';
  if (invalidParams.length) return invalidParams.map((p) => `${p.param}: ${p.reason}`).join('; ');
  return err.message ?? 'bad request';
}

function clientCause(status: number, err: HttpLikeError): string {
  if (err.type === 'entity.parse.failed') return 'INVALID_MSG_FORMAT';
  // TS 29.500 table 5.2.7.2-1: MANDATORY_IE_MISSING when what is wrong is only that mandatory
  // IEs are absent; MANDATORY_IE_INCORRECT for anything else (ajv's message for an absent one).
  if (status === 400 && err.errors?.length && err.errors.every((item) => item.message?.startsWith('must have required property'))) return 'MANDATORY_IE_MISSING';
  if (status === 400) return 'MANDATORY_IE_INCORRECT';
  if (status === 404) return 'RESOURCE_URI_STRUCTURE_NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'INVALID_REQUEST';
}

/** express-openapi-validator paths look like /body/a/b, /query/limit, /params/id, /headers/x. */
function toInvalidParam(item: ValidatorErrorItem): InvalidParam {
  const path = (item.path ?? '').replace(/^\./, '/').replace(/\./g, '/');
  const [, location = '', ...rest] = path.split('/');
  const name = rest.join('/');
  const reason = item.message ?? 'invalid';
  switch (location) {
    case 'query':
      return { param: `query ${name}`, reason };
    case 'headers':
      return { param: `header ${name}`, reason };
    case 'params':
      return { param: `{${name}}`, reason };
    case 'body':
      return { param: `/${name}`, reason };
    default:
      return { param: path || 'request', reason };
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}${err.stack ? `\n${err.stack}` : ''}`;
  return String(err);
}
