/**
 * `dmsc` as a user runs it, for the CLI tests: real processes through bin/dmsc.js with none of the
 * configuration variables of the environment running the tests, every wait bounded, and every
 * process still running killed by killStartedDmsc() (call it in afterEach).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nfCatalog } from '../../nfs/catalog.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dmscJs = fileURLToPath(new URL('../../bin/dmsc.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Dmsc {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<Exit>;
}

const running: Dmsc[] = [];

/** Starts `dmsc <args>` with none of the configuration variables of the environment running the tests. */
export function startDmsc(args: string[]): Dmsc {
  const env = { ...process.env };
  for (const name of ['HOST', 'ADVERTISE_HOST', 'NRF_URI', 'DATA_DIR', 'MONGODB_URI', 'LOG_LEVEL', 'OAUTH', 'PORT', 'DMSC_CONFIG']) delete env[name];
  const child = spawn(process.execPath, [dmscJs, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const dmsc = { child, output, exited };
  running.push(dmsc);
  return dmsc;
}

export function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const described = (dmsc: Dmsc) => `\n--- stdout ---\n${dmsc.output.stdout}\n--- stderr ---\n${dmsc.output.stderr}`;

/** Runs `dmsc <args>` to its end; fails (and the afterEach kills it) if it runs longer than ms. */
export async function runDmsc(args: string[], ms = 15_000): Promise<Exit & { stdout: string; stderr: string }> {
  const dmsc = startDmsc(args);
  const exit = await within(dmsc.exited, ms, () => `waiting for dmsc ${args.join(' ')} to exit${described(dmsc)}`);
  return { ...exit, ...dmsc.output };
}

/** Waits until stdout matches, failing early if the process exits first. */
export async function waitForStdout(dmsc: Dmsc, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
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

/** `--ports` giving every NF of the catalog a free port. */
export const everyPortFree = ['--ports', nfCatalog.map((nf) => `${nf.name}=0`).join(',')];

/** Runs `dmsc <args>` that must exit 0 and print one JSON document, and returns it. */
export async function dmscJson<T>(args: string[]): Promise<T> {
  const run = await runDmsc(args, 30_000);
  expect(run.code, `dmsc ${args.join(' ')}: ${run.stderr}`).to.equal(0);
  return JSON.parse(run.stdout) as T;
}

/** Kills (SIGKILL) every process startDmsc started that is still running, and waits for each. */
export async function killStartedDmsc(): Promise<void> {
  for (const dmsc of running.splice(0)) {
    if (dmsc.child.exitCode === null && dmsc.child.signalCode === null) {
      dmsc.child.kill('SIGKILL');
      await within(dmsc.exited, 5_000, () => `waiting for pid ${dmsc.child.pid} to die`);
    }
  }
}
