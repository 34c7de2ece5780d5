/**
 * The encodings of the payment columns' values (layout in snapshot.ts, which fields have a
 * column in layout/payment.ts): instants as milliseconds, and idempotency keys in the forms
 * the core makes. These encodings are part of the file format: they never change with the
 * rest of the code (a new encoding needs a new schema version).
 *
 * createdAt is written as the milliseconds since the previous payment's when the text is
 * what toISOString() writes for them (else the text itself); the idempotency key as 0 when
 * it is `charge_<id>`, n + 1 when it is `sub_<subscriptionId>_p<period>_a<n>` and the text
 * itself otherwise. A payment's other fields, its body, and whole payments as tuples (the
 * journal's, and schema version 1's snapshot) are written as its layout says
 * (layout/payment.ts, layout/derive.ts).
 */
import type { Payment } from '../../../shared/domain';
import { CURRENT_FORMAT } from './format';
import type { Interner } from './layout/encodings';

export { Interner } from './layout/encodings';
export { STATUS_DIGITS } from './layout';

// ---------------------------------------------------------------------------------------
// Columns

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
// Bodies, as the current format writes them (its tests read them through these)

/** A payment's body line (without its separator). */
export const encodeBody = (p: Payment): string => CURRENT_FORMAT.paymentBody.encode(p);

/** A parsed body plus its fields that are in columns, as a payment-shaped object (to validate). */
export const decodeBody = (
  raw: unknown,
  columns: Record<string, unknown>,
  common: Interner,
): unknown => CURRENT_FORMAT.paymentBody.decode(raw, columns, { common, emails: common });
