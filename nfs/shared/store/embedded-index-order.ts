/**
 * A sorted find answered by walking the sort field's index in order (the embedded engine). nedb
 * sorts every match before it applies a limit, with a comparator that reads both fields anew at
 * each comparison: the newest 100 of 100,000 gateway events took about a second, with the event
 * loop held all along, and so did reading all of them in order. MongoDB answers such a query from
 * the index the same way this does: in key order, matching as it goes, stopping at the limit
 * (Infinity for none).
 *
 * The walk applies to one sort field that has an index (plus the _id tiebreak of
 * withIdTiebreak), that has never held an array (nedb indexes an array once per element, and
 * sorts it as a whole), and to a filter that names no other indexed field (where nedb's
 * candidates from that index are likely fewer than a walk would visit). Anything else is left to
 * nedb (undefined).
 */
import type { StoredDocument } from './collection.ts';
import { IndexClass, internalsOf, model, type DatastoreInternals, type NedbIndex, type TreeNode } from './nedb-internals.ts';

// Every document an index holds passes through Index.insert (inserts, updates, a reload from
// disk, an index made on a full collection); remembering there whether one was an array costs a
// field read per indexed write and spares the walk a scan.
const indexInsert = IndexClass.prototype.insert;
IndexClass.prototype.insert = function insert(this: NedbIndex, doc) {
  if (!Array.isArray(doc) && !this.heldAnArray && Array.isArray(model.getDotValue(doc, this.fieldName))) this.heldAnArray = true;
  indexInsert.call(this, doc);
};

export interface IndexOrderQuery {
  filter: Record<string, unknown>;
  /** With the _id tiebreak, as withIdTiebreak gives it. */
  sort: Record<string, 1 | -1>;
  skip: number;
  /** Infinity for every match. */
  limit: number;
}

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

/** The documents, or undefined where nedb's own find must answer (see above). */
export async function findInIndexOrder(db: unknown, query: IndexOrderQuery): Promise<StoredDocument[] | undefined> {
  const keys = Object.keys(query.sort);
  // The sort field first: `{ field }`, `{ field, _id }` or `{ _id }`; `{ _id, field }` orders by _id.
  const field = keys[0];
  if (!(query.limit > 0) || keys.length > 2 || (keys.length === 2 && keys[1] !== '_id')) return undefined;
  const internals = internalsOf(db);
  // Through nedb's executor, as its own finds go: the answer reflects every write queued before
  // it, and so does the choice (an index dropped, or an array indexed, by an earlier write).
  return internals.executor.pushAsync(async () => {
    const index = internals.indexes[field];
    // A sparse index holds only the documents that have its field: walking it would miss the rest.
    if (!index || index.heldAnArray || index.sparse) return undefined;
    if (Object.keys(query.filter).some((name) => name !== field && internals.indexes[name])) return undefined;
    return walk(internals, index.tree.tree, field, query);
  });
}

function walk(internals: DatastoreInternals, root: TreeNode, field: string, query: IndexOrderQuery): StoredDocument[] {
  const direction = query.sort[field] ?? 1;
  const idDirection = field === '_id' ? direction : (query.sort._id ?? 1);
  const pastEnd = endOfRange(query.filter[field], direction);
  const expired = expiryCheck(internals.ttlIndexes);
  const found: StoredDocument[] = [];
  let skipped = 0;
  for (const node of inKeyOrder(root, direction)) {
    if (node.data.length === 0) continue;
    if (pastEnd(node.key)) break;
    const docs = node.data.length > 1 ? [...node.data].sort((a, b) => idDirection * model.compareThings(a._id, b._id)) : node.data;
    for (const doc of docs) {
      if (expired(doc) || !model.match(doc, query.filter)) continue;
      if (skipped < query.skip) {
        skipped += 1;
        continue;
      }
      found.push(model.deepCopy(doc));
      if (found.length === query.limit) return found;
    }
  }
  return found;
}

/** The root of the tree of the index on `field`, if there is one. */
export function indexRoot(db: unknown, field: string): TreeNode | undefined {
  return internalsOf(db).indexes[field]?.tree.tree;
}

/** In-order traversal, ascending or descending, without recursion. */
export function* inKeyOrder(root: TreeNode, direction: 1 | -1): Generator<TreeNode> {
  const [first, second] = direction === 1 ? (['left', 'right'] as const) : (['right', 'left'] as const);
  const stack: TreeNode[] = [];
  let node: TreeNode | null = root;
  while (node || stack.length) {
    while (node) {
      stack.push(node);
      node = node[first];
    }
    const next: TreeNode = stack.pop()!;
    yield next;
    node = next[second];
  }
}

/**
 * Whether a key is beyond the far end of the filter's range on the sort field (a lower bound when
 * walking down, an upper bound when walking up), in the index's own order (nedb's compareThings):
 * every later key is too, and none of their documents can match the bound.
 */
function endOfRange(condition: unknown, direction: 1 | -1): (key: unknown) => boolean {
  if (condition === null || typeof condition !== 'object' || condition instanceof Date || Array.isArray(condition)) return () => false;
  const bounds = Object.entries(condition);
  if (bounds.length === 0 || !bounds.every(([operator]) => RANGE_OPERATORS.has(operator))) return () => false;
  const past: Record<string, (order: number) => boolean> = direction === -1
    ? { $gt: (order) => order <= 0, $gte: (order) => order < 0 }
    : { $lt: (order) => order >= 0, $lte: (order) => order > 0 };
  const farEnd = bounds.filter(([operator]) => past[operator]);
  return (key) => farEnd.some(([operator, bound]) => past[operator](model.compareThings(key, bound)));
}

/** nedb's TTL rule (Datastore._getCandidatesAsync): a Date in a TTL field older than its lifetime. */
function expiryCheck(ttlIndexes: DatastoreInternals['ttlIndexes']): (doc: StoredDocument) => boolean {
  const ttl = Object.entries(ttlIndexes).filter((entry): entry is [string, number] => entry[1] !== undefined);
  if (ttl.length === 0) return () => false;
  const now = Date.now();
  return (doc) => ttl.some(([name, seconds]) => {
    const value = (doc as unknown as Record<string, unknown>)[name];
    return value instanceof Date && now > value.getTime() + seconds * 1000;
  });
}
