/**
 * Semantic routing (DMSC architecture draft, "Semantic routing"): a request addressed to a
 * capability is forwarded to an authorized, healthy instance chosen by liveness and load (the
 * agent's reported load plus the requests this gateway has in flight to it; equally loaded
 * instances take turns; one that failed lately goes last), and fails over to another instance of
 * the same capability, within the same request, when one errors or times out.
 */
import { decodeJwt } from 'jose';
import { parseAic } from '../shared/aic.ts';
import { FORWARD_TYPE, forwardClaims, GATEWAY_FORWARD_HEADER } from '../shared/gateway-forward.ts';
import { bearerUnauthorized, forbidden, notFound, ProblemError } from '../shared/problem.ts';
import type { AgentInvoker } from './consumer.ts';
import type { AnswerSigner } from './answer-signer.ts';
import type { Discovery } from './discovery.ts';
import type { Events } from './events.ts';
import type { Policy } from './policy.ts';
import type { RequesterProof } from './requester-proof.ts';
import type { AgwSettings } from './settings.ts';
import type { AgwStore } from './store.ts';
import type { Taxonomy } from './taxonomy.ts';
import { bearerTokenOf } from '../shared/bearer-token.ts';

export interface RoutedAnswer {
  status: number;
  body: unknown;
  /** The agent's WWW-Authenticate, with a 401. */
  challenge?: string;
  servedBy: string;
  attempts: number;
}

