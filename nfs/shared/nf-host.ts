/**
 * What every NF looks like to whoever runs it (`dmsc up`, `dmsc nf`, main.ts, tests): an express
 * app plus start/stop of its background work. Listening is done once, here.
 */
import type { Express } from 'express';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NfHandle {
  /** Short lower-case name used on the command line, e.g. `nrf`. */
  readonly name: string;
  /** TS 29.510 NF type, e.g. `NRF`. */
  readonly nfType: string;
  readonly nfInstanceId: string;
  readonly app: Express;
  /**
   * An optional handler that sees each request before express and answers the few hot requests
   * it fully validates itself; it calls next() for everything else.
   */
  readonly fastPath?: FastPath;
  /** Starts background work (NRF registration, timers) once the NF listens at apiRoot. */
  start(apiRoot: string): Promise<void>;
  /** Stops background work and deregisters; whoever opened the store closes it. */
  stop(): Promise<void>;
}

export type FastPath = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** One fast path that offers each request to the given ones in turn, then to next. */
export function chainFastPaths(...paths: Array<FastPath | undefined>): FastPath {
  const present = paths.filter((path): path is FastPath => path !== undefined);
  return (req, res, next) => {
    const step = (i: number): void => (i < present.length ? present[i](req, res, () => step(i + 1)) : next());
    step(0);
  };
}

export interface ListeningNf {
  readonly handle: NfHandle;
  readonly apiRoot: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** The address peers use to reach this NF, when it differs from the bind address (0.0.0.0). */
  advertiseHost?: string;
  /** How long close() lets the requests under way finish before it cuts them off (DRAIN_MS unless given). */
  drainMs?: number;
}

/**
 * How long a stopping NF lets the requests under way finish: a registration takes well under it;
 * a longer request (an intent's whole workflow) may be cut off. Under the 10 s after which
 * `dmsc up --processes` kills a child that has not stopped (nf-processes.ts).
 */
export const DRAIN_MS = 5_000;

/** Listens (port 0 picks a free port), then starts the NF's background work. */
export async function listenNf(handle: NfHandle, options: ListenOptions): Promise<ListeningNf> {
  const fastPath = handle.fastPath;
  const serve = fastPath ? (req: IncomingMessage, res: ServerResponse) => fastPath(req, res, () => handle.app(req, res)) : handle.app;
  const underWay = new Map<ServerResponse, IncomingMessage>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    underWay.set(res, req);
    res.once('close', () => underWay.delete(res));
    serve(req, res);
  };
  // A handle that never gets going is stopped all the same: creating it may have opened files
  // or timers (the AGW's event log), and whoever called this gets no handle to stop.
  const server = await listen(listener, options.host, options.port).catch(async (error: Error) => {
    await stopQuietly(handle);
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const advertised = options.advertiseHost ?? (options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host);
  const apiRoot = `http://${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`;
  try {
    await handle.start(apiRoot);
  } catch (error) {
    await stopQuietly(handle);
    await closeServer(server);
    throw error;
  }
  return {
    handle,
    apiRoot,
    port,
    async close() {
      await drain(server, underWay, options.drainMs ?? DRAIN_MS);
      await handle.stop();
      await closeServer(server);
    },
  };
}

/** Stops a handle whose start failed; the start's error is the one worth reporting. */
async function stopQuietly(handle: NfHandle): Promise<void> {
  await handle.stop().catch(() => undefined);
}

function listen(listener: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(listener);
    server.listen(port, host);
    server.keepAliveTimeout = 65_000;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * Stops taking connections and lets the requests under way finish, for at most `limitMs`: a
 * request the NF went on with (a registration stored, say) is answered, not cut off with its
 * store closed under it. An event stream a client opened (its answer begun, the client accepting
 * text/event-stream) is not waited for: it ends only when the client leaves.
 */
async function drain(server: Server, underWay: ReadonlyMap<ServerResponse, IncomingMessage>, limitMs: number): Promise<void> {
  server.close(); // also closes the idle connections (Node 19 and later)
  const awaited = () => [...underWay].some(([res, req]) => !(res.headersSent && (req.headers.accept ?? '').includes('text/event-stream')));
  const deadline = Date.now() + limitMs;
  while (awaited() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What the runner needs to know of an NF to start it (nfs/catalog.ts lists them). */
export interface NfDescriptor {
  name: string;
  nfType: string;
  defaultPort: number;
  summary: string;
  /** What its section of a settings file may hold: a start checks every section, its NF started or not (settings-file.ts). */
  settingsSchema: import('ajv').AnySchema;
  create(context: NfContext): Promise<NfHandle>;
}

export interface NfContext {
  store: import('./store/collection.ts').Store;
  logger: import('./logger.ts').Logger;
  nrfUri: string;
  oauth: boolean;
  /** This NF's section of the settings file, unchecked: the NF checks it against its schema. */
  settings?: unknown;
  /** The NF instance ID kept by a persistent store (nf-instance-id.ts); a fresh one when absent. */
  nfInstanceId?: string;
}
