/**
 * PaymentBase: the payments of the snapshot file the store last read or wrote, kept as
 * columns of their indexed fields (typed arrays, about 40 bytes a payment) while their
 * bodies stay in the file and are read, decoded and validated only when a payment is
 * (see codec.ts for the encodings). A base never changes; the payment table puts newer
 * versions in front of it and moves to a new base after each compaction.
 *
 * What is checked when:
 *  - at open: the columns (columns.ts); that the body sizes add up to the file's size
 *    (snapshot.ts); that no id appears twice (the table);
 *  - when a payment is first read (`read`): its body line is framed as written, parses,
 *    the whole payment passes the domain schema, and its money is what the money columns
 *    say. A failure is StoreError 'corrupt' naming the file and the body's line.
 *
 * The money columns (amount, refunded amount, currency) feed the customers' totals. A file
 * written before them has none: `money()` then reads every body once, when the money is
 * first needed, and keeps what it found, so that the next snapshot carries them.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Payment, PaymentStatus } from '../../../shared/domain';
import {
  BODY_FIELDS,
  chargeKey,
  decodeBody,
  Interner,
  isoOf,
  periodKey,
  STATUS_DIGITS,
  type IndexedFields,
} from './codec';
import { emptyColumns, putMoney, type MoneyColumns, type PaymentColumns } from './columns';
import { StoreError } from './errors';
import { checkRecord } from './records';
import { emailKey } from './tables';

/** The file the bodies are read from. */
export interface BodySource {
  handle: FileHandle;
  path: string;
  /** The line of the first body (bodies follow one per line). */
  firstLine: number;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

export function corruptPayment(file: string, line: number | undefined, where: string): StoreError {
  return new StoreError(
    'corrupt',
    `${file} is damaged${line === undefined ? '' : ` at line ${line}`}: ${where}. ` +
      `This payment cannot be read; nothing was changed. Restore the data directory from a backup.`,
    file,
    line,
  );
}

export class PaymentBase {
  readonly count: number;
  /** The lower-cased `emails` (the e-mail index's keys). */
  readonly emailKeys: readonly string[];
  private readonly common = new Interner(20_000);
  private scratch = Buffer.allocUnsafe(4096);
  private closed = false;
  /** The money read from the bodies, for a file without money columns (see `money`). */
  private foundMoney: MoneyColumns | null = null;

  constructor(
    readonly columns: PaymentColumns,
    private readonly source: BodySource | null,
  ) {
    this.count = columns.count;
    this.emailKeys = columns.emails.map(emailKey);
    if (columns.count > 0 && source === null) throw new Error('a base with payments needs a file');
  }

  static empty(ids: string[] = []): PaymentBase {
    return new PaymentBase(emptyColumns(ids), null);
  }

  statusOf(slot: number): PaymentStatus {
    return STATUS_DIGITS[this.columns.status[slot] as number] as PaymentStatus;
  }

  createdAtOf(slot: number): string {
    const c = this.columns;
    if (c.createdText.size > 0) {
      const text = c.createdText.get(slot);
      if (text !== undefined) return text;
    }
    return isoOf(c.createdMs[slot] as number);
  }

  emailOf(slot: number): string {
    return this.columns.emails[this.columns.email[slot] as number] as string;
  }

  emailKeyOf(slot: number): string {
    return this.emailKeys[this.columns.email[slot] as number] as string;
  }

  subscriptionOf(slot: number): string | null {
    const i = this.columns.subscription[slot] as number;
    return i < 0 ? null : (this.columns.subscriptions[i] as string);
  }

  periodOf(slot: number): number | null {
    const p = this.columns.period[slot] as number;
    return p < 0 ? null : p;
  }

  keyOf(slot: number): string {
    const c = this.columns;
    const code = c.key[slot] as number;
    if (code === 0) return chargeKey(c.ids[slot] as string);
    if (code > 0) {
      return periodKey(
        this.subscriptionOf(slot) as string,
        this.periodOf(slot) as number,
        code - 1,
      );
    }
    return c.keys.get(slot) as string;
  }

  private fields(slot: number): IndexedFields {
    return {
      id: this.columns.ids[slot] as string,
      status: this.statusOf(slot),
      createdAt: this.createdAtOf(slot),
      customerEmail: this.emailOf(slot),
      subscriptionId: this.subscriptionOf(slot),
      period: this.periodOf(slot),
      idempotencyKey: this.keyOf(slot),
    };
  }

  /** The money of every payment, known now: from the columns, or found in the bodies. */
  knownMoney(): MoneyColumns | null {
    return this.columns.money ?? this.foundMoney;
  }

  /**
   * The money of every payment: from the columns, or, for a file without them, read from
   * every body the first time (each body is validated as it is read: a damaged one throws
   * StoreError 'corrupt' here, and the next call tries again).
   */
  money(): MoneyColumns {
    const known = this.knownMoney();
    if (known !== null) return known;
    const n = this.count;
    const money: MoneyColumns = {
      amount: new Float64Array(n),
      refunded: new Float64Array(n),
      currency: new Uint16Array(n),
      currencies: [],
    };
    const refOf = new Map<string, number>();
    const RUN = 1024;
    for (let from = 0; from < n; from += RUN) {
      let slot = from;
      this.readRun(
        from,
        Math.min(from + RUN, n),
        () => true,
        (p) => putMoney(money, refOf, slot++, p),
      );
    }
    this.foundMoney = money;
    return money;
  }

  /**
   * Takes money found elsewhere for this base's payments (a compaction's new base, written
   * without money columns while its old base had not yet read them; see PaymentTable.rebase).
   */
  adoptMoney(money: MoneyColumns): void {
    if (this.knownMoney() === null) this.foundMoney = money;
  }

