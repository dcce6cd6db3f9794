/**
 * What the embedded engine uses of @seald-io/nedb and its index tree
 * @seald-io/binary-search-tree beyond their typings: the Datastore constructor as it loads under
 * NodeNext, nedb's model functions, its Index class and tree, and the fields of a Datastore the
 * embedded-*.ts modules read or replace. Both packages are pinned to exact versions for this
 * (package.json); each module's tests fail if what it relies on here changes.
 */
import { createRequire } from 'node:module';
import nedb from '@seald-io/nedb';
import type { StoredDocument } from './collection.ts';

// nedb is CommonJS (`module.exports = Datastore`) while its typings say `export default`; under
// NodeNext the default import is module.exports, which TypeScript types as the module namespace.
export const Datastore = ((nedb as { default?: unknown }).default ?? nedb) as typeof nedb.default;
export type Datastore = InstanceType<typeof Datastore>;

const require = createRequire(import.meta.url);

/** nedb's document functions (lib/model.js): its line format, matching, paths and key order. */
export const model = require('@seald-io/nedb/lib/model.js') as {
  serialize(doc: unknown): string;
  match(doc: unknown, query: unknown): boolean;
  getDotValue(doc: unknown, field: string): unknown;
  compareThings(a: unknown, b: unknown): number;
  deepCopy<T>(doc: T): T;
};

/** A node of an index's tree: the documents of one key. */
export interface TreeNode {
  key?: unknown;
  data: StoredDocument[];
  left: TreeNode | null;
  right: TreeNode | null;
  compareKeys(a: unknown, b: unknown): number;
  checkValueEquality(a: unknown, b: unknown): boolean;
}

/** The tree under every nedb index (lib/avltree.js): `tree` is its root node. */
export interface AvlTree {
  tree: TreeNode;
  delete(key: unknown, value?: unknown): void;
  getNumberOfKeys(): number;
}

/** One index of a Datastore (lib/indexes.js). */
export interface NedbIndex {
  fieldName: string;
  unique: boolean;
  sparse: boolean;
  tree: AvlTree;
  insert(doc: object | object[]): void;
  /** Set by embedded-index-order.ts once a document whose value of fieldName is an array was indexed. */
  heldAnArray?: boolean;
}

export const IndexClass = require('@seald-io/nedb/lib/indexes.js') as { prototype: NedbIndex } & (new (options: { fieldName: string }) => NedbIndex);
export const AvlTreeClass = require('@seald-io/binary-search-tree/lib/avltree.js') as { prototype: AvlTree };

/** The fields of a Datastore read or replaced here. */
export interface DatastoreInternals {
  indexes: Record<string, NedbIndex | undefined>;
  /** Seconds per TTL field, as ensureIndex set them. */
  ttlIndexes: Record<string, number | undefined>;
  executor: { pushAsync<R>(task: () => Promise<R>): Promise<R> };
  persistence: {
    /** Appends the lines of changed documents (an insert, update or removal). */
    persistNewStateAsync(docs: unknown[]): Promise<void>;
    /** Rewrites the file with the live documents, replacing it by a rename (on load, on compaction). */
    persistCachedDatabaseAsync(): Promise<void>;
  };
  _getRawCandidates(query: object): object[];
  _getCandidatesAsync(query: object, dontExpireStaleDocs?: boolean): Promise<object[]>;
}

export const internalsOf = (db: unknown): DatastoreInternals => db as DatastoreInternals;
