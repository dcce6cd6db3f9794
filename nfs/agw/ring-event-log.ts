/**
 * Recent events with the embedded engine: kept in an EventRing (outside the heap) and, when the
 * store has a data directory, appended as JSON lines to `agw.events.jsonl` there, so that a
 * gateway restarted on the directory answers for the events before it. The lines go to the file
 * every flushIntervalMs, straight from the ring's buffer in one write per contiguous run. Once
 * the file holds maxEvents lines (or as many bytes as the ring) it becomes
 * `agw.events.previous.jsonl` (replacing the one before) and a new file starts: a start reads the
 * previous file and then the current one, keeping the newest maxEvents that have not expired. A
 * line that is not a whole event (the last one of a process that was killed mid-write) is
 * skipped. One gateway per data directory writes the file, as one process owns the embedded
 * store's files.
 */
import { closeSync, existsSync, openSync, readSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import { openAppendFile, type AppendFile } from '../shared/store/embedded-append-file.ts';
import type { EventLog, EventQuery } from './event-log.ts';
import { EventRing } from './event-ring.ts';
import type { GatewayEvent } from './types.ts';

export const EVENTS_FILE = 'agw.events.jsonl';
export const PREVIOUS_EVENTS_FILE = 'agw.events.previous.jsonl';

/**
 * Bytes of JSON lines the ring may hold per event: a discovery's event takes about 300, a
 * refusal's with its reason some more; pages of the buffer never written take no memory.
 */
const BYTES_PER_EVENT = 1024;
/** However many events maxStoredEvents allows, their lines take at most 1 GiB. */
const MAX_BYTES = 2 ** 30;
/** Files being written by a log of this process: a second gateway on the same directory keeps its events in memory. */
const filesInUse = new Set<string>();

interface EventsFile {
  name: string;
  previous: string;
  append: AppendFile;
  lines: number;
  bytes: number;
  /** A write failed part-way: the next one starts on a new line. */
  torn: boolean;
}

export function openRingEventLog(deps: {
  dataDir?: string;
  maxEvents: number;
  retentionSeconds: number;
  now: () => number;
  logger: Logger;
  flushIntervalMs?: number;
  /** How much of a file a start reads at a time (8 MiB). */
  readChunkBytes?: number;
}): EventLog {
  const { flushIntervalMs = 200, readChunkBytes = 8 << 20 } = deps;
  const byteCapacity = Math.min(deps.maxEvents * BYTES_PER_EVENT, MAX_BYTES);
  const ring = new EventRing(deps.maxEvents, byteCapacity);
  const notExpired = () => deps.now() - deps.retentionSeconds * 1000;
  let file: EventsFile | undefined;
  if (deps.dataDir) {
    const name = path.resolve(deps.dataDir, EVENTS_FILE);
    if (filesInUse.has(name)) {
      deps.logger.warn('another gateway of this process writes the events file here: events kept in memory only', { file: name });
    } else {
      filesInUse.add(name);
      const previous = path.resolve(deps.dataDir, PREVIOUS_EVENTS_FILE);
      readInto(ring, previous, notExpired(), readChunkBytes, deps.logger);
      const current = readInto(ring, name, notExpired(), readChunkBytes, deps.logger);
      // A torn last line is ended, so that the next line is not appended to it and lost with it.
      file = { name, previous, append: openAppendFile(name), lines: current.lines, bytes: current.bytes, torn: !current.whole };
    }
  }
  /** The first event not yet in the file. */
  let persisted = ring.nextSequence;
  let timer: NodeJS.Timeout | undefined;

  function writeToFile(): void {
    clearTimeout(timer);
    timer = undefined;
    // Lines the ring dropped before they were written are not counted.
    const from = Math.max(persisted, ring.nextSequence - ring.size);
    persisted = ring.nextSequence;
    if (!file || from === ring.nextSequence) return;
    try {
      if (file.torn) {
        file.append.append('\n');
        file.torn = false;
      }
      for (const run of ring.linesSince(from)) {
        file.torn = true;
        file.append.append(run);
        file.torn = false;
        file.bytes += run.length;
      }
      file.lines += ring.nextSequence - from;
      // Rotated by lines, or by bytes once the file alone holds as many as the ring: either way
      // the two files hold at least what the ring does, so a start lists what was listed before.
      if (file.lines >= deps.maxEvents || file.bytes >= byteCapacity) {
        renameSync(file.name, file.previous);
        file.append.replaced();
        file.lines = 0;
        file.bytes = 0;
      }
    } catch (error) {
      // The events stay in the ring for queries; only a restart would miss them.
      deps.logger.warn('events not written to their file', { file: file.name, error: (error as Error).message });
    }
  }

  return {
    add(event: GatewayEvent): void {
      if (!ring.add(event)) {
        deps.logger.warn('event too large to keep', { type: event.type, eventId: event.eventId });
        return;
      }
      if (file && !timer) {
        timer = setTimeout(writeToFile, flushIntervalMs);
        timer.unref();
      }
    },

    async flush(): Promise<void> {
      writeToFile();
    },

    async list(query: EventQuery): Promise<GatewayEvent[]> {
      const since = query.since?.getTime() ?? -Infinity;
      return ring.list({ type: query.type, aic: query.aic, correlationId: query.correlationId, notBefore: Math.max(since, notExpired()), limit: query.limit });
    },

    /**
     * Lets go of the file's descriptor. Events recorded later (requests the server still answers
     * while it closes) are still written, each batch opening and closing the file.
     */
    async close(): Promise<void> {
      writeToFile();
      if (!file) return;
      file.append.close();
      filesInUse.delete(file.name);
    },
  };
}

/**
 * Adds the file's events to the ring, oldest first, leaving out expired ones; tells how many lines
 * and bytes the file has and whether its last line is whole (ends with a newline). Read a chunk at
 * a time: a file may be larger than the longest string V8 makes. A file that cannot be read
 * leaves the ring with what was read before.
 */
function readInto(ring: EventRing, filename: string, notBefore: number, chunkBytes: number, logger: Logger): { lines: number; bytes: number; whole: boolean } {
  const found = { lines: 0, bytes: 0, whole: true };
  if (!existsSync(filename)) return found;
  let unreadable = 0;
  const take = (line: string) => {
    found.lines += 1;
    // An empty line is what ends a write that failed part-way.
    if (line === '') return;
    let event: GatewayEvent;
    try {
      event = JSON.parse(line) as GatewayEvent;
    } catch {
      unreadable += 1;
      return;
    }
    if (typeof event?.eventId !== 'string' || typeof event.type !== 'string' || !(Date.parse(event.time) >= notBefore)) return;
    ring.add(event);
  };
  let fd: number | undefined;
  try {
    fd = openSync(filename, 'r');
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let carried = Buffer.alloc(0);
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      found.bytes += read;
      const bytes = carried.length ? Buffer.concat([carried, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = bytes.indexOf(10, start); end !== -1; end = bytes.indexOf(10, start)) {
        take(bytes.toString('utf8', start, end));
        start = end + 1;
      }
      carried = Buffer.from(bytes.subarray(start));
    }
    if (carried.length) {
      found.whole = false;
      take(carried.toString('utf8'));
    }
  } catch (error) {
    logger.warn('events file not read to its end', { file: filename, error: (error as Error).message });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (unreadable) logger.warn('unreadable event lines skipped', { file: filename, count: unreadable });
  return found;
}
