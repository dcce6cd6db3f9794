/**
 * Removals matching more documents than a call's arguments may hold. For a removal, nedb copies
 * its candidates with `validDocs.push(...docs)` (Datastore._getCandidatesAsync, the branch that
 * keeps expired documents): past about 130,000 candidates the spread exceeds the call stack, and
 * a deleteMany of 150,000 documents failed with "Maximum call stack size exceeded" (removing none).
 * This branch is replaced by the same shallow copy made with slice(); the other branch, which
 * drops expired documents as it goes, is nedb's own.
 */
import nedb from '@seald-io/nedb';

interface CandidateSearch {
  _getRawCandidates(query: object): object[];
  _getCandidatesAsync(query: object, dontExpireStaleDocs?: boolean): Promise<object[]>;
}

const Datastore = ((nedb as { default?: unknown }).default ?? nedb) as { prototype: CandidateSearch };

const getCandidates = Datastore.prototype._getCandidatesAsync;
Datastore.prototype._getCandidatesAsync = async function candidates(this: CandidateSearch, query, dontExpireStaleDocs = false) {
  if (dontExpireStaleDocs) return this._getRawCandidates(query).slice();
  return getCandidates.call(this, query, dontExpireStaleDocs);
};
