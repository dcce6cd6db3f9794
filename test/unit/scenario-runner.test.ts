import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenario, ScenarioError, supiAt, type Scenario } from '../../ue-sim/scenario-file.ts';
import { percentiles, runScenario, type IntentOutcome, type ScenarioUe } from '../../ue-sim/scenario-runner.ts';

const answer = (outcome: IntentOutcome['outcome'], capabilities: string[] = []): IntentOutcome => ({
  intentId: '00000000-0000-0000-0000-000000000000',
  outcome,
  result: `${outcome} answer`,
  tasks: capabilities.map((capability, i) => ({ taskId: `t${i}`, capability, state: 'completed', dependsOn: [], attempts: 1 })),
  timings: {},
});

function fakeUe(supi: string, reply: (text: string) => IntentOutcome, log: string[]): ScenarioUe {
  return {
    supi,
    register: async () => ({ aic: `AIC-${supi}` }),
    sendIntent: async (text) => {
      log.push(`${supi}:${text}`);
      return reply(text);
    },
    deregister: async () => {},
  };
}

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  name: 'unit',
  ues: { count: 2, firstSupi: 'imsi-001010000000001' },
  arrivalRate: 1000,
  intents: [
    { text: 'boost', expect: { outcome: 'completed', capabilities: ['/capability/qos-optimisation'] } },
    { text: 'hack', expect: { outcome: 'rejected' } },
  ],
  ...overrides,
});

describe('scenario runner', () => {
  it('sends every intent once per UE in order and passes when every answer is as expected', async () => {
    const log: string[] = [];
    const report = await runScenario({
      scenario: scenario(),
      createUe: (supi) => fakeUe(supi, (text) => (text === 'boost' ? answer('completed', ['/capability/qos-optimisation']) : answer('rejected')), log),
    });
    expect(report.passed).to.equal(true);
    expect(report.intents).to.include({ sent: 4, asExpected: 4, successRate: 1 });
    expect(log.filter((line) => line.startsWith('imsi-001010000000002'))).to.deep.equal(['imsi-001010000000002:boost', 'imsi-001010000000002:hack']);
  });

  it('fails the run and names the mismatch when a capability did not run', async () => {
    const report = await runScenario({ scenario: scenario(), createUe: (supi) => fakeUe(supi, (text) => (text === 'boost' ? answer('completed', ['/capability/location']) : answer('rejected')), []) });
    expect(report.passed).to.equal(false);
    expect(report.failures[0].got).to.contain('/capability/qos-optimisation');
  });

  it('counts UEs that failed to register and does not pass', async () => {
    const report = await runScenario({
      scenario: scenario(),
      createUe: (supi) => ({ ...fakeUe(supi, () => answer('completed', ['/capability/qos-optimisation']), []), register: async () => { throw new Error('RegistrationReject #3'); } }),
    });
    expect(report.ues).to.include({ registered: 0, failed: 2 });
    expect(report.passed).to.equal(false);
  });

  it('in a load run sends arrivalRate x duration intents spread over the UEs', async () => {
    const log: string[] = [];
    const report = await runScenario({ scenario: scenario({ duration: 0.02, arrivalRate: 500 }), createUe: (supi) => fakeUe(supi, () => answer('completed', ['/capability/qos-optimisation']), log) });
    expect(log).to.have.length(10);
    expect(report.intents.sent).to.equal(10);
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentiles([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).to.deep.equal({ p50: 5, p90: 9, p99: 10, max: 10 });
  });

  it('numbers SUPIs from the first one, keeping its width', () => {
    expect(supiAt(scenario(), 41)).to.equal('imsi-001010000000042');
  });

  it('reads the shipped scenarios by name', async () => {
    expect((await readScenario('default')).ues.count).to.equal(1);
    expect((await readScenario('load-1000-ues')).ues.count).to.equal(1000);
  });

  it('refuses a scenario file with a clear message naming the bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmsc-scenario-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nues: { count: 0, firstSupi: imsi-001010000000001 }\narrivalRate: 1\nintents: [{ text: hi, expect: { outcome: maybe } }]\nextra: 1\n');
    try {
      await readScenario(file);
      expect.fail('expected a ScenarioError');
    } catch (error) {
      expect(error).to.be.instanceOf(ScenarioError);
      expect((error as Error).message).to.match(/\/ues\/count/).and.match(/extra/).and.match(/\/intents\/0\/expect\/outcome/);
    }
  });
});
