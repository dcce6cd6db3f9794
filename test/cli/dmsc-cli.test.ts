/**
 * The `dmsc` command as a user runs it: real processes through bin/dmsc.js, each one killed in
 * afterEach whatever happens, every wait bounded. No benchmark is ever run here.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { nfCatalog } from '../../nfs/catalog.ts';
import { amfProfile, request } from '../support/nrf-harness.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dmscJs = fileURLToPath(new URL('../../bin/dmsc.js', import.meta.url));
const upPort = 29510;
const knownNfs = nfCatalog.map((nf) => nf.name);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Dmsc {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<Exit>;
}

const running: Dmsc[] = [];

/** Starts `dmsc <args>` with none of the configuration variables of the environment running the tests. */
function startDmsc(args: string[]): Dmsc {
  const env = { ...process.env };
  for (const name of ['HOST', 'ADVERTISE_HOST', 'NRF_URI', 'DATA_DIR', 'MONGODB_URI', 'LOG_LEVEL', 'OAUTH', 'PORT']) delete env[name];
  const child = spawn(process.execPath, [dmscJs, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const dmsc = { child, output, exited };
  running.push(dmsc);
  return dmsc;
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const described = (dmsc: Dmsc) => `\n--- stdout ---\n${dmsc.output.stdout}\n--- stderr ---\n${dmsc.output.stderr}`;

/** Runs `dmsc <args>` to its end; fails (and the afterEach kills it) if it runs longer than ms. */
async function runDmsc(args: string[], ms = 15_000): Promise<Exit & { stdout: string; stderr: string }> {
  const dmsc = startDmsc(args);
  const exit = await within(dmsc.exited, ms, () => `waiting for dmsc ${args.join(' ')} to exit${described(dmsc)}`);
  return { ...exit, ...dmsc.output };
}

/** Waits until stdout matches, failing early if the process exits first. */
async function waitForStdout(dmsc: Dmsc, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  let exit: Exit | undefined;
  void dmsc.exited.then((value) => (exit = value));
  for (;;) {
    const match = dmsc.output.stdout.match(pattern);
    if (match) return match;
    if (exit) expect.fail(`dmsc exited (code ${exit.code}, signal ${exit.signal}) before printing ${pattern}${described(dmsc)}`);
    if (Date.now() > deadline) expect.fail(`dmsc printed no ${pattern} within ${ms} ms${described(dmsc)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('dmsc (command line)', function () {
  this.timeout(40_000);

  afterEach(async () => {
    for (const dmsc of running.splice(0)) {
      if (dmsc.child.exitCode === null && dmsc.child.signalCode === null) {
        dmsc.child.kill('SIGKILL');
        await within(dmsc.exited, 5_000, () => `waiting for pid ${dmsc.child.pid} to die`);
      }
    }
  });

  it('dmsc --help lists the up, nf and bench commands and exits 0', async () => {
    const { code, stdout } = await runDmsc(['--help']);
    expect(code).to.equal(0);
    for (const command of ['up', 'nf', 'bench']) expect(stdout).to.match(new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}`);
  });

  it('dmsc up --only nrf prints where the NRF is, serves TS 29.510 on 127.0.0.1:29510, and exits 0 on SIGTERM', async () => {
    if (!(await portIsFree(upPort))) expect.fail(`port ${upPort} on 127.0.0.1 is taken by another process; this test needs it free for dmsc up`);
    const dmsc = startDmsc(['up', '--only', 'nrf']);
    await waitForStdout(dmsc, /Ctrl-C stops every NF/);
    expect(dmsc.output.stdout).to.match(/^nrf\s+NRF\s+http:\/\/127\.0\.0\.1:29510\s+[0-9a-f-]{36}\s*$/m);

    const root = `http://127.0.0.1:${upPort}`;
    const health = await request('GET', `${root}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'UP', nf: 'NRF' });

    const amfId = randomUUID();
    expect((await request('PUT', `${root}/nnrf-nfm/v1/nf-instances/${amfId}`, amfProfile(amfId))).status).to.equal(201);
    const discovery = await request('GET', `${root}/nnrf-disc/v1/nf-instances?target-nf-type=AMF&requester-nf-type=SMF&service-names=namf-comm`);
    expect(discovery.status).to.equal(200);
    expect(discovery.headers.get('content-type')).to.match(/^application\/json/);
    expect(discovery.body.validityPeriod).to.be.a('number');
    expect(discovery.body.nfInstances.map((profile: { nfInstanceId: string }) => profile.nfInstanceId)).to.deep.equal([amfId]);

    dmsc.child.kill('SIGTERM');
    const exit = await within(dmsc.exited, 10_000, () => `waiting for dmsc up to stop on SIGTERM${described(dmsc)}`);
    expect(exit, described(dmsc)).to.deep.equal({ code: 0, signal: null });
    expect(await portIsFree(upPort), 'port 29510 is released').to.equal(true);
  });

  it('dmsc up --only bogus exits 2 naming bogus and the known NFs on stderr, starting nothing', async () => {
    const { code, stdout, stderr } = await runDmsc(['up', '--only', 'bogus']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('bogus');
    for (const name of knownNfs) expect(stderr).to.contain(name);
    expect(stderr).to.match(/known: /);
    expect(stdout).to.not.contain('is up');
  });

  it('dmsc nf nrf --port 0 --json prints one JSON line whose url answers /healthz', async () => {
    const dmsc = startDmsc(['nf', 'nrf', '--port', '0', '--json']);
    const [line] = await waitForStdout(dmsc, /^.*\n/);
    const ready = JSON.parse(line);
    expect(ready).to.include({ nf: 'nrf', nfType: 'NRF' });
    expect(ready.nfInstanceId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ready.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.url).to.not.equal(`http://127.0.0.1:${upPort}`);

    const health = await request('GET', `${ready.url}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'UP', nf: 'NRF' });
    expect(dmsc.output.stdout, 'nothing but the JSON line on stdout').to.equal(line);

    dmsc.child.kill('SIGTERM');
    expect(await within(dmsc.exited, 10_000, () => described(dmsc))).to.deep.equal({ code: 0, signal: null });
  });

  it('dmsc nf nope exits 2 with a message naming nope and the known NFs', async () => {
    const { code, stdout, stderr } = await runDmsc(['nf', 'nope']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('unknown NF "nope"');
    for (const name of knownNfs) expect(stderr).to.contain(name);
    expect(stdout).to.equal('');
  });

  it('dmsc up --log-level loud fails naming loud and the accepted levels, starting nothing', async () => {
    const { code, stdout, stderr } = await runDmsc(['up', '--log-level', 'loud']);
    expect(code).to.equal(2);
    expect(stderr).to.contain("'loud'").and.contain('--log-level');
    for (const level of ['error', 'warn', 'info', 'debug', 'silent']) expect(stderr).to.contain(level);
    expect(stdout).to.not.contain('is up');
  });

  it('dmsc bench nrf --profiles 0 is refused before any benchmark runs', async () => {
    const { code, stdout, stderr } = await runDmsc(['bench', 'nrf', '--profiles', '0']);
    expect(code).to.equal(2);
    expect(code).to.not.equal(null);
    expect(stderr).to.contain('--profiles').and.contain("'0'").and.contain('positive whole number');
    expect(stderr).to.not.contain('bench nrf:');
    expect(stdout).to.equal('');
  });
});
