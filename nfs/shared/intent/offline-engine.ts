/**
 * The default comprehension engine: offline, deterministic, about a millisecond per text. wink-nlp
 * reads the text once (text-analysis.ts); every intent kind of the catalogue is scored by the
 * weighted cues the text contains; the best kind becomes one TS 28.312 expectation when it is
 * clearly ahead, and otherwise the engine asks back instead of guessing (never a guess: a wrong
 * intent would run tasks on the user's behalf, a question costs one more message).
 */
import { screenedEngine, type Comprehension, type ComprehensionEngine } from './comprehension.ts';
import { ENGLISH_ONLY, GREETING_WORDS, HOW_CAN_I_HELP, INTENT_KINDS, NOT_UNDERSTOOD, OUT_OF_SCOPE, SUGGESTIONS, type IntentKind } from './intent-catalogue.ts';
import { buildExpectation } from './expectation-builder.ts';
import { checkLanguage } from './language-check.ts';
import { createTextAnalyser, type TextAnalyser, type TextAnalysis } from './text-analysis.ts';
import { readBounds } from './text-facts.ts';
import { planWorkflow, WorkflowError } from './workflow.ts';

export interface OfflineEngineOptions {
  /** A shared analyser (one wink instance); one is created when absent. */
  analyser?: TextAnalyser;
  /** The best kind must score at least this to be taken (default 2.5: one domain word is not enough). */
  minScore?: number;
  /** A runner-up scoring at least this share of the best makes the text ambiguous (default 0.75). */
  ambiguityRatio?: number;
}

interface KindScore {
  kind: IntentKind;
  score: number;
}

/** A catalogue kind with its cues split once into single words and phrases. */
interface CompiledKind {
  kind: IntentKind;
  words: Map<string, number>;
  phrases: Array<[string, number]>;
}

// A score this high (e.g. "boost" + "video" + a figure) is full strength for the confidence.
const STRONG_SCORE = 5;
// Figures such as "20 ms" or "50 Mbps" are QoS targets whatever words surround them.
const BOUND_BONUS = 2;

function compile(kinds: readonly IntentKind[]): CompiledKind[] {
  return kinds.map((kind) => {
    const entries = Object.entries(kind.cues);
    return {
      kind,
      words: new Map(entries.filter(([cue]) => !cue.includes(' '))),
      phrases: entries.filter(([cue]) => cue.includes(' ')),
    };
  });
}

/**
 * Scores every kind: each distinct word counts once with the higher weight of its normal form and
 * its lemma ("dropping"/"drop"), each phrase once. Ties keep catalogue order, so ranking is total.
 */
function scoreKinds(compiled: readonly CompiledKind[], analysis: TextAnalysis): KindScore[] {
  const hasBounds = readBounds(analysis).length > 0;
  return compiled
    .map(({ kind, words, phrases }, order) => {
      let score = 0;
      const counted = new Set<string>();
      for (const token of analysis.words) {
        if (counted.has(token.lemma)) continue;
        const weight = Math.max(words.get(token.normal) ?? 0, words.get(token.lemma) ?? 0);
        if (weight > 0) {
          counted.add(token.lemma);
          score += weight;
        }
      }
      for (const [phrase, weight] of phrases) if (analysis.terms.has(phrase)) score += weight;
      if (hasBounds && kind.id === 'qos-boost') score += BOUND_BONUS;
      return { kind, score: Math.round(score * 100) / 100, order };
    })
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ kind, score }) => ({ kind, score }));
}

const joinOr = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Confidence in [0,1]: how strong the best score is, times how far ahead of the runner-up it is. */
function confidenceOf(best: number, second: number): number {
  if (best <= 0) return 0;
  const strength = Math.min(1, best / STRONG_SCORE);
  const margin = (best - second) / best;
  return round2(strength * (0.5 + 0.5 * margin));
}

function askWhich(ranked: KindScore[], confidence: number): Comprehension {
  const kinds = ranked.map((r) => r.kind);
  const examples = kinds.map((k) => `"${k.suggestion}"`);
  return {
    outcome: 'clarification',
    question: `Do you mean ${joinOr(kinds.map((k) => k.label))}? Please tell me a little more, for example ${joinOr(examples)}.`,
    confidence,
    candidates: kinds.map((k) => k.suggestion),
  };
}

/** Comprehends screened text; only reachable through createOfflineEngine, which screens first. */
function createOfflineComprehender(options: OfflineEngineOptions = {}) {
  const { minScore = 2.5, ambiguityRatio = 0.75 } = options;
  const analyser = options.analyser ?? createTextAnalyser();
  const compiled = compile(INTENT_KINDS);

  return (text: string, supi: string): Comprehension => {
    if (!checkLanguage(text).english) {
      return { outcome: 'clarification', question: ENGLISH_ONLY, confidence: 0, candidates: [...SUGGESTIONS] };
    }
    const analysis = analyser.analyse(text);
    const ranked = scoreKinds(compiled, analysis);
    const [best, second] = ranked;
    const confidence = confidenceOf(best.score, second.score);
    if (best.score === 0) {
      // Mostly words the model has never seen ("asdf qwer zxcv") is noise; known words are off-topic.
      // "hello", "what can you do?" are asking for the menu.
      const unknown = analysis.words.filter((w) => w.unknown).length;
      const greeting = analysis.words.length > 0 && analysis.words.every((w) => GREETING_WORDS.has(w.normal) || GREETING_WORDS.has(w.lemma));
      const question = greeting ? HOW_CAN_I_HELP : unknown * 2 > analysis.words.length ? NOT_UNDERSTOOD : OUT_OF_SCOPE;
      return { outcome: 'clarification', question, confidence: 0, candidates: [...SUGGESTIONS] };
    }
    if (best.score < minScore) return askWhich(ranked.filter((r) => r.score > 0).slice(0, 3), confidence);
    if (second.score >= best.score * ambiguityRatio) {
      return askWhich(ranked.filter((r) => r.score >= best.score * ambiguityRatio).slice(0, 3), confidence);
    }
    const { expectation, summary } = buildExpectation(best.kind, analysis, supi);
    const intent = { userLabel: summary, intentExpectations: [expectation] };
    // Understood but beyond what may be asked ("latency under 0.1 ms", "for 3 days"): say so now
    // rather than hand on an intent the workflow planner will refuse.
    try {
      planWorkflow(intent, { supi });
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      return { outcome: 'clarification', question: `I understood: ${summary}. But ${error.reason}. Could you change your request?`, confidence, candidates: [best.kind.suggestion] };
    }
    return { outcome: 'intent', intent, confidence, summary };
  };
}

/** The offline engine, screened (comprehension.ts): the one to use. */
export function createOfflineEngine(options: OfflineEngineOptions = {}): ComprehensionEngine {
  const comprehend = createOfflineComprehender(options);
  return screenedEngine({ name: 'offline', comprehend: async ({ text, supi }) => comprehend(text, supi) });
}
