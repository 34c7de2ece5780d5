/**
 * The mock gateway's ledger on disk: `<dataDir>/gateway-ledger.jsonl`, one JSON line per
 * charge or refund, append-only. Loading validates every line with zod and checks that it can
 * follow the lines before it; a torn last line (a crash mid-append) is ignored and cut off,
 * any other damage throws an Error naming the file. Appends made while a write is in flight
 * are written and fsync'd together, one fsync for the group. The file is created 0600, its
 * directory 0700 (../private-files.ts).
 */
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { appendDurably } from '../durable-append';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../private-files';
import { LedgerBook, ledgerEntry, type LedgerEntry } from './ledger-book';

export const LEDGER_FILE_NAME = 'gateway-ledger.jsonl';

export function ledgerPathOf(dataDir: string): string {
  return path.join(dataDir, LEDGER_FILE_NAME);
}

/** What a ledger file holds, and what an append-only writer must repair first. */
export interface ParsedLedger {
  book: LedgerBook;
  /** Bytes up to the end of the last complete line. */
  completeBytes: number;
  /**
   * The bytes after the last newline: none; a torn line (ignored, to cut off); or a whole
   * entry that only lacks its newline (kept, the newline to add).
   */
  tail: 'none' | 'torn' | 'unterminated';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'entry'}: ${issue.message}`)
    .join('; ');
}

function corrupt(file: string, line: number, reason: string): Error {
  return new Error(`Gateway ledger ${file} is corrupt at line ${line}: ${reason}`);
}

function addLine(book: LedgerBook, file: string, lineNumber: number, value: unknown): void {
  const parsed = ledgerEntry.safeParse(value);
  if (!parsed.success) throw corrupt(file, lineNumber, describeIssues(parsed.error));
  const conflict = book.conflict(parsed.data);
  if (conflict !== null) throw corrupt(file, lineNumber, conflict);
  book.add(parsed.data);
}

/** Parse a ledger file's bytes (`file` names it in errors). */
export function parseLedger(content: Buffer, file: string): ParsedLedger {
  const book = new LedgerBook();
  const completeBytes = content.lastIndexOf(0x0a) + 1;
  const lines = content.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  lines.forEach((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw corrupt(file, index + 1, 'not valid JSON');
    }
    addLine(book, file, index + 1, value);
  });
  if (completeBytes === content.length) return { book, completeBytes, tail: 'none' };

  let tailValue: unknown;
  try {
    tailValue = JSON.parse(content.subarray(completeBytes).toString('utf8'));
  } catch {
    // An entry is written whole with its newline: JSON cut short is a torn append.
    return { book, completeBytes, tail: 'torn' };
  }
  addLine(book, file, lines.length + 1, tailValue);
  return { book, completeBytes, tail: 'unterminated' };
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Read and parse the ledger file (an absent file is an empty ledger). */
export async function readLedger(file: string): Promise<ParsedLedger> {
  const content = await readIfExists(file);
  if (content === null) return { book: new LedgerBook(), completeBytes: 0, tail: 'none' };
  return parseLedger(content, file);
}

/** Every entry of the ledger in `dataDir`, in the order recorded (for tests and tools). */
export async function ledgerEntries(dataDir: string): Promise<LedgerEntry[]> {
  const { book } = await readLedger(ledgerPathOf(dataDir));
  return [...book.entries()];
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; its file creation is durable enough.
  } finally {
    await handle?.close();
  }
}

/** The appends that go out in one write: they share one promise. */
interface Group {
  lines: string[];
  written: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const written = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { lines: [], written, resolve, reject };
}

/** Appends entries to the ledger file; see the header for the grouping of fsyncs. */
export class LedgerWriter {
  /** The appends not yet being written. */
  private next: Group | null = null;
  private draining: Promise<void> | null = null;
  private failure: Error | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly durable: boolean,
    /** The file's length up to the end of the last append written (and flushed when durable). */
    private written: number,
  ) {}

  /**
   * The bytes of the file whose appends are done: every entry a caller was told was
   * recorded ends within them (a backup copies this prefix, whole lines only).
   */
  get bytes(): number {
    return this.written;
  }

  /** Open `file` for appending, first repairing the tail that `parsed` found. */
  static async open(file: string, parsed: ParsedLedger, durable: boolean): Promise<LedgerWriter> {
    await makePrivateDir(path.dirname(file));
    if (parsed.tail === 'torn') await truncate(file, parsed.completeBytes);
    const handle = await open(file, 'a', PRIVATE_FILE_MODE);
    try {
      if (parsed.tail === 'unterminated') await handle.appendFile('\n');
      if (durable) {
        await handle.datasync();
        // The file may have just been created: make its directory entry durable too.
        await syncDirectory(path.dirname(file));
      }
      return new LedgerWriter(handle, durable, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Append `entry`; resolves once it is written (and fsync'd when durable). */
  append(entry: LedgerEntry): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.next ??= newGroup();
    this.next.lines.push(`${JSON.stringify(entry)}\n`);
    this.draining ??= this.drain();
    return this.next.written;
  }

  private async drain(): Promise<void> {
    // Started by the first append of a tick: the appends made in the same tick (a batch of
    // charges) join it before the first write. Entries appended while one write and fsync
    // are in flight go out together in the next.
    await Promise.resolve();
    for (let group = this.next; group !== null; group = this.next) {
      this.next = null;
      try {
        const bytes = Buffer.from(group.lines.join(''));
        await appendDurably(this.handle, bytes, this.durable ? 'fdatasync' : 'none');
        this.written += bytes.length;
        group.resolve();
      } catch (error) {
        // After a failed write the file's end is unknown: refuse every later append.
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.refuse(group, this.failure);
      }
    }
    this.draining = null;
  }

  /** Rejects `failed` and the appends made while it was being written. */
  private refuse(failed: Group, failure: Error): void {
    failed.reject(failure);
    this.next?.reject(failure);
    this.next = null;
  }

  /** Wait for the appends in flight, then close the file. */
  async close(): Promise<void> {
    await this.draining;
    await this.handle.close();
  }
}
