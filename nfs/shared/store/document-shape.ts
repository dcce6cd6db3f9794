/** What both engines do alike, so they store the same documents and order ties the same way. */
import type { FindOptions } from './collection.ts';

/** Sorting by _id last makes pages stable and gives both engines the same order for ties. */
export function withIdTiebreak(sort: FindOptions['sort'] = {}): Record<string, 1 | -1> {
  return '_id' in sort ? sort : { ...sort, _id: 1 };
}

/**
 * Copies plain objects and arrays, dropping object fields whose value is undefined: MongoDB's
 * driver would store null, nedb drops them, so both engines drop them. Filters are left alone:
 * with the driver's ignoreUndefined a filter `{ id: undefined }` would match every document.
 */
export function withoutUndefined<V>(value: V): V {
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item)) as V;
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date and friends: copied by the engine
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = withoutUndefined(item);
  return copy as V;
}

/** A projection keeping the named fields (and _id, which both engines keep unless told not to). */
export function projectionOf(fields: readonly string[]): Record<string, 1> {
  if (!fields.length) throw new RangeError('a projection names at least one field');
  return Object.fromEntries(fields.map((field) => [field, 1]));
}
