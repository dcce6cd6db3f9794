/**
 * The embedded engine: @seald-io/nedb, one Datastore per collection, in memory or one append-only
 * file per collection under dataDir. nedb speaks MongoDB's query language; where it differs from
 * MongoDB this file bends it towards MongoDB (see the notes at each place).
 */
import path from 'node:path';
import { DuplicateKeyError } from './collection.ts';
import type { Collection, Filter, FindOptions, IndexSpec, Store, StoredDocument, Update } from './collection.ts';
import { projectionOf, withIdTiebreak, withoutUndefined } from './document-shape.ts';
import { cutTornTail } from './embedded-torn-tail.ts';
import { openAppendFile, type AppendFile } from './embedded-append-file.ts';
import { findInIndexOrder } from './embedded-index-order.ts';
import './embedded-index-removal.ts';
import './embedded-large-removal.ts';
import { removeExpiredInSlices } from './embedded-ttl-sweep.ts';
import { createGrowthCompaction, removeQuietly, type GrowthCompaction } from './embedded-file-compaction.ts';
import { Datastore, internalsOf, model } from './nedb-internals.ts';

export interface EmbeddedStoreOptions {
  /** Directory for one `<name>.db` file per collection; in memory when absent. */
  dataDir?: string;
  /**
   * A collection's file is rewritten with only its live documents once this many lines were
   * appended since it was last written whole, and at least twice as many as it has documents
   * (default 10,000; embedded-file-compaction.ts).
   */
  compactAfterAppends?: number;
  /** Where the engine reports what it recovers from (a failed file rewrite); process warnings otherwise. */
  log?: (msg: string) => void;
}

// Collection names become file names: no separators, no leading dot, nothing MongoDB would refuse.
const COLLECTION_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export function createEmbeddedStore({ dataDir, compactAfterAppends = 10_000, log = (msg) => process.emitWarning(msg) }: EmbeddedStoreOptions = {}): Store {
  const opened = new Map<string, { ready: Promise<Datastore>; collection: Collection<StoredDocument> }>();
  const compactions = new Map<string, GrowthCompaction>();
  const appendFiles = new Map<string, AppendFile>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('embedded store is closed');
  };

  const open = (name: string): Promise<Datastore> => {
    const db = dataDir
      ? new Datastore({ filename: path.join(dataDir, `${name}.db`) })
      : new Datastore({ inMemoryOnly: true });
    if (dataDir) {
      const filename = path.join(dataDir, `${name}.db`);
      // A rewrite the process did not finish; the live file holds every write without it.
      removeQuietly(`${filename}.compacting`);
      const torn = cutTornTail(filename);
      if (torn) log(`${filename}: its last line was cut short, a write that did not finish; its ${torn} bytes are dropped`);
      const file = openAppendFile(filename);
      appendFiles.set(name, file);
      const compaction = createGrowthCompaction({
        db,
        filename,
        threshold: compactAfterAppends,
        serialize: model.serialize,
        onReplaced: () => file.replaced(),
        onFailure: (error) => log(`rewriting ${filename} failed, kept as it was: ${error.message}`),
      });
      compactions.set(name, compaction);
      appendLinesSynchronously(db, file, compaction);
    }
    // loadDatabaseAsync creates the directory, replays the file and compacts it.
    return db.loadDatabaseAsync().then(() => db);
  };

  return {
    engine: 'embedded',
    dataDir,

    collection<T extends StoredDocument>(name: string): Collection<T> {
      assertOpen();
      if (!COLLECTION_NAME.test(name)) throw new Error(`invalid collection name: ${JSON.stringify(name)}`);
      let entry = opened.get(name);
      if (!entry) {
        const ready = open(name);
        // Marks a failed load as handled so it cannot crash the process; every operation still awaits
        // `ready` and gets the error.
        ready.catch(() => undefined);
        const withDb = async <R>(op: (db: Datastore) => Promise<R>): Promise<R> => {
          assertOpen();
          return translateErrors(name, op(await ready));
        };
        entry = { ready, collection: embeddedCollection(name, withDb) };
        opened.set(name, entry);
      }
      return entry.collection as unknown as Collection<T>;
    },

    async dropAll(): Promise<void> {
      assertOpen();
      for (const { ready } of opened.values()) await (await ready).removeAsync({}, { multi: true });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        for (const [name, { ready }] of opened) {
          const db = await ready.catch(() => null);
          // nedb's compaction below writes the same file: no rewrite of ours may run alongside it.
          await compactions.get(name)?.stop();
          // The compaction is queued behind every write already handed to nedb, so awaiting it means
          // each of them is on disk; it also rewrites the append-only file to one line per document.
          if (db && dataDir) await db.compactDatafileAsync();
          appendFiles.get(name)?.close();
        }
      } finally {
        // Every descriptor: a failed collection's and those after it too, whatever one close does.
        for (const file of appendFiles.values()) {
          try {
            file.close();
          } catch {
            // Its writes went with write(2) already; a failed close(2) loses none of them.
          }
        }
        appendFiles.clear();
        opened.clear();
      }
    },
  };
}

