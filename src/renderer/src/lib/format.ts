/** How amounts, instants, intervals and statuses read on screen. */
import { format } from 'date-fns';
import { currencyExponent, formatAmount } from '../../../shared/money';
import type { Interval } from '../../../shared/domain';

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

export function dateTimeSeconds(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format(date, 'd MMM yyyy, HH:mm:ss');
}

const UNIT: Record<Interval, string> = {
  DAILY: 'day',
  WEEKLY: 'week',
  MONTHLY: 'month',
  YEARLY: 'year',
};

/** "Monthly", "Every 2 weeks". */
export function intervalText(interval: Interval, count: number): string {
  if (count === 1) return interval.charAt(0) + interval.slice(1).toLowerCase();
  return `Every ${count} ${UNIT[interval]}s`;
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
  system: 'System',
};

/** Who asked for a command, for people ("API", not "Api"). */
export function originText(origin: string): string {
  return ORIGIN_TEXT[origin] ?? origin;
}
