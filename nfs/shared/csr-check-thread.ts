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

/** A running thread and the checks it owes; a thread that fails fails its own checks only. */
interface CheckThread {
  worker: Worker;
  pending: Map<number, Pending>;
  stopping?: boolean;
}

/** What a check under way gets when stopCsrCheckThread ends its thread: no fault of the thread's. */
export class CsrCheckThreadStopped extends Error {}

const workerModule = new URL('./csr-check-worker.ts', import.meta.url).href;
// The worker loads TypeScript as this process does, through tsx: a worker does not inherit the
// loader a process registered at run time, and in Node 20 a worker's --import does not apply to
// its own entry module, so the entry registers tsx before it imports the worker's module.
const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerModule)}); })`;

let current: CheckThread | undefined;
let nextId = 1;

function startedThread(): CheckThread {
  if (current) return current;
  const thread: CheckThread = { worker: new Worker(bootstrap, { eval: true, name: 'csr-check' }), pending: new Map() };
  thread.worker.unref();
  thread.worker.on('message', (reply: CsrCheckReply<unknown>) => {
    const waiting = thread.pending.get(reply.id);
    if (!waiting) return;
    thread.pending.delete(reply.id);
    if (thread.pending.size === 0) thread.worker.unref();
    waiting.resolve(reply);
  });
  // 'error' comes before 'exit' when the thread throws: the first of them ends the thread's use.
  const fail = (failure: Error) => {
    if (current === thread) current = undefined; // the next check starts a new thread
    const error = thread.stopping ? new CsrCheckThreadStopped('the CSR-check thread was stopped') : failure;
    for (const waiting of thread.pending.values()) waiting.reject(error);
    thread.pending.clear();
  };
  thread.worker.on('error', (error) => fail(new Error(`the CSR-check thread failed: ${error.message}`)));
  thread.worker.on('exit', (code) => fail(new Error(`the CSR-check thread stopped (exit code ${code})`)));
  current = thread;
  return thread;
}

/** The reply of the CSR-check thread for one PEM; rejects only if the thread itself fails. */
export function checkCsrOnThread<T>(csrPem: string): Promise<CsrCheckReply<T>> {
  const thread = startedThread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    thread.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
    if (thread.pending.size === 1) thread.worker.ref();
    thread.worker.postMessage({ id, csrPem });
  });
}

/** Whether a CSR-check thread is running in this process. */
export function csrCheckThreadRunning(): boolean {
  return current !== undefined;
}

/** Stops the thread (tests; a process that exits needs nothing, the thread does not hold it). */
export async function stopCsrCheckThread(): Promise<void> {
  const running = current;
  current = undefined;
  if (!running) return;
  running.stopping = true;
  await running.worker.terminate();
}
