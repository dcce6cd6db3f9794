/**
 * The gateway's recent events as JSON lines in one fixed buffer outside V8's heap, the newest
 * written over the oldest. With the embedded store every discovery's event was a document in
 * memory (about 750 bytes of heap and a dozen objects with the store's indexes), promoted to the
 * old generation and dropped again a few seconds later at thousands of discoveries a second:
 * V8's full collections marked them over and over, and their insertion and removal in the
 * embedded engine cost the serving thread about 35 µs an event. Here an event is one
 * JSON.stringify and one copy into the buffer, and the heap holds nothing per event.
 *
 * Events are kept in the order they were added. Each has a slot in typed arrays: where its line
 * starts and how long it is, its time, its type (a small code) and hashes of its AIC and
 * correlation id, so that a query skips the events it does not want without reading them; the
 * lines it keeps are parsed and checked field by field, so a hash collision lists nothing wrong.
 */
import type { GatewayEvent } from './types.ts';

export interface EventRingQuery {
  type?: string;
  aic?: string;
  correlationId?: string;
  /** Epoch ms: events before it are left out (since, and the retention period). */
  notBefore?: number;
  limit: number;
}

/** Type codes 1 to 254 name a type; 255 stands for every type seen after the first 254. */
const OTHER_TYPE = 255;
const NO_HASH = 0;

/** FNV-1a over UTF-16 code units: cheap, and a collision only costs a parse. */
function hashOf(text: string | undefined): number {
  if (text === undefined) return NO_HASH;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0 || 1;
}

export class EventRing {
  private readonly bytes: Buffer;
  private readonly starts: Uint32Array;
  private readonly lengths: Uint32Array;
  private readonly times: Float64Array;
  private readonly typeCodes: Uint8Array;
  private readonly aicHashes: Uint32Array;
  private readonly correlationHashes: Uint32Array;
  private readonly typeCode = new Map<string, number>();
  /** Sequence numbers: `oldest` is the first event kept, `next` the one the next add gets. */
  private oldest = 0;
  private next = 0;
  /** Where the next line goes in `bytes`. */
  private writeAt = 0;

  /**
   * @param maxEvents how many events are kept at most
   * @param byteCapacity how many bytes of JSON lines are kept at most (the buffer's size; pages
   *   never written take no memory)
   */
  constructor(readonly maxEvents: number, byteCapacity: number) {
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new RangeError(`maxEvents must be a positive integer, not ${maxEvents}`);
    if (!Number.isInteger(byteCapacity) || byteCapacity < 1024 || byteCapacity > 2 ** 32 - 1) throw new RangeError(`byteCapacity must be an integer from 1024 to 2^32 - 1, not ${byteCapacity}`);
    this.bytes = Buffer.allocUnsafe(byteCapacity);
    this.starts = new Uint32Array(maxEvents);
    this.lengths = new Uint32Array(maxEvents);
    this.times = new Float64Array(maxEvents);
    this.typeCodes = new Uint8Array(maxEvents);
    this.aicHashes = new Uint32Array(maxEvents);
    this.correlationHashes = new Uint32Array(maxEvents);
  }

  get size(): number {
    return this.next - this.oldest;
  }

  /** The sequence number the next event will get: events from a given number on are the ones added since. */
  get nextSequence(): number {
    return this.next;
  }

  /**
   * Keeps the event, dropping the oldest as needed. Returns false, keeping nothing, for an event
   * whose line alone would fill a tenth of the buffer.
   */
  add(event: GatewayEvent): boolean {
    const line = `${JSON.stringify(event)}\n`;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: room for that many is room enough.
    let length = line.length * 3;
    if (length > this.bytes.length / 10) {
      length = Buffer.byteLength(line);
      if (length > this.bytes.length / 10) return false;
    }
    if (this.writeAt + length > this.bytes.length) {
      this.dropOverlapping(this.writeAt, this.bytes.length);
      this.writeAt = 0;
    }
    this.dropOverlapping(this.writeAt, this.writeAt + length);
    if (this.size === this.maxEvents) this.oldest += 1;
    const written = this.bytes.write(line, this.writeAt, 'utf8');
    const slot = this.next % this.maxEvents;
    this.starts[slot] = this.writeAt;
    this.lengths[slot] = written;
    this.times[slot] = Date.parse(event.time);
    this.typeCodes[slot] = this.codeOf(event.type);
    this.aicHashes[slot] = hashOf(event.aic);
    this.correlationHashes[slot] = hashOf(event.correlationId);
    this.writeAt += written;
    this.next += 1;
    return true;
  }

  /** The newest events first, up to the query's limit. */
  list(query: EventRingQuery): GatewayEvent[] {
    const found: GatewayEvent[] = [];
    let wantedType = -1;
    if (query.type !== undefined) {
      wantedType = this.typeCode.get(query.type) ?? (this.typeCode.size === OTHER_TYPE - 1 ? OTHER_TYPE : 0);
      if (wantedType === 0) return found;
    }
    const wantedAic = hashOf(query.aic);
    const wantedCorrelation = hashOf(query.correlationId);
    const notBefore = query.notBefore ?? -Infinity;
    for (let sequence = this.next - 1; sequence >= this.oldest && found.length < query.limit; sequence -= 1) {
      const slot = sequence % this.maxEvents;
      if (this.times[slot] < notBefore) continue;
      if (wantedType !== -1 && this.typeCodes[slot] !== wantedType) continue;
      if (wantedAic !== NO_HASH && this.aicHashes[slot] !== wantedAic) continue;
      if (wantedCorrelation !== NO_HASH && this.correlationHashes[slot] !== wantedCorrelation) continue;
      const event = JSON.parse(this.bytes.toString('utf8', this.starts[slot], this.starts[slot] + this.lengths[slot])) as GatewayEvent;
      if (query.type !== undefined && event.type !== query.type) continue;
      if (query.aic !== undefined && event.aic !== query.aic) continue;
      if (query.correlationId !== undefined && event.correlationId !== query.correlationId) continue;
      found.push(event);
    }
    return found;
  }

  /**
   * The lines of the events from `sequence` on (or from the oldest kept, if that is later), oldest
   * first, as slices of the buffer: valid until the next add.
   */
  linesSince(sequence: number): Buffer[] {
    const runs: Buffer[] = [];
    let runStart = -1;
    let runEnd = -1;
    for (let at = Math.max(sequence, this.oldest); at < this.next; at += 1) {
      const slot = at % this.maxEvents;
      if (this.starts[slot] !== runEnd) {
        if (runStart !== -1) runs.push(this.bytes.subarray(runStart, runEnd));
        runStart = this.starts[slot];
      }
      runEnd = this.starts[slot] + this.lengths[slot];
    }
    if (runStart !== -1) runs.push(this.bytes.subarray(runStart, runEnd));
    return runs;
  }

  /**
   * Drops the oldest events while their lines overlap [begin, end). Lines follow each other
   * around the buffer in the order they were added, so the oldest line is the first after the
   * write position, and the first that does not overlap ends the drop.
   */
  private dropOverlapping(begin: number, end: number): void {
    while (this.oldest < this.next) {
      const slot = this.oldest % this.maxEvents;
      const start = this.starts[slot];
      if (start >= end || start + this.lengths[slot] <= begin) return;
      this.oldest += 1;
    }
  }

  private codeOf(type: string): number {
    let code = this.typeCode.get(type);
    if (code === undefined) {
      if (this.typeCode.size === OTHER_TYPE - 1) return OTHER_TYPE;
      code = this.typeCode.size + 1;
      this.typeCode.set(type, code);
    }
    return code;
  }
}
