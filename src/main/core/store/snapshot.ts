/**
 * paydesk.json, the snapshot: a lowdb file whose adapter is ours (lowdb's own JSONFile never
 * fsyncs, and its preset keeps data in memory under NODE_ENV=test).
 *
 * Layout (valid JSON; one record a line so it can be read and written in slices):
 *   {"schemaVersion":1,"journalSeq":42,"settings":{...},"testClock":null,
 *   "payments":[
 *   [...payment tuple, see codec.ts...],
 *   ...
 *   ],
 *   "subscriptions":[
 *   {...},
 *   ...
 *   ]}
 * Reading streams the file in chunks and parses runs of record lines in one JSON.parse; a
 * file in any other JSON layout (say, written by hand) is read whole instead.
 * Writing serializes a captured document in slices, yielding to the event loop between
 * them, into paydesk.json.tmp; fsyncs it; renames it over paydesk.json; fsyncs the directory.
 */
import { open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { encodePayment, paymentDecoder, type PaymentDecoder } from './codec';
import { errnoCode, StoreError, unreadable } from './errors';
import {
  fsyncDir,
  readLines,
  TEMP_SUFFIX,
  yieldToLoop,
  type DataFiles,
  type LineRef,
} from './files';
import type { RawDoc } from './migrations';
import { SECTIONS, type Section, type SnapshotDoc } from './state';

/** Where a compaction is; the store's tests simulate a crash at each of these points. */
export type CompactionStep =
  'snapshot-temp-written' | 'snapshot-renamed' | 'journal-temp-written' | 'journal-replaced';

export type StepHook = (step: CompactionStep) => void | Promise<void>;

/** What the lowdb instance holds: a raw document as read, or a validated one to write. */
export type SnapshotData =
  | { kind: 'read'; raw: RawDoc; firstLines: Partial<Record<Section, number>> }
  | { kind: 'write'; doc: SnapshotDoc };

export function corruptSnapshot(file: string, where: string, line?: number): StoreError {
  return new StoreError(
    'corrupt',
    `${file} is damaged${line === undefined ? '' : ` at line ${line}`}: ${where}. ` +
      `Nothing was changed; restore the file from a backup, or move it away to start with an empty store.`,
    file,
    line,
  );
}

/** The largest file read whole when it is not in the streaming layout. */
const MAX_WHOLE_READ = 256 << 20;
/** About how many characters are serialized between two yields to the event loop. */
const WRITE_SLICE = 1 << 20;

class NotStreamable extends Error {}

export class SnapshotFile implements Adapter<SnapshotData | null> {
  constructor(
    private readonly files: DataFiles,
    private readonly hooks: {
      onStep?: StepHook;
      /** Checked just before the rename: an error here aborts the write. */
      abortIf?: () => Error | null;
    } = {},
  ) {}

  async read(): Promise<SnapshotData | null> {
    const path = this.files.snapshot;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw unreadable(path, new Error('not a regular file'));
      try {
        return await readStreaming(path);
      } catch (error) {
        if (!(error instanceof NotStreamable)) throw error;
      }
      if (info.size > MAX_WHOLE_READ) {
        throw corruptSnapshot(
          path,
          'it is not in the layout Paydesk writes, and too large to read whole',
        );
      }
      return readWhole(path, await readFile(path, 'utf8'));
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (errnoCode(error) === 'ENOENT') return null;
      throw unreadable(path, error);
    }
  }

  async write(data: SnapshotData | null): Promise<void> {
    if (data?.kind !== 'write') throw new Error('SnapshotFile.write takes a validated document');
    const { snapshot, dir } = this.files;
    const temp = snapshot + TEMP_SUFFIX;
    try {
      const handle = await open(temp, 'w');
      try {
        await serialize(handle, data.doc);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.hooks.onStep?.('snapshot-temp-written');
      const abort = this.hooks.abortIf?.() ?? null;
      if (abort !== null) throw abort;
      await rename(temp, snapshot);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDir(dir);
    await this.hooks.onStep?.('snapshot-renamed');
  }
}

// ---------------------------------------------------------------------------------------
// Writing

function encodeRecord(section: Section, record: unknown): string {
  return JSON.stringify(
    section === 'payments' ? encodePayment(record as SnapshotDoc['payments'][number]) : record,
  );
}

async function serialize(handle: FileHandle, doc: SnapshotDoc): Promise<void> {
  let parts: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    await writeAll(handle, Buffer.from(parts.join(''), 'utf8'));
    parts = [];
    size = 0;
    await yieldToLoop();
  };
  const header = JSON.stringify({
    schemaVersion: doc.schemaVersion,
    journalSeq: doc.journalSeq,
    settings: doc.settings,
    testClock: doc.testClock,
  });
  parts.push(header.slice(0, -1), ',\n');
  for (let s = 0; s < SECTIONS.length; s++) {
    const section = SECTIONS[s] as Section;
    const records: readonly unknown[] = doc[section];
    parts.push(`"${section}":[\n`);
    for (let i = 0; i < records.length; i++) {
      const text = encodeRecord(section, records[i]);
      parts.push(text, i < records.length - 1 ? ',\n' : '\n');
      size += text.length;
      if (size >= WRITE_SLICE) await flush();
    }
    parts.push(s < SECTIONS.length - 1 ? '],\n' : ']}\n');
  }
  await flush();
}

export async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}

