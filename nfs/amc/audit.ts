/**
 * The AMC's record of what it decided about agents' credentials: one structured log line per
 * outcome of AAAP, issuance, renewal, suspension, resumption and revocation, refusals included
 * (a CSR of another key, a spent grant, a credential not GOOD), in the shape of the AGW's event
 * lines (`event`, with type, outcome, cause, aic). The AGW records what agents ask of it; these
 * are the AMC's own answers, some of which (renewal, status changes) no gateway sees.
 */
import { ProblemError } from '../shared/problem.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * `procedure` with every outcome logged at info as `event` of `type`: `describe` names what was
 * asked (and, on success, what came of it); a success may still be a refusal (an AAAP denial).
 */
export function audited<A extends unknown[], R>(
  logger: Logger,
  type: string,
  procedure: (...args: A) => Promise<R>,
  describe: (args: A, result?: R) => Record<string, unknown> & { outcome?: 'success' | 'refused'; cause?: string },
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      const result = await procedure(...args);
      // winston formats a line before its transports drop it by level: only lines that are written.
      if (logger.isInfoEnabled()) logger.info('event', { type, outcome: 'success', ...describe(args, result) });
      return result;
    } catch (error) {
      if (logger.isInfoEnabled()) {
        const refused = error instanceof ProblemError && error.status < 500;
        logger.info('event', {
          type,
          outcome: refused ? 'refused' : 'failure',
          cause: (error instanceof ProblemError && error.cause) || 'SYSTEM_FAILURE',
          ...describe(args),
          detail: { reason: (error as Error).message },
        });
      }
      throw error;
    }
  };
}
