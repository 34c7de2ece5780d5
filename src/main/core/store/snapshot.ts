/**
 * paydesk.json, the snapshot: a lowdb file whose adapter is ours (lowdb's own JSONFile never
 * fsyncs, reads everything at once, and its preset keeps data in memory under NODE_ENV=test).
 *
 * Layout since schema version 2 (valid JSON; one record a line; which payment fields have a
 * column, and the order of a body's, in layout/payment.ts; the columns' encodings in codec.ts):
 *   {"schemaVersion":5,"journalSeq":42,"settings":{...},"testClock":null,"gatewayCursor":"17",
 *   "paymentColumns":{"count":3,
 *   "id":["pay_a","pay_b","pay_c"],
 *   "status":"112",
 *   "createdAt":[1735689600000,30000,"2025-01-01T00:01:00Z"],
 *   "customerEmail":[0,1,0],
 *   "customerEmails":["ada@example.com","bob@example.com"],
 *   "subscriptionId":[null,0,null],
 *   "subscriptionIds":["sub_1"],
 *   "period":[null,0,null],
 *   "idempotencyKey":[0,1,"my-key"],
 *   "amount":[1250,999,700],
 *   "refundedAmount":[0,0,700],
 *   "currency":[0,0,1],
 *   "currencies":["USD","EUR"],
 *   "bodyBytes":[97,101,99]},
 *   "subscriptions":[
 *   {...},
 *   ],
 *   "refunds":[ ... ], "undo":[ ... ], "redo":[ ... ], "audit":[ ... ], "idempotency":[ ... ]
 *   (the same way; refunds since version 4)
 *   "payments":[
 *   [...body of the first payment...],
 *   ...
 *   [...body of the last...]
 *   ]}
 * (The four money columns, since the customers' totals, may be missing, all together: see
 * columns.ts.)
 * Reading parses the header, the columns and the record sections, and stops where the
 * payments' bodies start: they are read one by one when needed (payment-base.ts), from the
 * file kept open. The file's size must match the body sizes.
 * Older layouts (schema version 1: payments as tuples, layout/payment.ts; or any JSON, written by
 * hand) are read whole, every payment at once, to be migrated and rewritten.
 * Writing serializes a captured state in slices, yielding to the event loop between them,
 * into paydesk.json.tmp, copying unchanged payments' bodies from the current file; writes
 * its checksum into its header (checksum.ts); fsyncs it; moves the payment table to it;
 * renames it over paydesk.json; fsyncs the directory. Reading checks the checksum first.
 * Every write goes through the store's file port (file-ops.ts).
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { PRIVATE_FILE_MODE } from '../private-files';
import type {
  AuditEntry,
  HistoryEntry,
  IdempotencyRecord,
  Refund,
  Settings,
  Subscription,
} from '../../../shared/domain';
import { CURRENT_FORMAT, type StoreFormat } from './format';
import { CHECKSUM_FIELD, CHECKSUM_PLACEHOLDER, sealChecksum, verifyChecksum } from './checksum';
import { corruptSnapshot, errnoCode, StoreError, unreadable } from './errors';
import { NODE_FILES, type FileOps } from './file-ops';
import {
  readLines,
  readLinesOf,
  SliceWriter,
  TEMP_SUFFIX,
  type DataFiles,
  type LineRef,
} from './files';
import type { RawDoc } from './migrations';
import {
  bodiesEnd,
  checkColumns,
  ColumnError,
  readColumn,
  type ColumnLines,
  type ColumnValue,
  type PaymentColumns,
} from './columns';
import { PaymentBase } from './payment-base';
import type { PaymentsCapture } from './payment-table';
import {
  draftCapture,
  writePaymentBodies,
  writePaymentColumns,
  type PaymentsDraft,
} from './payment-writer';

/** Where a compaction is; the store's tests simulate a crash at each of these points. */
export type CompactionStep =
  'snapshot-temp-written' | 'snapshot-renamed' | 'journal-temp-written' | 'journal-replaced';

export type StepHook = (step: CompactionStep) => void | Promise<void>;

/** The record sections other than payments, in the order they are written. */
export const RECORD_SECTIONS = [
  'subscriptions',
  'refunds',
  'undo',
  'redo',
  'audit',
  'idempotency',
] as const;
export type RecordSection = (typeof RECORD_SECTIONS)[number];
/** Every record section a file may hold (payments only in older layouts). */
export const SECTIONS = ['payments', ...RECORD_SECTIONS] as const;
export type Section = (typeof SECTIONS)[number];

