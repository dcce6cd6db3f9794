/**
 * The SMF's calls to the AGW (found through the NRF): the registration record of an agent
 * (nagw-reg), and the policy check for one requester: structured discovery must answer the target
 * (nagw-disc, the discover rules) and the invoke rules must allow the capability (nagw-pol
 * decisions). Behind an interface, so the procedures can be tested with a fake.
 */
import { ProblemError, type ProblemDetails } from '../shared/problem.ts';
import type { SbiClient } from '../shared/sbi-client.ts';
import type { components as reg } from '../../openapi/generated/nagw-reg.ts';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import type { components as pol } from '../../openapi/generated/nagw-pol.ts';

export type AgentRecord = reg['schemas']['AgentRecord'];
export type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];

/** The gateway's verdict on whether a requester may reach a target for one capability. */
export type ReachDecision = { allowed: true } | { allowed: false; reason: 'POLICY_DENIED' | 'NOT_DISCOVERABLE'; detail: string };

export interface AgwConsumer {
  /** The agent's record, or undefined when the AGW does not know the AIC; a malformed AIC is the AGW's 400. */
  getRegistration(aic: string): Promise<AgentRecord | undefined>;
  /** Whether this requester may reach the target for this capability: discovery answers it and the invoke rules allow it. */
  checkReach(requesterAic: string, targetAic: string, capabilityId: string): Promise<ReachDecision>;
}

export function createAgwConsumer(sbi: SbiClient): AgwConsumer {
  const refused = (status: number, data: unknown, what: string): ProblemError => {
    const problem = (data ?? {}) as ProblemDetails;
    // The AGW's refusal of an AIC we passed on is the caller's problem, told as the AGW told it.
    if (status === 400) return new ProblemError(400, `AGW: ${problem.detail ?? 'refused'}`, { cause: problem.cause ?? 'MANDATORY_IE_INCORRECT', invalidParams: problem.invalidParams });
    // So is a requester (the initiator) whose credential is suspended or revoked: named as
    // admission.ts names it when the registration lookup finds it first.
    if (status === 403 && problem.cause?.startsWith('CREDENTIAL_')) return new ProblemError(403, `AGW: ${problem.detail ?? 'refused'}`, { cause: `INITIATOR_${problem.cause}` });
    return new ProblemError(502, `AGW answered ${status} to ${what}: ${problem.detail ?? ''}`, { cause: 'AGW_FAILURE' });
  };
  return {
    async getRegistration(aic) {
      const res = await sbi.call<AgentRecord>({ targetNfType: 'AGW', serviceName: 'nagw-reg', method: 'GET', path: `/registrations/${encodeURIComponent(aic)}` });
      if (res.status === 200) return res.data;
      if (res.status === 404) return undefined;
      throw refused(res.status, res.data, 'a registration lookup');
    },
    async checkReach(requesterAic, targetAic, capabilityId) {
      const query = new URLSearchParams({ aic: targetAic, 'capability-id': capabilityId, 'requester-aic': requesterAic, limit: '1' });
      const decisionQuery = new URLSearchParams({ 'requester-aic': requesterAic, 'capability-id': capabilityId, action: 'invoke' });
      const [res, decision] = await Promise.all([
        sbi.call<DiscoveryAnswer>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query.toString().replace(/%2F/g, '/')}` }),
        sbi.call<pol['schemas']['PolicyDecision']>({ targetNfType: 'AGW', serviceName: 'nagw-pol', method: 'GET', path: `/decisions?${decisionQuery.toString()}` }),
      ]);
      if (decision.status !== 200) throw refused(decision.status, decision.data, 'a policy decision');
      if (!decision.data.allowed) return { allowed: false, reason: 'POLICY_DENIED', detail: `policy rule ${decision.data.ruleId} denies invoking ${capabilityId}` };
      if (res.status === 200) {
        return res.data.agents.some((agent) => agent.aic === targetAic)
          ? { allowed: true }
          : { allowed: false, reason: 'NOT_DISCOVERABLE', detail: 'the AGW does not answer the target to this requester' };
      }
      const problem = (res.data ?? {}) as ProblemDetails;
      if (res.status === 403 && problem.cause === 'POLICY_DENIED') return { allowed: false, reason: 'POLICY_DENIED', detail: problem.detail ?? 'policy denies it' };
      throw refused(res.status, res.data, 'a discovery');
    },
  };
}