export function createRouting(deps: {
  store: AgwStore;
  settings: AgwSettings;
  taxonomy: Taxonomy;
  discovery: Discovery;
  policy: Policy;
  requesterProof: RequesterProof;
  events: Events;
  invoker: AgentInvoker;
  signer: AnswerSigner;
  gatewayId: string;
  now: () => number;
}) {
  const inFlight = new Map<string, number>();
  const routedTokens = createSpentTokens(deps.now);
  const turns = createRoutingTurns();
  const failures = createFailureHolds(deps.now);
  const busy = (aic: string) => inFlight.get(aic) ?? 0;
  const score = (agent: { _id: string; load: number }) => agent.load + busy(agent._id) * 10;

  /**
   * The requester's Authorization header goes with the request to each instance tried: the
   * agent checks the caller's credential itself (MACP section 5.4), as it does on a direct
   * call, with the capability as the token's audience since the requester does not know which
   * instance will answer, and the token bound to its task (agent-auth.ts). Policy applies to
   * the token's issuer: a requester-aic that names someone else is refused, and without one the
   * issuer is the requester. With OAuth on, the gateway verifies the token with the issuer's
   * registered key before it believes either (requester-proof.ts).
   */
  async function route(capabilityName: string, body: unknown, requesterAic?: string, authorization?: string): Promise<RoutedAnswer> {
    const capabilityId = `/capability/${capabilityName}`;
    const callToken = agentCallToken(authorization, deps.settings.aicScheme.saltHex);
    const issuer = callToken?.issuer;
    // knows(), not has(): a capability added through another replica just now is in the store
    // before it is in this replica's copy, as discovery finds it too.
    if (!(await deps.taxonomy.knows(capabilityId))) {
      // Recorded by the requester named (or the token's issuer), when its AIC is well formed.
      await deps.events.recordingRefusals('routing.decided', { aicText: requesterAic ?? issuer, capabilityId }, () => {
        throw notFound(`${capabilityId} is not in the taxonomy`, 'UNKNOWN_CAPABILITY');
      });
    }
    await deps.events.recordingRefusals('routing.decided', { aicText: requesterAic ?? issuer, capabilityId }, () => deps.requesterProof.checkRoutedCall(requesterAic, callToken?.token, capabilityId));
    const requester = await deps.discovery.requesterOf(requesterAic ?? issuer, { type: 'routing.decided', capabilityId });
    if (issuer !== undefined && requester.aic !== issuer) {
      const refusal = forbidden(`requester-aic ${requester.aic} is not the issuer of the call token (${issuer})`, 'REQUESTER_MISMATCH');
      await deps.events.recordEvent({ type: 'routing.decided', outcome: 'refused', aic: requester.aic, capabilityId, cause: refusal.cause, detail: { reason: refusal.message, issuer } });
      throw refusal;
    }
    const decision = await deps.policy.decide(requester, capabilityId, 'invoke');
    if (!decision.allowed) {
      await deps.events.recordEvent({ type: 'policy.denied', outcome: 'refused', aic: requester.aic, capabilityId, cause: 'POLICY_DENIED', detail: { ruleId: decision.ruleId, action: 'invoke' } });
      throw forbidden(`policy rule ${decision.ruleId} denies invoking ${capabilityId} to this requester`, 'POLICY_DENIED');
    }
    // Instances that failed lately go last (routingFailureHoldSeconds). Equally loaded instances
    // take turns: the one this gateway sent a request to longest ago goes first, so requests one
    // at a time do not all go to the instance the store lists first.
    const candidates = (await deps.store.agents.find({ ...deps.discovery.liveFilter(), capabilityIds: capabilityId }, { limit: 32 }))
      .sort((a, b) => Number(failures.held(a._id)) - Number(failures.held(b._id)) || score(a) - score(b) || turns.lastOf(a._id) - turns.lastOf(b._id));
    // A call token is routed once: an instance it reached could otherwise send it back through
    // the gateway to get it forwarded, with the gateway's word, to another instance. It is spent
    // only when it is about to reach one: a request refused before that, or with no instance
    // to go to, may be sent again.
    if (candidates.length && callToken?.jti && !routedTokens.spend(callToken.jti, callToken.expiresAtMs ?? deps.now() + ROUTED_TOKEN_MEMORY_MS)) {
      const refusal = bearerUnauthorized('this call token was routed before: a replay', 'REPLAYED_TOKEN', { tokenSent: true });
      await deps.events.recordEvent({ type: 'routing.decided', outcome: 'refused', aic: requester.aic, capabilityId, cause: refusal.cause, detail: { reason: refusal.message } });
      throw refusal;
    }
    const tried: Array<{ aic: string; failure: string }> = [];
    for (const agent of candidates.slice(0, deps.settings.routingMaxAttempts)) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      // The gateway's word that it sent this call token to this instance (gateway-forward.ts).
      // Signed before the attempt: a failure of the gateway's own is not the instance's.
      if (callToken?.jti) headers[GATEWAY_FORWARD_HEADER] = await deps.signer.sign(forwardClaims(deps.gatewayId, agent._id, callToken.jti, deps.now()), FORWARD_TYPE);
      inFlight.set(agent._id, busy(agent._id) + 1);
      turns.taken(agent._id);
      let answer: Awaited<ReturnType<AgentInvoker['invoke']>>;
      try {
        answer = await deps.invoker.invoke(agent.invokeUrl, body, deps.settings.routingTimeoutMs, headers);
      } catch (error) {
        tried.push({ aic: agent._id, failure: (error as Error).message });
        failures.hold(agent._id, deps.settings.routingFailureHoldSeconds);
        continue;
      } finally {
        const left = busy(agent._id) - 1;
        if (left > 0) inFlight.set(agent._id, left);
        else inFlight.delete(agent._id);
      }
      // 408 and 429 tell of the instance (it timed out, it is overloaded: RFC 9110 section
      // 15.5.9, RFC 6585 section 4), not of the request: another instance may well serve it.
      // So does a redirect, which is not followed: the instance is reached at its registered URL.
      if (answer.status >= 500 || answer.status === 408 || answer.status === 429 || (answer.status >= 300 && answer.status < 400)) {
        tried.push({ aic: agent._id, failure: `answered ${answer.status}` });
        failures.hold(agent._id, deps.settings.routingFailureHoldSeconds);
        continue;
      }
      failures.release(agent._id);
      // Once an instance has answered, nothing that follows sends the request to another.
      await deps.events.recordEvent({
        type: 'routing.decided',
        outcome: answer.status < 400 ? 'success' : 'refused',
        aic: agent._id,
        capabilityId,
        detail: { requester: requester.aic, candidates: candidates.length, attempts: tried.length + 1, failover: tried.length > 0, failed: tried, status: answer.status },
      });
      return { status: answer.status, body: answer.data, ...(answer.challenge ? { challenge: answer.challenge } : {}), servedBy: agent._id, attempts: tried.length + 1 };
    }
    // No instance served it: the event is the requester's, as a refusal is.
    await deps.events.recordEvent({ type: 'routing.decided', outcome: 'failure', ...(requester.aic ? { aic: requester.aic } : {}), capabilityId, cause: 'NO_AVAILABLE_INSTANCE', detail: { requester: requester.aic, candidates: candidates.length, failed: tried } });
    throw new ProblemError(503, candidates.length ? `every instance of ${capabilityId} tried failed: ${tried.map((t) => `${t.aic} ${t.failure}`).join('; ')}` : `no live instance offers ${capabilityId}`, { cause: 'NO_AVAILABLE_INSTANCE' });
  }

  return {
    /** route, whose unexpected failure (the store failing, say) is an event too. */
    routeToCapability: (capabilityName: string, body: unknown, requesterAic?: string, authorization?: string): Promise<RoutedAnswer> =>
      deps.events.recordingFailures('routing.decided', { capabilityId: `/capability/${capabilityName}` }, () => route(capabilityName, body, requesterAic, authorization)),
  };
}

