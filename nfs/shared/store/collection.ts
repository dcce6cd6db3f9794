/**
 * One collection interface in MongoDB's query language, served by two engines: the embedded
 * default (@seald-io/nedb, in memory or files under a data directory) and MongoDB. Services never
 * see an engine; their store.ts files use only this interface (DESIGN.md, "Storage").
 *
 * Documents are copied on the way in and out, so a caller can never mutate stored state by
 * holding on to an object.
 */

/** Every stored document has a string primary key. */
export interface StoredDocument {
  _id: string;
}

/** A MongoDB query document: equality, $in, $nin, $lt, $lte, $gt, $gte, $ne, $exists, $or, $and, dotted paths. */
export type Filter = Record<string, unknown>;

/** A MongoDB update document limited to the operators both engines share: $set, $unset, $inc, $push, $pull. */
export type Update = {
  $set?: Record<string, unknown>;
  $unset?: Record<string, unknown>;
  $inc?: Record<string, number>;
  $push?: Record<string, unknown>;
  $pull?: Record<string, unknown>;
};

export interface FindOptions {
  /**
   * 1 ascending, -1 descending, in key order; _id breaks ties. Without sort or skip the order is
   * the engine's own, which spares a sort of every match when only a few are wanted.
   */
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
}

export interface IndexSpec {
  /** One field (dotted path allowed). */
  field: string;
  unique?: boolean;
  /**
   * Documents without the field are left out of the index (MongoDB's sparse index): an index on a
   * field few documents have costs the others nothing.
   */
  sparse?: boolean;
  /** TTL index: the field holds a Date; a document is removed this many seconds after it. */
  expireAfterSeconds?: number;
}

export interface Collection<T extends StoredDocument> {
  /** Throws DuplicateKeyError when _id or a unique index is already taken. */
  insertOne(doc: T): Promise<void>;
  /**
   * Inserts several documents in one write (for batches such as events). Not atomic across
   * engines: on a DuplicateKeyError some documents may have been stored.
   */
  insertMany(docs: T[]): Promise<void>;
  findOne(filter: Filter): Promise<T | null>;
  /**
   * Only the named fields and _id of the first match: a caller that needs two fields of a large
   * document spares the embedded engine a copy of all of it (nedb copies every document it returns).
   */
  findOne<K extends Exclude<keyof T & string, '_id'>>(filter: Filter, options: { fields: readonly [K, ...K[]] }): Promise<Pick<T, K | '_id'> | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  countDocuments(filter: Filter): Promise<number>;
  /** Replaces the first match; with upsert inserts when none matches. Throws DuplicateKeyError on a unique clash. */
  replaceOne(filter: Filter, doc: T, options?: { upsert?: boolean }): Promise<{ matched: number; upserted: boolean }>;
  /** Applies the update to the first match and returns the document after the update, or null when none matched. */
  findOneAndUpdate(filter: Filter, update: Update): Promise<T | null>;
  updateMany(filter: Filter, update: Update): Promise<number>;
  /** Returns the deleted document, or null when none matched. */
  findOneAndDelete(filter: Filter): Promise<T | null>;
  deleteMany(filter: Filter): Promise<number>;
  /** Idempotent: creating an index that exists is not an error. */
  createIndex(spec: IndexSpec): Promise<void>;
  /** Drops the index on a field, one an earlier release created; idempotent, and never the _id index. */
  dropIndex(field: string): Promise<void>;
}

export interface Store {
  readonly engine: 'embedded' | 'mongodb';
  /**
   * The embedded engine's directory, when it keeps files: a service that keeps data of its own
   * outside the engine (the AGW's recent events) puts its files beside the collections'.
   */
  readonly dataDir?: string;
  collection<T extends StoredDocument>(name: string): Collection<T>;
  /** Removes every document of every collection this store has opened; for tests and benchmarks. */
  dropAll(): Promise<void>;
  close(): Promise<void>;
}

/** A write that would break the primary key or a unique index. */
export class DuplicateKeyError extends Error {
  constructor(readonly collection: string, detail: string) {
    super(`duplicate key in ${collection}: ${detail}`);
    this.name = 'DuplicateKeyError';
  }
}
