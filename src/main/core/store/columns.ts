/**
 * The payment columns of a snapshot (layout in snapshot.ts; which fields have a column, and
 * of which kind, in layout/payment.ts; encodings in codec.ts): reading them from the file's
 * bytes, and checking them, at open.
 *
 * A column of a million numbers is read straight from its bytes into a typed array
 * (`scanList`), not through JSON.parse: that would build a million-element array only to
 * copy it, which costs more than the reading itself. Only ids and the lists of distinct
 * values go through JSON.parse.
 *
 * Checked here: every column has one well-typed value per payment (ids are strings,
 * statuses are known digits, createdAt instants are valid, e-mail and subscription
 * references exist, periods are counts, keys are well formed, body sizes are sizes, amounts
 * are minor units, currency references exist). The first problem is StoreError 'corrupt'
 * naming the column's line.
 *
 * The money columns (amount, refundedAmount, currency and its list of currencies) came after
 * the others, without a new schema version: a file may lack them all (written before them,
 * or by a Paydesk that did not know them, which reads past columns it does not know), and
 * its money is then read from the bodies the first time it is needed (PaymentBase.money).
 */
import { canonicalMs, isCanonicalMs, STATUS_DIGITS } from './codec';
import { corruptSnapshot } from './errors';
import { LAYOUTS, type ColumnSpec } from './layout';
import { isInstant } from './records';

/** The payment fields that have a column, and their columns. */
const COLUMNS = LAYOUTS.payment.fields.flatMap((f) =>
  f.column === undefined ? [] : [{ name: f.name, ...f.column }],
);

export interface PaymentColumns {
  count: number;
  /** Ids by slot; may be longer than `count` (the payment table appends to it). */
  ids: string[];
  /** Index in STATUS_DIGITS. */
  status: Uint8Array;
  createdMs: Float64Array;
  /** createdAt texts that are not what toISOString() writes for createdMs. */
  createdText: Map<number, string>;
  /** Index in `emails`. */
  email: Int32Array;
  emails: string[];
  /** Index in `subscriptions`, or -1. */
  subscription: Int32Array;
  subscriptions: string[];
  /** -1 for none. */
  period: Float64Array;
  /** 0: charge_<id>; n + 1: the period key of attempt n; -1: the text in `keys`. */
  key: Int32Array;
  keys: Map<number, string>;
  /** Where each body starts in the file, and its length in bytes (without separator). */
  bodyStart: Float64Array;
  bodyLength: Int32Array;
  /** The money of each payment (also in its body); null when the file has no money columns. */
  money: MoneyColumns | null;
}

/** What each payment charged and had refunded, in which currency (a customer's totals). */
export interface MoneyColumns {
  amount: Float64Array;
  refunded: Float64Array;
  /** Index in `currencies`. */
  currency: Uint16Array;
  currencies: string[];
}

/** What the domain takes for a currency code (a body with another fails at its read). */
const CURRENCY = /^[A-Z]{3}$/;

/** The names of the money columns in the file: copies of fields of the body, and their lists. */
export const MONEY_COLUMNS: readonly string[] = COLUMNS.filter((c) => c.inBody === true).flatMap(
  (c) => (c.list === undefined ? [c.name] : [c.name, c.list]),
);

/**
 * Writes one payment's money at `slot`, its currency added to `money.currencies` if new;
 * `refOf` indexes the codes already there (the caller keeps it across the slots it fills).
 */
export function putMoney(
  money: MoneyColumns,
  refOf: Map<string, number>,
  slot: number,
  p: { amount: number; refundedAmount: number; currency: string },
): void {
  money.amount[slot] = p.amount;
  money.refunded[slot] = p.refundedAmount;
  let ref = refOf.get(p.currency);
  if (ref === undefined) {
    ref = money.currencies.length;
    money.currencies.push(p.currency);
    refOf.set(p.currency, ref);
  }
  money.currency[slot] = ref;
}

export const emptyMoney = (): MoneyColumns => ({
  amount: new Float64Array(0),
  refunded: new Float64Array(0),
  currency: new Uint16Array(0),
  currencies: [],
});

export function emptyColumns(ids: string[] = []): PaymentColumns {
  return {
    count: 0,
    ids,
    status: new Uint8Array(0),
    createdMs: new Float64Array(0),
    createdText: new Map(),
    email: new Int32Array(0),
    emails: [],
    subscription: new Int32Array(0),
    subscriptions: [],
    period: new Float64Array(0),
    key: new Int32Array(0),
    keys: new Map(),
    bodyStart: new Float64Array(0),
    bodyLength: new Int32Array(0),
    money: emptyMoney(),
  };
}

