/**
 * The words an operator-defined intent may use here: the target and context names of our TS 28.312
 * subset (clause 6.2.1.2 IntentExpectation, expectationTargets and expectationContexts), their
 * units, accepted conditions and values. The offline engine writes intents in this vocabulary, the
 * chat-completions engine tells the model about it, and the workflow planner refuses anything
 * outside it, so an intent converted on a UE (seed 000, "two-stage intent analysis", stage 1)
 * means the same as one comprehended in the core.
 */
import type { components } from '../../../openapi/generated/nagent-tip.ts';

export type Intent = components['schemas']['Intent'];
export type IntentExpectation = components['schemas']['IntentExpectation'];
export type ExpectationTarget = components['schemas']['ExpectationTarget'];
export type IntentContext = components['schemas']['Context'];
export type Condition = components['schemas']['Condition'];
export type IntentObjectType = components['schemas']['IntentObjectType'];
export type ExpectationVerb = IntentExpectation['expectationVerb'];

export interface TargetSpec {
  /** Unit of the number in targetValueRange, for people and prompts. */
  unit: string;
  /** Parameter name handed to the capability (a bound, so the unit is in the name). */
  parameter: 'latencyMsMax' | 'downlinkMbpsMin' | 'uplinkMbpsMin';
  conditions: readonly Condition[];
  /** Accepted range, as the capability agents accept it (nfs/agent-nf/capabilities/qos-optimisation.ts). */
  min: number;
  max: number;
}

/** Targets of a UE_QoS expectation: an upper bound on latency, lower bounds on throughput. */
export const TARGETS: Readonly<Record<string, TargetSpec>> = Object.freeze({
  latency: { unit: 'ms', parameter: 'latencyMsMax', conditions: ['IS_LESS_THAN', 'IS_EQUAL_TO_OR_LESS_THAN'], min: 1, max: 1000 },
  downlinkThroughput: { unit: 'Mbps', parameter: 'downlinkMbpsMin', conditions: ['IS_GREATER_THAN', 'IS_EQUAL_TO_OR_GREATER_THAN'], min: 0.1, max: 1000 },
  uplinkThroughput: { unit: 'Mbps', parameter: 'uplinkMbpsMin', conditions: ['IS_GREATER_THAN', 'IS_EQUAL_TO_OR_GREATER_THAN'], min: 0.1, max: 1000 },
});

export const SERVICE_TYPES = ['video', 'gaming', 'call'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const SYMPTOMS = ['slow', 'dropping', 'no-signal', 'unstable', 'no-connection'] as const;
export const METRICS = ['signal', 'throughput', 'latency', 'battery'] as const;

/** What is asked of an object, where the verb alone does not say it (contextAttribute requestType). */
export const REQUEST_TYPES: Readonly<Partial<Record<IntentObjectType, readonly string[]>>> = Object.freeze({
  Cell_Load: ['load-now', 'quieter-time'],
  Home_Broadband_Service: ['fault-repair', 'line-check'],
  Subscription_Plan: ['bill', 'plan-info', 'data-allowance', 'change-plan'],
});

/** One day: the longest time window a QoS boost may ask for (as the QoS agent accepts). */
export const MAX_DURATION_MINUTES = 24 * 60;

export interface ContextSpec {
  conditions: readonly Condition[];
  /** Allowed string values; a number context has none and a bound in `max`. */
  values?: readonly string[];
  max?: number;
  /** Several values allowed (IS_ALL_OF / IS_ONE_OF). */
  list?: boolean;
  /** Free text checked by this pattern (a plan name). */
  pattern?: RegExp;
  /** How to say the accepted range to a user, for a number context. */
  range?: string;
}

export const CONTEXTS: Readonly<Record<string, ContextSpec>> = Object.freeze({
  serviceType: { conditions: ['IS_EQUAL_TO'], values: SERVICE_TYPES },
  durationMinutes: { conditions: ['IS_EQUAL_TO', 'IS_EQUAL_TO_OR_LESS_THAN'], max: MAX_DURATION_MINUTES, range: 'a boost can last from 1 minute to 24 hours' },
  requestType: { conditions: ['IS_EQUAL_TO'], values: [...new Set(Object.values(REQUEST_TYPES).flat())] },
  symptom: { conditions: ['IS_EQUAL_TO'], values: SYMPTOMS },
  plan: { conditions: ['IS_EQUAL_TO'], pattern: /^[a-z0-9][a-z0-9 +-]{0,39}$/i },
  metrics: { conditions: ['IS_ALL_OF', 'IS_EQUAL_TO', 'IS_ONE_OF'], values: METRICS, list: true },
});

/** The UE-level object types this core can plan; RAN_SubNetwork and EdgeService_Support are operator objects. */
export const UE_OBJECT_TYPES: readonly IntentObjectType[] = [
  'UE_QoS', 'UE_Connectivity', 'UE_Location', 'Cell_Load', 'Home_Broadband_Service', 'Subscription_Plan', 'UE_Measurement',
];

export const target = (targetName: string, targetCondition: Condition, value: number): ExpectationTarget => ({
  targetName,
  targetCondition,
  targetValueRange: [value],
});

export const context = (contextAttribute: string, contextValueRange: Array<string | number>, contextCondition: Condition = 'IS_EQUAL_TO'): IntentContext => ({
  contextAttribute,
  contextCondition,
  contextValueRange,
});
