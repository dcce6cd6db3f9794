/**
 * The capability agents' call to check a caller's registration at the AGW (what kind of agent
 * it is; its credential's status is asked of the AMC, nfs/shared/credential-status.ts). Behind an
 * interface for tests.
 */
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';
import type { JSONWebKeySet } from 'jose';
import type { SbiClient } from '../shared/sbi-client.ts';

type AgentRecord = reg['schemas']['AgentRecord'];

export interface AgentDirectory {
  /** The caller's registration at the AGW, or undefined when the AGW does not know it. */
  registration(aic: string): Promise<{ kind: string; state: string } | undefined>;
  /** The AGW's signing keys (nagw-disc jwks), kept a minute unless `fresh` (gateway-forward.ts). */
  gatewayKeys(fresh: boolean): Promise<JSONWebKeySet>;
}

/** Registrations change rarely; an answer is kept a few seconds so a task costs no AGW call. */
export function createAgentDirectory(sbi: SbiClient, options: { cacheMs?: number; now?: () => number } = {}): AgentDirectory {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5000;
  const known = new Map<string, { value: { kind: string; state: string } | undefined; at: number }>();
  let keys: { value: JSONWebKeySet; at: number } | undefined;
  return {
    async gatewayKeys(fresh) {
      if (!fresh && keys && now() - keys.at < 60_000) return keys.value;
      const res = await sbi.call<JSONWebKeySet>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: '/jwks' });
      if (res.status !== 200) throw new Error(`AGW key set answered ${res.status}`);
      keys = { value: res.data, at: now() };
      return res.data;
    },
    async registration(aic) {
      const cached = known.get(aic);
      if (cached && now() - cached.at < cacheMs) return cached.value;
      const res = await sbi.call<AgentRecord>({ targetNfType: 'AGW', serviceName: 'nagw-reg', method: 'GET', path: `/registrations/${encodeURIComponent(aic)}` });
      if (res.status !== 200 && res.status !== 404) throw new Error(`AGW registration lookup answered ${res.status}`);
      const value = res.status === 200 ? { kind: res.data.acs.kind, state: res.data.state } : undefined;
      if (known.size > 10_000) known.clear();
      known.set(aic, { value, at: now() });
      return value;
    },
  };
}
