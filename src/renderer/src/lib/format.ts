/** How amounts, instants, intervals and statuses read on screen. */
import { format } from 'date-fns';
import { currencyExponent, formatAmount } from '../../../shared/money';
import type { Interval } from '../../../shared/domain';
import { intervalWords } from '../../../shared/wording';

/** formatAmount, or a plain fallback for a currency this runtime does not know. */
export function money(minor: number, currency: string): string {
  if (currencyExponent(currency) === null) return `${minor} ${currency} (minor units)`;
  return formatAmount(minor, currency);
}

/** An instant in the operator's local time, e.g. "3 Mar 2026, 14:05". */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date, 'd MMM yyyy, HH:mm');
}

/** A UTC calendar day as the app writes dates, e.g. "31 Jan 2027" (a billing date's day). */
export function utcDay(date: Date): string {
  if (Number.isNaN(date.getTime())) return '—';
  return format(
    new Date(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()),
    'd MMM yyyy',
  );
}

/** A UTC date written yyyy-mm-dd (the dashboard's periods) as the app writes dates. */
export function isoDay(date: string): string {
  return utcDay(new Date(`${date.slice(0, 10)}T00:00:00.000Z`));
}

/** Two UTC dates as one range: "1–10 Mar 2026", "9 Feb – 10 Mar 2026". */
export function isoDayRange(from: string, to: string): string {
  const [a, b] = [isoDay(from), isoDay(to)];
  const [ad, am, ay] = a.split(' ');
  const [, bm, by] = b.split(' ');
  if (ay === by && am === bm) return `${ad}–${b}`;
  if (ay === by) return `${ad} ${am} – ${b}`;
  return `${a} – ${b}`;
}

/** An amount that may be negative, with a true minus sign ("−$10.00"). */
export function signedMoney(minor: number, currency: string): string {
  return minor < 0 ? `−${money(-minor, currency)}` : money(minor, currency);
}

export function dateTimeSeconds(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date, 'd MMM yyyy, HH:mm:ss');
}

/** "Monthly", "Every 2 weeks": shared/wording.ts's words, capitalized to stand alone. */
export function intervalText(interval: Interval, count: number): string {
  const words = intervalWords(interval, count);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "PARTIALLY_REFUNDED" → "Partially refunded". */
export function statusText(status: string): string {
  const words = status.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function seconds(total: number): string {
  if (total % 86_400 === 0) return `${total / 86_400} d`;
  if (total % 3600 === 0) return `${total / 3600} h`;
  if (total % 60 === 0) return `${total / 60} min`;
  return `${total} s`;
}

const ORIGIN_TEXT: Readonly<Record<string, string>> = {
  operator: 'Operator',
  api: 'API',
  scheduler: 'Scheduler',
  // 'system' is start-up reconciliation: what Paydesk settled with the gateway when it started.
  system: 'Start-up',
};

/** Who asked for a command, for people ("API", not "Api"). */
export function originText(origin: string): string {
  return ORIGIN_TEXT[origin] ?? origin;
}

const BYTE_UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** A file's size for people: "812 bytes", "2.4 MB" (powers of 1,000, as file managers show). */
export function byteSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0);
  return `${shown} ${BYTE_UNITS[unit]}`;
}
