/**
 * Reads the targets and contexts of one TS 28.312 expectation (clause 6.2.1.2) into the flat
 * parameters a capability is invoked with ({ latencyMsMax: 20, serviceType: 'video', ... }),
 * refusing anything outside intent-vocabulary.ts. An operator-defined intent may come from a UE
 * that converted it itself; the OpenAPI schema checked its shape, this checks its meaning.
 */
import {
  CONTEXTS, REQUEST_TYPES, TARGETS, type IntentContext, type IntentExpectation,
} from './intent-vocabulary.ts';

/** Raised for an intent that cannot be turned into a workflow; the message says why, for the user. */
export class WorkflowError extends Error {
  /** The reason alone, without the expectation it is about: fit to show a user. */
  readonly reason: string;
  readonly expectationId?: string;
  constructor(reason: string, expectationId?: string) {
    super(expectationId === undefined ? reason : `expectation ${expectationId}: ${reason}`);
    this.name = 'WorkflowError';
    this.reason = reason;
    this.expectationId = expectationId;
  }
}

export interface ExpectationParameters {
  latencyMsMax?: number;
  downlinkMbpsMin?: number;
  uplinkMbpsMin?: number;
  serviceType?: string;
  durationMinutes?: number;
  requestType?: string;
  symptom?: string;
  plan?: string;
  metrics?: string[];
}

const list = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

function readTargets(expectation: IntentExpectation, into: ExpectationParameters): void {
  const { expectationId: id, expectationTargets: targets = [] } = expectation;
  if (targets.length && expectation.expectationObject.objectType !== 'UE_QoS') {
    throw new WorkflowError(`targets are only understood for UE_QoS, not ${expectation.expectationObject.objectType}`, id);
  }
  for (const t of targets) {
    const spec = Object.hasOwn(TARGETS, t.targetName) ? TARGETS[t.targetName] : undefined;
    if (!spec) throw new WorkflowError(`unknown target ${JSON.stringify(t.targetName)} (known: ${Object.keys(TARGETS).join(', ')})`, id);
    if (!spec.conditions.includes(t.targetCondition)) {
      throw new WorkflowError(`target ${t.targetName} takes ${spec.conditions.join(' or ')}, not ${t.targetCondition}`, id);
    }
    const [value] = t.targetValueRange;
    if (t.targetValueRange.length !== 1 || typeof value !== 'number' || !(value >= spec.min) || value > spec.max) {
      throw new WorkflowError(`${t.targetName} can be asked from ${spec.min} to ${spec.max} ${spec.unit}`, id);
    }
    into[spec.parameter] = value;
  }
}

function readContext(id: string, c: IntentContext, into: ExpectationParameters): void {
  const spec = Object.hasOwn(CONTEXTS, c.contextAttribute) ? CONTEXTS[c.contextAttribute] : undefined;
  if (!spec) throw new WorkflowError(`unknown context ${JSON.stringify(c.contextAttribute)} (known: ${Object.keys(CONTEXTS).join(', ')})`, id);
  if (!spec.conditions.includes(c.contextCondition)) {
    throw new WorkflowError(`context ${c.contextAttribute} takes ${spec.conditions.join(' or ')}, not ${c.contextCondition}`, id);
  }
  const values = c.contextValueRange;
  if (!values.length || (!spec.list && values.length !== 1)) {
    throw new WorkflowError(`context ${c.contextAttribute} needs ${spec.list ? 'at least one value' : 'exactly one value'}`, id);
  }
  if (spec.max !== undefined) {
    const [n] = values;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > spec.max) {
      throw new WorkflowError(spec.range ?? `context ${c.contextAttribute} needs a whole number from 1 to ${spec.max}`, id);
    }
    (into as Record<string, unknown>)[c.contextAttribute] = n;
    return;
  }
  const bad = values.filter((v) => typeof v !== 'string' || (spec.values ? !spec.values.includes(v) : !spec.pattern?.test(v)));
  if (bad.length) {
    const allowed = spec.values ? `one of ${list(spec.values)}` : 'a short name';
    throw new WorkflowError(`context ${c.contextAttribute} value ${list(bad)} is not ${allowed}`, id);
  }
  (into as Record<string, unknown>)[c.contextAttribute] = spec.list ? [...new Set(values as string[])] : values[0];
}

/**
 * The parameters of one expectation. Contexts are read widest first (intent, object, expectation)
 * so the most specific one wins when an attribute is given twice.
 */
export function readExpectationParameters(expectation: IntentExpectation, intentContexts: readonly IntentContext[] = []): ExpectationParameters {
  const id = expectation.expectationId;
  const objectType = expectation.expectationObject.objectType;
  const parameters: ExpectationParameters = {};
  readTargets(expectation, parameters);
  const contexts = [...intentContexts, ...(expectation.expectationObject.objectContexts ?? []), ...(expectation.expectationContexts ?? [])];
  for (const c of contexts) readContext(id, c, parameters);
  if (parameters.requestType !== undefined && !(REQUEST_TYPES[objectType] ?? []).includes(parameters.requestType)) {
    const allowed = REQUEST_TYPES[objectType];
    throw new WorkflowError(
      `requestType ${JSON.stringify(parameters.requestType)} does not apply to ${objectType}` + (allowed ? ` (use ${list(allowed)})` : ''),
      id,
    );
  }
  if (parameters.plan !== undefined && objectType !== 'Subscription_Plan') {
    throw new WorkflowError(`a plan name only applies to Subscription_Plan`, id);
  }
  return parameters;
}
