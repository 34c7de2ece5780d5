import { describe, expect, it } from 'vitest';
import {
  MAX_CHARGE_ATTEMPTS,
  addMonthsClamped,
  firstPeriodAtOrAfter,
  periodChargeKey,
  periodDate,
  retryDelayMs,
} from '../../src/main/core/schedule';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string): Date => new Date(iso);
const iso = (date: Date): string => date.toISOString();

describe('periodDate, monthly', () => {
  const jan31 = at('2027-01-31T09:30:15.250Z');

  it('clamps an anchor on the 31st to each month’s end and returns to the 31st', () => {
    const dates = [0, 1, 2, 3, 4].map((k) => iso(periodDate(jan31, 'MONTHLY', 1, k)));
    expect(dates).toEqual([
      '2027-01-31T09:30:15.250Z',
      '2027-02-28T09:30:15.250Z',
      '2027-03-31T09:30:15.250Z',
      '2027-04-30T09:30:15.250Z',
      '2027-05-31T09:30:15.250Z',
    ]);
  });

  it('gives February 29 in a leap year', () => {
    expect(iso(periodDate(at('2028-01-31T00:00:00Z'), 'MONTHLY', 1, 1))).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it('derives every period from the anchor, so a clamped month does not shift the next', () => {
    // Anchored on the 30th: Feb 28 is followed by Mar 30, not Mar 28.
    const jan30 = at('2027-01-30T12:00:00Z');
    expect(iso(periodDate(jan30, 'MONTHLY', 1, 2))).toBe('2027-03-30T12:00:00.000Z');
  });

  it('steps by the interval count', () => {
    const anchor = at('2027-01-31T08:00:00Z');
    expect([1, 2, 3].map((k) => iso(periodDate(anchor, 'MONTHLY', 3, k)))).toEqual([
      '2027-04-30T08:00:00.000Z',
      '2027-07-31T08:00:00.000Z',
      '2027-10-31T08:00:00.000Z',
    ]);
  });

  it('crosses year ends', () => {
    expect(iso(periodDate(at('2027-11-15T00:00:00Z'), 'MONTHLY', 1, 3))).toBe(
      '2028-02-15T00:00:00.000Z',
    );
  });

  it('handles years before 100 without taking them for 19xx', () => {
    expect(iso(addMonthsClamped(at('0050-01-31T00:00:00Z'), 1))).toBe('0050-02-28T00:00:00.000Z');
    expect(iso(addMonthsClamped(at('0004-01-31T00:00:00Z'), 1))).toBe('0004-02-29T00:00:00.000Z');
  });
});

describe('periodDate, yearly', () => {
  const feb29 = at('2028-02-29T06:00:00Z');

  it('clamps Feb 29 to Feb 28 in common years and returns to Feb 29 in leap years', () => {
    expect([1, 2, 3, 4].map((k) => iso(periodDate(feb29, 'YEARLY', 1, k)))).toEqual([
      '2029-02-28T06:00:00.000Z',
      '2030-02-28T06:00:00.000Z',
      '2031-02-28T06:00:00.000Z',
      '2032-02-29T06:00:00.000Z',
    ]);
  });

  it('steps by the interval count', () => {
    expect(iso(periodDate(feb29, 'YEARLY', 2, 1))).toBe('2030-02-28T06:00:00.000Z');
    expect(iso(periodDate(feb29, 'YEARLY', 2, 2))).toBe('2032-02-29T06:00:00.000Z');
  });
});

describe('periodDate, daily and weekly', () => {
  const anchor = at('2027-03-27T23:45:00Z');

  it('adds whole UTC days, also across a daylight-saving change', () => {
    expect(iso(periodDate(anchor, 'DAILY', 1, 1))).toBe('2027-03-28T23:45:00.000Z');
    expect(iso(periodDate(anchor, 'DAILY', 3, 2))).toBe('2027-04-02T23:45:00.000Z');
  });

  it('adds whole weeks', () => {
    expect(iso(periodDate(anchor, 'WEEKLY', 1, 1))).toBe('2027-04-03T23:45:00.000Z');
    expect(iso(periodDate(anchor, 'WEEKLY', 2, 3))).toBe('2027-05-08T23:45:00.000Z');
  });

  it('period 0 is the anchor itself', () => {
    for (const interval of ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const) {
      expect(iso(periodDate(anchor, interval, 3, 0))).toBe(iso(anchor));
    }
  });
});

describe('firstPeriodAtOrAfter', () => {
  const anchor = at('2027-01-31T10:00:00Z');

  it('is 0 for an instant before or at the anchor', () => {
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, at('2020-01-01T00:00:00Z'))).toBe(0);
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, anchor)).toBe(0);
  });

  it('includes a period falling exactly on the instant', () => {
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, at('2027-02-28T10:00:00Z'))).toBe(1);
  });

  it('moves to the next period one millisecond later', () => {
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, at('2027-02-28T10:00:00.001Z'))).toBe(2);
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, at('2027-01-31T10:00:00.001Z'))).toBe(1);
  });

  it('finds far periods with every interval', () => {
    const instant = at('2037-06-15T00:00:00Z');
    expect(firstPeriodAtOrAfter(anchor, 'DAILY', 1, instant)).toBe(3788);
    expect(firstPeriodAtOrAfter(anchor, 'WEEKLY', 2, instant)).toBe(271);
    expect(firstPeriodAtOrAfter(anchor, 'MONTHLY', 1, instant)).toBe(125);
    expect(firstPeriodAtOrAfter(anchor, 'YEARLY', 1, instant)).toBe(11);
  });
});

describe('retryDelayMs', () => {
  it('retries a declined card after 1, 3 and 5 days', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 'card_declined'))).toEqual([
      1 * DAY,
      3 * DAY,
      5 * DAY,
    ]);
    expect(retryDelayMs(1, 'insufficient_funds')).toBe(DAY);
  });

  it('retries a processing error after 1, 3 and 5 hours', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 'processing_error'))).toEqual([
      1 * HOUR,
      3 * HOUR,
      5 * HOUR,
    ]);
  });

  it('gives up after the third retry, so a period gets MAX_CHARGE_ATTEMPTS tries in all', () => {
    expect(MAX_CHARGE_ATTEMPTS).toBe(4);
    expect(retryDelayMs(MAX_CHARGE_ATTEMPTS, 'card_declined')).toBeNull();
    expect(retryDelayMs(MAX_CHARGE_ATTEMPTS, 'processing_error')).toBeNull();
    expect(retryDelayMs(10, 'card_declined')).toBeNull();
  });

  it('has no delay before any failure', () => {
    expect(retryDelayMs(0, 'card_declined')).toBeNull();
  });
});

describe('periodChargeKey', () => {
  it('differs for each subscription, period and attempt', () => {
    const keys = [
      periodChargeKey('sub1', 0, 0),
      periodChargeKey('sub1', 0, 1),
      periodChargeKey('sub1', 1, 0),
      periodChargeKey('sub2', 0, 0),
      periodChargeKey('sub1', 10, 1),
      periodChargeKey('sub1', 1, 10),
      periodChargeKey('sub1_p1', 0, 0),
      periodChargeKey('sub1', 11, 0),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is the same for the same subscription, period and attempt', () => {
    expect(periodChargeKey('abc', 3, 2)).toBe(periodChargeKey('abc', 3, 2));
  });
});
