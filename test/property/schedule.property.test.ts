import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_INTERVAL_COUNT,
  firstPeriodAtOrAfter,
  periodChargeKey,
  periodDate,
} from '../../src/main/core/schedule';
import { createSubscription, periodsToCatchUp } from '../../src/main/core/subscription-rules';
import type { Interval } from '../../src/shared/domain';

const DAY_MS = 86_400_000;

const anchorArb = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2100-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
const intervalArb = fc.constantFrom<Interval>('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY');
const intervalAndCount = intervalArb.chain((interval) =>
  fc.tuple(fc.constant(interval), fc.integer({ min: 1, max: MAX_INTERVAL_COUNT[interval] })),
);

// An independent calendar: the Gregorian rules written out, no Date arithmetic.
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number): number =>
  month === 1 && isLeap(year) ? 29 : (MONTH_DAYS[month] ?? Number.NaN);
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `anchor` plus `months` months, day clamped to the month's end, as an ISO string. */
function expectedMonthly(anchor: Date, months: number): string {
  const total = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const day = Math.min(anchor.getUTCDate(), daysIn(year, month));
  const timeOfDay = anchor.toISOString().slice(10); // "Thh:mm:ss.sssZ"
  return `${pad(year, 4)}-${pad(month + 1, 2)}-${pad(day, 2)}${timeOfDay}`;
}

const timeOfDay = (date: Date): number =>
  date.getTime() - Math.floor(date.getTime() / DAY_MS) * DAY_MS;

describe('schedule properties', () => {
  it('monthly periods never drift: 600 periods keep the clamped day, the time, and increase', () => {
    fc.assert(
      fc.property(anchorArb, fc.integer({ min: 1, max: 3 }), (anchor, count) => {
        let previous = -Infinity;
        for (let k = 0; k <= 600; k += 1) {
          const date = periodDate(anchor, 'MONTHLY', count, k);
          const monthsFromAnchor =
            (date.getUTCFullYear() - anchor.getUTCFullYear()) * 12 +
            (date.getUTCMonth() - anchor.getUTCMonth());
          expect(monthsFromAnchor).toBe(k * count);
          expect(date.getUTCDate()).toBe(
            Math.min(anchor.getUTCDate(), daysIn(date.getUTCFullYear(), date.getUTCMonth())),
          );
          expect(timeOfDay(date)).toBe(timeOfDay(anchor));
          expect(date.getTime()).toBeGreaterThan(previous);
          previous = date.getTime();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('period k of a monthly or yearly schedule is the anchor plus k × count months', () => {
    fc.assert(
      fc.property(
        anchorArb,
        fc.constantFrom<Interval>('MONTHLY', 'YEARLY'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 600 }),
        (anchor, interval, count, k) => {
          const months = k * count * (interval === 'YEARLY' ? 12 : 1);
          expect(periodDate(anchor, interval, count, k).toISOString()).toBe(
            expectedMonthly(anchor, months),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('daily and weekly periods are exact multiples of 24 h and 7 d in UTC', () => {
    fc.assert(
      fc.property(
        anchorArb,
        fc.constantFrom<Interval>('DAILY', 'WEEKLY'),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 600 }),
        (anchor, interval, count, k) => {
          const step = interval === 'DAILY' ? DAY_MS : 7 * DAY_MS;
          expect(periodDate(anchor, interval, count, k).getTime() - anchor.getTime()).toBe(
            k * count * step,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('firstPeriodAtOrAfter is the least k whose date is at or after the instant', () => {
    fc.assert(
      fc.property(
        anchorArb,
        intervalAndCount,
        fc.integer({ min: -400 * DAY_MS, max: 60 * 365 * DAY_MS }),
        (anchor, [interval, count], offset) => {
          const instant = new Date(anchor.getTime() + offset);
          const k = firstPeriodAtOrAfter(anchor, interval, count, instant);
          expect(Number.isInteger(k) && k >= 0).toBe(true);
          expect(periodDate(anchor, interval, count, k).getTime()).toBeGreaterThanOrEqual(
            instant.getTime(),
          );
          if (k > 0) {
            expect(periodDate(anchor, interval, count, k - 1).getTime()).toBeLessThan(
              instant.getTime(),
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('firstPeriodAtOrAfter finds a period exactly on the instant, and the next one a millisecond later', () => {
    fc.assert(
      fc.property(
        anchorArb,
        intervalAndCount,
        fc.integer({ min: 0, max: 200 }),
        (anchor, [interval, count], k) => {
          const date = periodDate(anchor, interval, count, k);
          expect(firstPeriodAtOrAfter(anchor, interval, count, date)).toBe(k);
          expect(firstPeriodAtOrAfter(anchor, interval, count, new Date(date.getTime() + 1))).toBe(
            k + 1,
          );
          if (k > 0) {
            expect(
              firstPeriodAtOrAfter(anchor, interval, count, new Date(date.getTime() - 1)),
            ).toBe(k);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('periodChargeKey gives different keys to different (subscription, period, attempt)', () => {
    // Ids made of the key's own letters, so that a collision would be easy to hit.
    const charge = fc.tuple(fc.stringMatching(/^[_pa0-9]{0,5}$/), fc.nat(120), fc.nat(12));
    fc.assert(
      fc.property(
        fc.uniqueArray(charge, { selector: (c) => JSON.stringify(c), maxLength: 60 }),
        (charges) => {
          const keys = new Set(charges.map((c) => periodChargeKey(...c)));
          expect(keys.size).toBe(charges.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('back-dating and catch-up (subscription-rules.ts)', () => {
  const subscriptionAt = (anchor: Date, interval: Interval, count: number, created: Date) =>
    createSubscription(
      {
        id: 'sub_p',
        customerEmail: 'p@example.com',
        amount: 100,
        currency: 'USD',
        interval,
        intervalCount: count,
        start: anchor,
      },
      created.toISOString(),
    );

  it('charges first the first period that begins at or after the creation, whatever the start', () => {
    fc.assert(
      fc.property(anchorArb, intervalAndCount, anchorArb, (anchor, [interval, count], created) => {
        const sub = subscriptionAt(anchor, interval, count, created);
        const first = sub.nextPeriod;
        const date = periodDate(anchor, interval, count, first);
        expect(sub.nextPaymentDate).toBe(date.toISOString());
        expect(date.getTime()).toBeGreaterThanOrEqual(
          Math.min(created.getTime(), anchor.getTime()),
        );
        if (first > 0) {
          // The period before began before the creation: it is never charged.
          expect(periodDate(anchor, interval, count, first - 1).getTime()).toBeLessThan(
            created.getTime(),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts as periods to catch up exactly those begun by now, from the next one', () => {
    fc.assert(
      fc.property(
        anchorArb,
        intervalAndCount,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 2 * 366 * DAY_MS }),
        (anchor, [interval, count], next, laterMs) => {
          const sub = {
            ...subscriptionAt(anchor, interval, count, anchor),
            nextPeriod: next,
            nextPaymentDate: periodDate(anchor, interval, count, next).toISOString(),
          };
          const now = new Date(periodDate(anchor, interval, count, next).getTime() + laterMs);
          const { from, to, count: behind } = periodsToCatchUp(sub, now);
          expect(from).toBe(next);
          expect(behind).toBe(to - from + 1);
          for (let k = from; k <= to; k++) {
            expect(periodDate(anchor, interval, count, k).getTime()).toBeLessThanOrEqual(
              now.getTime(),
            );
          }
          expect(periodDate(anchor, interval, count, to + 1).getTime()).toBeGreaterThan(
            now.getTime(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
