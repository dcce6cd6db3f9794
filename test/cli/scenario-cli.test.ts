/** `dmsc up --scenario` and `dmsc scenario run` as a user runs them: real processes, bounded waits. */
import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { described, everyPortFree, killStartedDmsc, runDmsc, startDmsc, waitForStdout } from '../support/dmsc-process.ts';

describe('dmsc up --scenario and dmsc scenario run', function () {
  this.timeout(60_000);
  afterEach(killStartedDmsc);

  it('dmsc up --scenario default --exit prints each step and exits 0 when every expectation held', async () => {
    const run = await runDmsc(['up', ...everyPortFree, '--scenario', 'default', '--exit'], 55_000);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/registered with the AMF .* its agent's AIC is 1\.2\.156\.3088\./);
    expect(run.stdout).to.contain('operator-defined intent: DELIVER UE_QoS of imsi-001010000000001');
    expect(run.stdout).to.match(/\/capability\/root-cause-analysis\s+by rca-agent/);
    expect(run.stdout).to.contain('scenario default: every expectation held');
  });

  it('dmsc up --scenario default --oauth --exit: the UEs reach the AMF, and their agents the SMF and AMC, at the addresses they are given, without an NRF token', async () => {
    const run = await runDmsc(['up', ...everyPortFree, '--oauth', '--scenario', 'default', '--exit'], 55_000);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.match(/registered with the AMF .* its agent's AIC is 1\.2\.156\.3088\./);
    // The diagnosis agent's session to the UE's agent, whose check of it asks the SMF and the AMC.
    expect(run.stdout).to.match(/Your phone measured RSRP -?[0-9.]+ dBm/);
    expect(run.stdout).to.contain('scenario default: every expectation held');
  });

  it('dmsc up --scenario --json prints JSON lines alone on stdout, and the closing hint names this core\'s NRF when it is not the default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmsc-scenario-'));
    const file = join(dir, 'one.yaml');
    await writeFile(file, 'name: one\nues: { count: 1, firstSupi: imsi-001010000003600 }\narrivalRate: 5\nintents:\n  - text: where am I?\n    expect: { outcome: completed }\n');
    const run = await runDmsc(['up', ...everyPortFree, '--scenario', file, '--json', '--exit'], 55_000);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.length).to.be.greaterThan(1);
    for (const line of lines) expect(() => JSON.parse(line), line).to.not.throw();
    expect(run.stderr).to.contain('running scenario one');

    const staying = startDmsc(['up', ...everyPortFree, '--scenario', file]);
    const [, nrf] = await waitForStdout(staying, /^nrf\s+NRF\s+(http:\/\/127\.0\.0\.1:\d+)/m, 30_000);
    const [hint] = await waitForStdout(staying, /The core stays up; try: .*/, 30_000);
    expect(hint, described(staying)).to.contain(`npx dmsc ue intent "where am I" --nrf ${nrf}`);
  });

  it('dmsc up --scenario exits 1 when an expectation fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmsc-scenario-'));
    const file = join(dir, 'wrong.yaml');
    await writeFile(file, 'name: wrong\nues: { count: 1, firstSupi: imsi-001010000003500 }\narrivalRate: 5\nintents:\n  - text: where am I?\n    expect: { outcome: rejected }\n');
    const run = await runDmsc(['up', ...everyPortFree, '--scenario', file, '--exit'], 55_000);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('expectations FAILED');
  });

  it('dmsc scenario run exits 2 naming the address when --nrf is not a URI or nothing answers there, rather than report every expectation failed', async () => {
    const malformed = await runDmsc(['scenario', 'run', 'default', '--nrf', 'nope'], 20_000);
    expect([malformed.code, malformed.stdout]).to.deep.equal([2, '']);
    expect(malformed.stderr).to.contain('--nrf: nope is not an http(s) URI');
    const silent = await runDmsc(['scenario', 'run', 'default', '--nrf', 'http://127.0.0.1:9'], 20_000);
    expect([silent.code, silent.stdout]).to.deep.equal([2, '']);
    expect(silent.stderr).to.contain('cannot reach the NRF at http://127.0.0.1:9');
  });

  it('refuses a scenario that does not exist, and --exit without --scenario, with exit 2 before starting anything', async () => {
    const missing = await runDmsc(['scenario', 'run', '/nonexistent/scenario.yaml'], 20_000);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('/nonexistent/scenario.yaml');
    const lonely = await runDmsc(['up', ...everyPortFree, '--exit'], 20_000);
    expect(lonely.code).to.equal(2);
    expect(lonely.stderr).to.contain('--exit goes with --scenario');
    expect(lonely.stdout).to.equal('');
  });
});
