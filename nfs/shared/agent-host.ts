/**
 * The agents an NF hosts, as the AGW sees them: each gets its own key and registers through ARP
 * (MACP section 5.1) with the NF's provider account, keeps its registration alive with heartbeats
 * carrying its load, and deregisters when the NF stops. Registration runs in the background with
 * bounded retries, since the AGW and AMC may start after the NF.
 */
import { randomBytes } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';
import { createAgentKeyAndCsr } from './agent-credentials.ts';
import type { AgentIdentity } from './agent-auth.ts';
import type { Logger } from './logger.ts';
import type { SbiClient } from './sbi-client.ts';

type RegistrationResult = reg['schemas']['RegistrationResult'];

export interface HostedAgentSpec {
  name: string;
  role: 'intent' | 'capability';
  capabilities: string[];
  description?: string;
  /** Path below the NF's apiRoot where the agent takes calls (its invokeUrl). */
  invokePath: string;
  /** Path below the NF's apiRoot of its A2A endpoint. */
  a2aPath: string;
}

export interface HostedAgent {
  readonly spec: HostedAgentSpec;
  state: 'REGISTERING' | 'REGISTERED' | 'FAILED';
  aic?: string;
  identity?: AgentIdentity;
  caCertificatePem?: string;
  capabilityIds?: string[];
  invokeUrl?: string;
  a2aUrl?: string;
  /** Calls in progress, reported as load in heartbeats. */
  inFlight: number;
}

export interface AgentHostOptions {
  sbi: SbiClient;
  logger: Logger;
  provider: { providerId: string; clientSecret: string };
  agents: readonly HostedAgentSpec[];
  /** Calls in flight that count as 100% load. */
  capacity?: number;
}

export function createAgentHost(options: AgentHostOptions) {
  const agents = new Map<string, HostedAgent>(options.agents.map((spec) => [spec.name, { spec, state: 'REGISTERING', inFlight: 0 }]));
  const tokens = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const abort = new AbortController();
  const capacity = options.capacity ?? 50;
  let registeredAll: Promise<void> = Promise.resolve();

  async function register(agent: HostedAgent, apiRoot: string): Promise<void> {
    const key = await createAgentKeyAndCsr({ commonName: agent.spec.name });
    const invokeUrl = `${apiRoot}${agent.spec.invokePath}`;
    const a2aUrl = `${apiRoot}${agent.spec.a2aPath}`;
    const res = await options.sbi.call<RegistrationResult & { detail?: string }>({
      targetNfType: 'AGW',
      serviceName: 'nagw-reg',
      method: 'POST',
      path: '/registrations',
      body: {
        provider: options.provider,
        agent: { name: agent.spec.name, version: '1.0', kind: agent.spec.role === 'intent' ? 'nf-agent' : 'capability-agent', ...(agent.spec.description ? { description: agent.spec.description } : {}) },
        requestedCapabilities: agent.spec.capabilities,
        endpoints: { a2aUrl, invokeUrl },
        csrPem: key.csrPem,
        nonce: randomBytes(16).toString('base64url'),
      },
    });
    if (res.status !== 201) {
      const refusal = new Error(`the AGW refused ${agent.spec.name}: ${res.status} ${res.data?.detail ?? ''}`);
      // A refusal of what we sent (unknown provider, capability out of scope) will not change on retry.
      throw res.status >= 400 && res.status < 500 && res.status !== 429 ? new AbortError(refusal) : refusal;
    }
    const result = res.data;
    Object.assign(agent, {
      state: 'REGISTERED',
      aic: result.aic,
      identity: { aic: result.aic, certificatePem: result.certificatePem, privateKey: key.keys.privateKey },
      caCertificatePem: result.caCertificatePem,
      capabilityIds: result.capabilityIds,
      invokeUrl,
      a2aUrl,
    });
    tokens.set(agent.spec.name, result.registrationAccessToken);
    options.logger.info('agent registered at the AGW', { agent: agent.spec.name, aic: result.aic, capabilities: result.capabilityIds });
    if (abort.signal.aborted) return; // stopped while this registration was on its way
    const beat = setInterval(() => void heartbeat(agent, apiRoot), Math.max(1, result.heartbeatIntervalSeconds * 500));
    beat.unref();
    timers.set(agent.spec.name, beat);
  }

  /** Registers with bounded retries; an agent that gives up is FAILED and out of service. */
  function registerInBackground(agent: HostedAgent, apiRoot: string): Promise<void> {
    return pRetry(() => register(agent, apiRoot), {
      retries: 20,
      minTimeout: 200,
      maxTimeout: 5000,
      signal: abort.signal,
      onFailedAttempt: (error) => {
        options.logger.warn('agent registration failed, retrying', { agent: agent.spec.name, attempt: error.attemptNumber, error: error.message });
      },
    }).catch((error: Error) => {
      agent.state = 'FAILED';
      if (!abort.signal.aborted) options.logger.error('agent registration abandoned', { agent: agent.spec.name, error: error.message });
    });
  }

  async function heartbeat(agent: HostedAgent, apiRoot: string): Promise<void> {
    const load = Math.min(100, Math.round((agent.inFlight / capacity) * 100));
    try {
      const res = await options.sbi.call({
        targetNfType: 'AGW', serviceName: 'nagw-reg', method: 'PUT', path: `/registrations/${agent.aic}/heartbeat`, body: { load },
        headers: { authorization: `Bearer ${tokens.get(agent.spec.name)}` },
      });
      if (res.status === 404 || res.status === 401) {
        // The gateway no longer knows this registration (deregistered, or its data lost): register
        // again with a new key, as an NF does with the NRF after a 404 (TS 29.510 clause 5.2.2.3.2).
        options.logger.warn('the AGW no longer knows the agent: registering again', { agent: agent.spec.name, aic: agent.aic });
        clearInterval(timers.get(agent.spec.name));
        timers.delete(agent.spec.name);
        agent.state = 'REGISTERING';
        void registerInBackground(agent, apiRoot);
      } else if (res.status !== 204) {
        options.logger.warn('agent heartbeat refused', { agent: agent.spec.name, status: res.status });
      }
    } catch (error) {
      options.logger.warn('agent heartbeat failed', { agent: agent.spec.name, error: (error as Error).message });
    }
  }

  return {
    get: (name: string) => agents.get(name),
    list: () => [...agents.values()],
    /** CA certificates of the AMCs that issued our credentials: the anchors for checking callers. */
    trustAnchors: () => [...new Set([...agents.values()].flatMap((agent) => (agent.caCertificatePem ? [agent.caCertificatePem] : [])))],
    /** Settles once every agent registered or gave up. */
    whenSettled: () => registeredAll,
    start(apiRoot: string): void {
      registeredAll = Promise.all([...agents.values()].map((agent) => registerInBackground(agent, apiRoot))).then(() => undefined);
    },
    async stop(): Promise<void> {
      abort.abort();
      await registeredAll;
      for (const timer of timers.values()) clearInterval(timer);
      await Promise.all(
        [...agents.values()].filter((agent) => agent.state === 'REGISTERED').map(async (agent) => {
          try {
            await options.sbi.call({
              targetNfType: 'AGW', serviceName: 'nagw-reg', method: 'DELETE', path: `/registrations/${agent.aic}`,
              headers: { authorization: `Bearer ${tokens.get(agent.spec.name)}` },
            });
          } catch (error) {
            options.logger.warn('agent deregistration failed', { agent: agent.spec.name, error: (error as Error).message });
          }
        }),
      );
    },
  };
}

export type AgentHost = ReturnType<typeof createAgentHost>;
