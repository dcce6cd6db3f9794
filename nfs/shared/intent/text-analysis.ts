/**
 * One pass of wink-nlp (wink-eng-lite-web-model) over an intent text: tokens with their normal
 * form and lemma, the DURATION entities, which words the model's lexicon does not know, and the
 * set of terms (words and 2-3 word phrases) that catalogue cues are matched against.
 *
 * The model is loaded once per reader (~70-100 ms). wink adds every word it has not seen to the
 * instance's lexicon and never forgets it (measured: ~130 bytes per word, 127 MB after a million
 * random words), which would let a stream of gibberish grow the heap without bound; the reader
 * therefore starts a fresh instance once `maxNewWords` unknown words have accumulated. Results do
 * not depend on the instance: only "known or not" is read from the lexicon ids, never an id itself.
 */
import winkNLP, { type ItsFunction, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface Token {
  /** Lowercased surface form ("dropping"). */
  normal: string;
  /** Lemma ("drop"); the normal form when wink has none. */
  lemma: string;
  /** wink token type: word, number, punctuation, time, emoji, ... */
  type: string;
  /** True when the model's lexicon does not know the word. */
  unknown: boolean;
}

export interface TextAnalysis {
  tokens: Token[];
  /** Tokens that are words or numbers, in order. */
  words: Token[];
  /** Normal forms and lemmas of words, and 2-3 word phrases of both, for cue matching. */
  terms: Set<string>;
  /** Values of wink DURATION entities ("2 hours", "couple of hours"). */
  durations: string[];
}

export interface TextAnalyser {
  analyse(text: string): TextAnalysis;
}

// Sentence boundaries, part of speech (lemmas depend on it) and named entities are all we read;
// sentiment and negation marking are skipped.
const PIPE = ['sbd', 'pos', 'ner'];
const PROBE = 'qzxjvkwprobe';
const WORDISH = new Set(['word', 'number', 'time', 'ordinal', 'currency', 'hashtag']);

// Written forms the model splits or does not know, rewritten before reading so cues stay simple.
const REWRITES: Array<[RegExp, string]> = [
  [/\bwi[\s-]?fi\b/gi, 'wifi'],
  // wink splits "5g" into a number and a letter; as a word it only ever means the mobile network.
  [/\b[2345]\s?g\b/gi, 'mobile'],
  [/\b(?:mb|mbit)\s?\/\s?s\b/gi, 'mbps'],
  [/\b(?:gb|gbit)\s?\/\s?s\b/gi, 'gbps'],
  [/\b(?:kb|kbit)\s?\/\s?s\b/gi, 'kbps'],
  [/\badd[\s-]?on\b/gi, 'add-on'],
];

function phrases(sequence: string[], into: Set<string>): void {
  for (let i = 0; i < sequence.length; i++) {
    if (i + 1 < sequence.length) into.add(`${sequence[i]} ${sequence[i + 1]}`);
    if (i + 2 < sequence.length) into.add(`${sequence[i]} ${sequence[i + 1]} ${sequence[i + 2]}`);
  }
}

/** Creates an analyser with its own wink instance; `maxNewWords` bounds the lexicon's growth. */
export function createTextAnalyser(options: { maxNewWords?: number } = {}): TextAnalyser {
  const { maxNewWords = 100_000 } = options;
  let nlp: WinkMethods;
  let firstNewId = 0;
  let highestId = 0;

  const load = () => {
    nlp = winkNLP(model, PIPE);
    // The probe is unknown to the model, so its id is the first id given to a new word.
    firstNewId = nlp.readDoc(PROBE).tokens().out(nlp.its.uniqueId)[0] as number;
    highestId = firstNewId;
  };
  load();

  return {
    analyse(raw) {
      if (highestId - firstNewId > maxNewWords) load();
      const its = nlp.its;
      const text = REWRITES.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), raw);
      const doc = nlp.readDoc(text);
      const normals = doc.tokens().out(its.normal) as string[];
      // wink-nlp 2.4's typings declare its.lemma with the model-internal signature; it is a token its-function.
      const lemmas = doc.tokens().out(its.lemma as unknown as ItsFunction<string>) as string[];
      const types = doc.tokens().out(its.type) as string[];
      const ids = doc.tokens().out(its.uniqueId) as number[];
      const tokens: Token[] = normals.map((normal, i) => {
        highestId = Math.max(highestId, ids[i]);
        return { normal, lemma: lemmas[i] || normal, type: types[i], unknown: ids[i] >= firstNewId };
      });
      const words = tokens.filter((token) => WORDISH.has(token.type) || /^'?[a-z]/.test(token.normal));

      const terms = new Set<string>();
      // Phrases do not cross punctuation: "fine, but calls drop" has no phrase "fine but".
      let lemmaRun: string[] = [];
      let normalRun: string[] = [];
      const flush = () => {
        phrases(lemmaRun, terms);
        phrases(normalRun, terms);
        lemmaRun = [];
        normalRun = [];
      };
      for (const token of tokens) {
        if (token.type === 'punctuation' || token.type === 'symbol') {
          flush();
          continue;
        }
        terms.add(token.normal);
        terms.add(token.lemma);
        lemmaRun.push(token.lemma);
        normalRun.push(token.normal);
      }
      flush();

      const durations = doc
        .entities()
        .filter((entity) => (entity.out(its.type) as string) === 'DURATION')
        .out(its.value) as string[];
      return { tokens, words, terms, durations };
    },
  };
}
