/**
 * Reads each of an NF's collections once at its start. The embedded engine opens a collection's
 * file on its first use, and refuses a file it cannot read (a damaged one: nedb's corrupt-line
 * threshold): a collection first used by a request would fail every request that reaches it
 * while the NF reports itself healthy. Read at start, it fails the start, naming the file.
 */
import type { Collection, StoredDocument } from './collection.ts';

export async function readEachOnce(collections: Record<string, Collection<StoredDocument> | undefined>): Promise<void> {
  await Promise.all(Object.values(collections).map((collection) => collection?.findOne({ _id: '' })));
}
