/**
 * Removing one document from a key of a nedb index, in place. The tree under every nedb index
 * (@seald-io/binary-search-tree) removes a document from a key's list by filtering the whole list
 * into a new array, calling its equality function for each entry: a key many documents share
 * makes that a pass over all of them per removal, and nedb removes a document from every index on
 * every update, changed fields or not. With 100,000 agents over 20 capabilities, an agent's
 * heartbeat took 0.64 ms, nearly all of it in the capability index; and removing the 20,000
 * documents of one key took 4.8 s, quadratic in their number.
 *
 * The patch finds the document by identity (nedb's own equality for index entries) with
 * indexOf and splices it out of the same array; other trees, and keys with one document (which
 * remove the node itself), are left to the library.
 */
import type { StoredDocument } from './collection.ts';
import { AvlTreeClass, IndexClass, type AvlTree, type TreeNode } from './nedb-internals.ts';

// nedb's equality for index entries (identity), the very function its trees are given; read from
// an index of its own at the first removal, not at import: with that index built at import,
// before any of nedb's, a store loading 100,000 agents took 72 bytes more per agent (measured;
// V8 sizes objects from the first ones a constructor makes).
let nedbValueEquality: TreeNode['checkValueEquality'] | undefined;

const deleteFromTree = AvlTreeClass.prototype.delete;
AvlTreeClass.prototype.delete = function deleteKeyOrValue(this: AvlTree, key, value) {
  nedbValueEquality ??= new IndexClass({ fieldName: '_' }).tree.tree.checkValueEquality;
  if (value !== undefined && this.tree.checkValueEquality === nedbValueEquality) {
    const node = nodeOf(this.tree, key);
    if (node && node.data.length > 1) {
      // Every entry equal to the value goes, as the library's filter does; nedb holds each document once per key.
      const doc = value as StoredDocument;
      for (let at = node.data.indexOf(doc); at !== -1; at = node.data.indexOf(doc, at)) node.data.splice(at, 1);
      return;
    }
  }
  deleteFromTree.call(this, key, value);
};

function nodeOf(root: TreeNode, key: unknown): TreeNode | undefined {
  if (!Object.prototype.hasOwnProperty.call(root, 'key')) return undefined; // an empty tree
  let node: TreeNode | null = root;
  while (node) {
    const order = node.compareKeys(key, node.key);
    if (order === 0) return node;
    node = order < 0 ? node.left : node.right;
  }
  return undefined;
}
