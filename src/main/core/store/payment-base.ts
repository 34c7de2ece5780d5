/**
 * PaymentBase: the payments of the snapshot file the store last read or wrote, kept as
 * columns of their indexed fields (typed arrays, about 40 bytes a payment) while their
 * bodies stay in the file and are read, decoded and validated only when a payment is
 * (layout/payment.ts says which fields have a column and how the rest is written; codec.ts
 * has the columns' encodings). A base never changes; the payment table puts newer versions
 * in front of it and moves to a new base after each compaction.
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
import { chargeKey, isoOf, periodKey, STATUS_DIGITS } from './codec';
import { emptyColumns, putMoney, type MoneyColumns, type PaymentColumns } from './columns';
import { StoreError } from './errors';
import { CURRENT_FORMAT, newPools, type StoreFormat } from './format';
import type { Pools } from './layout/encodings';
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

/**
 * How the value of each field that has a column (layout/payment.ts) is read from the
 * columns: a field given a column there needs its reader here (and its column in
 * columns.ts and payment-writer.ts).
 */
const COLUMN_READERS: Readonly<Record<string, (base: PaymentBase, slot: number) => unknown>> = {
  id: (base, slot) => base.columns.ids[slot],
  status: (base, slot) => base.statusOf(slot),
  createdAt: (base, slot) => base.createdAtOf(slot),
  customerEmail: (base, slot) => base.emailOf(slot),
  subscriptionId: (base, slot) => base.subscriptionOf(slot),
  period: (base, slot) => base.periodOf(slot),
  idempotencyKey: (base, slot) => base.keyOf(slot),
};

export class PaymentBase {
  readonly count: number;
  /** The lower-cased `emails` (the e-mail index's keys). */
  readonly emailKeys: readonly string[];
  private readonly pools: Pools = newPools();
  private readonly readers: readonly (readonly [
    string,
    (base: PaymentBase, slot: number) => unknown,
  ])[];
  private scratch = Buffer.allocUnsafe(4096);
  private closed = false;
  /** The money read from the bodies, for a file without money columns (see `money`). */
  private foundMoney: MoneyColumns | null = null;

  constructor(
    readonly columns: PaymentColumns,
    private readonly source: BodySource | null,
    /** How the bodies are written (and how new ones are, in the next file). */
    readonly format: StoreFormat = CURRENT_FORMAT,
  ) {
    this.count = columns.count;
    this.emailKeys = columns.emails.map(emailKey);
    if (columns.count > 0 && source === null) throw new Error('a base with payments needs a file');
    this.readers = format.paymentBody.indexed.map((name) => {
      const reader = COLUMN_READERS[name];
      if (reader === undefined) throw new Error(`payments have no column reader for ${name}`);
      return [name, reader] as const;
    });
  }

  static empty(ids: string[] = [], format?: StoreFormat): PaymentBase {
    return new PaymentBase(emptyColumns(ids), null, format);
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

  /** The values of the fields of `slot` that are in columns, by name. */
  private fields(slot: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, read] of this.readers) out[name] = read(this, slot);
    return out;
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
    each: (p: Payment, slot: number) => void,
    /** Given, a payment that cannot be read is passed here (and the others read); else it throws. */
    unreadable?: (slot: number, error: StoreError) => void,
  ): void {
    this.parseRun(from, to, wanted, (slot, raw) => each(this.check(slot, raw), slot), unreadable);
  }

  /**
   * The payments of slots `from` to `to` - 1 decoded but not validated: a migration's input,
   * validated once migrated (a body's frame and JSON are still checked).
   */
  decodeRun(from: number, to: number, each: (value: unknown) => void): void {
    this.parseRun(
      from,
      to,
      () => true,
      (slot, raw) => each(this.decoded(slot, raw)),
    );
  }

  private parseRun(
    from: number,
    to: number,
    wanted: (slot: number) => boolean,
    each: (slot: number, raw: unknown) => void,
    unreadable?: (slot: number, error: StoreError) => void,
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
      try {
        this.frame(buf, offset, slot);
        const raw = parsed === null ? this.parse(buf, offset, slot) : parsed[slot - from];
        each(slot, raw);
      } catch (error) {
        if (unreadable === undefined || !(error instanceof StoreError)) throw error;
        if (error.code !== 'corrupt') throw error;
        unreadable(slot, error);
      }
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

  /** The payment of `slot` from its parsed body, not validated. */
  private decoded(slot: number, raw: unknown): unknown {
    return this.format.paymentBody.decode(raw, this.fields(slot), this.pools);
  }

  /** The payment of `slot` from its parsed body, validated. */
  private check(slot: number, raw: unknown): Payment {
    const file = this.source?.path ?? '(no file)';
    const value = this.decoded(slot, raw);
    let problem =
      value === raw
        ? `not a payment body (a list of ${this.format.paymentBody.size} values)`
        : this.format.checkRecord('payment', value);
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
