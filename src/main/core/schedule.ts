/**
 * The billing schedule as pure functions of UTC instants. Every period's date derives from
 * the billing anchor (period k = anchor + k × interval), never from the previous date, so
 * month ends never drift: anchored on Jan 31, monthly gives Feb 28/29, Mar 31, Apr 30.
 */
import type { Interval } from '../../shared/domain';

const DAY_MS = 86_400_000;

/** Stripe's limit: an interval may span at most three years. */
export const MAX_INTERVAL_COUNT: Readonly<Record<Interval, number>> = {
  DAILY: 3 * 365,
  WEEKLY: 3 * 52,
  MONTHLY: 3 * 12,
  YEARLY: 3,
};

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

/** Charges a failing period gets in all: the first try and three retries. */
export const MAX_CHARGE_ATTEMPTS = 4;

/**
 * When to retry after the `failedAttempts`-th failure (1-based): after 1, 3 and 5 days;
 * processing errors (a provider hiccup, not the card) after 1, 3 and 5 hours. Null after the
 * last attempt: the subscription is then paused.
 */
export function retryDelayMs(failedAttempts: number, failureCode: string): number | null {
  const steps = [1, 3, 5];
  const step = steps[failedAttempts - 1];
  if (step === undefined) return null;
  const unit = failureCode === 'processing_error' ? 3_600_000 : DAY_MS;
  return step * unit;
}

/** The idempotency key of one charge attempt of one period: rule 4 hangs on it. */
export function periodChargeKey(subscriptionId: string, period: number, attempt: number): string {
  return `sub_${subscriptionId}_p${period}_a${attempt}`;
}
