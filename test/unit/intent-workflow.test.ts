import { expect } from 'chai';
import { defaultTaxonomy } from '../../nfs/agw/default-taxonomy.ts';
import type { Intent, IntentExpectation, IntentObjectType } from '../../nfs/shared/intent/intent-vocabulary.ts';
import { describeIntent, planWorkflow, WorkflowError, type PlannedTask } from '../../nfs/shared/intent/workflow.ts';
import { compileSchemaCheck } from '../../nfs/shared/schema-validator.ts';

const SUPI = 'imsi-001010000000001';
const TAXONOMY = new Set(defaultTaxonomy.map((entry) => entry.capabilityId));

const expectation = (objectType: IntentObjectType, extra: Partial<IntentExpectation> = {}): IntentExpectation => ({
  expectationId: 'exp-1',
  expectationVerb: 'DELIVER',
  expectationObject: { objectType, objectInstance: SUPI },
  ...extra,
});
const intentOf = (...expectations: IntentExpectation[]): Intent => ({ intentExpectations: expectations });
const requestType = (value: string) => ({ expectationContexts: [{ contextAttribute: 'requestType', contextCondition: 'IS_EQUAL_TO' as const, contextValueRange: [value] }] });

const capabilities = (tasks: PlannedTask[]) => tasks.map((t) => t.capabilityId.replace('/capability/', ''));
const edges = (tasks: PlannedTask[]) =>
  Object.fromEntries(tasks.map((t) => [t.capabilityId.replace('/capability/', ''), t.dependsOn.map((d) => d.split('.').pop())]));

/** Every dependency names an earlier task (so the list is a topological order and there is no cycle). */
function expectDag(tasks: PlannedTask[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    expect(seen.has(task.taskId), `duplicate ${task.taskId}`).to.equal(false);
    for (const dep of task.dependsOn) expect(seen.has(dep), `${task.taskId} depends on later or unknown ${dep}`).to.equal(true);
    expect(TAXONOMY.has(task.capabilityId), task.capabilityId).to.equal(true);
    seen.add(task.taskId);
  }
}

