/**
 * paydesk.journal: one JSON line per commit, `{"seq":N,"crc":C,"v":V,"changes":[...]}`,
 * where V is the schema version the line was written in and C the CRC-32 of `"v":V,` and
 * the changes' JSON text (written as journal-codec.ts encodes them; lines of schema 4 and
 * older have no V, and their C covers the changes alone). Replay migrates an older line's
 * records to the store's version before applying them. Sequence numbers follow each other
 * without gaps.
 *
 * Replay (at open) applies the lines after the snapshot's journalSeq. What follows the last
 * good line, when it is one bad line (incomplete, bad checksum, no newline) and nothing but
 * blank bytes after it, is the journal's end cut short; the store cuts it at open, after
 * saving its bytes beside the journal (cutJournalTail: paydesk.journal.cut-<time>), and
 * reports it. A bad line followed by another non-blank line is damage before the end: the
 * open is refused, naming the line, and no byte is changed.
 *
 * A cut end is either a torn write or lost commits, and the journal alone cannot tell which:
 * a file cut short in the middle of a line (by a file system, a copy, a hand) looks exactly
 * like a group commit's write interrupted by a crash. The rule (mark.ts): a commit is
 * acknowledged only once its line is durable, and the number of a commit known durable is
 * kept apart in paydesk.mark, written just after its flush (within MARK_DELAY_MS) and at
 * close. A crash can tear only what was not yet durable, that is lines after the mark; so
 * when the journal's good lines end before the mark's number, the commits from there to the
 * mark were acknowledged and are lost, and the store says so with their numbers.
 * When they end at or after it, the cut end is a write that was never acknowledged, or at
 * worst commits confirmed in the last moment before the file was cut short; start-up
 * reconciliation (../reconcile.ts) records again every charge and refund the gateway made
 * that the store no longer knows, so no money movement is silently missing either way.
 *
 * The writer appends with group commit: the commits that arrive while a write+fsync is in
 * progress share the next one. Writes, fsyncs and the journal's replacement by compaction
 * run one at a time, in order, on one queue, through the store's file port (file-ops.ts).
 */
import { crc32 } from 'node:zlib';
import { appendTo } from '../durable-append';
import type { Change } from '../ports';
import { PRIVATE_FILE_MODE } from '../private-files';
import { errnoCode, StoreError, unreadable } from './errors';
import { changesDecoder } from './journal-codec';
import { writeFully, writesStopped, type FileOps, type StoreFile } from './file-ops';
import { readLines, TEMP_SUFFIX, type LineRef } from './files';
import type { CompactionStep } from './snapshot';

const LINE_END = Buffer.from('}\n');

/**
 * The bytes of one journal line, `{"seq":N,"crc":C,"v":V,"changes":[...]}`: V is the schema
 * version the changes are written in (migrations.ts; lines of schema 4 and older have none,
 * and are only ever read: `version` omitted writes such a line, for the tests of older
 * journals), and C the CRC-32 of `"v":V,` and the changes' text. The changes are encoded to UTF-8 once:
 * the checksum is taken over those bytes and they are written as they are (a string would be
 * encoded once for the checksum and again for the write, a third of a commit's cost in a
 * scheduler run).
 */
export function journalLine(seq: number, changesJson: string, version?: number): Buffer {
  const body = Buffer.from(changesJson, 'utf8');
  const v = version === undefined ? '' : `"v":${version},`;
  const crc = v === '' ? crc32(body) : crc32(body, crc32(v));
  const head = Buffer.from(`{"seq":${seq},"crc":${crc},${v}"changes":`);
  return Buffer.concat([head, body, LINE_END], head.length + body.length + LINE_END.length);
}

