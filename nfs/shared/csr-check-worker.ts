/** The CSR-check thread's side (csr-check-thread.ts): each message is one PEM, each reply its checkCsrPem outcome. */
import { parentPort } from 'node:worker_threads';
import { checkCsrPem, CsrError, type CheckedCsr } from './csr.ts';
import type { CsrCheckReply } from './csr-check-thread.ts';

parentPort!.on('message', ({ id, csrPem }: { id: number; csrPem: string }) => {
  let reply: CsrCheckReply<CheckedCsr>;
  try {
    reply = { id, checked: checkCsrPem(csrPem) };
  } catch (error) {
    reply = error instanceof CsrError ? { id, refused: { cause: error.cause, reason: error.reason } } : { id, failed: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