/** The state to write: the payments as captured (or drafted), the other records as lists. */
export interface SnapshotImage {
  schemaVersion: number;
  journalSeq: number;
  settings: Settings;
  testClock: string | null;
  gatewayCursor: string | null;
  payments: PaymentsCapture | PaymentsDraft;
  subscriptions: readonly Subscription[];
  refunds: readonly Refund[];
  undo: readonly HistoryEntry[];
  redo: readonly HistoryEntry[];
  audit: readonly AuditEntry[];
  idempotency: readonly IdempotencyRecord[];
}

/** What the lowdb instance holds: a raw document as read, or an image to write. */
export type SnapshotData =
  | {
      kind: 'read';
      /** The header and the record sections, as parsed (not validated). */
      raw: RawDoc;
      firstLines: Partial<Record<Section, number>>;
      /** The payments when the file is in the current layout (raw.payments is then absent). */
      payments: PaymentBase | null;
    }
  | {
      kind: 'write';
      image: SnapshotImage;
      /**
       * Called once the file is written and synced, before it replaces the old one, with the
       * payments as they are in it; returns the base they replace (closed here).
       */
      moveTo?: (base: PaymentBase) => PaymentBase | null;
    };

/** The largest file read whole when it is not in a layout Paydesk writes. */
const MAX_WHOLE_READ = 256 << 20;

class NotStreamable extends Error {}

export class SnapshotFile implements Adapter<SnapshotData | null> {
  constructor(
    private readonly files: DataFiles,
    private readonly hooks: {
      /** The newest schema version this Paydesk knows (a newer file is not read further). */
      knownVersion?: number;
      /** How records are written (the current format unless a test asks for another). */
      format?: StoreFormat;
      /** How files are written (default: the real file system). */
      files?: FileOps;
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
      const format = this.hooks.format ?? CURRENT_FORMAT;
      const current = await readCurrentLayout(path, info.size, this.hooks.knownVersion, format);
      if (current !== null) return current;
      try {
        return await readStreaming(path, format);
      } catch (error) {
        if (!(error instanceof NotStreamable)) throw error;
      }
      if (info.size > MAX_WHOLE_READ) {
        throw corruptSnapshot(
          path,
          'it is not in the layout Paydesk writes, and too large to read whole',
        );
      }
      return readWhole(path, await readFile(path, 'utf8'), format);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (errnoCode(error) === 'ENOENT') return null;
      throw unreadable(path, error);
    }
  }

