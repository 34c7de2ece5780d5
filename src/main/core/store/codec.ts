/**
 * How a payment is written in the snapshot. These encodings are part of the file format:
 * they never change with the rest of the code (a new encoding needs a new schema version).
 *
 * Schema version 2 splits a payment in two (see payment-base.ts for the columns' layout):
 *  - its indexed fields go to columns: id, status as a digit (STATUS_DIGITS), createdAt as
 *    the milliseconds since the previous payment's when the text is what toISOString()
 *    writes for them (else the text itself), customer e-mail and subscription id as indexes
 *    into lists of distinct values, period, and the idempotency key as 0 when it is
 *    `charge_<id>`, n + 1 when it is `sub_<subscriptionId>_p<period>_a<n>` (the forms the
 *    core makes) and the text itself otherwise;
 *  - the rest is its body, one JSON line read only when the payment is:
 *      [amount, currency, description, paymentMethod, transactionId, failureCode,
 *       failureMessage, refundedAmount, redoOf, updatedAt | 0 (= createdAt), events]
 *    each event [type, at | 0 (= createdAt) | 1 (= updatedAt), ...its own fields in the
 *    order of encodeEvent]; a succeeded event's transactionId is 0 when it is the payment's.
 * Schema version 1 wrote each payment whole as one positional tuple, and the journal does
 * since schema version 3 (journal-codec.ts): [id, amount, currency, customerEmail,
 * description, paymentMethod, status, transactionId, failureCode, failureMessage,
 * refundedAmount, idempotencyKey, subscriptionId, period, redoOf, createdAt,
 * updatedAt | 0, events], the events as in a body.
 *
 * Decoding never throws: a malformed body decodes to an object that fails validation.
 */
import type { Payment, PaymentEvent, PaymentStatus } from '../../../shared/domain';

/** Shares equal strings, up to `cap` distinct ones (past that it lets strings through). */
export class Interner {
  private readonly seen = new Map<string, string>();
  constructor(private readonly cap: number) {}
  get(v: unknown): unknown {
    if (typeof v !== 'string') return v;
    const known = this.seen.get(v);
    if (known !== undefined) return known;
    if (this.seen.size < this.cap) this.seen.set(v, v);
    return v;
  }
}

// ---------------------------------------------------------------------------------------
// Columns

/** A payment's status is written as the digit of its place here. */
export const STATUS_DIGITS: readonly PaymentStatus[] = [
  'PENDING',
  'COMPLETED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
];

/** Instants toISOString() writes with four year digits (and the domain's pattern accepts). */
const MIN_CANONICAL_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_CANONICAL_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export const isCanonicalMs = (ms: number): boolean =>
  Number.isSafeInteger(ms) && ms >= MIN_CANONICAL_MS && ms <= MAX_CANONICAL_MS;

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let isoDay = NaN;
let isoDate = '';

/**
 * new Date(ms).toISOString() for canonical `ms` (isCanonicalMs), about five times faster
 * when instants of one day come in a row (the date part is kept from one call to the next).
 */
export function isoOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDay = day;
    isoDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const inDay = ms - day * DAY_MS;
  const milli = inDay % 1000;
  const s = (inDay - milli) / 1000;
  return (
    isoDate +
    (TWO_DIGITS[Math.floor(s / 3600)] as string) +
    ':' +
    (TWO_DIGITS[Math.floor(s / 60) % 60] as string) +
    ':' +
    (TWO_DIGITS[s % 60] as string) +
    (milli < 10 ? '.00' : milli < 100 ? '.0' : '.') +
    milli +
    'Z'
  );
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Milliseconds in 400 Gregorian years (the calendar repeats after them). */
const FOUR_CENTURIES_MS = 12_622_780_800_000;

