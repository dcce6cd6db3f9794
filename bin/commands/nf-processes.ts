/**
 * `dmsc up --processes`: every NF as its own child process (`dmsc nf <name> --supervised`), as a
 * testbed runs them in containers. The NFs start one after the other in catalog order, each once the
 * previous one has printed its ready line and answers GET /healthz, so the NRF is up before anyone
 * registers with it and the AGW before any agent registers there. A child that dies is started
 * again on the same port with the same store, and re-registers with the NRF and the AGW itself
 * (nrf-registration.ts, agent-host.ts); its peers find it again through the NRF and the AGW.
 *
 * A child watches its stdin: when the supervisor dies, even by SIGKILL, the pipe closes and the
 * child stops, so no NF outlives the emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { NfDescriptor } from '../../nfs/shared/nf-host.ts';
import type { RuntimeConfig } from '../../nfs/shared/config.ts';
import { serverNodeFlagsFor } from '../server-node-flags.ts';

const dmscJs = fileURLToPath(new URL('../dmsc.js', import.meta.url));

/** What a child prints once it listens and its hosted agents have settled (nf.ts). */
export interface ReadyLine {
  nf: string;
  nfType: string;
  url: string;
  nfInstanceId: string;
  agents?: { name: string; aic?: string }[];
}

export interface SupervisedNf extends ReadyLine {
  pid: number;
  restarts: number;
}

export type SupervisorEvent =
  | { event: 'exited'; nf: string; pid: number; code: number | null; signal: string | null; restartInMs: number }
  | { event: 'restarted'; nf: string; pid: number; url: string; nfInstanceId: string; restarts: number }
  | { event: 'restart-failed'; nf: string; reason: string; restartInMs: number }
  | { event: 'gave-up'; nf: string; reason: string };

export interface ProcessCoreOptions {
  descriptors: readonly NfDescriptor[];
  config: RuntimeConfig;
  /** Passed on to every child as --config. */
  settingsFile?: string;
  /** Each child's embedded store lives in <storeRoot>/<nf name>; unused with MongoDB. */
  storeRoot?: string;
  onEvent?: (event: SupervisorEvent) => void;
  /** How long one child may take to print its ready line and answer /healthz. */
  readyTimeoutMs?: number;
}

export interface ProcessCore {
  readonly nfs: readonly SupervisedNf[];
  stop(): Promise<void>;
}

/** A child that crashes this many times in a row, each within a minute of starting, is left down. */
const MAX_QUICK_CRASHES = 8;
const QUICK_CRASH_MS = 60_000;
const RESTART_BASE_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 5_000;
const STOP_GRACE_MS = 10_000;

interface Child {
  readonly descriptor: NfDescriptor;
  process: ChildProcess;
  info: SupervisedNf;
  startedAt: number;
  quickCrashes: number;
}

