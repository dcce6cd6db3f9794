/**
 * Recent events with the embedded engine: kept in an EventRing (outside the heap) and, when the
 * store has a data directory, appended as JSON lines to `agw.events.jsonl` there, so that a
 * gateway restarted on the directory answers for the events before it. The lines go to the file
 * every flushIntervalMs, straight from the ring's buffer in one write per contiguous run. Once
 * the file holds maxEvents lines it becomes `agw.events.previous.jsonl` (replacing the one
 * before) and a new file starts: the two files hold at most twice maxEvents lines, and a start
 * reads the previous file and then the current one, keeping the newest maxEvents that have not
 * expired. A line that is not a whole event (the last one of a process that was killed
 * mid-write) is skipped.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import { openAppendFile, type AppendFile } from '../shared/store/embedded-append-file.ts';
import type { EventLog, EventQuery } from './event-log.ts';
import { EventRing } from './event-ring.ts';
import type { GatewayEvent } from './types.ts';

export const EVENTS_FILE = 'agw.events.jsonl';
export const PREVIOUS_EVENTS_FILE = 'agw.events.previous.jsonl';

/**
 * Bytes of JSON lines the ring may hold per event: a discovery's event takes about 350, a
 * refusal's with its reason some more; pages of the buffer never written take no memory.
 */
const BYTES_PER_EVENT = 1024;
/** However many events maxStoredEvents allows, their lines take at most 1 GiB. */
const MAX_BYTES = 2 ** 30;

export function openRingEventLog(deps: {
  dataDir?: string;
  maxEvents: number;
  retentionSeconds: number;
  now: () => number;
  logger: Logger;
  flushIntervalMs?: number;
}): EventLog {
  const { flushIntervalMs = 200 } = deps;
  const ring = new EventRing(deps.maxEvents, Math.min(deps.maxEvents * BYTES_PER_EVENT, MAX_BYTES));
  const notExpired = () => deps.now() - deps.retentionSeconds * 1000;
  let file: { name: string; previous: string; append: AppendFile; lines: number } | undefined;
  if (deps.dataDir) {
    const name = path.join(deps.dataDir, EVENTS_FILE);
    const previous = path.join(deps.dataDir, PREVIOUS_EVENTS_FILE);
    readInto(ring, previous, notExpired(), deps.logger);
    const current = readInto(ring, name, notExpired(), deps.logger);
    file = { name, previous, append: openAppendFile(name), lines: current.lines };
    // A torn last line is ended, so that the next line is not appended to it and lost with it.
    if (!current.whole) file.append.append('\n');
  }
  /** The first event not yet in the file. */
  let persisted = ring.nextSequence;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function writeToFile(): void {
    clearTimeout(timer);
    timer = undefined;
    if (!file || persisted === ring.nextSequence) return;
    const written = ring.nextSequence - persisted;
    try {
      for (const run of ring.linesSince(persisted)) file.append.append(run);
      file.lines += written;
      if (file.lines >= deps.maxEvents) {
        renameSync(file.name, file.previous);
        file.append.replaced();
        file.lines = 0;
      }
    } catch (error) {
      // The events stay in the ring for queries; only a restart would miss them.
      deps.logger.warn('events not written to their file', { count: written, file: file.name, error: (error as Error).message });
    }
    persisted = ring.nextSequence;
  }

  return {
    add(event: GatewayEvent): void {
      if (closed) return;
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

    async close(): Promise<void> {
      writeToFile();
      closed = true;
      file?.append.close();
    },
  };
}

/**
 * Adds the file's events to the ring, oldest first, leaving out expired ones; tells how many lines
 * the file has and whether its last one is whole (ends with a newline).
 */
function readInto(ring: EventRing, filename: string, notBefore: number, logger: Logger): { lines: number; whole: boolean } {
  if (!existsSync(filename)) return { lines: 0, whole: true };
  const lines = readFileSync(filename, 'utf8').split('\n');
  const whole = lines.at(-1) === '';
  if (whole) lines.pop();
  let unreadable = 0;
  for (const line of lines) {
    let event: GatewayEvent;
    try {
      event = JSON.parse(line) as GatewayEvent;
    } catch {
      unreadable += 1;
      continue;
    }
    if (typeof event?.eventId !== 'string' || typeof event.type !== 'string' || !(Date.parse(event.time) >= notBefore)) continue;
    ring.add(event);
  }
  if (unreadable) logger.warn('unreadable event lines skipped', { file: filename, count: unreadable });
  return { lines: lines.length, whole };
}
