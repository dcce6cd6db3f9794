/**
 * Semantic routing (DMSC architecture draft, "Semantic routing"): a request addressed to a
 * capability is forwarded to an authorized, healthy instance chosen by liveness and load (the
 * agent's reported load plus the requests this gateway has in flight to it), and fails over to
 * another instance of the same capability, within the same request, when one errors or times out.
 */
import { decodeJwt } from 'jose';
import { forbidden, notFound, ProblemError } from '../shared/problem.ts';
import type { AgentInvoker } from './consumer.ts';
import type { Discovery } from './discovery.ts';
import type { Events } from './events.ts';
import type { Policy } from './policy.ts';
import type { AgwSettings } from './settings.ts';
import type { AgwStore } from './store.ts';
import type { Taxonomy } from './taxonomy.ts';

export interface RoutedAnswer {
  status: number;
  body: unknown;
  servedBy: string;
  attempts: number;
}

export function createRouting(deps: {
  store: AgwStore;
  settings: AgwSettings;
  taxonomy: Taxonomy;
  discovery: Discovery;
  policy: Policy;
  events: Events;
  invoker: AgentInvoker;
  now: () => number;
}) {
  const inFlight = new Map<string, number>();
  const busy = (aic: string) => inFlight.get(aic) ?? 0;

  return {
    /**
     * The requester's Authorization header goes with the request to each instance tried: the
     * agent checks the caller's credential itself (MACP section 5.4), as it does on a direct
     * call, with the capability as the token's audience since the requester does not know which
     * instance will answer, and the token bound to its task (agent-auth.ts). Policy applies to
     * the token's issuer: a requester-aic that names someone else is refused, and without one the
     * issuer is the requester.
     */
    async routeToCapability(capabilityName: string, body: unknown, requesterAic?: string, authorization?: string): Promise<RoutedAnswer> {
      const capabilityId = `/capability/${capabilityName}`;
      if (!deps.taxonomy.has(capabilityId)) throw notFound(`${capabilityId} is not in the taxonomy`, 'UNKNOWN_CAPABILITY');
      const issuer = callTokenIssuer(authorization);
      const requester = await deps.discovery.requesterOf(requesterAic ?? issuer, requesterAic ? undefined : 'header authorization (the call token issuer)');
      if (issuer !== undefined && requesterAic !== undefined && (await deps.discovery.requesterOf(issuer, 'header authorization (the call token issuer)')).aic !== requester.aic) {
        throw forbidden(`requester-aic ${requester.aic} is not the issuer of the call token (${issuer})`, 'REQUESTER_MISMATCH');
      }
      const decision = await deps.policy.decide(requester, capabilityId, 'invoke');
      if (!decision.allowed) {
        await deps.events.recordEvent({ type: 'policy.denied', outcome: 'refused', aic: requester.aic, capabilityId, cause: 'POLICY_DENIED', detail: { ruleId: decision.ruleId, action: 'invoke' } });
        throw forbidden(`policy rule ${decision.ruleId} denies invoking ${capabilityId} to this requester`, 'POLICY_DENIED');
      }
      const candidates = (await deps.store.agents.find({ ...deps.discovery.liveFilter(), capabilityIds: capabilityId }, { limit: 32 }))
        .sort((a, b) => a.load + busy(a._id) * 10 - (b.load + busy(b._id) * 10));
      const tried: Array<{ aic: string; failure: string }> = [];
      for (const agent of candidates.slice(0, deps.settings.routingMaxAttempts)) {
        inFlight.set(agent._id, busy(agent._id) + 1);
        try {
          const answer = await deps.invoker.invoke(agent.invokeUrl, body, deps.settings.routingTimeoutMs, authorization ? { authorization } : {});
          // 408 and 429 tell of the instance (it timed out, it is overloaded: RFC 9110 section
          // 15.5.9, RFC 6585 section 4), not of the request: another instance may well serve it.
          if (answer.status >= 500 || answer.status === 408 || answer.status === 429) {
            tried.push({ aic: agent._id, failure: `answered ${answer.status}` });
            continue;
          }
          await deps.events.recordEvent({
            type: 'routing.decided',
            outcome: answer.status < 400 ? 'success' : 'refused',
            aic: agent._id,
            capabilityId,
            detail: { requester: requester.aic, candidates: candidates.length, attempts: tried.length + 1, failover: tried.length > 0, failed: tried, status: answer.status },
          });
          return { status: answer.status, body: answer.data, servedBy: agent._id, attempts: tried.length + 1 };
        } catch (error) {
          tried.push({ aic: agent._id, failure: (error as Error).message });
        } finally {
          const left = busy(agent._id) - 1;
          if (left > 0) inFlight.set(agent._id, left);
          else inFlight.delete(agent._id);
        }
      }
      await deps.events.recordEvent({ type: 'routing.decided', outcome: 'failure', capabilityId, cause: 'NO_AVAILABLE_INSTANCE', detail: { requester: requester.aic, candidates: candidates.length, failed: tried } });
      throw new ProblemError(503, candidates.length ? `every instance of ${capabilityId} tried failed: ${tried.map((t) => `${t.aic} ${t.failure}`).join('; ')}` : `no live instance offers ${capabilityId}`, { cause: 'NO_AVAILABLE_INSTANCE' });
    },
  };
}

export type Routing = ReturnType<typeof createRouting>;

/** The issuer of a JWT bearer token, not verified here (the agent it reaches verifies it); undefined for any other credential. */
function callTokenIssuer(authorization?: string): string | undefined {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
