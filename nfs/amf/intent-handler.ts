/**
 * Who comprehends a UE's intent (DMSC architecture draft, mobile deployment): the AMF itself when
 * it has agent capability (mode local: a handler the runner supplies), or an agent-enabled NF it
 * forwards the intent to (mode forward: the implementation here).
 *
 * Forwarding finds the intent agents by structured discovery at the AGW, keeps the answer for a
 * few seconds so the hot path makes no discovery call, and fails over to the next agent when one
 * cannot be reached, fails (5xx) or answers something that is not an IntentOutcome. A timeout
 * ends the attempt instead: the slow agent may still be carrying the intent out. An agent that refuses the
 * request (400) has judged it: another agent would too, so that ends the intent as rejected.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import type { ProblemDetails } from '../shared/problem.ts';
import type { SchemaCheck } from '../shared/schema-validator.ts';
import type { AgwConsumer, IntentAgentCandidate, IntentAgentInvoker } from './consumer.ts';
import type { AmfSettings } from './settings.ts';
import type { IntentOutcome, IntentRequest } from './types.ts';

export type { IntentOutcome, IntentRequest } from './types.ts';

export interface IntentHandler {
  handleIntent(request: IntentRequest): Promise<IntentOutcome>;
}

/** No intent agent took the intent: the AMF answers 5GMM cause #90, payload was not forwarded. */
export class IntentNotForwardedError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'IntentNotForwardedError';
  }
}

export interface ForwardingDeps {
  agw: AgwConsumer;
  invoker: IntentAgentInvoker;
  /** Checks an agent's answer against nagent-tip.yaml IntentOutcome. */
  checkOutcome: SchemaCheck;
  settings: Pick<AmfSettings, 'intentCapability' | 'intentTimeoutMs' | 'intentMaxAttempts' | 'intentDiscoveryCacheSeconds'>;
  logger: Logger;
  now?: () => number;
}

export function createForwardingIntentHandler(deps: ForwardingDeps): IntentHandler {
  const { settings, logger } = deps;
  const now = deps.now ?? Date.now;
  let cache: { candidates: IntentAgentCandidate[]; expiresAt: number } | undefined;
  let discovering: Promise<IntentAgentCandidate[]> | undefined;

  async function candidates(): Promise<IntentAgentCandidate[]> {
    if (cache && cache.expiresAt > now() && cache.candidates.length) return cache.candidates;
    // One discovery for every intent that arrives while it runs.
    discovering ??= deps.agw.discoverAgents(settings.intentCapability, Math.max(settings.intentMaxAttempts, 5)).finally(() => {
      discovering = undefined;
    });
    const found = await discovering;
    cache = { candidates: found, expiresAt: now() + settings.intentDiscoveryCacheSeconds * 1000 };
    return found;
  }

  /** A failed agent goes to the back of the cached list, so the next intents try the others first. */
  function demote(failed: IntentAgentCandidate): void {
    if (cache) cache.candidates = [...cache.candidates.filter((candidate) => candidate.aic !== failed.aic), failed];
  }

  return {
    async handleIntent(request) {
      let list: IntentAgentCandidate[];
      try {
        list = await candidates();
      } catch (error) {
        throw new IntentNotForwardedError(`the AGW could not be asked for intent agents: ${(error as Error).message}`);
      }
      if (!list.length) throw new IntentNotForwardedError(`no agent with ${settings.intentCapability} is available at the AGW`);
      const failures: string[] = [];
      for (const candidate of list.slice(0, settings.intentMaxAttempts)) {
        try {
          const res = await deps.invoker.invoke(candidate.invokeUrl, request, settings.intentTimeoutMs);
          if (res.status === 200) {
            const problems = deps.checkOutcome(res.data);
            if (!problems.length) return res.data as IntentOutcome;
            failures.push(`${candidate.aic}: the answer is not an IntentOutcome (${problems[0].param} ${problems[0].reason})`);
          } else if (res.status === 400) {
            return refusedOutcome(res.data as ProblemDetails | undefined);
          } else {
            failures.push(`${candidate.aic}: answered ${res.status}`);
          }
        } catch (error) {
          failures.push(`${candidate.aic}: ${(error as Error).message}`);
          if ((error as { code?: string }).code === 'ETIMEDOUT') {
            // The agent may still be carrying the intent out (a plan change, an engineer booked):
            // asking another would do it twice. The UE hears #90 and may ask again.
            demote(candidate);
            throw new IntentNotForwardedError(`intent agent ${candidate.aic} did not answer within ${settings.intentTimeoutMs} ms`);
          }
        }
        demote(candidate);
        logger.warn('intent agent failed; trying the next', { aic: candidate.aic, invokeUrl: candidate.invokeUrl, reason: failures.at(-1) });
      }
      cache = undefined;
      throw new IntentNotForwardedError(`no intent agent took the intent (${failures.join('; ')})`);
    },
  };
}

function refusedOutcome(problem: ProblemDetails | undefined): IntentOutcome {
  return {
    intentId: randomUUID(),
    outcome: 'rejected',
    result: `The network could not accept this request${problem?.detail ? `: ${problem.detail}` : '.'}`,
    cause: problem?.cause ?? 'INTENT_REFUSED',
    tasks: [],
    timings: {},
  };
}