/**
 * nedb appends every write with fs.promises.appendFile: open, write and close, each a round trip
 * through libuv's thread pool. On the 2-core benchmark machine that is about 0.18 ms of CPU per
 * write against 0.002 ms for a write(2) on a descriptor kept open (embedded-append-file.ts), and
 * an agent registration makes six. The lines, their order (nedb's executor still runs one
 * operation at a time) and the durability (no fsync either way) are nedb's; only the system calls
 * change. A write now holds the event loop for its append, where the thread pool's round trip let
 * other callbacks run in between at many times the CPU.
 */
function appendLinesSynchronously(db: Datastore, file: AppendFile, compaction: GrowthCompaction): void {
  const persistence = internalsOf(db).persistence;
  // nedb's own line format (dates as {$$date}), so its loader reads back what is appended here.
  persistence.persistNewStateAsync = async (docs) => {
    let lines = '';
    for (const doc of docs) lines += `${model.serialize(doc)}\n`;
    if (!lines) return;
    file.append(lines);
    compaction.appended(lines, docs.length);
  };
  // nedb's rewrite (on load, on close) renames a new file over the one the descriptor is on. It
  // runs on nedb's executor, as every append does, so no append comes between it and this.
  const rewriteWhole = persistence.persistCachedDatabaseAsync.bind(persistence);
  persistence.persistCachedDatabaseAsync = async () => {
    try {
      await rewriteWhole();
    } finally {
      file.replaced();
    }
  };
}

type WithDb = <R>(op: (db: Datastore) => Promise<R>) => Promise<R>;

/** How often a collection with TTL indexes is swept for expired documents, at most. */
const TTL_SWEEP_INTERVAL_MS = 60_000;

