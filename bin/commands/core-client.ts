/**
 * What the client commands (agents, ca, discover) share: finding an NF service through the NRF,
 * calling it with errors that name the URI, and printing a table.
 */
import { Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../../nfs/shared/config.ts';
import { createNrfClient, PeerError } from '../../nfs/shared/nrf-client.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import { createSbiClient } from '../../nfs/shared/sbi-client.ts';
import type { BodyCheck } from '../../nfs/shared/schema-validator.ts';

export const defaultNrfUri = 'http://127.0.0.1:29510';
const timeoutMs = 5000;

/** An NF's error answer, with its ProblemDetails cause when it gave one. */
export class NfRefusal extends Error {
  constructor(message: string, readonly problemCause?: string) {
    super(message);
  }
}

/** The core could not be reached: dmsc exits 2 with the message, as for a configuration error. */
export class UnreachableError extends ConfigError {}

export function nrfOption(): Option {
  return new Option('--nrf <uri>', 'NRF through which the AGW and AMC are found').env('NRF_URI').default(defaultNrfUri);
}

/**
 * `--agw <uri>`, `--amc <uri>` or `--amf <uri>`: the NF's own address. NRF discovery needs an
 * access token when the core runs with --oauth, which a command line tool does not hold; the
 * AGW's registrations and discovery, the AMC's CA and the AMF's N1 messages stay open, so with the
 * address the commands work there too (a UE reaches its AMF as a gNB configured with it would).
 */
export function nfAddressOption(nf: 'agw' | 'amc' | 'amf' | 'smf'): Option {
  return new Option(`--${nf} <uri>`, `the ${nf.toUpperCase()}'s address (http://host:port), instead of finding it through the NRF`).env(`${nf.toUpperCase()}_URI`);
}

/** The base URI of a service: at the NF's given address, or found through the NRF. */
export async function serviceRoot(options: { nrf: string; address?: string; addressOption: string }, nfType: string, serviceName: string): Promise<string> {
  if (options.address === undefined) return findService(options.nrf, nfType, serviceName);
  return serviceRootAt(options.address, options.addressOption, serviceName);
}

/** The base URI of a service at an NF's given address (http://host:port); a ConfigError naming the option for anything else. */
export function serviceRootAt(addressText: string, addressOption: string, serviceName: string): string {
  return `${nfAddressAt(addressText, addressOption)}/${serviceName}/v1`;
}

/** An NF's address as given (http://host:port), as its origin; a ConfigError naming the option for anything else. */
export function nfAddressAt(addressText: string, addressOption: string): string {
  const address = URL.canParse(addressText) ? new URL(addressText) : undefined;
  if (!address || !/^https?:$/.test(address.protocol) || address.pathname !== '/' || address.search || address.hash || address.username || address.password) {
    throw new ConfigError(`${addressOption}: ${addressText} is not an http(s) address of the form http://host:port`);
  }
  return address.origin;
}

/** The base URI (`http://host:port/<service>/v1`) of a service of the first registered NF of a type. */
export async function findService(nrfUri: string, nfType: string, serviceName: string): Promise<string> {
  if (!URL.canParse(nrfUri) || !/^https?:$/.test(new URL(nrfUri).protocol)) throw new ConfigError(`--nrf: ${nrfUri} is not an http(s) URI`);
  // The CLI asks the NRF as an application function would; it is not an NF of the core.
  const sbi = createSbiClient({ nrf: createNrfClient({ nrfUri, timeoutMs }), self: { nfInstanceId: randomUUID(), nfType: 'AF' } });
  try {
    return await sbi.serviceUri(nfType, serviceName);
  } catch (error) {
    if (error instanceof PeerError) {
      const hints: Record<number, string> = {
        200: ' (is it an NRF?)',
        404: ' (is it an NRF?)',
        401: ` (the core demands access tokens, --oauth: give the ${nfType}'s address with --${nfType.toLowerCase()})`,
      };
      const hint = hints[error.peerStatus ?? 0] ?? '';
      throw new UnreachableError(`${nrfUri} answered ${error.peerStatus} to discovery of ${nfType}${hint}: ${error.peerProblem?.detail ?? 'no detail'}`);
    }
    if (error instanceof ProblemError) throw new UnreachableError(`no ${nfType} offering ${serviceName} is registered with the NRF at ${nrfUri}`);
    throw new UnreachableError(`cannot reach the NRF at ${nrfUri}: ${networkReason(error)}`);
  }
}

/**
 * An NF's answer. json() and checked() throw an Error naming the URI for one that is not JSON, or
 * not of the shape our OpenAPI files give it: a peer that is not the NF asked for (a wrong --agw,
 * a proxy's page) is named, not believed.
 */
export interface NfAnswer {
  status: number;
  text: string;
  json(): any;
  /** The JSON, checked against a schema of our OpenAPI files (schema-validator.ts); `what` names it in the error. */
  checked<T>(check: BodyCheck, what: string): T;
}

/** A check of a JSON list whose every item passes `check`. */
export const listOf = (check: BodyCheck): BodyCheck => (value) =>
  Array.isArray(value) ? value.flatMap((item, index) => check(item).map((problem) => ({ ...problem, path: `/${index}${problem.path.replace(/^\/body/, '')}` }))) : [{ path: '', message: 'is not a list' }];

/**
 * One HTTP exchange with an NF: unreachable is an UnreachableError, an error answer an Error with
 * its detail and cause (NfRefusal).
 */
export async function callNf(nfType: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<NfAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  } catch (error) {
    throw new UnreachableError(`cannot reach the ${nfType} at ${url}: ${networkReason(error)}`);
  }
  let text: string;
  try {
    // The whole answer within the same deadline: a peer that sends its headers and stalls is unreachable too.
    text = await res.text();
  } catch (error) {
    throw new UnreachableError(`the ${nfType} at ${url} did not send its whole answer: ${networkReason(error)}`);
  }
  if (!res.ok) {
    let detail = text.slice(0, 300);
    let cause: string | undefined;
    try {
      const problem = JSON.parse(text) as { detail?: string; cause?: string };
      cause = problem.cause;
      detail = [problem.detail, problem.cause && `(${problem.cause})`].filter(Boolean).join(' ') || detail;
    } catch {
      /* not problem+json: the text as it came */
    }
    throw new NfRefusal(`the ${nfType} at ${url} answered ${res.status}: ${detail}`, cause);
  }
  const json = () => {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`the ${nfType} at ${url} answered ${res.status} with something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
  };
  return {
    status: res.status,
    text,
    json,
    checked<T>(check: BodyCheck, what: string): T {
      const value = json();
      const [problem] = check(value);
      if (problem) throw new Error(`the ${nfType} at ${url} answered something that is not ${what} (${problem.path.replace(/^\/body/, '') || 'the answer'} ${problem.message}): is it the ${nfType}?`);
      return value as T;
    },
  };
}

function networkReason(error: unknown): string {
  const { code, cause, message } = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  if ((error as Error)?.name === 'TimeoutError' || code === 'ECONNABORTED') return `no answer within ${timeoutMs} ms`;
  return cause?.code ?? code ?? cause?.message ?? message ?? String(error);
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
