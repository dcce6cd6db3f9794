/**
 * Keeps an embedded collection's append-only file near its live size while the store runs.
 * The file keeps every version of every document until it is rewritten, and nedb rewrites it only
 * when the store opens or closes: an agent's heartbeat appends its whole record (about 2 kB) every
 * 15 s, and the gateway's events add two lines each (stored, then dropped as the oldest), so a
 * core left running for days would keep gigabytes of superseded lines and replay them all at its
 * next start.
 *
 * Once the lines appended since the last rewrite reach the threshold and twice the number of
 * live documents, the file is rewritten with the live documents, a slice at a time with other
 * work in between: nedb's own compaction serializes every document in one pass, which held the
 * event loop 655 ms for 100,000 events; this rewrite holds it at most 38 to 80 ms, mostly for
 * listing the documents, which has to be one step. The rewrite goes to a temporary file; lines
 * appended meanwhile go to the current file as always and are also kept, then added to the new
 * file, which replaces the current one by a rename. Every in-memory change is appended in the same
 * synchronous step as the change itself (appendLinesSynchronously), so the documents as they are
 * when the rewrite starts, followed by the lines appended since, are the collection's whole state.
 */
import { renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { internalsOf, type Datastore, type NedbIndex } from './nedb-internals.ts';

const documentsPerSlice = 1000;

export interface GrowthCompaction {
  /** After each append to the file: the lines, and how many documents they were. */
  appended(lines: string, documents: number): void;
  /** Starts no rewrite from now on; resolves when none is under way (the store is closing). */
  stop(): Promise<void>;
}

export function createGrowthCompaction(options: {
  db: Datastore;
  filename: string;
  threshold: number;
  serialize: (doc: unknown) => string;
  /** Called in the step that renames the rewritten file over the live one. */
  onReplaced: () => void;
  onFailure: (error: Error) => void;
}): GrowthCompaction {
  const { db, filename, threshold, serialize } = options;
  let appendedSinceRewrite = 0;
  let checkAt = threshold;
  let appendedDuringRewrite: string[] | undefined;
  let rewriting: Promise<void> | undefined;
  let stopped = false;

  const linesOf = (docs: unknown[]) => docs.map((doc) => `${serialize(doc)}\n`).join('');

  async function rewrite(): Promise<void> {
    appendedDuringRewrite = [];
    const temporary = `${filename}.compacting`;
    let file: FileHandle | undefined;
    try {
      // Taken in one synchronous step, so no write lands between the documents and the lines kept after them.
      const docs = db.getAllData();
      // The index definitions as nedb's own compaction writes them (Persistence.persistCachedDatabaseAsync).
      const indexes = Object.values(internalsOf(db).indexes)
        .filter((index): index is NedbIndex => index !== undefined && index.fieldName !== '_id')
        .map((index) => ({ $$indexCreated: { fieldName: index.fieldName, unique: index.unique, sparse: index.sparse } }));
      file = await open(temporary, 'w', 0o644);
      writeSync(file.fd, linesOf(indexes));
      for (let at = 0; at < docs.length; at += documentsPerSlice) {
        await nextTurn();
        writeSync(file.fd, linesOf(docs.slice(at, at + documentsPerSlice)));
      }
      // On the disk before it replaces the live file, as nedb's own rewrite does (storage.js
      // crashSafeWriteFileLines): a power cut must not leave a renamed file that was never written.
      await file.sync();
      // The lines kept meanwhile and the rename in one synchronous step, so none can be missed.
      writeSync(file.fd, appendedDuringRewrite.join(''));
      renameSync(temporary, filename);
      options.onReplaced();
      void syncDirectory(dirname(filename));
    } catch (error) {
      // The live file is complete whatever happened here: its appends never stopped.
      removeQuietly(temporary);
      throw error;
    } finally {
      appendedDuringRewrite = undefined;
      await file?.close().catch(() => undefined);
    }
  }

  return {
    appended(lines, documents) {
      // Lines appended during a rewrite end up in the new file after its documents: they count too.
      appendedSinceRewrite += documents;
      if (appendedDuringRewrite) {
        appendedDuringRewrite.push(lines);
        return;
      }
      if (stopped || appendedSinceRewrite < checkAt) return;
      // Counting the documents walks the _id index: done only at the check points.
      checkAt = Math.max(threshold, 2 * internalsOf(db).indexes._id!.tree.getNumberOfKeys());
      if (appendedSinceRewrite < checkAt) return;
      appendedSinceRewrite = 0;
      const run: Promise<void> = rewrite()
        .catch(options.onFailure)
        .finally(() => {
          if (rewriting === run) rewriting = undefined;
        });
      rewriting = run;
    },
    stop() {
      stopped = true;
      return rewriting ?? Promise.resolve();
    },
  };
}

/** A partial rewrite is only taking space (a full disk is a likely cause of the failure). */
export function removeQuietly(temporary: string): void {
  try {
    rmSync(temporary, { force: true });
  } catch {
    // Not a file: nothing of ours.
  }
}

/** Makes the rename itself durable; a failure here leaves the rename as likely to survive as any append. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}
