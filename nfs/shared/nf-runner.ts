/**
 * Runs a set of NFs in this process on one store: `dmsc up` (all of them), `dmsc nf <name>` and
 * each NF's main.ts (one). Stops them in reverse order on SIGINT/SIGTERM, deregistering each.
 */
import { createLogger } from './logger.ts';
import { listenNf, type ListeningNf, type NfDescriptor } from './nf-host.ts';
import type { RuntimeConfig } from './config.ts';
import { openStore } from './store/open-store.ts';
import { requireDataDirLayout } from './store/data-dir-layout.ts';
import { persistedNfInstanceId } from './nf-instance-id.ts';
import type { Store } from './store/collection.ts';

export interface RunningCore {
  readonly nfs: readonly ListeningNf[];
  readonly store: Store;
  stop(): Promise<void>;
}

export async function runNfs(descriptors: readonly NfDescriptor[], config: RuntimeConfig): Promise<RunningCore> {
  const storeLogger = createLogger({ nf: 'STORE', level: config.logLevel });
  if (config.dataDir !== undefined && config.mongodbUri === undefined) await requireDataDirLayout(config.dataDir, 'one store');
  const store = await openStore({ dataDir: config.dataDir, mongodbUri: config.mongodbUri, log: (message) => storeLogger.warn(message) });
  const running: ListeningNf[] = [];
  const stop = async () => {
    for (const nf of [...running].reverse()) await nf.close();
    running.length = 0;
    await store.close();
  };
  // When the NRF runs here, the others use the address it actually got (it may be on port 0).
  let nrfUri = config.nrfUri;
  try {
    for (const descriptor of descriptors) {
      const logger = createLogger({ nf: descriptor.nfType, level: config.logLevel });
      // A store that outlives the process keeps each NF's instance ID, so a restart replaces its NRF profile.
      const persistent = config.dataDir !== undefined || config.mongodbUri !== undefined;
      const configuredPort = config.askedPorts[descriptor.name] ?? config.ports[descriptor.name] ?? descriptor.defaultPort;
      const nfInstanceId = persistent ? await persistedNfInstanceId(store, descriptor.name, `${config.advertiseHost ?? config.host}:${configuredPort}`) : undefined;
      const handle = await descriptor.create({ store, logger, nrfUri, oauth: config.oauth, settings: config.nfSettings[descriptor.name], nfInstanceId });
      const listening = await listenNf(handle, { host: config.host, port: config.ports[descriptor.name] ?? descriptor.defaultPort, advertiseHost: config.advertiseHost });
      running.push(listening);
      if (descriptor.nfType === 'NRF') nrfUri = listening.apiRoot;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nfs: running, store, stop };
}

/** Stops the core cleanly on the first SIGINT or SIGTERM; a second signal exits at once. */
export function stopOnSignals(core: Pick<RunningCore, 'stop'>, onStopped: () => void = () => process.exit(0)): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping, deregistering from the NRF...\n`);
    core.stop().then(onStopped, (error: Error) => {
      process.stderr.write(`stop failed: ${error.message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