/** The value of the two digits at `i` of `t`, or NaN. */
function two(t: string, i: number): number {
  const a = t.charCodeAt(i) - 0x30;
  const b = t.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The milliseconds of `text` when toISOString() writes them back as `text`, else null: the
 * text must be `YYYY-MM-DDTHH:MM:SS.mmmZ` with fields in range (read without Date.parse or
 * toISOString, which together cost a microsecond).
 */
export function canonicalMs(text: string): number | null {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a ||
    text.charCodeAt(19) !== 0x2e ||
    text.charCodeAt(23) !== 0x5a
  ) {
    return null;
  }
  const year = two(text, 0) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  const lastMilli = text.charCodeAt(22) - 0x30;
  const milli = two(text, 20) * 10 + lastMilli;
  // (NaN fails every comparison below.)
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && lastMilli >= 0 && lastMilli <= 9)) {
    return null;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS[month - 1] as number);
  if (!(day <= days && hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)) return null;
  // Date.UTC reads years 0 to 99 as 1900 to 1999: count those from 400 years later.
  if (year < 100) {
    return Date.UTC(year + 400, month - 1, day, hour, minute, second, milli) - FOUR_CENTURIES_MS;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
}

/** Date.parse(text), reading the canonical form (most instants) without it. */
export const instantMs = (text: string): number => canonicalMs(text) ?? Date.parse(text);

export const chargeKey = (id: string): string => `charge_${id}`;
export const periodKey = (subscriptionId: string, period: number, attempt: number): string =>
  `sub_${subscriptionId}_p${period}_a${attempt}`;

/** The idempotency-key column's value for `p` (see the header comment). */
export function encodeKey(p: Payment): number | string {
  const key = p.idempotencyKey;
  if (key === chargeKey(p.id)) return 0;
  if (p.subscriptionId !== null && p.period !== null) {
    const head = `sub_${p.subscriptionId}_p${p.period}_a`;
    if (key.startsWith(head)) {
      const attempt = Number(key.slice(head.length));
      if (attempt < 0x7fff_ffff && periodKey(p.subscriptionId, p.period, attempt) === key) {
        return attempt + 1;
      }
    }
  }
  return key;
}

