/**
 * paydesk.journal: one JSON line per commit, `{"seq":N,"crc":C,"changes":[...]}`, where C is
 * the CRC-32 of the changes' JSON text (written as journal-codec.ts encodes them). Sequence
 * numbers follow each other without gaps.
 *
 * Replay (at open) applies the lines after the snapshot's journalSeq. A bad LAST line (torn by
 * a crash mid-append: incomplete, bad checksum, no newline) was never acknowledged and is
 * reported for cutting; a bad line anywhere else is corruption and stops the open.
 *
 * The writer appends with group commit: the commits that arrive while a write+fsync is in
 * progress share the next one. Writes, fsyncs and the journal's replacement by compaction
 * run one at a time, in order, on one queue.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { appendDurably, writeAll } from '../durable-append';
import type { Change } from '../ports';
import { errnoCode, StoreError, unreadable } from './errors';
import { changesDecoder } from './journal-codec';
import { fsyncDir, readLines, TEMP_SUFFIX, type LineRef } from './files';
import type { CompactionStep } from './snapshot';

const LINE_END = Buffer.from('}\n');

/**
 * The bytes of one journal line. The changes are encoded to UTF-8 once: the checksum is
 * taken over those bytes and they are written as they are (a string would be encoded once
 * for the checksum and again for the write, a third of a commit's cost in a scheduler run).
 */
export function journalLine(seq: number, changesJson: string): Buffer {
  const body = Buffer.from(changesJson, 'utf8');
  const head = Buffer.from(`{"seq":${seq},"crc":${crc32(body)},"changes":`);
  return Buffer.concat([head, body, LINE_END], head.length + body.length + LINE_END.length);
}

const LINE_HEAD = /^\{"seq":(\d+),"crc":(\d+),"changes":/;

type ParsedLine = { seq: number; body: string } | { problem: string };

/** Checks a line's frame and checksum; the changes' JSON is parsed later, if needed. */
function parseLine(text: string): ParsedLine {
  const m = LINE_HEAD.exec(text);
  if (m === null) return { problem: 'not a journal line' };
  if (!text.endsWith('}')) return { problem: 'the line is incomplete' };
  const body = text.slice(m[0].length, -1);
  if (crc32(body) !== Number(m[2])) return { problem: 'checksum mismatch' };
  return { seq: Number(m[1]), body };
}

const isBlank = (line: LineRef): boolean => {
  for (let i = line.start; i < line.end; i++) {
    const b = line.buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x00) return false;
  }
  return true;
};

export interface ReplayTarget {
  /** null when the changes can be applied, else why not. */
  check(changes: unknown[]): string | null;
  apply(changes: Change[]): void;
}

export interface ReplayResult {
  /** The last sequence number in the journal (the snapshot's when there is no line). */
  lastSeq: number;
  /** Lines applied (those after the snapshot's journalSeq). */
  applied: number;
  /** Bytes of the journal that hold good lines. */
  goodBytes: number;
  /** The torn last line, to cut at goodBytes; null when the journal ends cleanly. */
  torn: { line: number; problem: string } | null;
}

export function corruptJournal(file: string, line: number, problem: string): StoreError {
  return new StoreError(
    'corrupt',
    `${file} is damaged at line ${line}: ${problem}. Nothing was changed; restore the data ` +
      `directory from a backup, or move the journal away to open the snapshot alone ` +
      `(losing the commits after it).`,
    file,
    line,
  );
}

/**
 * Applies the journal's lines after `journalSeq` to `target`. Reads only: the caller cuts a
 * torn tail. Throws StoreError 'corrupt' (or 'unreadable').
 */
