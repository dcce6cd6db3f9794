/**
 * Facts read from an analysed intent text that become TS 28.312 expectation targets and contexts:
 * latency and throughput bounds ("under 20 ms", "at least 50 Mbps"), a time window from wink
 * DURATION entities ("for 2 hours"), the service concerned, the symptom of a fault, what is asked
 * about a plan or a cell, and which measurements are wanted. Each reader is a pure function of
 * the analysis, so the same text always gives the same facts.
 */
import type { Token, TextAnalysis } from './text-analysis.ts';
import { type Condition, type ServiceType } from './intent-vocabulary.ts';

// A year: longer "durations" are not time windows ("for 2000 years").
const MAX_DURATION_TEXT_MINUTES = 366 * 24 * 60;

export interface Bound {
  targetName: 'latency' | 'downlinkThroughput' | 'uplinkThroughput';
  condition: Condition;
  value: number;
}

const LATENCY_UNITS: Record<string, number> = { ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1 };
const RATE_UNITS: Record<string, number> = { kbps: 0.001, mbps: 1, mbit: 1, megabit: 1, megabits: 1, gbps: 1000, gbit: 1000, gigabit: 1000, gigabits: 1000 };
const UPLINK = new Set(['upload', 'uploads', 'uploading', 'uplink', 'upstream', 'up']);

// Phrases before a number that set the condition; the last words before the number are tried first.
const CONDITION_WORDS: Array<[string, Condition]> = [
  ['no more than', 'IS_EQUAL_TO_OR_LESS_THAN'], ['no less than', 'IS_EQUAL_TO_OR_GREATER_THAN'],
  ['at most', 'IS_EQUAL_TO_OR_LESS_THAN'], ['at least', 'IS_EQUAL_TO_OR_GREATER_THAN'],
  ['less than', 'IS_LESS_THAN'], ['lower than', 'IS_LESS_THAN'], ['fewer than', 'IS_LESS_THAN'],
  ['more than', 'IS_GREATER_THAN'], ['greater than', 'IS_GREATER_THAN'], ['higher than', 'IS_GREATER_THAN'],
  ['up to', 'IS_EQUAL_TO_OR_LESS_THAN'], ['under', 'IS_LESS_THAN'], ['below', 'IS_LESS_THAN'], ['within', 'IS_EQUAL_TO_OR_LESS_THAN'],
  ['max', 'IS_EQUAL_TO_OR_LESS_THAN'], ['maximum', 'IS_EQUAL_TO_OR_LESS_THAN'], ['min', 'IS_EQUAL_TO_OR_GREATER_THAN'],
  ['minimum', 'IS_EQUAL_TO_OR_GREATER_THAN'], ['over', 'IS_GREATER_THAN'], ['above', 'IS_GREATER_THAN'],
  ['<', 'IS_LESS_THAN'], ['>', 'IS_GREATER_THAN'], ['<=', 'IS_EQUAL_TO_OR_LESS_THAN'], ['>=', 'IS_EQUAL_TO_OR_GREATER_THAN'],
  ['≤', 'IS_EQUAL_TO_OR_LESS_THAN'], ['≥', 'IS_EQUAL_TO_OR_GREATER_THAN'],
];

function conditionBefore(tokens: Token[], index: number): Condition | undefined {
  const before = tokens.slice(Math.max(0, index - 3), index).map((t) => t.normal).join(' ');
  return CONDITION_WORDS.find(([phrase]) => before === phrase || before.endsWith(` ${phrase}`))?.[1];
}

const numberOf = (token: Token | undefined): number | undefined => {
  if (!token || !/^\d+(?:[.,]\d+)?$/.test(token.normal)) return undefined;
  return Number(token.normal.replace(',', '.'));
};

