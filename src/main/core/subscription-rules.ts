/**
 * Subscription transitions as pure functions: create, pause, resume, cancel, and the
 * outcome of one period's charge. The schedule itself (period dates, retries) is in
 * ./schedule; this module decides status and the next due date.
 */
import type { Interval, Subscription, SubscriptionStatus } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import { firstCharge, intervalCountError } from '../../shared/periods';
import { firstPeriodAtOrAfter, MAX_CHARGE_ATTEMPTS, periodDate, retryDelayMs } from './schedule';

export interface NewSubscription {
  id: string;
  customerEmail: string;
  amount: number;
  currency: string;
  interval: Interval;
  intervalCount: number;
  /** The billing anchor: the first period's date (it may be in the past: see createSubscription). */
  start: Date;
}

/** A run charges at most this many periods of one subscription by itself (catch-up). */
export const MAX_CATCH_UP_PERIODS = 3;

/** The renderer's form checks the same limit with the same message (shared/periods.ts). */
export function checkIntervalCount(interval: Interval, count: number): void {
  const error = intervalCountError(interval, count);
  if (error !== null) throw new DomainError('validation', error, 'intervalCount');
}

/**
 * A new subscription. A start in the past sets the billing anchor only: the first period
 * charged is the first that begins at or after the subscription's creation, never one that
 * began before it (a start date of 2000 does not bill 26 years).
 */
export function createSubscription(fields: NewSubscription, now: string): Subscription {
  checkIntervalCount(fields.interval, fields.intervalCount);
  const anchor = fields.start;
  const first = firstCharge(anchor, fields.interval, fields.intervalCount, new Date(now));
  return {
    id: fields.id,
    customerEmail: fields.customerEmail,
    amount: fields.amount,
    currency: fields.currency,
    interval: fields.interval,
    intervalCount: fields.intervalCount,
    status: 'ACTIVE',
    billingAnchor: anchor.toISOString(),
    nextPeriod: first.period,
    nextPaymentDate: first.date.toISOString(),
    failedAttempts: 0,
    retryAt: null,
    pausedAt: null,
    pauseReason: null,
    waivedPeriods: [],
    createdAt: now,
    updatedAt: now,
    review: null,
    unpaidPeriods: [],
  };
}

export function dateOfPeriod(sub: Subscription, k: number): Date {
  return periodDate(new Date(sub.billingAnchor), sub.interval, sub.intervalCount, k);
}

/** Whether the scheduler should charge this subscription's next period at `now`. */
export function isDue(sub: Subscription, now: Date): boolean {
  return (
    (sub.status === 'ACTIVE' || sub.status === 'PAST_DUE') &&
    sub.nextPaymentDate !== null &&
    new Date(sub.nextPaymentDate).getTime() <= now.getTime()
  );
}

function requireStatus(sub: Subscription, allowed: SubscriptionStatus[], action: string): void {
  if (!allowed.includes(sub.status)) {
    throw new DomainError(
      'conflict',
      `Cannot ${action} subscription ${sub.id}: it is ${sub.status.toLowerCase().replace('_', ' ')}`,
    );
  }
}

export function pause(sub: Subscription, now: string, reason: string | null = null): Subscription {
  requireStatus(sub, ['ACTIVE', 'PAST_DUE'], 'pause');
  return {
    ...sub,
    status: 'PAUSED',
    pausedAt: now,
    pauseReason: reason,
    nextPaymentDate: null,
    retryAt: null,
    updatedAt: now,
  };
}

/**
 * Resume billing from the first period at or after `now`: periods that fell due while the
 * subscription was paused are skipped, not caught up. A period whose charge had failed (it
 * was past due) is not dropped with them: it is kept unpaid (see restartSchedule).
 */
export function resume(sub: Subscription, now: string): Subscription {
  requireStatus(sub, ['PAUSED'], 'resume');
  return restartSchedule(sub, now, true);
}

/** `periods` with `period` added, in order, once. */
function withPeriod(periods: readonly number[], period: number): number[] {
  return [...new Set([...periods, period])].sort((a, b) => a - b);
}

/**
 * Billing goes on from the first period at or after `now`. With `keepFailed`, a next period
 * that failed and is left behind (failed attempts, never paid) is recorded as unpaid, so
 * that it stays in sight until the operator retries or forgives it.
 */
function restartSchedule(sub: Subscription, now: string, keepFailed: boolean): Subscription {
  const next = Math.max(
    sub.nextPeriod,
    firstPeriodAtOrAfter(
      new Date(sub.billingAnchor),
      sub.interval,
      sub.intervalCount,
      new Date(now),
    ),
  );
  const leftUnpaid = keepFailed && sub.failedAttempts > 0 && next > sub.nextPeriod;
  return {
    ...sub,
    status: 'ACTIVE',
    nextPeriod: next,
    nextPaymentDate: dateOfPeriod(sub, next).toISOString(),
    unpaidPeriods: leftUnpaid ? withPeriod(sub.unpaidPeriods, sub.nextPeriod) : sub.unpaidPeriods,
    failedAttempts: 0,
    retryAt: null,
    pausedAt: null,
    pauseReason: null,
    review: null,
    updatedAt: now,
  };
}

export function cancel(sub: Subscription, now: string): Subscription {
  requireStatus(sub, ['ACTIVE', 'PAST_DUE', 'PAUSED'], 'cancel');
  return {
    ...sub,
    status: 'CANCELLED',
    nextPaymentDate: null,
    retryAt: null,
    review: null,
    updatedAt: now,
  };
}

/**
 * Undo of a cancellation: back to the status it had, billing again from the first period at
 * or after now (what fell due while it was cancelled is not charged).
 */
