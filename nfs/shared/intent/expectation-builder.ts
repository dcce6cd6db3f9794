/**
 * Turns a recognised intent kind plus the facts of the text into one TS 28.312 IntentExpectation
 * (clause 6.2.1.2: verb, object, targets, contexts) in the vocabulary of intent-vocabulary.ts, and
 * a short phrase of what was understood ("boost video quality for 2 hours") for the user.
 */
import type { IntentKind } from './intent-catalogue.ts';
import type { TextAnalysis } from './text-analysis.ts';
import {
  asksForGuarantee, readBounds, readCellLoadQuestion, readDuration, readMetrics, readPlanRequest, readServiceType, readSymptom, type Bound,
} from './text-facts.ts';
import { TARGETS, context, target, type IntentContext, type IntentExpectation } from './intent-vocabulary.ts';

export interface BuiltExpectation {
  expectation: IntentExpectation;
  summary: string;
}

/** 120 -> "2 hours", 90 -> "90 minutes", 1440 -> "1 day". */
export function formatDuration(minutes: number): string {
  const [amount, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

const BOUND_WORDS: Record<string, string> = {
  IS_LESS_THAN: 'under', IS_EQUAL_TO_OR_LESS_THAN: 'at most', IS_GREATER_THAN: 'over', IS_EQUAL_TO_OR_GREATER_THAN: 'at least',
};

function describeBound(bound: Bound): string {
  const words = `${BOUND_WORDS[bound.condition]} ${bound.value} ${TARGETS[bound.targetName].unit}`;
  if (bound.targetName === 'latency') return `latency ${words}`;
  return `${words} ${bound.targetName === 'uplinkThroughput' ? 'uplink' : 'downlink'}`;
}

const SYMPTOM_PHRASES: Record<string, string> = {
  slow: 'your slow mobile connection',
  dropping: 'why your mobile connection keeps dropping',
  'no-signal': 'why you have no mobile signal',
  unstable: 'your unstable mobile connection',
  'no-connection': 'why your mobile connection is not working',
};

const PLAN_PHRASES: Record<string, string> = {
  bill: 'show your latest bill',
  'plan-info': 'show your current plan',
  'data-allowance': 'check your remaining data allowance',
  'change-plan': 'change your plan',
};

function qosBoost(analysis: TextAnalysis): Omit<IntentExpectation, 'expectationId' | 'expectationObject'> & { summary: string } {
  const bounds = readBounds(analysis);
  const duration = readDuration(analysis);
  const service = readServiceType(analysis);
  // Explicit figures or "guarantee/keep" ask for an assured state (ENSURE); otherwise a one-off boost.
  const ensure = bounds.length > 0 || asksForGuarantee(analysis);
  const contexts: IntentContext[] = [];
  if (service) contexts.push(context('serviceType', [service]));
  if (duration !== undefined) contexts.push(context('durationMinutes', [duration]));
  const parts = [`${ensure ? 'guarantee' : 'boost'} ${service ? `${service} ` : ''}quality`];
  if (bounds.length) parts.push(`with ${bounds.map(describeBound).join(' and ')}`);
  if (duration !== undefined) parts.push(`for ${formatDuration(duration)}`);
  return {
    expectationVerb: ensure ? 'ENSURE' : 'DELIVER',
    ...(bounds.length ? { expectationTargets: bounds.map((b) => target(b.targetName, b.condition, b.value)) } : {}),
    ...(contexts.length ? { expectationContexts: contexts } : {}),
    summary: parts.join(' '),
  };
}

/** Reads what the kind needs from the text and returns the expectation and its summary. */
export function buildExpectation(kind: IntentKind, analysis: TextAnalysis, supi: string, expectationId = 'exp-1'): BuiltExpectation {
  const expectationObject = { objectType: kind.objectType, objectInstance: supi };
  const make = (summary: string, contexts: IntentContext[] = []): BuiltExpectation => ({
    expectation: {
      expectationId,
      expectationVerb: kind.verb,
      expectationObject,
      ...(contexts.length ? { expectationContexts: contexts } : {}),
    },
    summary,
  });
  switch (kind.id) {
    case 'qos-boost': {
      const { summary, ...rest } = qosBoost(analysis);
      return { expectation: { expectationId, expectationObject, ...rest }, summary };
    }
    case 'mobile-diagnosis': {
      const symptom = readSymptom(analysis);
      return make(`diagnose ${symptom ? SYMPTOM_PHRASES[symptom] : 'your mobile connection'}`, symptom ? [context('symptom', [symptom])] : []);
    }
    case 'location':
      return make('find where you are');
    case 'cell-load': {
      const question = readCellLoadQuestion(analysis);
      return make(question === 'quieter-time' ? 'find when your cell is quieter' : 'check how busy your cell is', [context('requestType', [question])]);
    }
    case 'broadband-fault': {
      const symptom = readSymptom(analysis);
      const contexts = [context('requestType', ['fault-repair'])];
      if (symptom && symptom !== 'no-signal') contexts.push(context('symptom', [symptom]));
      return make('diagnose and fix your home broadband', contexts);
    }
    case 'broadband-line-check':
      return make('check your broadband line', [context('requestType', ['line-check'])]);
    case 'plan': {
      const { requestType, plan } = readPlanRequest(analysis);
      const contexts = [context('requestType', [requestType])];
      if (plan) contexts.push(context('plan', [plan]));
      return make(plan ? `change your plan to ${plan}` : PLAN_PHRASES[requestType], contexts);
    }
    case 'measurement': {
      const metrics = readMetrics(analysis);
      return make(`measure ${metrics.join(' and ')} on your phone`, [context('metrics', metrics, 'IS_ALL_OF')]);
    }
  }
}
