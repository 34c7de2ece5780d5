/**
 * File helpers of the store: the data directory's file names, fsync of a directory (so a
 * rename survives a crash), a chunked reader that hands out lines with their positions, and
 * a writer that writes a large file in slices between which the event loop runs.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { StoreFile } from './file-ops';

export const SNAPSHOT_FILE = 'paydesk.json';
export const JOURNAL_FILE = 'paydesk.journal';
/** The number of a commit known durable in the journal (mark.ts). */
export const MARK_FILE = 'paydesk.mark';
/** The lock files are `paydesk.lock.<n>` (lock.ts); a bare `paydesk.lock` is an earlier version's. */
export const LOCK_FILE = 'paydesk.lock';
/** Suffix of a file being written before it is renamed into place. */
export const TEMP_SUFFIX = '.tmp';

export interface DataFiles {
  dir: string;
  snapshot: string;
  journal: string;
  mark: string;
  /** The lock files' common prefix (and an earlier version's lock file). */
  lock: string;
}

/** n when `name` is the lock's generation `<lockName>.<n>` (lock.ts), else null. */
export function lockGeneration(name: string, lockName = LOCK_FILE): number | null {
  if (!name.startsWith(`${lockName}.`)) return null;
  const rest = name.slice(lockName.length + 1);
  return /^[1-9]\d*$/.test(rest) && Number.isSafeInteger(Number(rest)) ? Number(rest) : null;
}

/** Whether a file of the data directory is one of the lock's (not data: never copied). */
export function isLockFile(name: string): boolean {
  return name === LOCK_FILE || lockGeneration(name) !== null;
}

export function dataFiles(dir: string): DataFiles {
  return {
    dir,
    snapshot: join(dir, SNAPSHOT_FILE),
    journal: join(dir, JOURNAL_FILE),
    mark: join(dir, MARK_FILE),
    lock: join(dir, LOCK_FILE),
  };
}

/** Makes the directory's entries (a rename, a new file) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows can neither open nor fsync a directory; its renames are durable as they are.
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}

/** Lets the event loop run (timers, I/O callbacks) between two slices of long work. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One line of a file: bytes [start, end) of `buf`, without its newline. */
export interface LineRef {
  buf: Buffer;
  start: number;
  end: number;
  /** 1-based. */
  lineNo: number;
  /** Offset in the file of the line's first byte. */
  fileOffset: number;
  /** Whether a newline ends it (false only for the file's last line). */
  terminated: boolean;
}

const CHUNK = 8 << 20;

/**
 * Reads `path` in chunks and calls `onLines` with the complete lines of each chunk (a
 * `LineRef` is only valid during that call). Yields to the event loop between chunks.
 */
export async function readLines(path: string, onLines: (lines: LineRef[]) => void): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await readLinesOf(handle, (lines) => {
      onLines(lines);
      return false;
    });
  } finally {
    await handle.close();
  }
}

/**
 * Reads the file of `handle` from its start, like readLines, until `onLines` returns true
 * (it has seen what it wanted; the rest of that chunk's lines are then ignored).
 */
export async function readLinesOf(
  handle: FileHandle,
  onLines: (lines: LineRef[]) => boolean,
): Promise<void> {
  let buf = Buffer.allocUnsafe(CHUNK);
  let carry = 0;
  let fileOffset = 0;
  let lineNo = 1;
  for (;;) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const { bytesRead } = await handle.read(buf, carry, buf.length - carry, fileOffset + carry);
    const end = carry + bytesRead;
    const eof = bytesRead === 0;
    const lines: LineRef[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1 || nl >= end) break;
      lines.push({ buf, start, end: nl, lineNo: lineNo++, fileOffset, terminated: true });
      fileOffset += nl + 1 - start;
      start = nl + 1;
    }
    if (eof && start < end) {
      lines.push({ buf, start, end, lineNo: lineNo++, fileOffset, terminated: false });
      start = end;
    }
    if (lines.length > 0 && onLines(lines)) return;
    if (eof) return;
    buf.copy(buf, 0, start, end);
    carry = end - start;
    await yieldToLoop();
  }
}

/** How long a slice of snapshot writing runs before the event loop gets a turn. */
const SLICE_MS = 4;
/** Text queued before it is written out. */
const FLUSH_CHARS = 1 << 18;
/**
 * Bytes written between two fsyncs of the file: flushed to disk a little at a time, the file
 * never has so much unwritten that an fsync of the journal (which the file system may make
 * wait for it) stalls a commit.
 */
const SYNC_BYTES = 8 << 20;

/**
 * Writes a file from many small pieces of text (and copied bytes) in slices: the writer
 * calls `breathe()` every few hundred pieces, which writes out what is queued and yields to
 * the event loop once a slice has run SLICE_MS, so commits keep flowing during a compaction.
 * It keeps the CRC-32 of every byte it wrote (the snapshot's checksum, snapshot.ts).
 */
export class SliceWriter {
  /** Bytes written to the file so far (queued text not included). */
  position = 0;
  /** The CRC-32 of the bytes written so far. */
  crc = 0;
  private synced = 0;
  /** Newlines written or queued so far. */
  lines = 0;
  private parts: string[] = [];
  private chars = 0;
  private sliceStart = performance.now();

  constructor(private readonly handle: StoreFile) {}

  text(s: string): void {
    this.parts.push(s);
    this.chars += s.length;
  }

  /** Ends the current line. */
  newline(): void {
    this.text('\n');
    this.lines++;
  }

  async breathe(): Promise<void> {
    if (this.chars >= FLUSH_CHARS) await this.flush();
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await this.flush();
    await yieldToLoop();
    this.sliceStart = performance.now();
  }

  /** Writes out the queued text; `position` is then exact. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.chars = 0;
    await this.bytes(buf, buf.length);
  }

  /** Writes `length` bytes of `buf` now (after the queued text), counting `newlines` in them. */
  async bytes(buf: Buffer, length: number, newlines = 0): Promise<void> {
    if (this.parts.length > 0) await this.flush();
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.handle.write(buf, done, length - done);
      done += bytesWritten;
    }
    this.crc = crc32(buf.subarray(0, length), this.crc);
    this.position += length;
    this.lines += newlines;
    if (this.position - this.synced >= SYNC_BYTES) {
      // For the journal's fsyncs' sake only: the writer of the file flushes it whole at the end.
      this.synced = this.position;
      await this.handle.datasync();
    }
  }
}
