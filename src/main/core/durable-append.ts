/**
 * Appending bytes to an open file and flushing them to disk, for the store's journal (through
 * its file port, store/file-ops.ts) and the mock gateway's ledger.
 *
 * An append up to a megabyte is written and flushed synchronously, as SQLite does: one
 * command's commit or one charge takes about 0.15 ms so on the project's machines, where
 * going through fs/promises costs 0.25 to 0.5 ms, its thread-pool round trip outweighing
 * the flush itself (three such flushes make up most of a payment's time); a scheduler
 * batch's (about 450 KB) about 0.6 ms, against twice that through the thread pool, which
 * the run waits for all the same (12% of its charges per second). The event loop stops for
 * that long, where the batch's own work holds it for about 20 ms. Larger appends (the
 * history entry of a whole run, 9 MB for 100,000 charges) go through the thread pool.
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Appends up to this many bytes are written and flushed synchronously. */
export const SYNC_APPEND_BYTES = 1024 * 1024;

/** How to flush: the data and the metadata (fsync), the data and the size (fdatasync), or not. */
export type Flush = 'fsync' | 'fdatasync' | 'none';

/** An open file as appendTo writes it: its synchronous and asynchronous writes and flushes. */
export interface AppendFile {
  /** Writes at the file's position; may write fewer bytes than asked. */
  writeSync(buf: Buffer, offset: number, length: number): number;
  syncSync(flush: 'fsync' | 'fdatasync'): void;
  write(buf: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
}

/** Writes all of `buf` at the handle's position, through the thread pool. */
export async function writeAll(handle: Pick<AppendFile, 'write'>, buf: Buffer): Promise<void> {
  for (let done = 0; done < buf.length;) {
    done += (await handle.write(buf, done, buf.length - done)).bytesWritten;
  }
}

/** Appends `buf` to `file` and flushes it (see the header for which calls). */
export async function appendTo(file: AppendFile, buf: Buffer, flush: Flush): Promise<void> {
  if (buf.length <= SYNC_APPEND_BYTES) {
    for (let done = 0; done < buf.length;) {
      done += file.writeSync(buf, done, buf.length - done);
    }
    if (flush !== 'none') file.syncSync(flush);
    return;
  }
  await writeAll(file, buf);
  if (flush === 'fsync') await file.sync();
  else if (flush === 'fdatasync') await file.datasync();
}

/** The AppendFile of an open FileHandle. */
export function appendFileOf(handle: FileHandle): AppendFile {
  return {
    // Through the `fs` object (not named imports), so that tests can watch the flushes.
    writeSync: (buf, offset, length) => fs.writeSync(handle.fd, buf, offset, length),
    syncSync: (how) => (how === 'fsync' ? fs.fsyncSync(handle.fd) : fs.fdatasyncSync(handle.fd)),
    write: (buf, offset, length) => handle.write(buf, offset, length),
    sync: () => handle.sync(),
    datasync: () => handle.datasync(),
  };
}

/** appendTo on a FileHandle (the gateway's ledger). */
export function appendDurably(handle: FileHandle, buf: Buffer, flush: Flush): Promise<void> {
  return appendTo(appendFileOf(handle), buf, flush);
}
