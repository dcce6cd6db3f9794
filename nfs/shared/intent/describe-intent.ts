/**
 * A one-line rendering of an operator-defined intent (TS 28.312 subset) for logs and for printing
 * each step of a scenario, e.g.
 * `ENSURE UE_QoS of imsi-001010000000001: latency < 20 ms, downlinkThroughput >= 50 Mbps; serviceType = video, durationMinutes = 120`.
 * Works on any schema-valid intent, including names outside our vocabulary (printed as given).
 */
import { TARGETS, type Condition, type Intent, type IntentContext, type IntentExpectation } from './intent-vocabulary.ts';

const SYMBOLS: Record<Condition, string> = {
  IS_EQUAL_TO: '=',
  IS_LESS_THAN: '<',
  IS_GREATER_THAN: '>',
  IS_EQUAL_TO_OR_LESS_THAN: '<=',
  IS_EQUAL_TO_OR_GREATER_THAN: '>=',
  IS_WITHIN_RANGE: 'within',
  IS_OUTSIDE_RANGE: 'outside',
  IS_ONE_OF: 'one of',
  IS_NOT_ONE_OF: 'not one of',
  IS_ALL_OF: 'all of',
};

function values(condition: Condition, range: ReadonlyArray<string | number>, unit = ''): string {
  const suffix = unit ? ` ${unit}` : '';
  if (condition === 'IS_WITHIN_RANGE' || condition === 'IS_OUTSIDE_RANGE') return `[${range.join(', ')}]${suffix}`;
  return `${range.join(', ')}${suffix}`;
}

const clause = (name: string, condition: Condition, range: ReadonlyArray<string | number>, unit?: string) =>
  `${name} ${SYMBOLS[condition] ?? condition} ${values(condition, range, unit)}`;

const contexts = (list: readonly IntentContext[] = []) => list.map((c) => clause(c.contextAttribute, c.contextCondition, c.contextValueRange));

function describeExpectation(e: IntentExpectation): string {
  const object = e.expectationObject;
  const head = `${e.expectationVerb} ${object.objectType}${object.objectInstance ? ` of ${object.objectInstance}` : ''}`;
  const targets = (e.expectationTargets ?? []).map((t) =>
    clause(t.targetName, t.targetCondition, t.targetValueRange, Object.hasOwn(TARGETS, t.targetName) ? TARGETS[t.targetName].unit : undefined),
  );
  const qualifiers = [...contexts(object.objectContexts), ...contexts(e.expectationContexts)];
  const parts = [targets.join(', '), qualifiers.join(', ')].filter(Boolean);
  return parts.length ? `${head}: ${parts.join('; ')}` : head;
}

/** One line: each expectation, then intent-wide contexts; expectations separated by " | ". */
export function describeIntent(intent: Intent): string {
  const expectations = (intent.intentExpectations ?? []).map(describeExpectation);
  const line = expectations.length ? expectations.join(' | ') : '(no expectations)';
  const wide = contexts(intent.intentContexts);
  return wide.length ? `${line} [${wide.join(', ')}]` : line;
}
