/**
 * File helpers of the store: the data directory's file names, fsync of a directory (so a
 * rename survives a crash), and a chunked reader that hands out lines with their positions.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const SNAPSHOT_FILE = 'paydesk.json';
export const JOURNAL_FILE = 'paydesk.journal';
export const LOCK_FILE = 'paydesk.lock';
/** Suffix of a file being written before it is renamed into place. */
export const TEMP_SUFFIX = '.tmp';

export interface DataFiles {
  dir: string;
  snapshot: string;
  journal: string;
  lock: string;
}

export function dataFiles(dir: string): DataFiles {
  return {
    dir,
    snapshot: join(dir, SNAPSHOT_FILE),
    journal: join(dir, JOURNAL_FILE),
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
      const { bytesRead } = await handle.read(buf, carry, buf.length - carry, null);
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
      if (lines.length > 0) onLines(lines);
      if (eof) return;
      buf.copy(buf, 0, start, end);
      carry = end - start;
      await yieldToLoop();
    }
  } finally {
    await handle.close();
  }
}
