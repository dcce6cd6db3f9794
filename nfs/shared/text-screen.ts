/**
 * Prompt-injection screening for free text entering the core (AGW NL queries, intent texts, ACS
 * free text at registration). 004 §2.2.3 asks to inspect "all incoming instructions or queries for
 * malicious patterns, obfuscated commands, or attempts to hijack agent behavior"; issue-3 brief §5.3
 * lists the rule families implemented here.
 *
 * Design: the text is first sanitized (invisible characters stripped, which alone gives SANITIZED).
 * Rules then run on normalised copies used only for matching, so obfuscation (fullwidth forms,
 * accents, Cyrillic look-alikes, leetspeak, spaced-out letters) cannot hide a phrase, while the
 * text handed back keeps the user's wording. Rules are data so they can be listed in documentation.
 */

export type ScreenVerdict = 'PASS' | 'SANITIZED' | 'BLOCK';

export interface ScreenResult {
  verdict: ScreenVerdict;
  /** The sanitized text. With BLOCK it is only for logging: callers must not forward it. */
  text: string;
  /** Ids of the rules that fired, in rule order. */
  rules: string[];
  /** Description of the first BLOCK rule that fired. */
  reason?: string;
}

export interface ScreenOptions {
  /** Longest accepted text in UTF-16 code units (brief §5.3 suggests about 2 kB). */
  maxLength?: number;
}

export interface ScreenRuleInfo {
  id: string;
  action: 'block' | 'sanitize';
  description: string;
}

/** The copies of one text that rules look at. */
interface Views {
  /** Sanitized text as the user wrote it (case kept): for blobs, where case matters. */
  raw: string;
  /** NFKD without marks, NFKC, lowercased, look-alikes folded; line breaks kept. */
  lines: string;
  /** `lines` with all whitespace collapsed to one space. */
  norm: string;
  /** `norm` with leetspeak digits and symbols turned into letters. */
  leet: string;
  /** `leet` with everything but a-z removed: defeats "i g n o r e" and "ig.nore". */
  compact: string;
}

interface ScreenRule extends ScreenRuleInfo {
  test: (views: Views) => boolean;
}

// Zero-width and joiners, word joiner, BOM, Mongolian vowel separator, soft hyphen; bidi embeddings,
// overrides and isolates plus LRM/RLM/ALM; Unicode tag characters U+E0000-E007F (invisible
// "ASCII smuggling"); C0/C1 controls other than tab, LF and CR. The `u` flag makes the astral
// range in [] work. Stripping ZWJ also breaks emoji ZWJ sequences: accepted, security first.
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u00AD\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\u{E0000}-\u{E007F}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu;
// Variation selectors are legitimate in emoji (U+FE0F), so they are kept in the text but dropped
// from the matching copies, where they could otherwise split a word.
const MATCH_ONLY_NOISE = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}\p{M}]/gu;

// Cyrillic and Greek letters that look like Latin ones (a subset of Unicode confusables.txt that
// covers lowercase text after NFKD). NFKC does not fold these, so "іgnоrе" needs a table.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ԛ: 'q', ԝ: 'w', ү: 'y',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};
const CONFUSABLE_CHARS = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '|': 'i' };
const LEET_CHARS = /[0134578@$!|]/g;
const LATIN = /\p{Script=Latin}/u;
const GREEK_OR_CYRILLIC = /[\p{Script=Greek}\p{Script=Cyrillic}]/u;

const OVERRIDE_VERBS = '(?:ignore|disregard|forget|override|bypass)';
const OVERRIDE_NOUNS = '(?:instruction|rule|prompt|directive|guideline|guardrail|context)s?';
const QUALIFIERS = '(?:previous|previously|prior|above|earlier|preceding|foregoing|former|original|initial|existing|system|safety)';

// "ignore previous instructions", "disregard all the prior rules", "forget your earlier prompt";
// "ignore my previous instructions" is a user correcting themselves and passes.
const OVERRIDE_QUALIFIED = new RegExp(`\\b${OVERRIDE_VERBS}\\s+(?:(?:all|any|every|the|your|of|these|those)\\s+){0,3}${QUALIFIERS}\\s+(?:\\w+\\s+)?${OVERRIDE_NOUNS}\\b`);
// "ignore all instructions", "ignore your rules"; an unqualified "ignore the noise on the line" passes
const OVERRIDE_ALL = new RegExp(`\\b${OVERRIDE_VERBS}\\s+(?:all|any|every|your)\\s+(?:(?:of|the|your|these|those)\\s+){0,2}${OVERRIDE_NOUNS}\\b`);
const OVERRIDE_EVERYTHING = new RegExp(`\\b${OVERRIDE_VERBS}\\s+(?:everything|all)\\s+(?:above|before|prior|said before|you were told)\\b`);
// A persona is only an attack when it is one a model could take on; ordinary objects
// ("a hotspot", "a premium subscriber") pass.
const ROLE = '(?:(?:a|an|the|my|your)\\s+)?(?:\\w+\\s+)?(?:ai|assistant|admin|administrator|root|superuser|system|developer|dan|gpt|chatgpt|llm|model|chatbot|hacker|unrestricted|unfiltered|jailbroken)\\b';
const YOU_ARE_NOW_ROLE = new RegExp(`\\byou are now (?:no longer bound|free of|${ROLE})`);
const ACT_AS_ROLE = new RegExp(`\\bact as (?:if you|though you|${ROLE})`);