export function uncancel(
  sub: Subscription,
  previous: SubscriptionStatus,
  now: string,
): Subscription {
  requireStatus(sub, ['CANCELLED'], 'restore');
  if (previous === 'PAUSED') return { ...sub, status: 'PAUSED', updatedAt: now };
  return restartSchedule(sub, now, true);
}

/** A period was paid: move on to the next one. */
export function periodPaid(sub: Subscription, period: number, now: string): Subscription {
  if (period !== sub.nextPeriod) return { ...sub, updatedAt: now };
  const next = period + 1;
  return {
    ...sub,
    status: sub.status === 'PAST_DUE' ? 'ACTIVE' : sub.status,
    nextPeriod: next,
    nextPaymentDate:
      sub.status === 'ACTIVE' || sub.status === 'PAST_DUE'
        ? dateOfPeriod(sub, next).toISOString()
        : sub.nextPaymentDate,
    failedAttempts: 0,
    retryAt: null,
    updatedAt: now,
  };
}

/**
 * A period's charge failed: retry after 1, 3 and 5 days (hours for processing errors);
 * after the last attempt the subscription is paused with the reason.
 */
export function periodFailed(sub: Subscription, code: string, now: string): Subscription {
  const failedAttempts = sub.failedAttempts + 1;
  const delay = retryDelayMs(failedAttempts, code);
  if (delay === null || failedAttempts >= MAX_CHARGE_ATTEMPTS) {
    return {
      ...pause(
        { ...sub, status: 'PAST_DUE' },
        now,
        `Paused after ${failedAttempts} failed charges (last: ${code})`,
      ),
      failedAttempts,
    };
  }
  const retryAt = new Date(new Date(now).getTime() + delay).toISOString();
  return {
    ...sub,
    status: 'PAST_DUE',
    failedAttempts,
    retryAt,
    nextPaymentDate: retryAt,
    updatedAt: now,
  };
}

/**
 * The periods a run would have to charge now to catch the subscription up: its next period
 * and every later one that has begun by `now` (waived ones aside); 0 when it is not due.
 */
export function periodsToCatchUp(
  sub: Subscription,
  now: Date,
): { from: number; to: number; count: number } {
  const from = sub.nextPeriod;
  if (!isDue(sub, now)) return { from, to: from - 1, count: 0 };
  const anchor = new Date(sub.billingAnchor);
  const afterNow = firstPeriodAtOrAfter(
    anchor,
    sub.interval,
    sub.intervalCount,
    new Date(now.getTime() + 1),
  );
  const to = Math.max(from, afterNow - 1);
  let count = to - from + 1;
  for (const k of sub.waivedPeriods) if (k > from && k <= to) count--;
  return { from, to, count };
}

/**
 * More periods to catch up than a run charges by itself: none is charged, the subscription
 * waits for the operator (chargeMissed or skipMissed). It is no longer due meanwhile.
 */
export function markForReview(sub: Subscription, to: number, now: string): Subscription {
  return {
    ...sub,
    review: { fromPeriod: sub.nextPeriod, toPeriod: to, markedAt: now },
    nextPaymentDate: null,
    retryAt: null,
    updatedAt: now,
  };
}

function requireReview(sub: Subscription): NonNullable<Subscription['review']> {
  if (sub.review === null) {
    throw new DomainError(
      'conflict',
      `Subscription ${sub.id} has no missed periods waiting for a decision`,
    );
  }
  return sub.review;
}

/**
 * The operator charges the missed periods: the subscription is due again from its next
 * period, and the command charges each one up to `review.toPeriod`.
 */
export function chargeMissed(sub: Subscription, now: string): Subscription {
  requireReview(sub);
  return {
    ...sub,
    review: null,
    nextPaymentDate: dateOfPeriod(sub, sub.nextPeriod).toISOString(),
    updatedAt: now,
  };
}

/** The operator skips the missed periods: billing goes on from the first period at or after now. */
export function skipMissed(sub: Subscription, now: string): Subscription {
  requireReview(sub);
  return restartSchedule(sub, now, false);
}

/** The operator retries or forgives an unpaid period: it must be one. */
export function requireUnpaid(sub: Subscription, period: number): void {
  if (!sub.unpaidPeriods.includes(period)) {
    throw new DomainError(
      'conflict',
      `Period ${period + 1} of subscription ${sub.id} is not unpaid: nothing to retry or forgive`,
      'period',
    );
  }
}

/** An unpaid period was paid (retried) or forgiven: it is no longer unpaid. */
export function unpaidSettled(sub: Subscription, period: number, now: string): Subscription {
  requireUnpaid(sub, period);
  return {
    ...sub,
    unpaidPeriods: sub.unpaidPeriods.filter((k) => k !== period),
    updatedAt: now,
  };
}

/** The undo of a retry or a forgiveness: the period is unpaid again. */
export function unpaidAgain(sub: Subscription, period: number, now: string): Subscription {
  return { ...sub, unpaidPeriods: withPeriod(sub.unpaidPeriods, period), updatedAt: now };
}

/** The undo of a retry's charge also waives its period, as a run's undo does. */
export function waivedAndUnpaid(sub: Subscription, period: number, now: string): Subscription {
  return {
    ...unpaidAgain(sub, period, now),
    waivedPeriods: withPeriod(sub.waivedPeriods, period),
  };
}

/** Monthly recurring revenue of one subscription in minor units (rounded), for the dashboard. */
export function monthlyAmount(sub: Subscription): number {
  const perMonth = { DAILY: 365 / 12, WEEKLY: 52 / 12, MONTHLY: 1, YEARLY: 1 / 12 }[sub.interval];
  return Math.round((sub.amount * perMonth) / sub.intervalCount);
}
