/**
 * Removals matching more documents than a call's arguments may hold. For a removal, nedb copies
 * its candidates with `validDocs.push(...docs)` (Datastore._getCandidatesAsync, the branch that
 * keeps expired documents): past about 130,000 candidates the spread exceeds the call stack, and
 * a deleteMany of 150,000 documents failed with "Maximum call stack size exceeded" (removing none).
 * This branch is replaced by the same shallow copy made with slice(); the other branch, which
 * drops expired documents as it goes, is nedb's own.
 */
import { Datastore, internalsOf, type DatastoreInternals } from './nedb-internals.ts';

const prototype = internalsOf(Datastore.prototype);
const getCandidates = prototype._getCandidatesAsync;
prototype._getCandidatesAsync = async function candidates(this: DatastoreInternals, query, dontExpireStaleDocs = false) {
  if (dontExpireStaleDocs) return this._getRawCandidates(query).slice();
  return getCandidates.call(this, query, dontExpireStaleDocs);
};