  /** The line of the file that holds the body of `slot`. */
  private lineOf(slot: number): number | undefined {
    return this.source === null ? undefined : this.source.firstLine + slot;
  }

  /** Reads, decodes and validates the payment in `slot`. */
  read(slot: number): Payment {
    const length = this.columns.bodyLength[slot] as number;
    if (this.scratch.length < length + 1) this.scratch = Buffer.allocUnsafe(2 * (length + 1));
    this.readBytes(this.scratch, length + 1, this.columns.bodyStart[slot] as number);
    return this.decode(this.scratch, 0, slot);
  }

  /**
   * Reads the payments of slots `from` to `to` - 1 with one read of the file, and gives each
   * to `each` (which may skip the decoding: `wanted`).
   */
  readRun(
    from: number,
    to: number,
    wanted: (slot: number) => boolean,
    each: (p: Payment) => void,
  ): void {
    if (to <= from) return;
    const c = this.columns;
    const start = c.bodyStart[from] as number;
    const end = (c.bodyStart[to - 1] as number) + (c.bodyLength[to - 1] as number) + 1;
    // One buffer for every read: a new one per page was external memory, and its growth
    // set off full garbage collections in the middle of page reads.
    if (this.scratch.length < end - start) this.scratch = Buffer.allocUnsafe(2 * (end - start));
    const buf = this.scratch.subarray(0, end - start);
    this.readBytes(buf, end - start, start);
    const parsed = this.parseAll(buf, from, to, wanted);
    for (let slot = from; slot < to; slot++) {
      if (!wanted(slot)) continue;
      const offset = (c.bodyStart[slot] as number) - start;
      this.frame(buf, offset, slot);
      const raw = parsed === null ? this.parse(buf, offset, slot) : parsed[slot - from];
      each(this.check(slot, raw));
    }
  }

  /**
   * The bodies of a run parsed with one JSON.parse (they are separated by commas and
   * newlines, as in a JSON list) when most of them are wanted; null when they are not, or
   * when one does not parse (each is then parsed alone, to name it).
   */
  private parseAll(
    buf: Buffer,
    from: number,
    to: number,
    wanted: (slot: number) => boolean,
  ): unknown[] | null {
    let count = 0;
    for (let slot = from; slot < to; slot++) if (wanted(slot)) count++;
    if (count < 8 || count * 2 < to - from) return null;
    try {
      const all = JSON.parse(`[${buf.toString('utf8', 0, buf.length - 1)}]`) as unknown[];
      return all.length === to - from ? all : null;
    } catch {
      return null;
    }
  }

  /** Bytes [start, start + length) of the bodies' file, for copying into a new snapshot. */
  async copyBytes(buf: Buffer, length: number, start: number): Promise<void> {
    const handle = this.sourceOrThrow().handle;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, start + done);
      if (bytesRead === 0) throw this.truncated();
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.source?.handle.close();
  }

  private decode(buf: Buffer, offset: number, slot: number): Payment {
    this.frame(buf, offset, slot);
    return this.check(slot, this.parse(buf, offset, slot));
  }

  /** Checks that the body of `slot` (at `offset` in `buf`) ends where its size says. */
  private frame(buf: Buffer, offset: number, slot: number): void {
    const length = this.columns.bodyLength[slot] as number;
    const separator = slot === this.count - 1 ? NEWLINE : COMMA;
    if (buf[offset + length] !== separator || buf[offset] !== 0x5b /* [ */) {
      throw corruptPayment(
        this.source?.path ?? '(no file)',
        this.lineOf(slot),
        `payments[${slot}]: the payment does not end where the bodyBytes column says`,
      );
    }
  }

  private parse(buf: Buffer, offset: number, slot: number): unknown {
    const length = this.columns.bodyLength[slot] as number;
    try {
      return JSON.parse(buf.toString('utf8', offset, offset + length));
    } catch (error) {
      throw corruptPayment(
        this.source?.path ?? '(no file)',
        this.lineOf(slot),
        `payments[${slot}]: not valid JSON (${(error as Error).message})`,
      );
    }
  }

  /** The payment of `slot` from its parsed body, validated. */
  private check(slot: number, raw: unknown): Payment {
    const file = this.source?.path ?? '(no file)';
    const value = decodeBody(raw, this.fields(slot), this.common);
    let problem =
      value === raw
        ? `not a payment body (a list of ${BODY_FIELDS} values)`
        : checkRecord('payment', value);
    const money = this.columns.money;
    if (problem === null && money !== null) {
      const p = value as Payment;
      if (
        p.amount !== money.amount[slot] ||
        p.refundedAmount !== money.refunded[slot] ||
        p.currency !== money.currencies[money.currency[slot] as number]
      ) {
        problem = 'its amount, refunded amount or currency is not what the money columns say';
      }
    }
    if (problem !== null) {
      throw corruptPayment(file, this.lineOf(slot), `payments[${slot}]: ${problem}`);
    }
    return value as Payment;
  }

  private readBytes(buf: Buffer, length: number, position: number): void {
    const source = this.sourceOrThrow();
    if (this.closed) {
      throw new StoreError('closed', `the store of ${source.path} is closed`, source.path);
    }
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(source.handle.fd, buf, done, length - done, position + done);
        if (n === 0) throw this.truncated();
        done += n;
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new StoreError(
        'unreadable',
        `cannot read payments from ${source.path} (${why}); check the disk, then restart Paydesk`,
        source.path,
      );
    }
  }

  private sourceOrThrow(): BodySource {
    if (this.source === null) throw new Error('this base has no file');
    return this.source;
  }

  private truncated(): StoreError {
    const path = this.source?.path ?? '(no file)';
    return corruptPayment(path, undefined, 'the file is shorter than when it was opened');
  }
}
