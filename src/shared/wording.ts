/**
 * How the domain reads for people, written once for the core's labels and notices and the
 * renderer's screens alike, so that the History, a toast and the Scheduler screen never
 * word the same thing two ways.
 */
import type { Interval } from './domain';

const UNIT: Readonly<Record<Interval, string>> = {
  DAILY: 'day',
  WEEKLY: 'week',
  MONTHLY: 'month',
  YEARLY: 'year',
};

/** "monthly", "every 3 months": how often a subscription is charged. */
export function intervalWords(interval: Interval, count: number): string {
  if (count === 1) return interval.toLowerCase();
  return `every ${count} ${UNIT[interval]}s`;
}

/**
 * A recurring run's counts. `charged` is the number of charges attempted (the MVP's REST
 * name, kept): `succeeded` of them were paid and `failed` were declined; the rest had no
 * outcome yet (the gateway could not tell, reconciled later).
 */
export interface RunCounts {
  charged: number;
  succeeded: number;
  failed: number;
}

/** "4 attempted, 2 succeeded, 2 failed", or "nothing was due". */
export function runCountsText(run: RunCounts): string {
  if (run.charged === 0) return 'nothing was due';
  return `${run.charged} attempted, ${run.succeeded} succeeded, ${run.failed} failed`;
}
