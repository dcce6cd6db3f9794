/**
 * The AGW's calls to other parties: the AMC (AAAP, credentials; found through the NRF) and the
 * agents it routes requests to. Behind interfaces, so the service can be tested with fakes.
 */
import axios, { type AxiosInstance } from 'axios';
import { correlationHeader, currentCorrelationId } from '../shared/correlation.ts';
import { ProblemError, type ProblemDetails } from '../shared/problem.ts';
import type { SbiClient } from '../shared/sbi-client.ts';
import type { components as auth } from '../../openapi/generated/namc-auth.ts';
import type { components as cred } from '../../openapi/generated/namc-cred.ts';

export type AuthorizationRequest = auth['schemas']['AuthorizationRequest'];
export type AuthorizationDecision = auth['schemas']['AuthorizationDecision'];
export type IssuedCredential = cred['schemas']['IssuedCredential'];
export type CredentialStatus = cred['schemas']['CredentialStatus'];
export type RevocationReason = cred['schemas']['RevocationReason'];

export interface AmcConsumer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationDecision>;
  issueCredential(request: { grantId: string; aic: string; csrPem: string }): Promise<IssuedCredential>;
  /**
   * Whether this call revoked it: a credential unknown or revoked already (404, 409) is no error.
   * With `onlyIfStatus`, one of another status is left as it is (409, false).
   */
  revokeCredential(serialNumber: string, reason: RevocationReason, onlyIfStatus?: 'GOOD' | 'SUSPENDED'): Promise<boolean>;
  /** The AMC's word on one credential. */
  credentialStatus(serialNumber: string): Promise<CredentialStatus>;
  /** The AMC's own word on every credential of an AIC. */
  listCredentials(aic: string): Promise<CredentialStatus[]>;
  /** The AMC's own word on every credential of a key, under any AIC, that this gateway's grants made. */
  listCredentialsOfKey(publicKeySha256: string, gatewayId: string): Promise<CredentialStatus[]>;
  /** The credentials whose status changed (or that a renewal made) at or after the time, in the order of those changes; at most 10,000. */
  listChangedCredentials(since: string): Promise<CredentialStatus[]>;
  /** Resolves to the subscription's id. */
  subscribeCredentialEvents(notificationUri: string): Promise<string>;
  /** Ends the subscription; one the AMC no longer has is ended already. */
  unsubscribeCredentialEvents(subscriptionId: string): Promise<void>;
}

export interface AgentInvoker {
  /** Rejects on a network error or timeout; any HTTP answer resolves. `headers` go with the request. */
  invoke(url: string, body: unknown, timeoutMs: number, headers?: Record<string, string>): Promise<{ status: number; data: unknown; challenge?: string }>;
}

/**
 * The AMC's refusal of a request the gateway made: a grant spent or lapsed, an AIC the AMC has
 * certified, the gateway's token refused. The gateway built that request from input it had
 * checked already, so the fault is the gateway's (or the two NFs'), and the agent is answered 502,
 * not a 4xx that would tell it to change its own request. The AMC's status and cause stay readable.
 */
export class AmcRefusal extends ProblemError {
  readonly amcStatus: number;
  readonly amcCause?: string;
  constructor(amcStatus: number, problem: ProblemDetails) {
    super(502, `the AMC refused the gateway's request (${amcStatus}${problem.cause ? ` ${problem.cause}` : ''}): ${problem.detail ?? 'no detail'}`, { cause: 'AMC_REFUSED' });
    this.amcStatus = amcStatus;
    this.amcCause = problem.cause;
  }
}

/**
 * AMC refusals of what the agent itself sent (its CSR, which the AMC checks in AAAP and at
 * issuance, and the key it certifies) or of its provider: told as the AMC told them. A key
 * reported compromised, or a provider suspended, between the grant and the issuance is refused at
 * issuance: a new key or the operator, not a retry, is the cure.
 */
const AGENT_INPUT_CAUSES = new Set(['INVALID_CSR', 'CSR_SIGNATURE_INVALID', 'WEAK_KEY', 'KEY_COMPROMISED', 'PROVIDER_SUSPENDED']);

