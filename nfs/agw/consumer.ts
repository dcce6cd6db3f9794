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
  revokeCredential(serialNumber: string, reason: RevocationReason): Promise<void>;
  /** The AMC's own word on every credential of an AIC. */
  listCredentials(aic: string): Promise<CredentialStatus[]>;
  subscribeCredentialEvents(notificationUri: string): Promise<void>;
}

export interface AgentInvoker {
  /** Rejects on a network error or timeout; any HTTP answer resolves. */
  invoke(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; data: unknown }>;
}

export function createAmcConsumer(sbi: SbiClient): AmcConsumer {
  const call = async <T>(serviceName: string, method: 'GET' | 'POST', path: string, body: unknown, expected: number[]): Promise<T> => {
    const res = await sbi.call<T>({ targetNfType: 'AMC', serviceName, method, path, body });
    if (expected.includes(res.status)) return res.data;
    const problem = (res.data ?? {}) as ProblemDetails;
    // The AMC's refusal of the agent's input is the agent's problem, told as the AMC told it.
    if (res.status >= 400 && res.status < 500) {
      throw new ProblemError(res.status, `AMC: ${problem.detail ?? 'refused'}`, { cause: problem.cause, invalidParams: problem.invalidParams });
    }
    throw new ProblemError(502, `AMC answered ${res.status}: ${problem.detail ?? ''}`, { cause: 'AMC_FAILURE' });
  };
  return {
    authorize: (request) => call('namc-auth', 'POST', '/authorizations', request, [200]),
    issueCredential: (request) => call('namc-cred', 'POST', '/credentials', request, [201]),
    revokeCredential: async (serialNumber, reason) => {
      await call('namc-cred', 'POST', `/credentials/${serialNumber}/revoke`, { reason }, [200, 404, 409]);
    },
    listCredentials: (aic) => call('namc-cred', 'GET', `/credentials?aic=${encodeURIComponent(aic)}`, undefined, [200]),
    subscribeCredentialEvents: async (notificationUri) => {
      await call('namc-cred', 'POST', '/subscriptions', { notificationUri }, [201]);
    },
  };
}

export function createAgentInvoker(http: AxiosInstance = axios.create({ validateStatus: () => true })): AgentInvoker {
  return {
    async invoke(url, body, timeoutMs) {
      const correlationId = currentCorrelationId();
      const res = await http.post(url, body, { timeout: timeoutMs, headers: correlationId ? { [correlationHeader]: correlationId } : {} });
      return { status: res.status, data: res.data };
    },
  };
}
