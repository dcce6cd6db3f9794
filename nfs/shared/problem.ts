/**
 * The one error type that crosses HTTP. Services throw ProblemError; the central error handler
 * (error-handler.ts) answers it as application/problem+json in the TS 29.571 clause 5.2.4.1 shape.
 */
import type { components } from '../../openapi/generated/common.ts';

export type ProblemDetails = components['schemas']['ProblemDetails'];
export type InvalidParam = components['schemas']['InvalidParam'];

export class ProblemError extends Error {
  readonly status: number;
  readonly cause?: string;
  readonly invalidParams?: InvalidParam[];
  /** Response headers the status calls for, e.g. WWW-Authenticate with a 401 (RFC 9110 section 15.5.2). */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(status: number, detail: string, options: { cause?: string; invalidParams?: InvalidParam[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.cause = options.cause;
    this.invalidParams = options.invalidParams;
    this.headers = options.headers;
  }

  toProblemDetails(instance?: string): ProblemDetails {
    return {
      type: 'about:blank',
      title: statusTitle(this.status),
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.cause ? { cause: this.cause } : {}),
      ...(this.invalidParams?.length ? { invalidParams: this.invalidParams } : {}),
    };
  }
}

/** Application error causes from TS 29.500 clause 5.2.7.2 and TS 29.510, plus our own. */
export const badRequest = (detail: string, invalidParams?: InvalidParam[], cause = 'MANDATORY_IE_INCORRECT') =>
  new ProblemError(400, detail, { cause, invalidParams });
/**
 * 401 from a resource that takes bearer tokens (RFC 6750), with the challenge every 401 carries
 * (RFC 9110 section 15.5.2). A request that sent no bearer token gets the scheme alone (RFC 6750
 * section 3.1: no error code for a client that may not know it needs one); one whose token was
 * refused, error="invalid_token".
 */
export function bearerUnauthorized(detail: string, cause: string, options: { tokenSent: boolean; realm?: string }): ProblemError {
  return new ProblemError(401, detail, { cause, headers: { 'WWW-Authenticate': bearerChallenge(options.realm, options.tokenSent ? 'error="invalid_token"' : undefined) } });
}

/** A Bearer challenge (RFC 6750 section 3): the realm if one is named, then the given auth-params. */
export function bearerChallenge(realm: string | undefined, ...params: Array<string | undefined>): string {
  const all = [realm === undefined ? undefined : `realm="${realm}"`, ...params].filter((param) => param !== undefined);
  return all.length ? `Bearer ${all.join(', ')}` : 'Bearer';
}
export const forbidden = (detail: string, cause = 'FORBIDDEN') => new ProblemError(403, detail, { cause });
export const notFound = (detail: string, cause = 'RESOURCE_NOT_FOUND') => new ProblemError(404, detail, { cause });
export const conflict = (detail: string, cause = 'CONFLICT') => new ProblemError(409, detail, { cause });

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusTitle(status: number): string {
  return titles[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