export function createAmcConsumer(sbi: SbiClient): AmcConsumer {
  const call = async <T>(serviceName: string, method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, expected: number[]): Promise<T> => {
    const res = await sbi.call<T>({ targetNfType: 'AMC', serviceName, method, path, body });
    if (expected.includes(res.status)) return res.data;
    const problem = (res.data ?? {}) as ProblemDetails;
    if (res.status >= 400 && res.status < 500) {
      if (problem.cause && AGENT_INPUT_CAUSES.has(problem.cause)) {
        throw new ProblemError(res.status, `AMC: ${problem.detail ?? 'refused'}`, { cause: problem.cause, invalidParams: problem.invalidParams });
      }
      throw new AmcRefusal(res.status, problem);
    }
    throw new ProblemError(502, `AMC answered ${res.status}: ${problem.detail ?? ''}`, { cause: 'AMC_FAILURE' });
  };
  return {
    authorize: (request) => call('namc-auth', 'POST', '/authorizations', request, [200]),
    issueCredential: (request) => call('namc-cred', 'POST', '/credentials', request, [201]),
    revokeCredential: async (serialNumber, reason, onlyIfStatus) => {
      const answer = await call<{ status?: string; reason?: string }>('namc-cred', 'POST', `/credentials/${serialNumber}/revoke`, { reason, ...(onlyIfStatus ? { onlyIfStatus } : {}) }, [200, 404, 409]);
      return answer?.status === 'REVOKED' && answer.reason === reason;
    },
    credentialStatus: (serialNumber) => call('namc-cred', 'GET', `/credentials/${serialNumber}`, undefined, [200]),
    listCredentials: (aic) => call('namc-cred', 'GET', `/credentials?aic=${encodeURIComponent(aic)}`, undefined, [200]),
    listCredentialsOfKey: (publicKeySha256, gatewayId) => call('namc-cred', 'GET', `/credentials?public-key-sha256=${publicKeySha256}&gateway-id=${gatewayId}`, undefined, [200]),
    listChangedCredentials: (since) => call('namc-cred', 'GET', `/credentials?changed-since=${encodeURIComponent(since)}`, undefined, [200]),
    subscribeCredentialEvents: async (notificationUri) => (await call<{ subscriptionId: string }>('namc-cred', 'POST', '/subscriptions', { notificationUri }, [200, 201])).subscriptionId,
    unsubscribeCredentialEvents: async (subscriptionId) => {
      await call('namc-cred', 'DELETE', `/subscriptions/${encodeURIComponent(subscriptionId)}`, undefined, [204, 404]);
    },
  };
}

/** The largest answer taken from an agent: the gateway's own limit on a request body (sbi-app.ts). */
export const AGENT_ANSWER_LIMIT_BYTES = 1024 * 1024;

/**
 * Redirects are not followed: an agent is reached at the invocation URL it registered, and a
 * redirect would carry the requester's call token and task to wherever the agent points.
 * The timeout covers the whole answer: axios's own `timeout` stops once the headers have come,
 * and an agent sending its body a byte at a time would hold the request past it with no failover.
 * A larger answer than AGENT_ANSWER_LIMIT_BYTES is a failure of the instance, as a timeout is.
 */
export function createAgentInvoker(http: AxiosInstance = axios.create({ validateStatus: () => true, maxRedirects: 0 })): AgentInvoker {
  return {
    async invoke(url, body, timeoutMs, headers = {}) {
      const correlationId = currentCorrelationId();
      const deadline = AbortSignal.timeout(timeoutMs);
      try {
        const res = await http.post(url, body, {
          signal: deadline,
          maxContentLength: AGENT_ANSWER_LIMIT_BYTES,
          headers: { ...headers, ...(correlationId ? { [correlationHeader]: correlationId } : {}) },
        });
        const challenge = res.headers['www-authenticate'];
        return { status: res.status, data: res.data, ...(typeof challenge === 'string' ? { challenge } : {}) };
      } catch (error) {
        if (deadline.aborted) throw new Error(`no whole answer within ${timeoutMs} ms`);
        throw error;
      }
    },
  };
}
