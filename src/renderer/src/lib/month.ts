/** The test clock's "Advance 1 month": the same day next month, in UTC, via date-fns. */
import { addMonths } from 'date-fns';

/**
 * addMonths works on local calendar dates, so the UTC date is moved as a local noon (never
 * inside a daylight-saving gap) and the UTC time of day is put back afterwards.
 * 31 Jan → 28/29 Feb, like addMonths.
 */
export function addOneMonthUtc(iso: string): string {
  const from = new Date(iso);
  const localNoon = new Date(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 12);
  const next = addMonths(localNoon, 1);
  return new Date(
    Date.UTC(
      next.getFullYear(),
      next.getMonth(),
      next.getDate(),
      from.getUTCHours(),
      from.getUTCMinutes(),
      from.getUTCSeconds(),
      from.getUTCMilliseconds(),
    ),
  ).toISOString();
}
