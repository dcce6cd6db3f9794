/**
 * The thread that checks CSRs (csr-check-worker.ts), one per process, started on first use.
 * Parsing a CSR and verifying its signature takes about half a millisecond, the largest single
 * cost of an agent registration; on the thread that serves HTTP it would bound registrations to
 * what that one core can do, while the machine's other core stays idle.
 * The thread holds the process open only while a check is under way.
 */
import { Worker } from 'node:worker_threads';

/** A check's outcome as it crosses threads; a refusal names its cause, as CsrError does. */
export type CsrCheckReply<T> = { id: number; checked: T } | { id: number; refused: { cause: string; reason: string } } | { id: number; failed: string };

interface Pending {
  resolve: (reply: CsrCheckReply<unknown>) => void;
  reject: (error: Error) => void;
}

const workerModule = new URL('./csr-check-worker.ts', import.meta.url).href;
// The worker loads TypeScript as this process does, through tsx: a worker does not inherit the
// loader a process registered at run time, and in Node 20 a worker's --import does not apply to
// its own entry module, so the entry registers tsx before it imports the worker's module.
const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerModule)}); })`;

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function startedWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(bootstrap, { eval: true, name: 'csr-check' });
  started.unref();
  started.on('message', (reply: CsrCheckReply<unknown>) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    waiting.resolve(reply);
  });
  const fail = (error: Error) => {
    if (worker === started) worker = undefined; // the next check starts a new thread
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  started.on('error', (error) => fail(new Error(`the CSR-check thread failed: ${error.message}`)));
  started.on('exit', (code) => fail(new Error(`the CSR-check thread stopped (exit code ${code})`)));
  worker = started;
  return started;
}

/** The reply of the CSR-check thread for one PEM; rejects only if the thread itself fails. */
export function checkCsrOnThread<T>(csrPem: string): Promise<CsrCheckReply<T>> {
  const thread = startedWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as Pending['resolve'], reject });
    if (pending.size === 1) thread.ref();
    thread.postMessage({ id, csrPem });
  });
}

/** Stops the thread (tests; a process that exits needs nothing, the thread does not hold it). */
export async function stopCsrCheckThread(): Promise<void> {
  const running = worker;
  worker = undefined;
  if (running) await running.terminate();
}
