/**
 * Transport of NAS messages (TS 24.501 clause 5.4.5) carrying the UE's intents: UL NAS
 * TRANSPORT in, the intent handed to whoever comprehends it (intent-handler.ts), and its outcome
 * back in DL NAS TRANSPORT. Only a registered, CM-CONNECTED UE that completed its registration
 * may send one; text that is empty or too long is refused here and never reaches an agent, while
 * any other text (gibberish, injection attempts) is the intent agent's to judge.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../shared/problem.ts';
import { causeOf, FiveGmmCause, status } from './fivegmm-cause.ts';
import { IntentNotForwardedError } from './intent-handler.ts';
import type { ProcedureDeps } from './procedure-deps.ts';
import type { DlNasTransport, FiveGmmStatus, IntentContainer, IntentOutcome, IntentRequest, UlNasTransport } from './types.ts';

/** As namf-nas.yaml IntentContainer.text says; checked here too, whoever calls the service. */
export const maxIntentTextLength = 2000;

export function createNasTransport(deps: ProcedureDeps) {
  const { security, intentHandler, logger, now } = deps;

  return {
    async ulNasTransport(message: UlNasTransport): Promise<DlNasTransport | FiveGmmStatus> {
      checkIntentContainer(message.payloadContainer);
      // While CM-CONNECTED every message restarts the (lazy) inactivity timer.
      const verdict = await security.acceptUplink(message, (context) => (context.cmState === 'CM-CONNECTED' ? { $set: { lastActivityAt: now() } } : {}));
      if (verdict.kind === 'unknown') return status(FiveGmmCause.UE_IDENTITY_CANNOT_BE_DERIVED, 'no UE context has this 5G-GUTI: register first');
      if (verdict.kind === 'deregistered') return status(FiveGmmCause.IMPLICITLY_DEREGISTERED, 'this 5G-GUTI\'s registration has ended: register again');
      const { context, downlink } = verdict;
      if (!context.registrationComplete) {
        return downlink(status(FiveGmmCause.MESSAGE_TYPE_NOT_COMPATIBLE_WITH_STATE, 'the registration is not complete: send REGISTRATION COMPLETE first'));
      }
      if (context.cmState !== 'CM-CONNECTED') {
        return downlink(status(FiveGmmCause.MESSAGE_TYPE_NOT_COMPATIBLE_WITH_STATE, 'the UE is in CM-IDLE: send SERVICE REQUEST first (TS 24.501 clause 5.6.1)'));
      }
      const { text, operatorIntent } = message.payloadContainer;
      if (operatorIntent !== undefined && !context.intentConversionOnUe) {
        // Only subscriptions that convert on the UE send operator-defined intents; the others send
        // text, which the intent agent screens before anything runs.
        return downlink(status(FiveGmmCause.INVALID_MANDATORY_INFORMATION, 'this subscription does not convert intents on the UE: send the text'));
      }
      const request: IntentRequest = {
        supi: context.supi,
        ...(context.ueAgent ? { ueAic: context.ueAgent.aic } : {}),
        ...(text !== undefined ? { text } : { operatorIntent }),
      };
      try {
        const outcome = await intentHandler.handleIntent(request);
        const problems = deps.checkOutcome(outcome);
        if (problems.length) throw new IntentNotForwardedError(`the intent handler answered no IntentOutcome (${problems[0].param} ${problems[0].reason})`);
        return downlink<DlNasTransport>({ messageType: 'DL_NAS_TRANSPORT', payloadContainerType: 'INTENT', payloadContainer: outcome } as DlNasTransport);
      } catch (error) {
        const detail = error instanceof IntentNotForwardedError ? error.message : `the intent handler failed: ${(error as Error).message}`;
        logger.warn('intent not forwarded', { supi: context.supi, detail });
        return downlink<DlNasTransport>({
          messageType: 'DL_NAS_TRANSPORT',
          payloadContainerType: 'INTENT',
          payloadContainer: notForwardedOutcome(),
          ...causeOf(FiveGmmCause.PAYLOAD_NOT_FORWARDED),
        } as DlNasTransport);
      }
    },
  };
}

/** The schema refuses these already; the service does not rely on whoever called it having checked. */
function checkIntentContainer(container: IntentContainer): void {
  const { text, operatorIntent } = container;
  if ((text === undefined) === (operatorIntent === undefined)) {
    throw badRequest('the payload container holds exactly one of text and operatorIntent', [{ param: '/payloadContainer', reason: 'exactly one of text and operatorIntent' }]);
  }
  if (text !== undefined && !text.trim()) throw badRequest('the intent text is empty', [{ param: '/payloadContainer/text', reason: 'must not be empty or blank' }]);
  if (text !== undefined && text.length > maxIntentTextLength && [...text].length > maxIntentTextLength) {
    throw badRequest(`the intent text is longer than ${maxIntentTextLength} characters`, [{ param: '/payloadContainer/text', reason: `at most ${maxIntentTextLength} characters` }]);
  }
}

/** What the user reads when no agent could take the intent; nothing was run. */
function notForwardedOutcome(): IntentOutcome {
  return {
    intentId: randomUUID(),
    outcome: 'failed',
    result: 'The network could not process your request right now. Please try again in a moment.',
    cause: 'PAYLOAD_NOT_FORWARDED',
    tasks: [],
    timings: {},
  };
}
