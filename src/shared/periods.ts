/**
 * Billing periods as pure functions of UTC instants, shared by the core's schedule and the
 * renderer's New subscription form, so that the form refuses what the core refuses and
 * tells the first charge the core will make. Every period's date derives from the billing
 * anchor (period k = anchor + k × interval), never from the previous date, so month ends
 * never drift: anchored on Jan 31, monthly gives Feb 28/29, Mar 31, Apr 30.
 */
import type { Interval } from './domain';

const DAY_MS = 86_400_000;

/** Stripe's limit: an interval may span at most three years. */
export const MAX_INTERVAL_COUNT: Readonly<Record<Interval, number>> = {
  DAILY: 3 * 365,
  WEEKLY: 3 * 52,
  MONTHLY: 3 * 12,
  YEARLY: 3,
};

/** Why `count` is refused for `interval` (the `intervalCount` field's message), or null. */
export function intervalCountError(interval: Interval, count: number): string | null {
  const max = MAX_INTERVAL_COUNT[interval];
  if (count <= max) return null;
  return `An interval may span at most three years: ${interval.toLowerCase()} allows an interval count of at most ${max}`;
}

/** A UTC date from its fields; unlike Date.UTC, years 0–99 are not taken for 1900–1999. */
function utcDate(year: number, month: number, day: number, timeOfDay: Date): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(
    timeOfDay.getUTCHours(),
    timeOfDay.getUTCMinutes(),
    timeOfDay.getUTCSeconds(),
    timeOfDay.getUTCMilliseconds(),
  );
  return date;
}

function daysInMonthUTC(year: number, month: number): number {
  return utcDate(year, month + 1, 0, new Date(0)).getUTCDate();
}

/** `anchor` plus `months` calendar months in UTC, clamping the day to the target month's end. */
export function addMonthsClamped(anchor: Date, months: number): Date {
  const total = anchor.getUTCMonth() + months;
  const year = anchor.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonthUTC(year, month));
  return utcDate(year, month, day, anchor);
}

/** The date of period `k` (0 = the anchor itself). */
export function periodDate(anchor: Date, interval: Interval, count: number, k: number): Date {
  switch (interval) {
    case 'DAILY':
      return new Date(anchor.getTime() + k * count * DAY_MS);
    case 'WEEKLY':
      return new Date(anchor.getTime() + k * count * 7 * DAY_MS);
    case 'MONTHLY':
      return addMonthsClamped(anchor, k * count);
    case 'YEARLY':
      return addMonthsClamped(anchor, k * count * 12);
  }
}

/** The first period whose date is at or after `instant` (0 when the instant precedes the anchor). */
export function firstPeriodAtOrAfter(
  anchor: Date,
  interval: Interval,
  count: number,
  instant: Date,
): number {
  if (instant.getTime() <= anchor.getTime()) return 0;
  const approxPeriodMs = {
    DAILY: DAY_MS,
    WEEKLY: 7 * DAY_MS,
    MONTHLY: 28 * DAY_MS,
    YEARLY: 365 * DAY_MS,
  }[interval];
  // Estimate from the shortest period length, then step to the exact period either way.
  let k = Math.max(
    0,
    Math.floor((instant.getTime() - anchor.getTime()) / (approxPeriodMs * count)) - 1,
  );
  while (k > 0 && periodDate(anchor, interval, count, k).getTime() >= instant.getTime()) k -= 1;
  while (periodDate(anchor, interval, count, k).getTime() < instant.getTime()) k += 1;
  return k;
}

/**
 * The first period a subscription anchored at `anchor` and created at `now` charges, and
 * its date: a start in the past sets the anchor only, so it is the first period that begins
 * at or after the creation, never one that began before it.
 */
export function firstCharge(
  anchor: Date,
  interval: Interval,
  count: number,
  now: Date,
): { period: number; date: Date } {
  const period = firstPeriodAtOrAfter(anchor, interval, count, now);
  return { period, date: periodDate(anchor, interval, count, period) };
}
