/**
 * A collection file whose last line was cut short: every write the embedded engine makes is one
 * whole line ending in a newline (embedded-append-file.ts), so bytes after the last newline are a
 * write that did not finish (the process or the machine stopped in it). A write a full disk cut
 * short while the process ran on is another matter: the next line is appended to its bytes, and
 * that line is what nedb then refuses. nedb counts such a line as corrupt, and
 * refuses to load a file in which over a tenth of the lines are (its corruptAlertThreshold): a
 * small collection, a few lines long, would stop the start, or fail every request that reaches it.
 * The torn bytes are cut before nedb reads the file: what they held was never acknowledged.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 64 * 1024;

/** Cuts the file after its last newline; answers how many bytes were cut (0 when the file ends whole or does not exist). */
export function cutTornTail(filename: string): number {
  let fd: number;
  try {
    fd = openSync(filename, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    // Read back from the end a chunk at a time until a newline is found.
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - CHUNK_BYTES);
      const read = readSync(fd, buffer, 0, end - start, start);
      const newline = buffer.subarray(0, read).lastIndexOf(0x0a);
      if (newline >= 0) {
        const whole = start + newline + 1;
        if (whole < size) ftruncateSync(fd, whole);
        return size - whole;
      }
      end = start;
    }
    if (size > 0) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}