describe('workflow planning', () => {
  const qos: Intent = intentOf(
    expectation('UE_QoS', {
      expectationVerb: 'ENSURE',
      expectationTargets: [
        { targetName: 'latency', targetCondition: 'IS_LESS_THAN', targetValueRange: [20] },
        { targetName: 'downlinkThroughput', targetCondition: 'IS_EQUAL_TO_OR_GREATER_THAN', targetValueRange: [50] },
      ],
      expectationContexts: [
        { contextAttribute: 'serviceType', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['video'] },
        { contextAttribute: 'durationMinutes', contextCondition: 'IS_EQUAL_TO', contextValueRange: [120] },
      ],
    }),
  );

  it('plans a QoS intent as cell load, then QoS optimisation with the targets as parameters', () => {
    const tasks = planWorkflow(qos, { supi: SUPI });
    expect(edges(tasks)).to.deep.equal({ 'cell-load-analytics': [], 'qos-optimisation': ['cell-load-analytics'] });
    expect(tasks[1]).to.deep.include({ taskId: 'exp-1.qos-optimisation', title: 'Guarantee video quality', dependsOn: ['exp-1.cell-load-analytics'] });
    expect(tasks[1].parameters).to.deep.equal({ action: 'apply', latencyMsMax: 20, downlinkMbpsMin: 50, serviceType: 'video', durationMinutes: 120 });
    expect(tasks[0].parameters).to.deep.equal({});
  });

  const shapes: Array<[string, Intent, Record<string, string[]>]> = [
    ['UE_Connectivity', intentOf(expectation('UE_Connectivity')), { location: [], 'cell-load-analytics': [], 'network-diagnosis': ['location', 'cell-load-analytics'] }],
    ['UE_Location', intentOf(expectation('UE_Location')), { location: [] }],
    ['Cell_Load', intentOf(expectation('Cell_Load', requestType('quieter-time'))), { location: [], 'cell-load-analytics': ['location'] }],
    [
      'Home_Broadband_Service fault (seed 004 case 2)',
      intentOf(expectation('Home_Broadband_Service', { expectationVerb: 'ENSURE', ...requestType('fault-repair') })),
      { 'data-preprocessing': [], 'root-cause-analysis': ['data-preprocessing'], 'fault-handling': ['root-cause-analysis'], 'e2e-testing': ['fault-handling'] },
    ],
    ['Home_Broadband_Service line check', intentOf(expectation('Home_Broadband_Service', requestType('line-check'))), { 'broadband-troubleshooting': [] }],
    ['Subscription_Plan', intentOf(expectation('Subscription_Plan', requestType('bill'))), { 'billing-plan': [] }],
    ['UE_Measurement', intentOf(expectation('UE_Measurement')), { 'ue-measurement': [] }],
  ];
  for (const [name, intent, expected] of shapes) {
    it(`plans ${name} as ${Object.keys(expected).join(', ')}, a DAG of taxonomy capabilities`, () => {
      const tasks = planWorkflow(intent, { supi: SUPI });
      expect(edges(tasks)).to.deep.equal(expected);
      expectDag(tasks);
    });
  }

  it('passes each capability the parameters its agent reads: plan change, forecast horizon, symptom, metrics', () => {
    const plan = intentOf(expectation('Subscription_Plan', {
      expectationContexts: [
        { contextAttribute: 'requestType', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['change-plan'] },
        { contextAttribute: 'plan', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['unlimited'] },
      ],
    }));
    expect(planWorkflow(plan)[0]).to.deep.include({ title: 'Change your plan to unlimited', parameters: { action: 'change-plan', plan: 'unlimited' } });
    expect(planWorkflow(intentOf(expectation('Subscription_Plan', requestType('change-plan'))))[0]).to.deep.include({ title: 'List the plans on offer', parameters: { action: 'list-plans' } });
    expect(planWorkflow(intentOf(expectation('Subscription_Plan', requestType('data-allowance'))))[0].parameters).to.deep.equal({ action: 'show-usage' });
    expect(planWorkflow(intentOf(expectation('Subscription_Plan', requestType('plan-info'))))[0].parameters).to.deep.equal({ action: 'show-bill' });
    expect(planWorkflow(intentOf(expectation('Cell_Load', requestType('quieter-time'))))[1].parameters).to.deep.equal({ horizonHours: 24 });
    expect(planWorkflow(intentOf(expectation('Cell_Load', requestType('load-now'))))[1].parameters).to.deep.equal({});
    expect(planWorkflow(intentOf(expectation('Home_Broadband_Service', requestType('line-check'))))[0].parameters).to.deep.equal({ action: 'check' });
    const fault = intentOf(expectation('Home_Broadband_Service', {
      expectationVerb: 'ENSURE',
      expectationContexts: [{ contextAttribute: 'symptom', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['unstable'] }],
    }));
    expect(planWorkflow(fault).map((t) => t.parameters)).to.deep.equal([{ domain: 'broadband', complaint: 'unstable' }, { domain: 'broadband' }, {}, { service: 'broadband' }]);
    const dropping = intentOf(expectation('UE_Connectivity', { expectationContexts: [{ contextAttribute: 'symptom', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['dropping'] }] }));
    expect(planWorkflow(dropping)[2].parameters).to.deep.equal({ symptom: 'dropping' });
    expect(planWorkflow(intentOf(expectation('UE_Measurement')))[0].parameters).to.deep.equal({ metrics: ['signal'] });
  });

  it('chooses the broadband workflow by verb when requestType is absent: ENSURE repairs, DELIVER checks the line', () => {
    expect(capabilities(planWorkflow(intentOf(expectation('Home_Broadband_Service', { expectationVerb: 'ENSURE' }))))).to.have.length(4);
    expect(capabilities(planWorkflow(intentOf(expectation('Home_Broadband_Service'))))).to.deep.equal(['broadband-troubleshooting']);
  });

  it('accepts an operator-defined intent converted on the UE that passes the OpenAPI schema', async () => {
    const check = await compileSchemaCheck('nagent-tip.yaml', 'Intent');
    const fromUe: Intent = {
      id: 'ue-intent-7',
      userLabel: 'gaming boost',
      intentExpectations: [
        { expectationId: 'g1', expectationVerb: 'ENSURE', expectationObject: { objectType: 'UE_QoS' }, expectationTargets: [{ targetName: 'latency', targetCondition: 'IS_EQUAL_TO_OR_LESS_THAN', targetValueRange: [30] }] },
      ],
      intentContexts: [{ contextAttribute: 'serviceType', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['gaming'] }],
    };
    expect(check(fromUe)).to.deep.equal([]);
    const tasks = planWorkflow(fromUe, { supi: SUPI });
    expect(tasks.map((t) => t.taskId)).to.deep.equal(['g1.cell-load-analytics', 'g1.qos-optimisation']);
    expect(tasks[1].parameters).to.deep.equal({ action: 'apply', latencyMsMax: 30, serviceType: 'gaming' });
  });

  it('plans several expectations independently with unique task ids', () => {
    const tasks = planWorkflow(intentOf(expectation('UE_Location', { expectationId: 'a' }), expectation('UE_Connectivity', { expectationId: 'b' })));
    expect(tasks.map((t) => t.taskId)).to.deep.equal(['a.location', 'b.location', 'b.cell-load-analytics', 'b.network-diagnosis']);
    expectDag(tasks);
  });

  it('is deterministic', () => {
    expect(planWorkflow(qos)).to.deep.equal(planWorkflow(structuredClone(qos)));
  });

  describe('refuses with a WorkflowError', () => {
    const refusals: Array<[string, Intent, RegExp]> = [
      ['an operator object', intentOf(expectation('RAN_SubNetwork')), /operator object/],
      ['an edge-service object', intentOf(expectation('EdgeService_Support')), /operator object/],
      ['a verb the object does not take', intentOf(expectation('UE_Location', { expectationVerb: 'ENSURE' })), /cannot be asked with ENSURE/],
      ['an unknown target', intentOf(expectation('UE_QoS', { expectationTargets: [{ targetName: 'jitter', targetCondition: 'IS_LESS_THAN', targetValueRange: [5] }] })), /unknown target "jitter"/],
      ['a target with the wrong condition', intentOf(expectation('UE_QoS', { expectationTargets: [{ targetName: 'latency', targetCondition: 'IS_GREATER_THAN', targetValueRange: [5] }] })), /takes IS_LESS_THAN/],
      ['a negative target', intentOf(expectation('UE_QoS', { expectationTargets: [{ targetName: 'latency', targetCondition: 'IS_LESS_THAN', targetValueRange: [-5] }] })), /latency can be asked from 1 to 1000 ms/],
      ['a boost longer than a day', intentOf(expectation('UE_QoS', { expectationContexts: [{ contextAttribute: 'durationMinutes', contextCondition: 'IS_EQUAL_TO', contextValueRange: [2880] }] })), /from 1 minute to 24 hours/],
      ['targets on an object that takes none', intentOf(expectation('UE_Location', { expectationTargets: [{ targetName: 'latency', targetCondition: 'IS_LESS_THAN', targetValueRange: [5] }] })), /only understood for UE_QoS/],
      ['an unknown context', intentOf(expectation('UE_QoS', { expectationContexts: [{ contextAttribute: 'colour', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['red'] }] })), /unknown context "colour"/],
      ['an unknown service', intentOf(expectation('UE_QoS', { expectationContexts: [{ contextAttribute: 'serviceType', contextCondition: 'IS_EQUAL_TO', contextValueRange: ['torrent'] }] })), /"torrent" is not one of/],
      ['a requestType of another object', intentOf(expectation('Cell_Load', requestType('change-plan'))), /does not apply to Cell_Load/],
      ['no expectations', { intentExpectations: [] }, /no expectations/],
      ['too many expectations', intentOf(...['a', 'b', 'c', 'd', 'e'].map((id) => expectation('UE_Location', { expectationId: id }))), /at most 4/],
      ['a repeated expectationId', intentOf(expectation('UE_Location'), expectation('UE_Measurement')), /used twice/],
      ['an expectation about another UE', intentOf(expectation('UE_Location', { expectationObject: { objectType: 'UE_Location', objectInstance: 'imsi-001019999999999' } })), /not the requesting UE/],
    ];
    it('keeps the reason apart from the expectation it is about', () => {
      try {
        planWorkflow(intentOf(expectation('RAN_SubNetwork', { expectationId: 'x9' })));
        expect.fail('expected a WorkflowError');
      } catch (error) {
        expect(error).to.be.instanceOf(WorkflowError).and.to.deep.include({ expectationId: 'x9', reason: 'RAN_SubNetwork is an operator object a UE cannot ask for' });
        expect((error as Error).message).to.equal('expectation x9: RAN_SubNetwork is an operator object a UE cannot ask for');
      }
    });

    for (const [name, intent, message] of refusals) {
      it(name, () => {
        expect(() => planWorkflow(intent, { supi: SUPI })).to.throw(WorkflowError, message);
      });
    }
  });

  describe('describeIntent', () => {
    it('renders an intent on one line with verb, object, targets and contexts', () => {
      expect(describeIntent(qos)).to.equal(
        `ENSURE UE_QoS of ${SUPI}: latency < 20 ms, downlinkThroughput >= 50 Mbps; serviceType = video, durationMinutes = 120`,
      );
    });

    it('joins several expectations and shows intent-wide contexts and list conditions', () => {
      const intent: Intent = {
        intentExpectations: [
          { expectationId: 'a', expectationVerb: 'DELIVER', expectationObject: { objectType: 'UE_Location' } },
          { expectationId: 'b', expectationVerb: 'DELIVER', expectationObject: { objectType: 'UE_Measurement' }, expectationContexts: [{ contextAttribute: 'metrics', contextCondition: 'IS_ALL_OF', contextValueRange: ['signal', 'battery'] }] },
        ],
        intentContexts: [{ contextAttribute: 'timeWindow', contextCondition: 'IS_WITHIN_RANGE', contextValueRange: [8, 10] }],
      };
      expect(describeIntent(intent)).to.equal('DELIVER UE_Location | DELIVER UE_Measurement: metrics all of signal, battery [timeWindow within [8, 10]]');
    });
  });
});