  async write(data: SnapshotData | null): Promise<void> {
    if (data?.kind !== 'write') throw new Error('SnapshotFile.write takes an image to write');
    const { snapshot, dir } = this.files;
    const ops = this.hooks.files ?? NODE_FILES;
    const temp = snapshot + TEMP_SUFFIX;
    try {
      const handle = await ops.open(temp, 'w', PRIVATE_FILE_MODE);
      let written: Written;
      try {
        const out = new SliceWriter(handle);
        written = await serialize(out, data.image);
        await sealChecksum(handle, out.crc);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.hooks.onStep?.('snapshot-temp-written');
      const abort = this.hooks.abortIf?.() ?? null;
      if (abort !== null) throw abort;
      if (data.moveTo !== undefined) {
        // The payments' bodies are read from the new file from now on (opened before the
        // rename: Windows renames no file over one that is open).
        const reader = await open(temp, 'r');
        const base = new PaymentBase(
          written.columns,
          { handle: reader, path: snapshot, firstLine: written.firstBodyLine },
          data.image.payments.base.format,
        );
        await data.moveTo(base)?.close();
      }
      await ops.rename(temp, snapshot);
    } catch (error) {
      await ops.unlink(temp).catch(() => undefined);
      throw error;
    }
    await ops.fsyncDir(dir);
    await this.hooks.onStep?.('snapshot-renamed');
  }
}

// ---------------------------------------------------------------------------------------
// Writing

interface Written {
  columns: PaymentColumns;
  firstBodyLine: number;
}

async function serialize(out: SliceWriter, image: SnapshotImage): Promise<Written> {
  const header = JSON.stringify({
    // First, at a fixed place, for its digits to be written in place at the end.
    [CHECKSUM_FIELD]: CHECKSUM_PLACEHOLDER,
    schemaVersion: image.schemaVersion,
    journalSeq: image.journalSeq,
    settings: image.settings,
    testClock: image.testClock,
    gatewayCursor: image.gatewayCursor,
  });
  out.text(header.slice(0, -1) + ',');
  out.newline();
  const draft =
    'columns' in image.payments ? image.payments : await draftCapture(out, image.payments);
  await writePaymentColumns(out, draft);
  for (const section of RECORD_SECTIONS) {
    const records: readonly unknown[] = image[section];
    out.text(`"${section}":[`);
    out.newline();
    for (let i = 0; i < records.length; i++) {
      out.text(JSON.stringify(records[i]) + (i < records.length - 1 ? ',' : ''));
      out.newline();
      if ((i & 255) === 255) await out.breathe();
    }
    out.text('],');
    out.newline();
  }
  out.text('"payments":[');
  out.newline();
  const firstBodyLine = out.lines + 1;
  await out.flush();
  await writePaymentBodies(out, draft);
  out.text(']}');
  out.newline();
  await out.flush();
  return { columns: draft.columns, firstBodyLine };
}

// ---------------------------------------------------------------------------------------
// Reading the current layout

const SECTION_START = /^"([a-z]+)":\[$/;
const COLUMN = /^"([A-Za-z]+)":/;
const COLUMNS_START = /^"paymentColumns":\{"count":(\d+),$/;

const lineText = (line: LineRef): string => line.buf.toString('utf8', line.start, line.end);

/** Parses a header line `{...,` (the document's first line); null when it is not one. */
function parseHeader(text: string): RawDoc | null {
  if (!text.startsWith('{') || !text.endsWith(',')) return null;
  try {
    const header: unknown = JSON.parse(text.slice(0, -1) + '}');
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
    return header as RawDoc;
  } catch {
    return null;
  }
}

/**
 * Reads a file in the current layout up to its payments' bodies; null when the file is in
 * another layout (nothing is kept open then). A file of a schema newer than `known` is read
 * no further than its header.
 */
async function readCurrentLayout(
  path: string,
  size: number,
  known: number | undefined,
  format: StoreFormat,
): Promise<SnapshotData | null> {
  const handle = await open(path, 'r');
  let keep = false;
  try {
    const head = await readHead(path, handle, known);
    if (head === null || head.kind === 'header') {
      return head === null ? null : { kind: 'read', raw: head.raw, firstLines: {}, payments: null };
    }
    const columns = checkColumns(path, head.columns, head.columnLines, head.bodiesAt);
    await checkTail(path, handle, size, bodiesEnd(columns, head.bodiesAt));
    await verifyChecksum(path, handle, size, head.raw);
    const base = new PaymentBase(columns, { handle, path, firstLine: head.firstBodyLine }, format);
    keep = true;
    return { kind: 'read', raw: head.raw, firstLines: head.firstLines, payments: base };
  } finally {
    if (!keep) await handle.close();
  }
}

type Head =
  | { kind: 'header'; raw: RawDoc }
  | {
      kind: 'head';
      raw: RawDoc;
      firstLines: Partial<Record<Section, number>>;
      columns: Record<string, ColumnValue>;
      columnLines: ColumnLines;
      bodiesAt: number;
      firstBodyLine: number;
    };

async function readHead(
  path: string,
  handle: FileHandle,
  known: number | undefined,
): Promise<Head | null> {
  const raw: RawDoc = {};
  const firstLines: Partial<Record<Section, number>> = {};
  const columns: Record<string, ColumnValue> = {};
  const columnLines: ColumnLines = {};
  let state: 'header' | 'layout' | 'columns' | 'between' | 'section' | 'done' = 'header';
  let result: Head | null = null;
  let section: RecordSection | null = null;
  let records: unknown[] = [];
  let run: LineRef[] = [];
  const bad = (line: LineRef, where: string): never => {
    throw corruptSnapshot(path, where, line.lineNo);
  };

  const flushRun = (): void => {
    if (run.length === 0) return;
    for (const v of parseRun(path, section ?? 'a record', run)) records.push(v);
    run = [];
  };

  const onLine = (line: LineRef): boolean => {
    const first = line.buf[line.start];
    if (state === 'section' && (first === 0x7b || first === 0x5b) /* { [ */) {
      run.push(line);
      return false;
    }
    flushRun();
    // Column lines are long (megabytes): only their start is made a string.
    const text =
      state === 'columns'
        ? line.buf.toString('latin1', line.start, Math.min(line.end, line.start + 40))
        : lineText(line);
    switch (state) {
      case 'header': {
        const header = parseHeader(text);
        if (header === null) return true;
        Object.assign(raw, header);
        const version = header.schemaVersion;
        if (known !== undefined && typeof version === 'number' && version > known) {
          result = { kind: 'header', raw };
          return true;
        }
        state = 'layout';
        return false;
      }
      case 'layout': {
        const m = COLUMNS_START.exec(text);
        if (m === null) return true;
        columns.count = Number(m[1]);
        columnLines.count = line.lineNo;
        state = 'columns';
        return false;
      }
      case 'columns': {
        const m = COLUMN.exec(text);
        const last = line.end - line.start >= 2 && line.buf[line.end - 2] === 0x7d; /* } */
        if (m === null || line.buf[line.end - 1] !== 0x2c /* , */) {
          return bad(line, 'not a column of paymentColumns');
        }
        const name = m[1] as string;
        try {
          const valueEnd = line.end - (last ? 2 : 1);
          const count = columns.count as number;
          columns[name] = readColumn(name, line.buf, line.start + m[0].length, valueEnd, count);
        } catch (error) {
          if (!(error instanceof ColumnError)) throw error;
          return bad(line, `paymentColumns.${name}: ${error.message}`);
        }
        columnLines[name] = line.lineNo;
        if (last) state = 'between';
        return false;
      }
      case 'between': {
        const name = SECTION_START.exec(text)?.[1];
        if (name === 'payments') {
          result = {
            kind: 'head',
            raw,
            firstLines,
            columns,
            columnLines,
            bodiesAt: line.fileOffset + (line.end - line.start) + 1,
            firstBodyLine: line.lineNo + 1,
          };
          state = 'done';
          return true;
        }
        if (!RECORD_SECTIONS.includes(name as RecordSection) || (name as string) in raw) {
          return bad(
            line,
            `expected a section of records, found ${JSON.stringify(text.slice(0, 40))}`,
          );
        }
        section = name as RecordSection;
        records = [];
        raw[section] = records;
        firstLines[section] = line.lineNo + 1;
        state = 'section';
        return false;
      }
      case 'section':
        if (text !== '],') return bad(line, `${section ?? 'a section'} does not end with "],"`);
        state = 'between';
        return false;
      case 'done':
        return true;
    }
  };

  await readLinesOf(handle, (lines) => {
    for (const line of lines) if (onLine(line)) return true;
    flushRun();
    return false;
  });
  if (result !== null) return result;
  if (state === 'header' || state === 'layout') return null;
  throw corruptSnapshot(path, 'the file ends before its payments (cut short?)');
}

/** The bytes after the last body must be `]}` and a newline: nothing more, nothing less. */
async function checkTail(
  path: string,
  handle: FileHandle,
  size: number,
  end: number,
): Promise<void> {
  const expected = ']}\n';
  if (size !== end + expected.length) {
    throw corruptSnapshot(
      path,
      `it is ${size} bytes long, but its payments' sizes say ${end + expected.length} ` +
        `(cut short, or changed by hand?)`,
    );
  }
  const buf = Buffer.alloc(expected.length);
  await handle.read(buf, 0, expected.length, end);
  if (buf.toString('latin1') !== expected) {
    throw corruptSnapshot(path, 'the payments do not end where their sizes say');
  }
}

/** Parses a run of consecutive record lines with one JSON.parse. */
function parseRun(path: string, what: string, run: LineRef[]): unknown[] {
  const first = run[0] as LineRef;
  const last = run[run.length - 1] as LineRef;
  let text = first.buf.toString('utf8', first.start, last.end);
  if (text.endsWith(',')) text = text.slice(0, -1);
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch {
    const bad = findBad(run);
    throw corruptSnapshot(
      path,
      `${what}: ${bad?.reason ?? 'the records do not parse as JSON'}`,
      (bad?.line ?? first).lineNo,
    );
  }
}

/** The first line of a run that does not parse (or lacks the comma before the next). */
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

// ---------------------------------------------------------------------------------------
// Reading older layouts

/**
 * Reads a file in the layout of schema version 1 (the current one's, but with the payments
 * whole, as tuples, in a section of their own); throws NotStreamable at the first line
 * that is not in it.
 */
async function readStreaming(path: string, format: StoreFormat): Promise<SnapshotData> {
  const raw: RawDoc = {};
  const firstLines: Partial<Record<Section, number>> = {};
  const decode = format.paymentTuples();
  let state: 'header' | 'between' | 'section' | 'end' = 'header';
  let section: Section | null = null;
  let records: unknown[] = [];
  let run: LineRef[] = [];

  const flushRun = (): void => {
    if (run.length === 0) return;
    const values = parseRun(path, section ?? 'a record', run);
    if (section === 'payments') for (const v of values) records.push(decode(v));
    else for (const v of values) records.push(v);
    run = [];
  };

  await readLines(path, (lines) => {
    for (const line of lines) {
      const first = line.buf[line.start];
      if (state === 'section' && (first === 0x7b || first === 0x5b) /* { [ */) {
        run.push(line);
        continue;
      }
      flushRun();
      const text = lineText(line);
      switch (state) {
        case 'header': {
          const header = parseHeader(text);
          if (header === null) throw new NotStreamable();
          Object.assign(raw, header);
          state = 'between';
          break;
        }
        case 'between': {
          const name = SECTION_START.exec(text)?.[1] as Section | undefined;
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
  return { kind: 'read', raw, firstLines, payments: null };
}

/** Reads a snapshot in any JSON layout: the whole text at once. */
function readWhole(path: string, text: string, format: StoreFormat): SnapshotData {
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
    const decode = format.paymentTuples();
    raw.payments = raw.payments.map((p: unknown) => decode(p));
  }
  return { kind: 'read', raw, firstLines: {}, payments: null };
}