const LINE_HEAD = /^\{"seq":(\d+),"crc":(\d+),(?:"v":(\d+),)?"changes":/;

type ParsedLine = { seq: number; version?: number; body: string } | { problem: string };

/** Checks a line's frame and checksum; the changes' JSON is parsed later, if needed. */
function parseLine(text: string): ParsedLine {
  const m = LINE_HEAD.exec(text);
  if (m === null) return { problem: 'not a journal line' };
  if (!text.endsWith('}')) return { problem: 'the line is incomplete' };
  const body = text.slice(m[0].length, -1);
  const v = m[3];
  const crc = v === undefined ? crc32(body) : crc32(body, crc32(`"v":${v},`));
  if (crc !== Number(m[2])) return { problem: 'checksum mismatch' };
  return v === undefined
    ? { seq: Number(m[1]), body }
    : { seq: Number(m[1]), version: Number(v), body };
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
  /** The bad last line, to cut at goodBytes; null when the journal ends cleanly. */
  torn: TornEnd | null;
}

export interface TornEnd {
  /** Its 1-based line number. */
  line: number;
  problem: string;
  /** The commit it was, when its beginning can still be read. */
  seq: number | null;
}

const SEQ_HEAD = /^\{"seq":(\d+),/;

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

/** Where cutJournalTail saved the bytes it cut. */
export interface SavedCut {
  /** The file beside the journal that holds them. */
  path: string;
  bytes: number;
}

/** `paydesk.journal.cut-20261201-084412-123` for a cut made at that instant (UTC). */
export function cutFileName(journal: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace('.', '-')
    .replace('Z', '');
  return `${journal}.cut-${stamp}`;
}

/**
 * Cuts the journal at `length` (the end of its last good line), nothing thrown away: the bytes
 * after it are first written to a file of their own beside it (cutFileName) and made durable
 * with their name; only then is the journal truncated and flushed, so that a reopen after a
 * power loss finds no cut to make again.
 */
export async function cutJournalTail(
  files: FileOps,
  path: string,
  dir: string,
  length: number,
  now: Date,
): Promise<SavedCut> {
  const journal = await files.open(path, 'r+');
  try {
    const tail = Buffer.alloc((await journal.size()) - length);
    for (let done = 0; done < tail.length;) {
      const { bytesRead } = await journal.read(tail, done, tail.length - done, length + done);
      if (bytesRead === 0) throw new Error(`${path} became shorter while it was being cut`);
      done += bytesRead;
    }
    let saved = cutFileName(path, now);
    for (let n = 2; ; n++) {
      try {
        const copy = await files.open(saved, 'wx', PRIVATE_FILE_MODE);
        try {
          await writeFully(copy, tail, 0);
          await copy.sync();
        } finally {
          await copy.close();
        }
        break;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        saved = `${cutFileName(path, now)}-${n}`;
      }
    }
    await files.fsyncDir(dir);
    await journal.truncate(length);
    await journal.sync();
    return { path: saved, bytes: tail.length };
  } finally {
    await journal.close();
  }
}

/**
 * Applies the journal's lines after `journalSeq` to `target`, their changes decoded (and
 * migrated from the line's version) by `decode`. Reads only: the caller cuts a torn tail.
 * Throws StoreError 'corrupt' (or 'unreadable').
 */
export async function replayJournal(
  path: string,
  journalSeq: number,
  target: ReplayTarget,
  decode: (changes: unknown[], lineVersion?: number) => unknown[] = changesDecoder(),
): Promise<ReplayResult> {
  const result: ReplayResult = { lastSeq: journalSeq, applied: 0, goodBytes: 0, torn: null };
  let prevSeq: number | null = null;
  let bad: TornEnd | null = null;
  try {
    await readLines(path, (lines) => {
      for (const line of lines) {
        if (bad !== null) {
          if (isBlank(line)) continue;
          throw corruptJournal(path, bad.line, bad.problem);
        }
        if (isBlank(line)) {
          bad = { line: line.lineNo, problem: 'an empty line', seq: null };
          continue;
        }
        // A line without its newline was never acknowledged: cut, not applied.
        const problem = line.terminated ? applyLine(line) : 'no newline at its end';
        if (problem !== null) bad = { line: line.lineNo, problem, seq: seqOf(line) };
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

  function seqOf(line: LineRef): number | null {
    const head = line.buf.toString('latin1', line.start, Math.min(line.end, line.start + 30));
    const seq = SEQ_HEAD.exec(head)?.[1];
    return seq === undefined ? null : Number(seq);
  }

  function applyLine(line: LineRef): string | null {
    const parsed = parseLine(line.buf.toString('utf8', line.start, line.end));
    if ('problem' in parsed) return parsed.problem;
    const { seq, version, body } = parsed;
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
      const decoded = decode(changes, version);
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
  files: FileOps;
  path: string;
  dir: string;
  /** The journal's size when opened. */
  bytes: number;
  /** The last sequence number already in the file. */
  writtenSeq: number;
  /** Called once when a write fails: the store must stop taking commits. */
  onFailure: (error: StoreError) => void;
  /** Called after each successful flush, with the last commit now durable. */
  onFlushed: (seq: number) => void;
  onStep?: (step: CompactionStep) => void | Promise<void>;
  /** Tests only: called before each journal write; throwing fails that write. */
  beforeWrite?: () => void;
}

export class JournalWriter {
  bytes: number;
  private handle: StoreFile | null = null;
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
    const { files, path, dir } = this.options;
    this.handle = await files.open(path, 'a', PRIVATE_FILE_MODE);
    // An empty journal may have just been created (a new store, or a restored snapshot
    // alone): its name must be durable before a commit in it is acknowledged.
    if ((await this.handle.size()) === 0) await files.fsyncDir(dir);
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
   * A failure stops the journal (fail): which file the name then stands for is not known.
   */
  replaceWithRetained(): Promise<void> {
    return this.enqueue(async () => {
      try {
        await this.replace();
      } catch (error) {
        throw this.fail(error);
      }
    });
  }

  private async replace(): Promise<void> {
    const retained = this.retained ?? [];
    this.retained = null;
    if (this.failure !== null) throw this.failure;
    const { files, path, dir, onStep } = this.options;
    const temp = path + TEMP_SUFFIX;
    // Lines still waiting in a batch go to the new file when their batch is flushed.
    const keep = retained.filter((r) => r.seq <= this.writtenSeq).map((r) => r.line);
    const buf = Buffer.concat(keep);
    try {
      const tempHandle = await files.open(temp, 'w', PRIVATE_FILE_MODE);
      try {
        await writeFully(tempHandle, buf);
        await tempHandle.sync();
      } finally {
        await tempHandle.close();
      }
      await onStep?.('journal-temp-written');
    } catch (error) {
      await files.unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.handle?.close();
    this.handle = null;
    try {
      await files.rename(temp, path);
      this.bytes = buf.length;
      await files.fsyncDir(dir);
    } finally {
      try {
        this.handle = await files.open(path, 'a', PRIVATE_FILE_MODE);
      } catch (error) {
        this.fail(error);
      }
    }
    await onStep?.('journal-replaced');
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
      await appendTo(this.handle, buf, 'fsync');
    } catch (error) {
      batch.reject(this.fail(error));
      return;
    }
    this.bytes += buf.length;
    this.writtenSeq = batch.lastSeq;
    batch.resolve();
    this.options.onFlushed(batch.lastSeq);
  }

  /**
   * Stops the journal after a failed write or flush of the store's files (this one's or
   * another's): every later append is refused with the returned error, the first one made.
   */
  fail(error: unknown): StoreError {
    if (this.failure === null) {
      this.failure = writesStopped(error, this.options.path);
      this.options.onFailure(this.failure);
    }
    return this.failure;
  }
}
