/**
 * Resolution Module of NL discovery (004 §2.2.2; issue-3 brief §5.2 steps 2-3): ranks taxonomy
 * capabilities for a plain-language request such as "Poor mobile signal and unstable broadband at
 * home". BM25 via minisearch over name, description and synonyms; taxonomy synonyms do the
 * "expand synonyms" step because they are indexed with the highest boost.
 *
 * Why a light stemmer of our own rather than wink-nlp lemmas: wink-nlp + wink-eng-lite-web-model
 * were measured here at ~125 ms to load and ~0.02 ms per query, affordable, but a lemmatiser keeps
 * derivational families apart ("diagnosis"/"diagnose", "optimisation"/"optimise",
 * "troubleshooting" as a noun), which is exactly what retrieval over short descriptions must merge;
 * it also needs whole sentences while minisearch calls processTerm one word at a time, and it would
 * add 3.8 MB to every NF that imports this file. The stemmer is applied identically to the index
 * and the query, so an odd stem costs nothing; fuzzy and prefix matching absorb the rest.
 */
import MiniSearch, { type SearchResult } from 'minisearch';

export type TaxonomyEntry = {
  capabilityId: string;
  name: string;
  description: string;
  synonyms: string[];
  version?: number;
  parameters?: unknown;
};

export interface CapabilityMatch {
  capabilityId: string;
  /** 0..1, best = highest; 1 for a capability named directly. */
  score: number;
}

export interface MatchOptions {
  /** Most results returned (default 10). */
  limit?: number;
  /** Results scoring below this are dropped (default 0.15). */
  minScore?: number;
}

export interface CapabilityMatcher {
  match(text: string, options?: MatchOptions): CapabilityMatch[];
  /** Rebuilds the index, e.g. after the taxonomy version changed. */
  update(entries: TaxonomyEntry[]): void;
}

