/**
 * Workflow generation (seed 000, mobile deployment: "Based on the analyzed intent, a subsequent
 * workflow is generated"; MACP: decomposition into sub-tasks with the capabilities they need is
 * application logic, TIP then coordinates the tasks). Each TS 28.312 expectation becomes a small
 * fixed chain of tasks chosen by its objectType (and verb / requestType), so the same intent
 * always gives the same tasks, ids and order. An intent outside the vocabulary is refused with a
 * WorkflowError rather than guessed at.
 */
import { readExpectationParameters, WorkflowError, type ExpectationParameters } from './intent-parameters.ts';
import type { Intent, IntentExpectation, IntentObjectType } from './intent-vocabulary.ts';

export { describeIntent } from './describe-intent.ts';
export { WorkflowError } from './intent-parameters.ts';

export type PlannedTask = {
  taskId: string;
  capabilityId: string;
  title: string;
  dependsOn: string[];
  parameters: Record<string, unknown>;
};

export interface PlanOptions {
  /** The UE asking: an expectation about another UE (objectInstance) is refused. */
  supi?: string;
  /** Most expectations one intent may carry (default 4). */
  maxExpectations?: number;
}

/** One step of a template: a capability of the AGW taxonomy and the steps it waits for. */
interface Step {
  capability: string;
  after?: string[];
  title: (p: ExpectationParameters, e: IntentExpectation) => string;
  parameters?: (p: ExpectationParameters, e: IntentExpectation) => Record<string, unknown>;
}

const CAPABILITY_PREFIX = '/capability/';

// requestType -> the billing agent's action. The current plan is part of the bill; a change
// without a plan named lists the plans on offer instead of failing for want of one.
function billingAction(p: ExpectationParameters): string {
  if (p.requestType === 'change-plan') return p.plan ? 'change-plan' : 'list-plans';
  return p.requestType === 'data-allowance' ? 'show-usage' : 'show-bill';
}
const BILLING_TITLES: Record<string, string> = {
  'show-bill': 'Look up your bill and plan',
  'show-usage': 'Look up your data usage',
  'change-plan': 'Change your plan',
  'list-plans': 'List the plans on offer',
};
const EXPECTATION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Drops undefined values so parameters carry only what the intent said. */
const defined = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

// Without a cellId the cell-load agent analyses the UE's serving cell.
const CELL_LOAD_OF_SERVING_CELL: Step = { capability: 'cell-load-analytics', title: () => 'Read the load of your serving cell' };
const LOCATE: Step = { capability: 'location', title: () => 'Find your serving cell and position' };

// Templates by objectType. Why these steps:
// - UE_QoS: the load of the UE's cell decides what boost is possible, so it is read first.
// - UE_Connectivity: position and cell load are independent inputs to the diagnosis.
// - Cell_Load: the analytics need the serving cell, which location gives.
// - Home_Broadband_Service (fault): seed 004 case 2 phases 1-4, pre-processing -> root cause ->
//   fault handling -> end-to-end validation, each needing the previous one's result. Phase 3's
//   engineer dispatch when automatic repair fails is left to the fault-handling agent's answer.
// - Home_Broadband_Service (line check): the one broadband-troubleshooting call.
const TEMPLATES: Record<string, Step[]> = {
  UE_QoS: [
    CELL_LOAD_OF_SERVING_CELL,
    {
      capability: 'qos-optimisation',
      after: ['cell-load-analytics'],
      title: (p, e) => `${e.expectationVerb === 'ENSURE' ? 'Guarantee' : 'Boost'} ${p.serviceType ? `${p.serviceType} ` : ''}quality`,
      parameters: (p) =>
        defined({
          action: 'apply', latencyMsMax: p.latencyMsMax, downlinkMbpsMin: p.downlinkMbpsMin, uplinkMbpsMin: p.uplinkMbpsMin,
          serviceType: p.serviceType, durationMinutes: p.durationMinutes,
        }),
    },
  ],
  UE_Connectivity: [
    LOCATE,
    CELL_LOAD_OF_SERVING_CELL,
    { capability: 'network-diagnosis', after: ['location', 'cell-load-analytics'], title: () => 'Diagnose your mobile connection', parameters: (p) => defined({ symptom: p.symptom }) },
  ],
  UE_Location: [LOCATE],
  Cell_Load: [
    LOCATE,
    {
      capability: 'cell-load-analytics',
      after: ['location'],
      title: (p) => (p.requestType === 'quieter-time' ? 'Forecast when your cell is quieter' : 'Measure how busy your cell is'),
      // The agent always reports the load now and a forecast; a day ahead answers "when is it quieter".
      parameters: (p) => (p.requestType === 'quieter-time' ? { horizonHours: 24 } : {}),
    },
  ],
  'Home_Broadband_Service/fault-repair': [
    { capability: 'data-preprocessing', title: () => 'Collect device, alarm and line data', parameters: (p) => defined({ domain: 'broadband', complaint: p.symptom }) },
    { capability: 'root-cause-analysis', after: ['data-preprocessing'], title: () => 'Find the root cause of the fault', parameters: () => ({ domain: 'broadband' }) },
    // The fault comes from the root-cause result (the task's inputs), not from parameters.
    { capability: 'fault-handling', after: ['root-cause-analysis'], title: () => 'Repair the fault' },
    { capability: 'e2e-testing', after: ['fault-handling'], title: () => 'Test the service end to end', parameters: () => ({ service: 'broadband' }) },
  ],
  'Home_Broadband_Service/line-check': [
    { capability: 'broadband-troubleshooting', title: () => 'Check your broadband line', parameters: () => ({ action: 'check' }) },
  ],
  Subscription_Plan: [
    {
      capability: 'billing-plan',
      title: (p) => BILLING_TITLES[billingAction(p)] + (p.plan && billingAction(p) === 'change-plan' ? ` to ${p.plan}` : ''),
      parameters: (p) => defined({ action: billingAction(p), plan: billingAction(p) === 'change-plan' ? p.plan : undefined }),
    },
  ],
  UE_Measurement: [
    { capability: 'ue-measurement', title: (p) => `Measure ${(p.metrics ?? ['signal']).join(' and ')} on your phone`, parameters: (p) => ({ metrics: p.metrics ?? ['signal'] }) },
  ],
};