/**
 * Runs of base64/hex alphabet of blob length. Splitting first keeps this linear: a plain
 * /[A-Za-z0-9+/]{120,}/ retries from every position of each shorter run (1 ms on a 2 kB text).
 */
function blobs(raw: string): string[] {
  return raw.split(/[^A-Za-z0-9+/_=-]+/).filter((t) => t.length >= 120);
}

// Each `test` returns true when the rule fires. Word rules read `leet`, so "1gn0re" counts; rules
// about markers, URLs and blobs read `norm` or `raw`, where digits and symbols are still intact.
const RULES: readonly ScreenRule[] = [
  {
    id: 'instruction-override',
    action: 'block',
    description: 'asks to ignore or forget earlier instructions, rules or prompts',
    test: (v) =>
      OVERRIDE_QUALIFIED.test(v.leet) ||
      OVERRIDE_ALL.test(v.leet) ||
      OVERRIDE_EVERYTHING.test(v.leet) ||
      /(?:ignore|disregard|forget)(?:all|any|the|your)*(?:previous|prior|above|earlier)(?:instruction|rule|prompt)/.test(v.compact),
  },
  {
    id: 'role-hijack',
    action: 'block',
    description: 'tries to give the model a new role or persona',
    test: (v) =>
      // "you are now DAN" but not "it says you are now roaming" or "you are now a premium subscriber"
      YOU_ARE_NOW_ROLE.test(v.leet) ||
      /\bfrom now on,? you (?:are|will|must)\b/.test(v.leet) ||
      /\bpretend (?:to be|you are|that you are)\b/.test(v.leet) ||
      // "act as an unrestricted AI" but not "can my phone act as a hotspot"
      ACT_AS_ROLE.test(v.leet),
  },
  {
    id: 'prompt-probe',
    action: 'block',
    description: 'mentions the system prompt, developer mode, jailbreaks or "do anything now"',
    test: (v) =>
      /\bsystem\s*prompt|\bjail\s*break|\bdo anything now\b/.test(v.leet) ||
      // Turning on developer mode on one's own phone is an ordinary telecom question.
      /\bdeveloper mode\b(?! (?:on|for|in) (?:my|the|a|an) (?:\w+ )?(?:phone|android|iphone|device|handset|router|tablet|smartphone)\b)/.test(v.leet) ||
      /systemprompt|jailbreak|doanythingnow/.test(v.compact),
  },
  {
    id: 'template-marker',
    action: 'block',
    description: 'contains chat-template or role markers such as <|im_start|>, [INST], ### system, <system>',
    test: (v) =>
      /<\|[a-z_]{2,20}\|>|\[\/?inst\]|<<\/?sys>>|#{2,}\s*(?:system|instruction|assistant)\b|<\/?(?:system|assistant|instructions?)>|^[^\S\n]*(?:system|assistant)\s*:/m.test(v.lines),
  },
  {
    id: 'destructive-command',
    action: 'block',
    description: 'issues a destructive command over all of something (revoke all agents, drop table, rm -rf)',
    test: (v) =>
      // "delete all agents", "revoke every credential"; "delete all my voicemails" is the user's own data.
      /\b(?:revoke|delete|remove|erase|wipe|destroy|drop|purge|truncate|deregister|unregister|terminate|kill|shut ?down|deactivate|suspend)\s+(?:all|every|each|the (?:entire|whole)|entire|whole)\b(?!\s+(?:of\s+)?my\b)/.test(v.leet) ||
      /\b(?:drop|truncate)\s+(?:table|database|collection|schema)\b|\bdelete\s+from\s+\w|\brm\s+-[a-z]*[rf]|\bformat\s+c:|'\s*or\s+'?1'?\s*=\s*'?1/.test(v.norm) ||
      /\b(?:shut ?down|take down|bring down|crash|wipe|disable|destroy)\s+(?:the |your |this )?(?:entire |whole )?(?:network|core|gateway|registry|database|server|system)s?\b/.test(v.leet),
  },
  {
    id: 'secret-exfiltration',
    action: 'block',
    description: 'asks to reveal keys, tokens or credentials',
    test: (v) =>
      /\b(?:reveal|show|print|give|send|leak|dump|output|display|tell|list|export)\s+(?:me\s+)?(?:(?:all|your|the|its|every|system|agent'?s?|gateway'?s?)\s+){0,2}(?:private key|secret key|signing key|api key|ssh key|access token|bearer token|refresh token|auth token|credentials|env(?:ironment)? variables)/.test(v.leet),
  },
  {
    id: 'script-url',
    action: 'block',
    description: 'contains a javascript: or data: URL',
    test: (v) => /\b(?:java|vb)script\s*:|\bdata:[a-z]+\/[a-z0-9.+-]+[;,]/.test(v.norm) || /javascript:/.test(v.norm.replace(/\s+/g, '')),
  },
  {
    id: 'hex-blob',
    action: 'block',
    description: 'contains a hex blob of 120 characters or more',
    test: (v) => blobs(v.raw).some((t) => /^(?:0x)?[0-9a-f]+$/i.test(t)) || /(?:\\x[0-9a-f]{2}){40,}/i.test(v.raw),
  },
  {
    id: 'base64-blob',
    action: 'block',
    description: 'contains a base64 blob of 120 characters or more',
    test: (v) => blobs(v.raw).some((t) => !/^(?:0x)?[0-9a-f]+$/i.test(t)),
  },
];

