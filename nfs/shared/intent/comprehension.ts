/**
 * Intent comprehension, stage 2 of seed 000's "two-stage intent analysis": the NF with agent
 * capability turns a UE's natural-language intent into an operator-defined intent (TS 28.312
 * shape), asks back when it cannot tell what is meant, and refuses text that tries to steer it.
 * Task decomposition stays in the application layer (MACP section "Requirements for the protocol
 * suite": TIP only coordinates already-defined tasks), so this file and workflow.ts are that layer.
 *
 * Every engine is built through screenedEngine(), so prompt-injection screening (004 §2.2.3,
 * nfs/shared/text-screen.ts) runs once, before any engine sees the text, whatever the engine is.
 */
import { screenText } from '../text-screen.ts';
import { NOT_UNDERSTOOD, SUGGESTIONS } from './intent-catalogue.ts';
import type { Intent } from './intent-vocabulary.ts';

export type { Intent } from './intent-vocabulary.ts';

export type Comprehension =
  | { outcome: 'intent'; intent: Intent; confidence: number; summary: string }
  | { outcome: 'clarification'; question: string; confidence: number; candidates?: string[] }
  | { outcome: 'rejected'; cause: string; reason: string };

export interface ComprehensionInput {
  text: string;
  /** The UE the intent is about; every expectation's objectInstance. */
  supi: string;
}

export interface ComprehensionEngine {
  readonly name: string;
  comprehend(input: ComprehensionInput): Promise<Comprehension>;
}

/** Longest intent text accepted, as the screening's default (issue-3 brief §5.3: about 2 kB). */
export const MAX_INTENT_TEXT = 2000;

/** Rejection causes (IntentOutcome.cause). */
export const REJECTION_CAUSES = {
  injection: 'INJECTION_SUSPECTED',
  tooLong: 'TEXT_TOO_LONG',
  notText: 'INVALID_TEXT',
} as const;

/**
 * Thrown by an engine that cannot answer at all (its model endpoint is unreachable, timed out or
 * answered with an HTTP error); unlike a clarification it says nothing about the user's text.
 * The caller falls back to another engine (withFallback) or reports the intent as failed.
 */
export class ComprehensionUnavailableError extends Error {
  readonly engine: string;
  constructor(engine: string, message: string, options?: { cause?: unknown }) {
    super(`${engine}: ${message}`, options);
    this.name = 'ComprehensionUnavailableError';
    this.engine = engine;
  }
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/**
 * Wraps an engine so that it only sees screened text: BLOCK -> rejected (nothing runs), SANITIZED
 * -> the engine gets the sanitized text, text without a letter or digit -> a clarification.
 */
export function screenedEngine(engine: ComprehensionEngine, options: { maxLength?: number } = {}): ComprehensionEngine {
  const { maxLength = MAX_INTENT_TEXT } = options;
  return {
    name: engine.name,
    async comprehend({ text, supi }) {
      const screen = screenText(text, { maxLength });
      if (screen.verdict === 'BLOCK') {
        const cause =
          screen.rules[0] === 'too-long' ? REJECTION_CAUSES.tooLong : screen.rules[0] === 'not-text' ? REJECTION_CAUSES.notText : REJECTION_CAUSES.injection;
        return { outcome: 'rejected', cause, reason: screen.reason ?? 'blocked by text screening' };
      }
      const clean = screen.text.trim();
      if (!HAS_WORD.test(clean)) return { outcome: 'clarification', question: NOT_UNDERSTOOD, confidence: 0, candidates: [...SUGGESTIONS] };
      return engine.comprehend({ text: clean, supi });
    },
  };
}

/** Uses `fallback` when `primary` is unavailable (ComprehensionUnavailableError); other errors propagate. */
export function withFallback(primary: ComprehensionEngine, fallback: ComprehensionEngine): ComprehensionEngine {
  return {
    name: `${primary.name}|${fallback.name}`,
    async comprehend(input) {
      try {
        return await primary.comprehend(input);
      } catch (error) {
        if (error instanceof ComprehensionUnavailableError) return fallback.comprehend(input);
        throw error;
      }
    },
  };
}