/** Whether text[from, to) is one digit or more. */
function digitsOnly(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Which payment a key in one of the encoded forms would belong to; null for another key.
 * A period key reads as /^sub_(.*)_p(\d+)_a(\d+)$/s would read it (the subscription id is
 * all before the last `_p<digits>_a<digits>`), without the regular expression's
 * backtracking: the store asks this of every payment it is given.
 */
export function keyOwner(
  key: string,
): { id: string } | { subscriptionId: string; period: number } | null {
  if (key.startsWith('charge_')) return { id: key.slice(7) };
  if (!key.startsWith('sub_')) return null;
  const a = key.lastIndexOf('_a');
  if (a < 4 || !digitsOnly(key, a + 2, key.length)) return null;
  const p = key.lastIndexOf('_p', a - 1);
  if (p < 4 || !digitsOnly(key, p + 2, a)) return null;
  return { subscriptionId: key.slice(4, p), period: Number(key.slice(p + 2, a)) };
}

// ---------------------------------------------------------------------------------------
// Bodies

export const BODY_FIELDS = 11;

function encodeEvent(e: PaymentEvent, p: Payment): unknown[] {
  const at = e.at === p.createdAt ? 0 : e.at === p.updatedAt ? 1 : e.at;
  switch (e.type) {
    case 'created':
    case 'charge_attempted':
    case 'timed_out':
      return [e.type, at];
    case 'succeeded':
      return [e.type, at, e.transactionId === p.transactionId ? 0 : e.transactionId];
    case 'failed':
      return [e.type, at, e.code, e.message];
    case 'refunded':
      return [e.type, at, e.amount, e.refundId];
    case 'reconciled':
      return [e.type, at, e.outcome];
  }
}

function encodeEvents(p: Payment): unknown[] {
  const events: unknown[] = new Array(p.events.length);
  for (let i = 0; i < p.events.length; i++) events[i] = encodeEvent(p.events[i] as PaymentEvent, p);
  return events;
}

/** A payment's body line (without its separator). */
export function encodeBody(p: Payment): string {
  return JSON.stringify([
    p.amount,
    p.currency,
    p.description,
    p.paymentMethod,
    p.transactionId,
    p.failureCode,
    p.failureMessage,
    p.refundedAmount,
    p.redoOf,
    p.updatedAt === p.createdAt ? 0 : p.updatedAt,
    encodeEvents(p),
  ]);
}

/** A payment's fields that come from the columns. */
export interface IndexedFields {
  id: string;
  status: PaymentStatus;
  createdAt: string;
  customerEmail: string;
  subscriptionId: string | null;
  period: number | null;
  idempotencyKey: string;
}

/** A parsed body plus its indexed fields, as a payment-shaped object (to validate). */
export function decodeBody(raw: unknown, f: IndexedFields, common: Interner): unknown {
  if (!Array.isArray(raw) || raw.length !== BODY_FIELDS) return raw;
  const createdAt = f.createdAt;
  const updatedAt: unknown = raw[9] === 0 ? createdAt : raw[9];
  const transactionId: unknown = raw[4];
  return {
    id: f.id,
    amount: raw[0],
    currency: common.get(raw[1]),
    customerEmail: f.customerEmail,
    description: raw[2],
    paymentMethod: common.get(raw[3]),
    status: f.status,
    transactionId,
    failureCode: common.get(raw[5]),
    failureMessage: common.get(raw[6]),
    refundedAmount: raw[7],
    idempotencyKey: f.idempotencyKey,
    subscriptionId: f.subscriptionId,
    period: f.period,
    redoOf: raw[8],
    createdAt,
    updatedAt,
    events: decodeEvents(raw[10], createdAt, updatedAt, transactionId, common),
  };
}

function decodeEvents(
  raw: unknown,
  createdAt: unknown,
  updatedAt: unknown,
  transactionId: unknown,
  common: Interner,
): unknown {
  if (!Array.isArray(raw)) return raw;
  const out: unknown[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    out[i] = decodeEvent(raw[i], createdAt, updatedAt, transactionId, common);
  }
  return out;
}

function decodeEvent(
  raw: unknown,
  createdAt: unknown,
  updatedAt: unknown,
  transactionId: unknown,
  common: Interner,
): unknown {
  if (!Array.isArray(raw)) return raw;
  const type: unknown = raw[0];
  const at: unknown = raw[1] === 0 ? createdAt : raw[1] === 1 ? updatedAt : raw[1];
  switch (type) {
    case 'succeeded':
      return { type, at, transactionId: raw[2] === 0 ? transactionId : raw[2] };
    case 'failed':
      return { type, at, code: common.get(raw[2]), message: common.get(raw[3]) };
    case 'refunded':
      return { type, at, amount: raw[2], refundId: raw[3] };
    case 'reconciled':
      return { type, at, outcome: raw[2] };
    default:
      return { type, at };
  }
}

// ---------------------------------------------------------------------------------------
// Whole payments as tuples (schema version 1's snapshot; the journal's since version 3)

/**
 * A payment whole, as one tuple (see the header comment). A field added to Payment needs a
 * place here and in paymentDecoder, and a new schema version (the journal property test
 * fails until then).
 */
export function encodePaymentTuple(p: Payment): unknown[] {
  return [
    p.id,
    p.amount,
    p.currency,
    p.customerEmail,
    p.description,
    p.paymentMethod,
    p.status,
    p.transactionId,
    p.failureCode,
    p.failureMessage,
    p.refundedAmount,
    p.idempotencyKey,
    p.subscriptionId,
    p.period,
    p.redoOf,
    p.createdAt,
    p.updatedAt === p.createdAt ? 0 : p.updatedAt,
    encodeEvents(p),
  ];
}

export interface PaymentDecoder {
  /** A payment tuple decodes to a payment-shaped object; any other value is returned unchanged. */
  (raw: unknown): unknown;
}

export function paymentDecoder(): PaymentDecoder {
  const common = new Interner(20_000);
  const emails = new Interner(200_000);
  return (raw) => {
    if (!Array.isArray(raw)) return raw;
    const createdAt: unknown = raw[15];
    const updatedAt: unknown = raw[16] === 0 ? createdAt : raw[16];
    const transactionId: unknown = raw[7];
    return {
      id: raw[0],
      amount: raw[1],
      currency: common.get(raw[2]),
      customerEmail: emails.get(raw[3]),
      description: raw[4],
      paymentMethod: common.get(raw[5]),
      status: raw[6],
      transactionId,
      failureCode: common.get(raw[8]),
      failureMessage: common.get(raw[9]),
      refundedAmount: raw[10],
      idempotencyKey: raw[11],
      subscriptionId: raw[12],
      period: raw[13],
      redoOf: raw[14],
      createdAt,
      updatedAt,
      events: decodeEvents(raw[17], createdAt, updatedAt, transactionId, common),
    };
  };
}