// A common English stop list plus request boilerplate ("find an agent that can ...", "please help")
// that names no capability. Interrogatives that carry intent are kept: "where" (location).
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being
  below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
  during each few for from further had hadn't has hasn't have haven't having he her here hers herself him
  himself his how i i'm if in into is isn't it it's its itself just let's me more most much my myself no
  nor not now of off on once only or other ought our ours ourselves out over own same she should so some
  such than that that's the their theirs them themselves then there these they this those through to too
  under until up very was wasn't we were weren't what when which while who whom why will with won't would
  you your yours yourself yourselves get got give keep make want need like please help thanks hi hello
  agent agents someone something find look looking able kind sort`.split(/\s+/),
);

// British -isation/-ise/-yse spellings to American so both index and query agree.
const SPELLING: Array<[RegExp, string]> = [
  [/is(ation|ations|e|es|ed|ing|er|ers)$/, 'iz$1'],
  [/ys(e|es|ed|ing)$/, 'yz$1'],
];
// Tried longest first; the first that leaves a stem of at least 3 letters is removed (twice, so
// "measurements" -> "measure" -> "measur" meets "measuring" -> "measur").
const SUFFIXES = [
  'izations', 'ization', 'ations', 'ation', 'ivity', 'ments', 'ment', 'ities', 'ity', 'ness',
  'ostics', 'ostic', 'osis', 'ytics', 'ysis', 'yzing', 'yzed', 'yzes', 'yze', 'itions', 'ition', 'ions', 'ion', 'ating', 'ated', 'ates', 'ate',
  'izing', 'ized', 'izes', 'ize', 'ings', 'ing', 'ies', 'ied', 'ly', 'ed', 'es', 's', 'e',
];
const REPLACEMENT: Record<string, string> = {
  ies: 'y', ied: 'y', ostics: 'os', ostic: 'os', osis: 'os', ytics: 'ys', ysis: 'ys', yzing: 'ys', yzed: 'ys', yzes: 'ys', yze: 'ys',
};

/** A light suffix stemmer (Porter-like, far smaller): "dropping" -> "drop", "optimisation" -> "optim". */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  for (const [pattern, replacement] of SPELLING) w = w.replace(pattern, replacement);
  for (let pass = 0; pass < 2; pass++) {
    const suffix = SUFFIXES.find((s) => w.endsWith(s) && w.length - s.length >= 3 && keepsStem(w, s));
    if (!suffix) break;
    w = w.slice(0, -suffix.length) + (REPLACEMENT[suffix] ?? '');
  }
  // "dropp" -> "drop", "plann" -> "plan"; "ll", "ss", "zz" are real endings ("call", "wireless").
  if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Endings that only look like suffixes: "wireless", "status", "analysis" (handled by -ysis). */
function keepsStem(word: string, suffix: string): boolean {
  if (suffix === 's') return !/(ss|us|is|ys)$/.test(word);
  if (suffix === 'es') return !/(ss|us)es$/.test(word) || word.endsWith('sses');
  if (suffix === 'ly') return word.length - 2 >= 4;
  return true;
}

/** Lowercase, drop stop words and numbers, stem. Returns null to drop a term (minisearch API). */
function processTerm(term: string): string | null {
  const t = term.toLowerCase().replace(/['’]s$/, '');
  if (t.length < 2 || STOP_WORDS.has(t) || /^\d+$/.test(t)) return null;
  return stem(t);
}

const tokenize: (text: string) => string[] = MiniSearch.getDefault('tokenize');

/**
 * The processed terms of a text, deduplicated, as minisearch searches them (for coverage), and as
 * agents' own ACS texts are compared with a request (acs-text-ranking.ts).
 */
export function queryTerms(text: string): string[] {
  const terms = tokenize(text).map(processTerm).filter((t): t is string => !!t);
  return [...new Set(terms)];
}

function buildIndex(entries: TaxonomyEntry[]): MiniSearch<TaxonomyEntry> {
  const index = new MiniSearch<TaxonomyEntry>({
    idField: 'capabilityId',
    fields: ['name', 'description', 'synonyms'],
    storeFields: [],
    extractField: (doc, field) => (field === 'synonyms' ? doc.synonyms.join(' ; ') : String(doc[field as keyof TaxonomyEntry] ?? '')),
    processTerm,
    searchOptions: {
      // Synonyms are curated phrasings of user requests and names are short and specific, so a
      // hit there says more than one in the longer description.
      boost: { synonyms: 3, name: 2, description: 1 },
      // 0.2 of the term's length only means an edit from 5 letters on; minisearch rounds 4 x 0.2 up
      // to one edit, which turns "cell" into "call" and "plan" into "play".
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      prefix: (term) => term.length >= 4,
    },
  });
  index.addAll(entries);
  return index;
}

/** Normalised name of a capability as given directly: "/capability/location" or "location". */
function directKeys(capabilityId: string): string[] {
  const id = capabilityId.toLowerCase();
  const last = id.split('/').filter(Boolean).pop();
  return last && last !== id ? [id, last] : [id];
}

/**
 * Score in 0..1: the BM25 score relative to the best hit, times how much of the query the hit
 * explains (an exact query term counts 1, a prefix or fuzzy one 0.5). The relative part orders
 * results; the coverage part keeps a lone fuzzy hit on one word of a long query from scoring 1, so
 * minScore rejects weak answers and gibberish that happens to come close to some word.
 */
function normalise(hit: SearchResult, best: number, terms: string[]): number {
  const exact = new Set(hit.terms);
  const covered = hit.queryTerms.reduce((sum, t) => sum + (exact.has(t) ? 1 : 0.5), 0);
  const coverage = Math.min(1, covered / Math.max(1, terms.length));
  return (hit.score / best) * coverage;
}

/** Builds a matcher over one taxonomy; `update` swaps in a new index built from new entries. */
export function createCapabilityMatcher(entries: TaxonomyEntry[]): CapabilityMatcher {
  let index = buildIndex(entries);
  let direct = directIndex(entries);

  return {
    match(text, options = {}) {
      const { limit = 10, minScore = 0.15 } = options;
      const key = text.trim().toLowerCase();
      const named = direct.get(key);
      if (named) return named.slice(0, limit).map((capabilityId) => ({ capabilityId, score: 1 }));

      const terms = queryTerms(text);
      if (terms.length === 0) return [];
      const hits = index.search(text);
      if (hits.length === 0) return [];
      const best = hits[0].score;
      return hits
        .map((hit) => ({ capabilityId: String(hit.id), score: round(normalise(hit, best, terms)) }))
        .filter((m) => m.score > 0 && m.score >= minScore)
        .sort((a, b) => b.score - a.score || a.capabilityId.localeCompare(b.capabilityId))
        .slice(0, limit);
    },
    update(next) {
      // Build both before swapping so a bad taxonomy (duplicate ids throw in minisearch) leaves the
      // previous index answering.
      const nextIndex = buildIndex(next);
      const nextDirect = directIndex(next);
      index = nextIndex;
      direct = nextDirect;
    },
  };
}

function directIndex(entries: TaxonomyEntry[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { capabilityId } of entries) {
    for (const key of directKeys(capabilityId)) map.set(key, [...(map.get(key) ?? []), capabilityId]);
  }
  return map;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
