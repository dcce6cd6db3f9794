/**
 * A correlation id follows one request across NFs: taken from the incoming request or created,
 * logged with every line written while serving it, and sent on every SBI call made on its behalf.
 * AsyncLocalStorage carries it through awaits without threading it through every signature.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export const correlationHeader = 'x-correlation-id';

const requestContext = new AsyncLocalStorage<string>();

/** The correlation id of the request being served, if any. */
export function currentCorrelationId(): string | undefined {
  return requestContext.getStore();
}

/** The caller's correlation id when it is acceptable, else a new one. */
export function correlationIdFor(id: string | undefined): string {
  return acceptableId(id) ?? randomUUID();
}

/** Runs fn with the given correlation id (or a new one) as the current one. */
export function withCorrelationId<T>(id: string | undefined, fn: () => T): T {
  return requestContext.run(correlationIdFor(id), fn);
}

/** Accept a caller's id only when it is a short printable token, so logs cannot be forged or flooded. */
function acceptableId(id: string | undefined): string | undefined {
  return id && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;
}
