/**
 * The MongoDB engine, with the official driver. Deployments start MongoDB next to the NFs, so
 * connecting waits for it with bounded retries and says so in the log, then fails instead of hanging.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Document, Collection as MongoCollection, Filter as MongoFilter, UpdateFilter } from 'mongodb';
import { DuplicateKeyError } from './collection.ts';
import type { Collection, Filter, FindOptions, Store, StoredDocument, Update } from './collection.ts';
import { projectionOf, withIdTiebreak, withoutUndefined } from './document-shape.ts';

export interface MongoStoreOptions {
  uri: string;
  /** Defaults to the database named in the URI path, else `dmsc`. */
  dbName?: string;
  /** Attempts after the first failed one; 30 retries of ~4 s each wait about two minutes. */
  connectRetries?: number;
  retryDelayMs?: number;
  /** How long one attempt waits for a reachable server. */
  serverSelectionTimeoutMS?: number;
  log?: (msg: string) => void;
}

export async function createMongoStore({
  uri,
  dbName = dbNameFromUri(uri) ?? 'dmsc',
  connectRetries = 30,
  retryDelayMs = 2000,
  serverSelectionTimeoutMS = 2000,
  log = (msg) => console.warn(msg),
}: MongoStoreOptions): Promise<Store> {
  const client = await connect({ uri, attempts: connectRetries + 1, retryDelayMs, serverSelectionTimeoutMS, log });
  const db = client.db(dbName);
  const opened = new Map<string, Collection<StoredDocument>>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('MongoDB store is closed');
  };

  return {
    engine: 'mongodb',

    collection<T extends StoredDocument>(name: string): Collection<T> {
      assertOpen();
      let collection = opened.get(name);
      if (!collection) {
        const raw = db.collection<Document>(name);
        const run = async <R>(op: () => Promise<R>): Promise<R> => {
          assertOpen();
          return translateErrors(name, op());
        };
        collection = mongoCollection(raw, run);
        opened.set(name, collection);
      }
      return collection as unknown as Collection<T>;
    },

    async dropAll(): Promise<void> {
      assertOpen();
      for (const name of opened.keys()) await db.collection(name).deleteMany({});
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      opened.clear();
      // Acknowledged writes are already on the server; operations still in flight may fail, so
      // callers await their writes before closing.
      await client.close();
    },
  };
}

type Run = <R>(op: () => Promise<R>) => Promise<R>;

// Our Filter and Update are MongoDB's own query and update languages; only their static types differ.
const q = (filter: Record<string, unknown>): MongoFilter<Document> => filter as MongoFilter<Document>;

function mongoCollection(raw: MongoCollection<Document>, run: Run): Collection<StoredDocument> {
  const asDoc = (doc: Document | null): StoredDocument | null => doc as StoredDocument | null;
  return {
    insertOne: (doc) => run(async () => {
      await raw.insertOne(withoutUndefined(doc) as Document);
    }),

    insertMany: (docs) => run(async () => {
      if (docs.length) await raw.insertMany(docs.map((doc) => withoutUndefined(doc) as Document), { ordered: false });
    }),

    findOne: (filter: Filter, options?: { fields: readonly string[] }) =>
      run(async () => asDoc(await raw.findOne(q(filter), options ? { projection: projectionOf(options.fields) } : {}))),

    find: (filter, options: FindOptions = {}) => run(async () => {
      const { skip, limit } = options;
      const cursor = raw.find(q(filter), options.sort || options.skip ? { sort: withIdTiebreak(options.sort) } : {});
      if (skip) cursor.skip(skip);
      if (limit) cursor.limit(limit);
      const docs = await cursor.toArray();
      return docs as unknown as StoredDocument[];
    }),

    countDocuments: (filter) => run(() => raw.countDocuments(q(filter))),

    replaceOne: (filter, doc, options = {}) => run(async () => {
      const result = await raw.replaceOne(q(filter), withoutUndefined(doc) as Document, { upsert: options.upsert === true });
      return { matched: result.matchedCount, upserted: result.upsertedCount > 0 };
    }),

    findOneAndUpdate: (filter, update) => run(async () => {
      const after = await raw.findOneAndUpdate(q(filter), updateDoc(update), { returnDocument: 'after' });
      return asDoc(after);
    }),

    updateMany: (filter, update) => run(async () => (await raw.updateMany(q(filter), updateDoc(update))).matchedCount),

    findOneAndDelete: (filter) => run(async () => asDoc(await raw.findOneAndDelete(q(filter)))),

    deleteMany: (filter) => run(async () => (await raw.deleteMany(q(filter))).deletedCount),

    createIndex: (spec) => run(async () => {
      // createIndex is a no-op for an identical index and fails for one with other options.
      await raw.createIndex(
        { [spec.field]: 1 },
        {
          ...(spec.unique ? { unique: true } : {}),
          ...(spec.sparse ? { sparse: true } : {}),
          ...(spec.expireAfterSeconds !== undefined ? { expireAfterSeconds: spec.expireAfterSeconds } : {}),
        },
      );
    }),

    dropIndex: (field) => run(async () => {
      if (field === '_id') return;
      // Indexes are found by key, not by name: createIndex lets MongoDB name them.
      const indexes = await raw.indexes().catch((error: { code?: number }) => {
        if (error.code === 26) return []; // NamespaceNotFound: no collection, so no index
        throw error;
      });
      const existing = indexes.find((index) => Object.keys(index.key).length === 1 && index.key[field] === 1);
      // Another replica may drop it between the listing and here: IndexNotFound (27) is done too.
      if (existing?.name) await raw.dropIndex(existing.name).catch((error: { code?: number }) => {
        if (error.code !== 27) throw error;
      });
    }),
  };
}

async function connect(options: {
  uri: string;
  attempts: number;
  retryDelayMs: number;
  serverSelectionTimeoutMS: number;
  log: (msg: string) => void;
}): Promise<MongoClient> {
  const { uri, attempts, retryDelayMs, serverSelectionTimeoutMS, log } = options;
  const where = redact(uri);
  for (let attempt = 1; ; attempt += 1) {
    // Built outside the try: a malformed URI is a configuration error, not worth a retry.
    const client = new MongoClient(uri, { serverSelectionTimeoutMS });
    try {
      return await client.connect();
    } catch (err) {
      await client.close().catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= attempts) {
        log(`MongoDB at ${where} not reachable (attempt ${attempt} of ${attempts}): ${reason}; giving up`);
        throw new Error(`MongoDB at ${where} not reachable after ${attempts} attempts: ${reason}`, { cause: err });
      }
      log(`MongoDB at ${where} not reachable (attempt ${attempt} of ${attempts}): ${reason}; retrying in ${retryDelayMs} ms`);
      await sleep(retryDelayMs);
    }
  }
}

async function translateErrors<R>(collection: string, op: Promise<R>): Promise<R> {
  try {
    return await op;
  } catch (err) {
    // 11000 is MongoDB's duplicate key error, from the primary key or any unique index.
    if ((err as { code?: unknown } | null)?.code === 11000) throw new DuplicateKeyError(collection, (err as Error).message);
    throw err;
  }
}

/** The database named in a mongodb:// or mongodb+srv:// URI's path, if any. */
export function dbNameFromUri(uri: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(uri)?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

/** Keeps passwords out of logs. */
function redact(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

function updateDoc(update: Update): UpdateFilter<Document> {
  return withoutUndefined(update) as UpdateFilter<Document>;
}