/** Latency and throughput bounds: a number followed by ms / kbps / Mbps / Gbps. */
export function readBounds(analysis: TextAnalysis): Bound[] {
  const bounds: Bound[] = [];
  const tokens = analysis.tokens;
  for (let i = 0; i < tokens.length - 1; i++) {
    const value = numberOf(tokens[i]);
    if (value === undefined || value <= 0) continue;
    const unit = tokens[i + 1].normal;
    if (unit in LATENCY_UNITS) {
      // A latency figure is a ceiling unless the text says otherwise.
      const condition = conditionBefore(tokens, i) ?? 'IS_LESS_THAN';
      if (!bounds.some((b) => b.targetName === 'latency')) bounds.push({ targetName: 'latency', condition, value });
    } else if (unit in RATE_UNITS) {
      const near = [...tokens.slice(Math.max(0, i - 4), i), ...tokens.slice(i + 2, i + 4)].map((t) => t.normal);
      const targetName = near.some((w) => UPLINK.has(w)) ? 'uplinkThroughput' : 'downlinkThroughput';
      // A throughput figure is a floor unless the text says otherwise.
      const condition = conditionBefore(tokens, i) ?? 'IS_EQUAL_TO_OR_GREATER_THAN';
      const mbps = Math.round(value * RATE_UNITS[unit] * 1000) / 1000;
      if (!bounds.some((b) => b.targetName === targetName)) bounds.push({ targetName, condition, value: mbps });
    }
  }
  return bounds;
}

const WORD_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, fifty: 50, sixty: 60,
  ninety: 90, couple: 2, few: 3, half: 0.5,
};
const MINUTES_PER: Record<string, number> = {
  s: 1 / 60, sec: 1 / 60, secs: 1 / 60, second: 1 / 60, seconds: 1 / 60,
  m: 1, min: 1, mins: 1, minute: 1, minutes: 1,
  h: 60, hr: 60, hrs: 60, hour: 60, hours: 60,
  d: 1440, day: 1440, days: 1440, week: 10080, weeks: 10080,
};

/** "2 hours" -> 120, "couple of hours" -> 120, "hour" -> 60; undefined for "until 10pm". */
function durationMinutes(words: string[]): number | undefined {
  const unit = words.at(-1);
  if (!unit || !(unit in MINUTES_PER)) return undefined;
  const count = words.slice(0, -1).filter((w) => w !== 'of' && w !== 'and');
  // "a" and "an" count only alone ("an hour"); "two and a half hours" is 2 + 0.5.
  const counted = count.length > 1 ? count.filter((w) => w !== 'a' && w !== 'an') : count;
  const parsed = counted.map((w) => (/^\d+(?:\.\d+)?$/.test(w) ? Number(w) : WORD_NUMBERS[w]));
  if (parsed.some((n) => n === undefined)) return undefined;
  const amount = parsed.length ? (parsed as number[]).reduce((sum, n) => sum + n, 0) : 1;
  // Kept when too long: the planner then says how long a boost can last, rather than the
  // request silently losing its time window.
  const minutes = Math.round(amount * MINUTES_PER[unit]);
  return minutes >= 1 && minutes <= MAX_DURATION_TEXT_MINUTES ? minutes : undefined;
}

/**
 * The time window asked for, in minutes: the first DURATION entity wink found that is a length of
 * time, else a number followed by a time unit ("30 mins", "2 hrs", which the model tags CARDINAL).
 */
export function readDuration(analysis: TextAnalysis): number | undefined {
  const text = analysis.tokens.map((t) => t.normal).join(' ');
  if (/\bhalf (?:an )?hour\b/.test(text)) return 30;
  for (const value of analysis.durations) {
    const minutes = durationMinutes(value.toLowerCase().split(/\s+/));
    if (minutes !== undefined) return minutes;
  }
  const tokens = analysis.tokens;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (numberOf(tokens[i]) === undefined) continue;
    const minutes = durationMinutes([tokens[i].normal, tokens[i + 1].normal]);
    if (minutes !== undefined) return minutes;
  }
  return undefined;
}

const has = (analysis: TextAnalysis, ...terms: string[]) => terms.some((term) => analysis.terms.has(term));

/** The service a QoS request is for; calls win over video ("video call"), gaming over video. */
export function readServiceType(analysis: TextAnalysis): ServiceType | undefined {
  if (has(analysis, 'call', 'calling', 'video call', 'voice call', 'conference', 'meeting', 'zoom', 'voip')) return 'call';
  if (has(analysis, 'game', 'gaming', 'gamer', 'esport', 'esports')) return 'gaming';
  if (has(analysis, 'video', 'stream', 'streaming', 'netflix', 'youtube', 'movie', 'film', 'tv', '4k', 'hd')) return 'video';
  return undefined;
}

