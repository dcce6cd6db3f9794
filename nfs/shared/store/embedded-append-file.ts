/**
 * The append end of an embedded collection's file: one descriptor, opened on the first append and
 * kept open, so that an append is one write(2). fs.appendFileSync opens and closes the file around
 * every write, three system calls where one does: 6 µs against 2 µs for a 1 kB line on the 2-core
 * benchmark machine, and an agent registration appends six lines.
 *
 * A descriptor follows the file it opened, not its name: once the file is replaced by a rename
 * (nedb's rewrite when the store opens or closes, the growth rewrite of
 * embedded-file-compaction.ts), `replaced()` must be called before the next append, which then
 * opens the new file. Once closed (the store closing), an append still under way is written the
 * way fs.appendFileSync writes, opening and closing the file, so no descriptor outlives the store.
 */
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';

export interface AppendFile {
  /** Appends the text (or bytes) in one synchronous step; throws as fs.appendFileSync would. */
  append(text: string | Uint8Array): void;
  /** The file at this name is a new one: the next append opens it. */
  replaced(): void;
  /** Closes the descriptor for good: later appends open and close the file each time. */
  close(): void;
}

export function openAppendFile(filename: string): AppendFile {
  let fd: number | undefined;
  let closed = false;
  const closeDescriptor = () => {
    if (fd === undefined) return;
    const open = fd;
    fd = undefined;
    closeSync(open);
  };
  return {
    append(text) {
      if (closed) {
        appendFileSync(filename, text, { encoding: 'utf8', mode: 0o644 });
        return;
      }
      fd ??= openSync(filename, 'a', 0o644);
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      // write(2) may write fewer bytes than asked; fs.appendFileSync loops the same way.
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    },
    replaced: closeDescriptor,
    close() {
      closed = true;
      closeDescriptor();
    },
  };
}