/** Where the bodies of `columns` end (the first byte after the last one's newline). */
export function bodiesEnd(columns: PaymentColumns, bodiesAt: number): number {
  const n = columns.count;
  if (n === 0) return bodiesAt;
  return (columns.bodyStart[n - 1] as number) + (columns.bodyLength[n - 1] as number) + 1;
}

// ---------------------------------------------------------------------------------------
// Scanning

/** A JSON list of numbers, nulls and strings, as read by scanList. */
export interface ScannedList {
  count: number;
  /** The numbers; NaN where the value is null or a string. */
  numbers: Float64Array;
  strings: Map<number, string>;
}

export class ColumnError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/**
 * Reads the JSON list in bytes [start, end) of `buf`, which must hold exactly `count`
 * numbers, nulls or strings (anything else is a ColumnError). Integers of up to 15 digits
 * are read digit by digit; other numbers and strings through JSON.parse of their text.
 */
export function scanList(buf: Buffer, start: number, end: number, count: number): ScannedList {
  const numbers = new Float64Array(count);
  const strings = new Map<number, string>();
  let i = skipSpace(buf, start, end);
  if (buf[i] !== 0x5b) throw new ColumnError('not a list');
  i = skipSpace(buf, i + 1, end);
  let n = 0;
  if (buf[i] === CLOSE) i++;
  else {
    for (;;) {
      if (n === count) throw new ColumnError(`more than ${count} values`);
      let b = buf[i] as number;
      if (b >= ZERO && b <= NINE && b !== ZERO) {
        // The usual case, a positive integer: read its digits here.
        const from = i;
        let v = 0;
        do {
          v = v * 10 + (b - ZERO);
          b = buf[++i] as number;
        } while (b >= ZERO && b <= NINE);
        if (i - from > 15 || (b !== COMMA && b !== CLOSE)) {
          while (i < end && buf[i] !== COMMA && buf[i] !== CLOSE) i++;
          v = numberAt(buf, from, trimEnd(buf, from, i), n);
        }
        numbers[n] = v;
      } else if (b === ZERO && (buf[i + 1] === COMMA || buf[i + 1] === CLOSE)) {
        numbers[n] = 0;
        i++;
      } else if (b === 0x6e /* n */) {
        if (buf[i + 1] !== 0x75 || buf[i + 2] !== 0x6c || buf[i + 3] !== 0x6c /* ull */) {
          throw new ColumnError(`value ${n} is not JSON`);
        }
        numbers[n] = NaN;
        i += 4;
      } else if (b === QUOTE) {
        const next = stringEnd(buf, i, end);
        strings.set(n, JSON.parse(buf.toString('utf8', i, next)) as string);
        numbers[n] = NaN;
        i = next;
      } else {
        const from = i;
        while (i < end && buf[i] !== COMMA && buf[i] !== CLOSE) i++;
        numbers[n] = numberAt(buf, from, trimEnd(buf, from, i), n);
      }
      n++;
      b = buf[i] as number;
      if (b === COMMA) {
        i++;
        if (isSpace(buf[i] as number)) i = skipSpace(buf, i, end);
        continue;
      }
      if (b === CLOSE) {
        i++;
        break;
      }
      i = skipSpace(buf, i, end);
      if (buf[i] === COMMA) {
        i = skipSpace(buf, i + 1, end);
        continue;
      }
      if (buf[i] === CLOSE) {
        i++;
        break;
      }
      throw new ColumnError(`a comma or "]" is missing after value ${n - 1}`);
    }
  }
  if (skipSpace(buf, i, end) !== end) throw new ColumnError('something follows the list');
  if (n !== count) throw new ColumnError(`${n} values for ${count} payments`);
  return { count: n, numbers, strings };
}

function skipSpace(buf: Buffer, i: number, end: number): number {
  while (i < end && isSpace(buf[i] as number)) i++;
  return i;
}

/** `to` moved back over spaces (down to `from`). */
function trimEnd(buf: Buffer, from: number, to: number): number {
  while (to > from && isSpace(buf[to - 1] as number)) to--;
  return to;
}

/** The index after the closing quote of the string that starts at `i`. */
function stringEnd(buf: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const b = buf[j];
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  throw new ColumnError('a string is not closed');
}

/** The JSON number in bytes [from, to) (anything else is a ColumnError). */
function numberAt(buf: Buffer, from: number, to: number, index: number): number {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('latin1', from, to));
  } catch {
    throw new ColumnError(`value ${index} is not JSON`);
  }
  if (typeof value !== 'number') throw new ColumnError(`value ${index} is not JSON`);
  return value;
}