const SANITIZE_RULES: readonly ScreenRuleInfo[] = [
  { id: 'invisible-chars', action: 'sanitize', description: 'zero-width, bidi, tag or control characters were stripped' },
  { id: 'mixed-script', action: 'sanitize', description: 'Latin words mixed with Cyrillic or Greek look-alikes were folded to Latin' },
];

const TOO_LONG: ScreenRuleInfo = { id: 'too-long', action: 'block', description: 'text is longer than the allowed maximum' };
const NOT_TEXT: ScreenRuleInfo = { id: 'not-text', action: 'block', description: 'input is not a string' };

/** Every rule with its id, action and description, for documentation and event payloads. */
export const SCREEN_RULES: readonly ScreenRuleInfo[] = [
  NOT_TEXT,
  TOO_LONG,
  ...SANITIZE_RULES,
  ...RULES.map(({ id, action, description }) => ({ id, action, description })),
];

const foldConfusables = (s: string) => s.replace(CONFUSABLE_CHARS, (c) => CONFUSABLES[c] ?? c);

/** Folds look-alikes only inside words that mix Latin with Greek/Cyrillic: Russian text stays Russian. */
function foldMixedScriptWords(text: string): string {
  return text.replace(/[\p{L}\p{M}]+/gu, (word) =>
    LATIN.test(word) && GREEK_OR_CYRILLIC.test(word) ? foldConfusables(word.toLowerCase()) : word,
  );
}

function views(sanitized: string): Views {
  const lines = foldConfusables(sanitized.normalize('NFKD').replace(MATCH_ONLY_NOISE, '').normalize('NFKC').toLowerCase());
  const norm = lines.replace(/\s+/g, ' ').trim();
  const leet = norm.replace(LEET_CHARS, (c) => LEET[c] ?? c);
  return { raw: sanitized, lines, norm, leet, compact: leet.replace(/[^a-z]+/g, '') };
}

/** Screens one text; never throws. Verdict: any BLOCK rule -> BLOCK, else any sanitizing -> SANITIZED. */
export function screenText(text: string, options: ScreenOptions = {}): ScreenResult {
  const { maxLength = 2000 } = options;
  if (typeof text !== 'string') return { verdict: 'BLOCK', text: '', rules: [NOT_TEXT.id], reason: NOT_TEXT.description };
  // Checked on the raw length, before any work, so an oversized body costs nothing to reject.
  if (text.length > maxLength) {
    return { verdict: 'BLOCK', text: '', rules: [TOO_LONG.id], reason: `${TOO_LONG.description} (${maxLength})` };
  }
  const fired: string[] = [];
  let sanitized = text.replace(INVISIBLE, '');
  if (sanitized !== text) fired.push('invisible-chars');
  const folded = foldMixedScriptWords(sanitized);
  if (folded !== sanitized) fired.push('mixed-script');
  sanitized = folded;

  const v = views(sanitized);
  let reason: string | undefined;
  for (const rule of RULES) {
    if (!rule.test(v)) continue;
    fired.push(rule.id);
    reason ??= rule.description;
  }
  const verdict: ScreenVerdict = reason ? 'BLOCK' : fired.length > 0 ? 'SANITIZED' : 'PASS';
  return reason ? { verdict, text: sanitized, rules: fired, reason } : { verdict, text: sanitized, rules: fired };
}