/** The symptom of a connection fault, most specific first. */
export function readSymptom(analysis: TextAnalysis): string | undefined {
  if (has(analysis, 'no signal', 'no service', 'no bar', 'no coverage')) return 'no-signal';
  if (has(analysis, 'drop', 'disconnect', 'cut out', 'keep cut')) return 'dropping';
  if (has(analysis, 'no internet', 'not work', 'down', 'dead', 'broken', 'outage', 'can not connect', 'not connect')) return 'no-connection';
  if (has(analysis, 'unstable', 'flaky', 'intermittent', 'come and go')) return 'unstable';
  if (has(analysis, 'slow', 'lag', 'laggy', 'sluggish', 'crawl')) return 'slow';
  return undefined;
}

const CHANGE_VERBS = ['change', 'switch', 'upgrade', 'downgrade', 'move', 'swap'];
const PLAN_STOP = new Set(['a', 'an', 'the', 'my', 'new', 'another', 'different', 'plan', 'tariff', 'package', 'bundle', 'one', 'please']);
const PLAN_END = new Set(['for', 'and', 'from', 'because', 'starting', 'next', 'today', 'now', 'as', 'with', 'please']);

/** What is asked about the subscription, and the plan named in a change request. */
export function readPlanRequest(analysis: TextAnalysis): { requestType: string; plan?: string } {
  const words = analysis.words;
  const verb = words.findIndex((t) => CHANGE_VERBS.includes(t.lemma) || CHANGE_VERBS.includes(t.normal));
  if (verb >= 0) {
    // "change my plan to unlimited", "switch to the family plan", "upgrade to premium": the words
    // after the first "to" that follows the verb, up to a word that ends the name.
    const to = words.findIndex((t, i) => i > verb && (t.normal === 'to' || t.normal === 'onto'));
    const name: string[] = [];
    for (const t of to >= 0 ? words.slice(to + 1) : []) {
      if (PLAN_END.has(t.normal) || name.length === 3) break;
      if (!PLAN_STOP.has(t.normal)) name.push(t.normal);
    }
    const plan = name.join(' ');
    return /^[a-z0-9][a-z0-9 +-]{0,39}$/.test(plan) ? { requestType: 'change-plan', plan } : { requestType: 'change-plan' };
  }
  if (has(analysis, 'bill', 'billing', 'invoice', 'charge', 'pay', 'fee', 'cost')) return { requestType: 'bill' };
  if (has(analysis, 'allowance', 'left', 'remain', 'remaining', 'how much data')) return { requestType: 'data-allowance' };
  return { requestType: 'plan-info' };
}

/** Whether a cell-load question is about now or about a quieter time. */
export function readCellLoadQuestion(analysis: TextAnalysis): 'load-now' | 'quieter-time' {
  return has(analysis, 'quiet', 'quieter', 'less busy', 'best time', 'when', 'later', 'tomorrow') ? 'quieter-time' : 'load-now';
}

/** Which measurements are wanted on the device; signal when none is named. */
export function readMetrics(analysis: TextAnalysis): string[] {
  const metrics: string[] = [];
  if (has(analysis, 'signal', 'strength', 'rsrp', 'rsrq', 'sinr', 'dbm', 'bar', 'reception')) metrics.push('signal');
  if (has(analysis, 'throughput', 'speed', 'speed test', 'bandwidth')) metrics.push('throughput');
  if (has(analysis, 'latency', 'ping')) metrics.push('latency');
  if (has(analysis, 'battery')) metrics.push('battery');
  return metrics.length ? metrics : ['signal'];
}

/** Words that turn a QoS request into a guarantee (TS 28.312 ENSURE) rather than a one-off boost. */
export function asksForGuarantee(analysis: TextAnalysis): boolean {
  // "keep my video smooth" asks for a state; "my video keeps buffering" does not.
  return has(analysis, 'guarantee', 'ensure', 'make sure', 'keep my', 'keep it', 'maintain', 'assure');
}