/** The digits of a JSON string of ASCII digits (the status column) in bytes [start, end). */
export function scanDigits(buf: Buffer, start: number, end: number): Uint8Array {
  if (buf[start] !== QUOTE || buf[end - 1] !== QUOTE || end - start < 2) {
    throw new ColumnError('not a string of digits');
  }
  const out = new Uint8Array(end - start - 2);
  for (let i = 0; i < out.length; i++) out[i] = (buf[start + 1 + i] as number) - ZERO;
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading

/** A column's value as read from its line. */
export type ColumnValue = ScannedList | Uint8Array | unknown;

/** The kinds of columns that hold a number (or null, or a text) per payment. */
const SCANNED_KINDS: ReadonlySet<ColumnSpec['kind']> = new Set([
  'instants',
  'refs',
  'counts',
  'keys',
  'amounts',
]);

/** The columns of digits (a oneOf's places), read by scanDigits. */
const DIGITS = new Set(COLUMNS.filter((c) => c.kind === 'digits').map((c) => c.name));

/** The columns read by scanList: those of SCANNED_KINDS, and the body sizes. */
const SCANNED = new Set([
  ...COLUMNS.filter((c) => SCANNED_KINDS.has(c.kind)).map((c) => c.name),
  'bodyBytes',
]);

/**
 * Reads column `name` from bytes [start, end) of `buf`: scanned when it holds a number per
 * payment, parsed as JSON otherwise. Throws ColumnError.
 */
export function readColumn(
  name: string,
  buf: Buffer,
  start: number,
  end: number,
  count: number,
): ColumnValue {
  if (SCANNED.has(name)) return scanList(buf, start, end, count);
  if (DIGITS.has(name)) return scanDigits(buf, start, end);
  try {
    return JSON.parse(buf.toString('utf8', start, end)) as unknown;
  } catch {
    throw new ColumnError('not valid JSON');
  }
}

/** Where each column is in the file, for errors. */
export type ColumnLines = Partial<Record<string, number>>;

class CheckError extends Error {
  constructor(
    readonly column: string,
    readonly where: string,
  ) {
    super(where);
  }
}

const fail = (column: string, where: string): never => {
  throw new CheckError(column, where);
};

/**
 * Checks the columns read from a snapshot (`count` and each column by name) and puts them
 * in the typed arrays of PaymentColumns. `bodiesAt` is where the first body starts in the
 * file. Throws StoreError 'corrupt' naming the column's line.
 */
export function checkColumns(
  file: string,
  read: Record<string, ColumnValue>,
  lines: ColumnLines,
  bodiesAt: number,
): PaymentColumns {
  try {
    return convert(read, bodiesAt);
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    throw corruptSnapshot(file, error.where, lines[error.column]);
  }
}

function scanned(read: Record<string, ColumnValue>, name: string): ScannedList {
  const v = read[name];
  if (v === undefined) return fail(name, `paymentColumns.${name} is missing`);
  return v as ScannedList;
}

function stringList(read: Record<string, ColumnValue>, name: string): string[] {
  const v = read[name];
  if (!Array.isArray(v)) return fail(name, `paymentColumns.${name} is not a list`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') fail(name, `${name}[${i}] is not a string`);
  }
  return v as string[];
}

/** References into a list of `size` values (-1 for null when `nullable`). */
function refColumn(
  read: Record<string, ColumnValue>,
  name: string,
  size: number,
  nullable: boolean,
): Int32Array {
  const v = scanned(read, name);
  const out = new Int32Array(v.count);
  for (let i = 0; i < v.count; i++) {
    const r = v.numbers[i] as number;
    if (Number.isInteger(r) && r >= 0 && r < size) out[i] = r;
    else if (nullable && Number.isNaN(r) && !v.strings.has(i)) out[i] = -1;
    else fail(name, `payments[${i}]: ${name}: ${describe(v, i)} refers to no value`);
  }
  return out;
}

const describe = (v: ScannedList, i: number): string =>
  v.strings.has(i)
    ? JSON.stringify(v.strings.get(i))
    : Number.isNaN(v.numbers[i])
      ? 'null'
      : String(v.numbers[i]);

function convert(read: Record<string, ColumnValue>, bodiesAt: number): PaymentColumns {
  const n = read.count as number;
  const ids = read.id;
  if (!Array.isArray(ids) || ids.length !== n) {
    return fail('id', `paymentColumns.id is not a list of ${n} ids`);
  }
  for (let i = 0; i < n; i++) {
    if (typeof ids[i] !== 'string') fail('id', `payments[${i}]: id is not a string`);
  }

  const status = read.status;
  if (!(status instanceof Uint8Array) || status.length !== n) {
    return fail('status', `paymentColumns.status is not a string of ${n} digits`);
  }
  for (let i = 0; i < n; i++) {
    if ((status[i] as number) >= STATUS_DIGITS.length) {
      fail(
        'status',
        `payments[${i}]: status: "${String.fromCharCode((status[i] as number) + 48)}" is no status`,
      );
    }
  }

  const created = scanned(read, 'createdAt');
  const createdMs = new Float64Array(n);
  const createdText = new Map<number, string>();
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const delta = created.numbers[i] as number;
    const text = Number.isNaN(delta) ? created.strings.get(i) : undefined;
    let ms: number;
    if (text !== undefined) {
      if (!isInstant(text))
        fail('createdAt', `payments[${i}]: createdAt: ${JSON.stringify(text)} is no instant`);
      ms = Date.parse(text);
      if (canonicalMs(text) !== ms) createdText.set(i, text);
    } else {
      ms = prev + delta;
      if (!Number.isSafeInteger(delta) || !isCanonicalMs(ms)) {
        fail('createdAt', `payments[${i}]: createdAt: ${describe(created, i)} is no instant`);
      }
    }
    createdMs[i] = ms;
    prev = ms;
  }

  const emails = stringList(read, 'customerEmails');
  const email = refColumn(read, 'customerEmail', emails.length, false);
  const subscriptions = stringList(read, 'subscriptionIds');
  const subscription = refColumn(read, 'subscriptionId', subscriptions.length, true);

  const periods = scanned(read, 'period');
  const period = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = periods.numbers[i] as number;
    if (Number.isSafeInteger(p) && p >= 0) period[i] = p;
    else if (Number.isNaN(p) && !periods.strings.has(i)) period[i] = -1;
    else fail('period', `payments[${i}]: period: ${describe(periods, i)} is not a count or null`);
  }

  const keyValues = scanned(read, 'idempotencyKey');
  const key = new Int32Array(n);
  const keys = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const k = keyValues.numbers[i] as number;
    const text = Number.isNaN(k) ? keyValues.strings.get(i) : undefined;
    if (text !== undefined) {
      key[i] = -1;
      keys.set(i, text);
    } else if (Number.isInteger(k) && k >= 0 && k <= 0x7fff_ffff) {
      if (k > 0 && (subscription[i] === -1 || period[i] === -1)) {
        fail('idempotencyKey', `payments[${i}]: idempotencyKey: a period key needs a period`);
      }
      key[i] = k;
    } else {
      fail('idempotencyKey', `payments[${i}]: idempotencyKey: ${describe(keyValues, i)} is no key`);
    }
  }

  const sizes = scanned(read, 'bodyBytes');
  const bodyStart = new Float64Array(n);
  const bodyLength = new Int32Array(n);
  let at = bodiesAt;
  for (let i = 0; i < n; i++) {
    const size = sizes.numbers[i] as number;
    if (!Number.isInteger(size) || size < 2 || size > 0x3fff_ffff) {
      fail('bodyBytes', `payments[${i}]: bodyBytes: ${describe(sizes, i)} is no size`);
    }
    bodyStart[i] = at;
    bodyLength[i] = size;
    at += size + (i < n - 1 ? 2 : 1);
  }

  return {
    count: n,
    ids: ids as string[],
    status,
    createdMs,
    createdText,
    email,
    emails,
    subscription,
    subscriptions,
    period,
    key,
    keys,
    bodyStart,
    bodyLength,
    money: moneyColumns(read, n),
  };
}