export type Routing = ReturnType<typeof createRouting>;

/**
 * An agent's call token in a bearer Authorization: the AIC it names as its issuer, in canonical
 * form, and its jti. Undefined for any other credential (a third party's token to its own agents,
 * say). Not verified here: with OAuth on, requester-proof.ts verifies its signature, and the agent
 * the token reaches verifies all of it.
 */
function agentCallToken(authorization: string | undefined, saltHex: string): { token: string; issuer: string; jti?: string; expiresAtMs?: number } | undefined {
  const token = bearerTokenOf(authorization);
  if (!token) return undefined;
  let claims;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  const parsed = typeof claims.iss === 'string' ? parseAic(claims.iss, { saltHex }) : undefined;
  if (!parsed?.ok) return undefined;
  return { token, issuer: parsed.aic.text, ...(typeof claims.jti === 'string' ? { jti: claims.jti } : {}), ...(typeof claims.exp === 'number' ? { expiresAtMs: claims.exp * 1000 } : {}) };
}

/** Instances remembered by when they were last sent a request; the longest ago is forgotten first. */
const ROUTING_TURNS_REMEMBERED = 10_000;

/**
 * When this gateway last sent a request to each instance, as a sequence number (0: never, or
 * forgotten, which puts it first among its equals). A Map iterates in insertion order, and an
 * instance's entry is moved to the end at each turn, so the first entry is the longest unused.
 */
function createRoutingTurns() {
  const last = new Map<string, number>();
  let sequence = 0;
  return {
    lastOf: (aic: string) => last.get(aic) ?? 0,
    taken(aic: string) {
      last.delete(aic);
      last.set(aic, (sequence += 1));
      if (last.size > ROUTING_TURNS_REMEMBERED) last.delete(last.keys().next().value!);
    },
  };
}

/** Instances remembered as failed at most; past this the holds that end first are dropped. */
const FAILURE_HOLDS_REMEMBERED = 10_000;

/**
 * The instances that failed an attempt lately, each until its hold ends. A Map iterates in
 * insertion order and a hold is set anew at the end, so the first entry's hold ends first.
 */
function createFailureHolds(now: () => number) {
  const until = new Map<string, number>();
  return {
    held: (aic: string) => (until.get(aic) ?? 0) > now(),
    hold(aic: string, seconds: number) {
      until.delete(aic);
      if (seconds <= 0) return;
      until.set(aic, now() + seconds * 1000);
      if (until.size > FAILURE_HOLDS_REMEMBERED) until.delete(until.keys().next().value!);
    },
    release: (aic: string) => until.delete(aic),
  };
}

/** How long a routed call token is remembered at most (agents take one up to 120 s after it was issued, plus their tolerance, agent-auth.ts). */
const ROUTED_TOKEN_MEMORY_MS = 130_000;

/** The jtis of call tokens routed, each until its token expires (in this process: replicas keep their own). */
function createSpentTokens(now: () => number) {
  const spent = new Map<string, number>();
  return {
    /** False when the jti was spent and has not expired; otherwise spends it. */
    spend(jti: string, untilMs: number): boolean {
      const at = now();
      if ((spent.get(jti) ?? 0) > at) return false;
      if (spent.size >= 50_000) for (const [id, until] of spent) if (until <= at) spent.delete(id);
      // Agents take a token a few seconds past its exp (their clock tolerance): remembered as long.
      spent.set(jti, Math.min(untilMs + 10_000, at + ROUTED_TOKEN_MEMORY_MS));
      return true;
    },
  };
}