export async function replayJournal(
  path: string,
  journalSeq: number,
  target: ReplayTarget,
): Promise<ReplayResult> {
  const result: ReplayResult = { lastSeq: journalSeq, applied: 0, goodBytes: 0, torn: null };
  let prevSeq: number | null = null;
  let bad: { line: number; problem: string } | null = null;
  const decode = changesDecoder();
  try {
    await readLines(path, (lines) => {
      for (const line of lines) {
        if (bad !== null) {
          if (isBlank(line)) continue;
          throw corruptJournal(path, bad.line, bad.problem);
        }
        if (isBlank(line)) {
          bad = { line: line.lineNo, problem: 'an empty line' };
          continue;
        }
        // A line without its newline was never acknowledged: cut, not applied.
        const problem = line.terminated ? applyLine(line) : 'no newline at its end';
        if (problem !== null) bad = { line: line.lineNo, problem };
        else result.goodBytes = line.fileOffset + (line.end - line.start) + 1;
      }
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (errnoCode(error) === 'ENOENT') return result;
    throw unreadable(path, error);
  }
  result.torn = bad;
  return result;

  function applyLine(line: LineRef): string | null {
    const parsed = parseLine(line.buf.toString('utf8', line.start, line.end));
    if ('problem' in parsed) return parsed.problem;
    const { seq, body } = parsed;
    if (prevSeq === null ? seq > journalSeq + 1 : seq !== prevSeq + 1) {
      throw corruptJournal(
        path,
        line.lineNo,
        prevSeq === null
          ? `it holds commit ${seq} but the snapshot ends at commit ${journalSeq}: commits are missing`
          : `commit ${seq} follows commit ${prevSeq}: commits are missing or repeated`,
      );
    }
    if (seq > journalSeq) {
      let changes: unknown;
      try {
        changes = JSON.parse(body);
      } catch {
        return 'the changes are not valid JSON';
      }
      if (!Array.isArray(changes)) return 'the changes are not a list';
      const decoded = decode(changes);
      const problem = target.check(decoded);
      if (problem !== null) throw corruptJournal(path, line.lineNo, problem);
      target.apply(decoded as Change[]);
      result.applied++;
    }
    prevSeq = seq;
    result.lastSeq = Math.max(result.lastSeq, seq);
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Appending

interface Batch {
  lines: Buffer[];
  lastSeq: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every commit of the batch gets this promise; whoever awaits it sees the rejection.
  promise.catch(() => undefined);
  return { lines: [], lastSeq: 0, promise, resolve, reject };
}

export interface JournalWriterOptions {
  path: string;
  dir: string;
  /** The journal's size when opened. */
  bytes: number;
  /** The last sequence number already in the file. */
  writtenSeq: number;
  /** Called once when a write fails: the store must stop taking commits. */
  onFailure: (error: StoreError) => void;
  /** Called after each successful flush. */
  onFlushed: () => void;
  onStep?: (step: CompactionStep) => void | Promise<void>;
  /** Tests only: called before each journal write; throwing fails that write. */
  beforeWrite?: () => void;
}

export class JournalWriter {
  bytes: number;
  private handle: FileHandle | null = null;
  private queue: Promise<void> = Promise.resolve();
  private filling: Batch | null = null;
  private writtenSeq: number;
  private failure: StoreError | null = null;
  /** Lines appended since a compaction captured the state (all have seq > its journalSeq). */
  private retained: { seq: number; line: Buffer }[] | null = null;

  constructor(private readonly options: JournalWriterOptions) {
    this.bytes = options.bytes;
    this.writtenSeq = options.writtenSeq;
  }

  async start(): Promise<void> {
    this.handle = await open(this.options.path, 'a');
  }

  /** Queues `line` (commit `seq`); resolves once it is written and fsynced with its group. */
  append(seq: number, line: Buffer): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    let batch = this.filling;
    if (batch === null) {
      const fresh = newBatch();
      batch = fresh;
      this.filling = fresh;
      void this.enqueue(() => this.flush(fresh));
    }
    batch.lines.push(line);
    batch.lastSeq = seq;
    this.retained?.push({ seq, line });
    return batch.promise;
  }

  /** Resolves when everything queued so far is written (or failed). */
  drain(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /** From now on, remember appended lines: a compaction captured the state just now. */
  startRetaining(): void {
    this.retained = [];
  }

  stopRetaining(): void {
    this.retained = null;
  }

  /**
   * Replaces the journal with the lines appended since startRetaining (the snapshot now holds
   * everything before them): written to paydesk.journal.tmp, fsynced, renamed over the journal.
   */
  replaceWithRetained(): Promise<void> {
    return this.enqueue(async () => {
      const retained = this.retained ?? [];
      this.retained = null;
      if (this.failure !== null) throw this.failure;
      const { path, dir, onStep } = this.options;
      const temp = path + TEMP_SUFFIX;
      // Lines still waiting in a batch go to the new file when their batch is flushed.
      const keep = retained.filter((r) => r.seq <= this.writtenSeq).map((r) => r.line);
      const buf = Buffer.concat(keep);
      try {
        const tempHandle = await open(temp, 'w');
        try {
          await writeAll(tempHandle, buf);
          await tempHandle.sync();
        } finally {
          await tempHandle.close();
        }
        await onStep?.('journal-temp-written');
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await this.handle?.close();
      this.handle = null;
      try {
        await rename(temp, path);
        this.bytes = buf.length;
        await fsyncDir(dir);
      } finally {
        try {
          this.handle = await open(path, 'a');
        } catch (error) {
          this.fail(error);
        }
      }
      await onStep?.('journal-replaced');
    });
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle?.close();
    this.handle = null;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flush(batch: Batch): Promise<void> {
    if (this.filling === batch) this.filling = null;
    if (this.failure !== null) {
      batch.reject(this.failure);
      return;
    }
    const buf = batch.lines.length === 1 ? (batch.lines[0] as Buffer) : Buffer.concat(batch.lines);
    try {
      if (this.handle === null) throw new Error('the journal is not open');
      this.options.beforeWrite?.();
      await appendDurably(this.handle, buf, 'fsync');
    } catch (error) {
      this.fail(error);
      batch.reject(this.failure ?? new Error('journal write failed'));
      return;
    }
    this.bytes += buf.length;
    this.writtenSeq = batch.lastSeq;
    batch.resolve();
    this.options.onFlushed();
  }

  private fail(error: unknown): void {
    if (this.failure !== null) return;
    const why = error instanceof Error ? error.message : String(error);
    this.failure = new StoreError(
      'write_failed',
      `writing ${this.options.path} failed (${why}); the last commits are not saved and the ` +
        `store accepts no more. Free disk space or fix permissions, then restart Paydesk.`,
      this.options.path,
    );
    this.options.onFailure(this.failure);
  }
}