// TS 28.312 verbs each object accepts: DELIVER asks for an action or an answer, ENSURE for a state
// to be assured (a QoS level, a working broadband service).
const VERBS: Partial<Record<IntentObjectType, readonly string[]>> = {
  UE_QoS: ['DELIVER', 'ENSURE'],
  UE_Connectivity: ['DELIVER'],
  UE_Location: ['DELIVER'],
  Cell_Load: ['DELIVER'],
  Home_Broadband_Service: ['DELIVER', 'ENSURE'],
  Subscription_Plan: ['DELIVER'],
  UE_Measurement: ['DELIVER'],
};

/** The template of an expectation. A broadband intent without requestType: ENSURE (restore it) is a fault repair, DELIVER a line check. */
function templateFor(expectation: IntentExpectation, p: ExpectationParameters): Step[] {
  const { objectType } = expectation.expectationObject;
  const verbs = VERBS[objectType];
  if (!verbs) throw new WorkflowError(`${objectType} is an operator object a UE cannot ask for`, expectation.expectationId);
  if (!verbs.includes(expectation.expectationVerb)) {
    throw new WorkflowError(`${objectType} cannot be asked with ${expectation.expectationVerb} (use ${verbs.join(' or ')})`, expectation.expectationId);
  }
  if (objectType === 'Home_Broadband_Service') {
    const mode = p.requestType ?? (expectation.expectationVerb === 'ENSURE' ? 'fault-repair' : 'line-check');
    return TEMPLATES[`${objectType}/${mode}`];
  }
  return TEMPLATES[objectType];
}

/** Plans the tasks of an operator-defined intent: ids `<expectationId>.<capability>`, in dependency order. */
export function planWorkflow(intent: Intent, options: PlanOptions = {}): PlannedTask[] {
  const { supi, maxExpectations = 4 } = options;
  const expectations = intent.intentExpectations ?? [];
  if (!expectations.length) throw new WorkflowError('the intent has no expectations');
  if (expectations.length > maxExpectations) {
    throw new WorkflowError(`the intent has ${expectations.length} expectations; at most ${maxExpectations} are accepted`);
  }
  const seen = new Set<string>();
  const tasks: PlannedTask[] = [];
  for (const expectation of expectations) {
    const id = expectation.expectationId;
    if (!EXPECTATION_ID.test(id)) throw new WorkflowError(`expectationId ${JSON.stringify(id)} is not a short identifier`);
    if (seen.has(id)) throw new WorkflowError(`expectationId ${id} is used twice`);
    seen.add(id);
    const instance = expectation.expectationObject.objectInstance;
    if (supi !== undefined && instance !== undefined && instance !== supi) {
      throw new WorkflowError(`it is about ${instance}, not the requesting UE`, id);
    }
    const parameters = readExpectationParameters(expectation, intent.intentContexts);
    for (const step of templateFor(expectation, parameters)) {
      tasks.push({
        taskId: `${id}.${step.capability}`,
        capabilityId: `${CAPABILITY_PREFIX}${step.capability}`,
        title: step.title(parameters, expectation),
        dependsOn: (step.after ?? []).map((capability) => `${id}.${capability}`),
        parameters: step.parameters?.(parameters, expectation) ?? {},
      });
    }
  }
  return tasks;
}

