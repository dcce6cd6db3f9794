/**
 * Picks the storage engine for a process: MongoDB when a URI is configured, else the embedded
 * engine (files under dataDir, or memory). Only main.ts and `dmsc up` should call this.
 */
import type { Store } from './collection.ts';
import { createEmbeddedStore } from './embedded-store.ts';
import { createMongoStore } from './mongodb-store.ts';

export interface OpenStoreOptions {
  /** Embedded engine only: where collection files live; in memory when absent. */
  dataDir?: string;
  /** When set, MongoDB is used and dataDir is ignored. */
  mongodbUri?: string;
  /** Where the engine reports what it recovers from (retries, a failed file rewrite). */
  log?: (msg: string) => void;
}

export async function openStore({ dataDir, mongodbUri, log }: OpenStoreOptions): Promise<Store> {
  if (mongodbUri) return createMongoStore({ uri: mongodbUri, log });
  return createEmbeddedStore({ dataDir, log });
}
