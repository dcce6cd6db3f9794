/** `dmsc up --scenario` and `dmsc scenario run` as a user runs them: real processes, bounded waits. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dmscJs = fileURLToPath(new URL('../../bin/dmsc.js', import.meta.url));
const everyPortFree = ['--ports', 'nrf=0,amc=0,agw=0,smf=0,capability-agents=0,intent-agent=0,amf=0'];

function runDmsc(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of ['HOST', 'ADVERTISE_HOST', 'NRF_URI', 'DATA_DIR', 'MONGODB_URI', 'LOG_LEVEL', 'OAUTH', 'PORT', 'DMSC_CONFIG']) delete env[name];
  const child = spawn(process.execPath, [dmscJs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('dmsc up --scenario and dmsc scenario run', function () {
  this.timeout(60_000);

  it('dmsc up --scenario default --exit prints each step and exits 0 when every expectation held', async () => {
    const run = await runDmsc(['up', ...everyPortFree, '--scenario', 'default', '--exit'], 55_000);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/registered with the AMF .* its agent's AIC is 1\.2\.156\.3088\./);
    expect(run.stdout).to.contain('operator-defined intent: DELIVER UE_QoS of imsi-001010000000001');
    expect(run.stdout).to.match(/\/capability\/root-cause-analysis\s+by rca-agent/);
    expect(run.stdout).to.contain('scenario default: every expectation held');
  });

  it('dmsc up --scenario exits 1 when an expectation fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dmsc-scenario-'));
    const file = join(dir, 'wrong.yaml');
    await writeFile(file, 'name: wrong\nues: { count: 1, firstSupi: imsi-001010000003500 }\narrivalRate: 5\nintents:\n  - text: where am I?\n    expect: { outcome: rejected }\n');
    const run = await runDmsc(['up', ...everyPortFree, '--scenario', file, '--exit'], 55_000);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('expectations FAILED');
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