export async function startNfProcesses(options: ProcessCoreOptions): Promise<ProcessCore> {
  const { config } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const children: Child[] = [];
  /** Children started but not ready yet (a restart in progress): stop() ends them too. */
  const launching = new Set<ChildProcess>();
  let stopping = false;
  let nrfUri = config.nrfUri;

  const argsFor = (descriptor: NfDescriptor, port: number): string[] => {
    // The port asked for names the instance ID, so a restart on the port the first start got keeps it.
    const askedPort = config.ports[descriptor.name] ?? descriptor.defaultPort;
    const args = ['nf', descriptor.name, '--supervised', '--json', '--port', String(port), '--asked-port', String(askedPort), '--host', config.host, '--nrf', nrfUri, '--log-level', config.logLevel];
    if (config.advertiseHost) args.push('--advertise-host', config.advertiseHost);
    if (config.mongodbUri) args.push('--mongodb-uri', config.mongodbUri);
    else if (options.storeRoot) args.push('--data-dir', path.join(options.storeRoot, descriptor.name));
    if (options.settingsFile) args.push('--config', options.settingsFile);
    if (config.oauth) args.push('--oauth');
    return args;
  };

  const launch = async (descriptor: NfDescriptor, port: number): Promise<{ process: ChildProcess; ready: ReadyLine }> => {
    // Every setting goes on the command line, so none of the supervisor's environment variables
    // (PORT, DATA_DIR, ...) can give the children another one.
    // Each child in its own process group: a Ctrl-C at the terminal reaches the supervisor alone,
    // which then stops the NFs in reverse start order.
    const child = spawn(process.execPath, [...serverNodeFlagsFor(), dmscJs, ...argsFor(descriptor, port)], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    launching.add(child);
    const exitedEarly = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`${descriptor.name} exited (code ${code}, signal ${signal}) before it was healthy; its log is above`)));
    });
    exitedEarly.catch(() => undefined);
    try {
      const ready = await readReadyLine(child, descriptor.name, readyTimeoutMs);
      await Promise.race([waitForHealth(`${ready.url}/healthz`, readyTimeoutMs), exitedEarly]);
      return { process: child, ready };
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    } finally {
      launching.delete(child);
    }
  };

  const watch = (child: Child): void => {
    child.process.once('exit', (code, signal) => {
      if (stopping) return;
      const ranMs = Date.now() - child.startedAt;
      child.quickCrashes = ranMs < QUICK_CRASH_MS ? child.quickCrashes + 1 : 1;
      if (child.quickCrashes > MAX_QUICK_CRASHES) {
        options.onEvent?.({ event: 'gave-up', nf: child.descriptor.name, reason: `crashed ${MAX_QUICK_CRASHES} times in a row, each within a minute of starting` });
        return;
      }
      const restartInMs = restartDelay(child.quickCrashes);
      options.onEvent?.({ event: 'exited', nf: child.descriptor.name, pid: child.info.pid, code, signal, restartInMs });
      scheduleRestart(child, restartInMs);
    });
  };

  const scheduleRestart = (child: Child, delayMs: number): void => {
    setTimeout(async () => {
      if (stopping) return;
      try {
        // The same port: peers, the NRF and the AGW keep the URL they know.
        const url = new URL(child.info.url);
        const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
        const { process: restarted, ready } = await launch(child.descriptor, port);
        if (stopping) {
          restarted.kill('SIGTERM');
          return;
        }
        child.process = restarted;
        child.startedAt = Date.now();
        child.info = { ...ready, pid: restarted.pid!, restarts: child.info.restarts + 1 };
        watch(child);
        options.onEvent?.({ event: 'restarted', nf: child.descriptor.name, pid: child.info.pid, url: child.info.url, nfInstanceId: child.info.nfInstanceId, restarts: child.info.restarts });
      } catch (error) {
        if (stopping) return;
        child.quickCrashes += 1;
        if (child.quickCrashes > MAX_QUICK_CRASHES) {
          options.onEvent?.({ event: 'gave-up', nf: child.descriptor.name, reason: (error as Error).message });
          return;
        }
        const restartInMs = restartDelay(child.quickCrashes);
        options.onEvent?.({ event: 'restart-failed', nf: child.descriptor.name, reason: (error as Error).message, restartInMs });
        scheduleRestart(child, restartInMs);
      }
    }, delayMs).unref();
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all([...launching].map(stopChild));
    for (const child of [...children].reverse()) await stopChild(child.process);
    children.length = 0;
  };

  try {
    for (const descriptor of options.descriptors) {
      const port = config.ports[descriptor.name] ?? descriptor.defaultPort;
      const { process: started, ready } = await launch(descriptor, port);
      const child: Child = { descriptor, process: started, info: { ...ready, pid: started.pid!, restarts: 0 }, startedAt: Date.now(), quickCrashes: 0 };
      children.push(child);
      watch(child);
      // The others register with the NRF at the address it actually got (it may be on port 0).
      if (descriptor.nfType === 'NRF') nrfUri = ready.url;
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    get nfs() {
      return children.map((child) => child.info);
    },
    stop,
  };
}

function restartDelay(consecutiveCrashes: number): number {
  return Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** (consecutiveCrashes - 1));
}

/** The child's first stdout line is its ready line (JSON); anything after it is passed through. */
function readReadyLine(child: ChildProcess, name: string, timeoutMs: number): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    const finish = (error: Error | undefined, ready?: ReadyLine) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(ready!);
    };
    const timer = setTimeout(() => finish(new Error(`${name} did not get ready within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready; its log is above`));
    child.once('exit', onExit);
    lines.on('line', (line) => {
      if (settled) {
        process.stdout.write(`${line}\n`);
        return;
      }
      try {
        const ready = JSON.parse(line) as ReadyLine;
        if (typeof ready.url !== 'string' || ready.nf !== name) throw new Error('not a ready line');
        finish(undefined, ready);
      } catch {
        finish(new Error(`${name} printed "${line.slice(0, 200)}" instead of its ready line`));
      }
    });
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** SIGTERM lets the NF deregister from the NRF and the AGW; SIGKILL after a grace period. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