function embeddedCollection(name: string, withDb: WithDb): Collection<StoredDocument> {
  // nedb drops an expired document only when a query meets it, so a collection read by id alone
  // (nonces, pending authentications, intent records) would keep every expired document for as
  // long as the process runs. MongoDB's TTL monitor sweeps; this does too, at most once a
  // minute, behind a write, without making that write wait, a slice at a time (embedded-ttl-sweep.ts).
  let lastSweep = 0;
  const sweepExpired = (db: Datastore): void => {
    const now = Date.now();
    if (now - lastSweep < TTL_SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    for (const [field, seconds] of Object.entries(internalsOf(db).ttlIndexes)) {
      if (seconds === undefined) continue;
      removeExpiredInSlices(db, field, new Date(now - seconds * 1000)).catch(() => (lastSweep = 0));
    }
  };
  return {
    insertOne: (doc) => withDb(async (db) => {
      await db.insertAsync(withoutUndefined(doc));
      sweepExpired(db);
    }),

    insertMany: (docs) => withDb(async (db) => {
      if (docs.length) await db.insertAsync(docs.map((doc) => withoutUndefined(doc)));
      sweepExpired(db);
    }),

    findOne: (filter: Filter, options?: { fields: readonly string[] }) =>
      withDb(async (db) => (await db.findOneAsync(filter, options && projectionOf(options.fields))) as StoredDocument | null),

    find: (filter, options: FindOptions = {}) => withDb(async (db) => {
      if (options.sort) {
        const query = { filter, sort: withIdTiebreak(options.sort), skip: options.skip ?? 0, limit: options.limit || Infinity };
        const inIndexOrder = await findInIndexOrder(db, query);
        if (inIndexOrder) return inIndexOrder;
      }
      let cursor = db.findAsync(filter);
      // Sorting costs a pass over every match; only pay it when order is asked for or paging needs it.
      if (options.sort || options.skip) cursor = cursor.sort(withIdTiebreak(options.sort));
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit) cursor = cursor.limit(options.limit);
      return (await cursor) as unknown as StoredDocument[];
    }),

    countDocuments: (filter) => withDb(async (db) => Number(await db.countAsync(filter))),

    replaceOne: (filter, doc, options = {}) => withDb(async (db) => {
      const upsert = options.upsert === true;
      const result = await db.updateAsync(filter, withoutUndefined(doc), { upsert });
      return { matched: result.upsert ? 0 : result.numAffected, upserted: result.upsert };
    }),

    findOneAndUpdate: (filter, update) => withDb(async (db) => {
      const result = await db.updateAsync(filter, modifiers(update), { returnUpdatedDocs: true });
      return result.numAffected > 0 ? (result.affectedDocuments as StoredDocument) : null;
    }),

    updateMany: (filter, update) => withDb(async (db) => {
      // numAffected counts matched documents, like MongoDB's matchedCount.
      return (await db.updateAsync(filter, modifiers(update), { multi: true })).numAffected;
    }),

    findOneAndDelete: (filter) => withDb(async (db) => {
      // nedb has no find-and-remove; each call below is serialised by nedb's executor. Removing by
      // _id AND the filter means a document changed or taken by a concurrent call in between is not
      // returned; we then look again, so a document is handed to exactly one caller. The _id goes at
      // the top level of the removal's query, where nedb answers it from the _id index (inside
      // $and it would scan the whole collection).
      for (;;) {
        const doc = (await db.findOneAsync(filter)) as StoredDocument | null;
        if (!doc) return null;
        if ((await db.removeAsync({ ...filter, _id: doc._id }, {})) === 1) return doc;
      }
    }),

    deleteMany: (filter) => withDb((db) => db.removeAsync(filter, { multi: true })),

    createIndex: (spec) => withDb((db) => createIndex(name, db, spec)),

    dropIndex: (field) => withDb(async (db) => {
      const state = internalsOf(db);
      if (field === '_id' || !state.indexes[field]) return;
      // Persisted as {$$indexRemoved}, so a reload does not bring the index back; nedb leaves the
      // TTL entry, which sweepExpired reads.
      await db.removeIndexAsync(field);
      delete state.ttlIndexes[field];
    }),
  };
}

async function createIndex(name: string, db: Datastore, spec: IndexSpec): Promise<void> {
  if (spec.field === '_id') return; // always indexed and unique, in both engines
  // nedb checks TTL with doc[field], so a dotted TTL field would silently never expire.
  if (spec.expireAfterSeconds !== undefined && spec.field.includes('.')) {
    throw new Error(`embedded engine: TTL index on nested field ${spec.field} in ${name} is not supported`);
  }
  const state = internalsOf(db);
  const existing = state.indexes[spec.field];
  if (!existing) {
    await db.ensureIndexAsync({ fieldName: spec.field, unique: spec.unique === true, sparse: spec.sparse === true, expireAfterSeconds: spec.expireAfterSeconds });
    return;
  }
  // MongoDB refuses an index whose options differ from the existing one; so do we, to fail in
  // development rather than at the first deployment on MongoDB.
  const ttl = state.ttlIndexes[spec.field];
  if (existing.unique !== (spec.unique === true) || existing.sparse !== (spec.sparse === true) || (ttl !== undefined && ttl !== spec.expireAfterSeconds)) {
    throw new Error(`index on ${name}.${spec.field} exists with other options`);
  }
  // nedb does not persist expireAfterSeconds: after a reload the index exists without its TTL and
  // ensureIndexAsync returns early for an existing field. Restore it here.
  if (spec.expireAfterSeconds !== undefined) state.ttlIndexes[spec.field] = spec.expireAfterSeconds;
}

async function translateErrors<R>(collection: string, op: Promise<R>): Promise<R> {
  try {
    return await op;
  } catch (err) {
    if ((err as { errorType?: unknown } | null)?.errorType === 'uniqueViolated') {
      throw new DuplicateKeyError(collection, (err as Error).message);
    }
    throw err;
  }
}

/** nedb treats an update without $-operators as a replacement; MongoDB refuses it, so do we. */
function modifiers(update: Update): Update {
  const clean = withoutUndefined(update);
  const keys = Object.keys(clean);
  if (keys.length === 0 || !keys.every((k) => k.startsWith('$'))) {
    throw new Error('update document requires $-operators');
  }
  return clean;
}
