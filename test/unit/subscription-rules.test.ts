/** Subscription transitions: pause/resume skips, retries, automatic pause, cancel. */
import { describe, expect, it } from 'vitest';
import {
  cancel,
  createSubscription,
  isDue,
  monthlyAmount,
  pause,
  periodFailed,
  periodPaid,
  resume,
  uncancel,
} from '../../src/main/core/subscription-rules';

const sub = createSubscription(
  {
    id: 'sub_1',
    customerEmail: 's@example.com',
    amount: 3000,
    currency: 'USD',
    interval: 'MONTHLY',
    intervalCount: 1,
    start: new Date('2030-01-31T10:00:00Z'),
  },
  '2030-01-01T00:00:00.000Z',
);

describe('subscription rules', () => {
  it('is due at its anchor and moves to the next period when paid', () => {
    expect(isDue(sub, new Date('2030-01-31T09:59:59Z'))).toBe(false);
    expect(isDue(sub, new Date('2030-01-31T10:00:00Z'))).toBe(true);
    const paid = periodPaid(sub, 0, '2030-01-31T10:00:01.000Z');
    expect(paid).toMatchObject({ nextPeriod: 1, nextPaymentDate: '2030-02-28T10:00:00.000Z' });
  });

  it('retries after failures and pauses after the fourth', () => {
    let s = sub;
    const now = '2030-01-31T10:00:00.000Z';
    s = periodFailed(s, 'card_declined', now);
    expect(s).toMatchObject({
      status: 'PAST_DUE',
      failedAttempts: 1,
      nextPaymentDate: '2030-02-01T10:00:00.000Z',
    });
    s = periodFailed(s, 'processing_error', now);
    expect(s.nextPaymentDate).toBe('2030-01-31T13:00:00.000Z');
    s = periodFailed(s, 'card_declined', now);
    s = periodFailed(s, 'expired_card', now);
    expect(s).toMatchObject({ status: 'PAUSED', failedAttempts: 4, nextPaymentDate: null });
    expect(s.pauseReason).toContain('expired_card');
    expect(periodPaid({ ...s, status: 'PAST_DUE' }, 0, now).status).toBe('ACTIVE');
  });

  it('skips the periods that fell due while paused', () => {
    const paused = pause(
      periodPaid(sub, 0, '2030-01-31T10:00:00.000Z'),
      '2030-02-01T00:00:00.000Z',
    );
    expect(isDue(paused, new Date('2031-01-01T00:00:00Z'))).toBe(false);
    const resumed = resume(paused, '2030-05-15T00:00:00.000Z');
    expect(resumed).toMatchObject({
      status: 'ACTIVE',
      nextPeriod: 4,
      nextPaymentDate: '2030-05-31T10:00:00.000Z',
    });
    expect(() => resume(resumed, '2030-05-15T00:00:00.000Z')).toThrow(/Cannot resume/);
  });

  it('cancels from any live status and restores the previous status on undo', () => {
    const cancelled = cancel(sub, '2030-02-01T00:00:00.000Z');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', nextPaymentDate: null });
    expect(() => cancel(cancelled, '2030-02-02T00:00:00.000Z')).toThrow(/Cannot cancel/);
    expect(uncancel(cancelled, 'PAUSED', '2030-02-02T00:00:00.000Z').status).toBe('PAUSED');
    expect(uncancel(cancelled, 'ACTIVE', '2030-03-01T00:00:00.000Z')).toMatchObject({
      status: 'ACTIVE',
      nextPeriod: 2,
    });
  });

  it('normalises amounts to a month for recurring revenue', () => {
    expect(monthlyAmount(sub)).toBe(3000);
    expect(monthlyAmount({ ...sub, interval: 'YEARLY', amount: 12000 })).toBe(1000);
    expect(monthlyAmount({ ...sub, interval: 'MONTHLY', intervalCount: 3 })).toBe(1000);
  });
});
