/**
 * The two ways a data directory is laid out, which must not be mixed: a core in one process keeps
 * one store, a `<collection>.db` file per collection in the directory itself (embedded-store.ts);
 * `dmsc up --processes` keeps one store per NF, in a subdirectory named after it
 * (bin/commands/nf-processes.ts). Started the other way on the same directory, a core would find
 * none of its data: a new CA, AICs allocated again. So the other layout's files are refused.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.ts';

export type DataDirLayout = 'one store' | 'a store per NF';

/** Throws a ConfigError when `dataDir` holds the files of the other layout; a missing directory is new. */
export async function requireDataDirLayout(dataDir: string, layout: DataDirLayout): Promise<void> {
  const entries = await readdir(dataDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (layout === 'a store per NF') {
    const stores = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.db'));
    if (stores.length) throw new ConfigError(`--data-dir ${dataDir} holds the store of a core run in one process (${stores[0].name} and ${stores.length - 1} more .db files): start it without --processes, or use another directory`);
    return;
  }
  for (const entry of entries.filter((candidate) => candidate.isDirectory())) {
    const files = await readdir(path.join(dataDir, entry.name)).catch(() => [] as string[]);
    if (files.some((name) => name.endsWith('.db'))) {
      throw new ConfigError(`--data-dir ${dataDir} holds the stores of a core run with --processes (${path.join(dataDir, entry.name)}/, one directory per NF): start it with --processes, or use another directory`);
    }
  }
}