/** The money columns, or null when the file has none of them (see the header). */
function moneyColumns(read: Record<string, ColumnValue>, n: number): MoneyColumns | null {
  const present = MONEY_COLUMNS.filter((name) => read[name] !== undefined);
  if (present.length === 0) return null;
  const missing = MONEY_COLUMNS.find((name) => read[name] === undefined);
  if (missing !== undefined) {
    return fail(present[0] as string, `paymentColumns.${missing} is missing`);
  }
  const units = (name: 'amount' | 'refundedAmount'): Float64Array => {
    const v = scanned(read, name);
    for (let i = 0; i < n; i++) {
      const a = v.numbers[i] as number;
      if (!Number.isSafeInteger(a) || a < 0) {
        fail(name, `payments[${i}]: ${name}: ${describe(v, i)} is not an amount in minor units`);
      }
    }
    return v.numbers;
  };
  const amount = units('amount');
  const refunded = units('refundedAmount');
  const currencies = stringList(read, 'currencies');
  if (currencies.length > 0xffff) fail('currencies', 'paymentColumns.currencies is too long');
  currencies.forEach((code, i) => {
    if (!CURRENCY.test(code))
      fail('currencies', `currencies[${i}]: ${JSON.stringify(code)} is no currency`);
  });
  const refs = refColumn(read, 'currency', currencies.length, false);
  return { amount, refunded, currency: Uint16Array.from(refs), currencies };
}