// ---------------------------------------------------------------------------------------
// Reading

const SECTION_START = /^"([a-z]+)":\[$/;

function emptyRaw(): { raw: RawDoc; firstLines: Partial<Record<Section, number>> } {
  return { raw: {}, firstLines: {} };
}

/** Reads a file in the layout above; throws NotStreamable at the first line that is not. */
async function readStreaming(path: string): Promise<SnapshotData> {
  const { raw, firstLines } = emptyRaw();
  const decode = paymentDecoder();
  let state: 'header' | 'between' | 'section' | 'end' = 'header';
  let section: Section | null = null;
  let records: unknown[] = [];
  // A run of consecutive record lines, parsed with one JSON.parse.
  let run: LineRef[] = [];

  const flushRun = (): void => {
    if (run.length === 0) return;
    const first = run[0] as LineRef;
    const last = run[run.length - 1] as LineRef;
    let text = first.buf.toString('utf8', first.start, last.end);
    if (text.endsWith(',')) text = text.slice(0, -1);
    let values: unknown[];
    try {
      values = JSON.parse(`[${text}]`) as unknown[];
    } catch {
      throw corruptSnapshot(path, `${section ?? 'a record'}: ${badLineReason(run)}`, badLine(run));
    }
    if (section === 'payments') for (const v of values) records.push(decode(v));
    else for (const v of values) records.push(v);
    run = [];
  };

  await readLines(path, (lines) => {
    for (const line of lines) {
      const { buf, start, end } = line;
      const first = buf[start];
      if (state === 'section' && (first === 0x7b || first === 0x5b) /* { [ */) {
        run.push(line);
        continue;
      }
      flushRun();
      const text = buf.toString('utf8', start, end);
      switch (state) {
        case 'header': {
          if (!text.startsWith('{') || !text.endsWith(',')) throw new NotStreamable();
          let header: unknown;
          try {
            header = JSON.parse(text.slice(0, -1) + '}');
          } catch {
            throw new NotStreamable();
          }
          if (typeof header !== 'object' || header === null || Array.isArray(header)) {
            throw new NotStreamable();
          }
          Object.assign(raw, header);
          state = 'between';
          break;
        }
        case 'between': {
          const m = SECTION_START.exec(text);
          const name = m?.[1] as Section | undefined;
          if (name === undefined || !SECTIONS.includes(name) || name in raw)
            throw new NotStreamable();
          section = name;
          records = [];
          raw[name] = records;
          firstLines[name] = line.lineNo + 1;
          state = 'section';
          break;
        }
        case 'section':
          if (text === '],') state = 'between';
          else if (text === ']}') state = 'end';
          else throw new NotStreamable();
          break;
        case 'end':
          if (text.trim() !== '') throw new NotStreamable();
          break;
      }
    }
    flushRun();
  });
  // (The callback above moved `state` on; TypeScript cannot see that.)
  if ((state as string) !== 'end') throw new NotStreamable();
  return { kind: 'read', raw, firstLines };
}

function lineText(line: LineRef): string {
  return line.buf.toString('utf8', line.start, line.end);
}

/** The first line of a run that does not parse (or lacks the comma before the next). */
function badLine(run: LineRef[]): number {
  return findBad(run)?.line.lineNo ?? (run[0] as LineRef).lineNo;
}

function badLineReason(run: LineRef[]): string {
  return findBad(run)?.reason ?? 'the records do not parse as JSON';
}

function findBad(run: LineRef[]): { line: LineRef; reason: string } | undefined {
  for (let i = 0; i < run.length; i++) {
    const line = run[i] as LineRef;
    let text = lineText(line);
    const more = i < run.length - 1;
    if (more && !text.endsWith(','))
      return { line, reason: 'a comma is missing after this record' };
    if (text.endsWith(',')) text = text.slice(0, -1);
    try {
      JSON.parse(text);
    } catch (error) {
      return { line, reason: `not valid JSON (${(error as Error).message})` };
    }
  }
  return undefined;
}

/** Reads a snapshot in any JSON layout: the whole text at once. */
function readWhole(path: string, text: string): SnapshotData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos === null ? undefined : text.slice(0, Number(pos[1])).split('\n').length;
    throw corruptSnapshot(path, `not valid JSON (${message})`, line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corruptSnapshot(path, 'it is not a JSON object');
  }
  const raw = value as RawDoc;
  if (Array.isArray(raw.payments)) {
    const decode: PaymentDecoder = paymentDecoder();
    raw.payments = raw.payments.map((p: unknown) => decode(p));
  }
  return { kind: 'read', raw, firstLines: {} };
}
