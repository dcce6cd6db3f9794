/**
 * Which keys were asked within the last windowMs, kept in two fixed typed arrays. The cached
 * query fast path asks this for every answer it computes for a key of one requester's own; a Map
 * of key strings held each one-off requester's key for the whole window, long enough to outlive
 * V8's young-generation collections, which then copied every key once or twice (the latency tail
 * of cache misses).
 *
 * A key takes the slot of one hash and is told apart there by a second, 32-bit hash (its
 * fingerprint). Keys sharing a slot displace each other, so a repeated key may count as new (its
 * answer is then computed again, never wrong); two keys would count as one only if they share a
 * slot and their fingerprints agree.
 */
export function createRecentKeys(windowMs: number, slots = 1 << 16) {
  if (!Number.isInteger(slots) || slots < 1 || (slots & (slots - 1)) !== 0) throw new RangeError('slots must be a power of two');
  const askedAt = new Float64Array(slots).fill(-Infinity);
  const fingerprints = new Uint32Array(slots);

  return {
    /**
     * True when `key` was asked within windowMs before `now`, and then forgets it (the caller
     * acts on the repeat once); otherwise notes it as asked at `now` and answers false.
     */
    askedAgain(key: string, now: number): boolean {
      // FNV-1a for the slot, and the same walk with another basis and multiplier for the fingerprint.
      let slotHash = 0x811c9dc5;
      let fingerprint = 0x9747b28c;
      for (let i = 0; i < key.length; i++) {
        const code = key.charCodeAt(i);
        slotHash = Math.imul(slotHash ^ code, 0x01000193);
        fingerprint = Math.imul(fingerprint ^ code, 0x5bd1e995);
      }
      // FNV-1a's low bits are weak for keys that differ only near their end: mix them (MurmurHash3's fmix32).
      slotHash = Math.imul(slotHash ^ (slotHash >>> 16), 0x85ebca6b);
      slotHash = Math.imul(slotHash ^ (slotHash >>> 13), 0xc2b2ae35);
      const slot = ((slotHash ^ (slotHash >>> 16)) >>> 0) & (slots - 1);
      fingerprint >>>= 0;
      if (fingerprints[slot] === fingerprint && now - askedAt[slot] < windowMs) {
        askedAt[slot] = -Infinity;
        return true;
      }
      fingerprints[slot] = fingerprint;
      askedAt[slot] = now;
      return false;
    },
  };
}
