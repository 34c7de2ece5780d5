/** Dashboard figures per currency, never adding different currencies together. */
import { describe, expect, it } from 'vitest';
import { computeDashboard, windowStart } from '../../src/main/core/dashboard';
import { pendingPayment, refunded, settle } from '../../src/main/core/payment-rules';
import { createSubscription } from '../../src/main/core/subscription-rules';
import type { Payment, PaymentStatus } from '../../src/shared/domain';
import { must, openTestCore, tempDataDir } from '../helpers/core';

const NOW = new Date('2030-03-15T12:00:00Z');

function paid(id: string, amount: number, currency: string, at: string, ok = true) {
  const p = pendingPayment(
    {
      id,
      amount,
      currency,
      customerEmail: 'd@example.com',
      description: null,
      paymentMethod: null,
      idempotencyKey: id,
    },
    at,
  );
  return settle(
    p,
    ok
      ? { status: 'succeeded', transactionId: `txn_${id}` }
      : { status: 'failed', code: 'card_declined', message: 'x' },
    at,
  );
}

function refundsOf(payments: Payment[]) {
  return payments.flatMap((p) =>
    p.events.flatMap((e) =>
      e.type === 'refunded' ? [{ currency: p.currency, amount: e.amount, at: e.at }] : [],
    ),
  );
}

function countsOf(payments: Payment[]): Record<PaymentStatus, number> {
  const counts = { PENDING: 0, COMPLETED: 0, FAILED: 0, PARTIALLY_REFUNDED: 0, REFUNDED: 0 };
  for (const p of payments) counts[p.status] += 1;
  return counts;
}

describe('computeDashboard', () => {
  it('sums revenue today, this month and per day, per currency, with refunds and success rate', () => {
    const payments = [
      paid('a', 1000, 'USD', '2030-03-15T08:00:00.000Z'),
      refunded(
        paid('b', 500, 'USD', '2030-03-02T08:00:00.000Z'),
        200,
        're_b',
        '2030-03-10T00:00:00.000Z',
      ),
      paid('c', 700, 'USD', '2030-02-27T08:00:00.000Z'),
      paid('d', 300, 'JPY', '2030-03-15T01:00:00.000Z'),
      paid('e', 999, 'USD', '2030-03-15T09:00:00.000Z', false),
    ];
    const subs = [
      createSubscription(
        {
          id: 's',
          customerEmail: 's@x.co',
          amount: 1200,
          currency: 'USD',
          interval: 'YEARLY',
          intervalCount: 1,
          start: NOW,
        },
        NOW.toISOString(),
      ),
    ];
    const d = computeDashboard(
      {
        payments,
        refunds: [
          ...refundsOf(payments),
          // Of a payment from long ago (not among the payments), and one from last month.
          { currency: 'EUR', amount: 450, at: '2030-03-01T00:00:00.000Z' },
          { currency: 'USD', amount: 999, at: '2030-02-28T23:59:59.999Z' },
        ],
        subscriptions: subs,
        counts: countsOf(payments),
      },
      NOW,
    );
    const usd = d.currencies.find((c) => c.currency === 'USD')!;
    expect(usd).toMatchObject({
      revenueToday: 1000,
      revenueThisMonth: 1500,
      refundsThisMonth: 200,
      monthlyRecurringRevenue: 100,
    });
    expect(usd.daily).toHaveLength(30);
    expect(usd.daily.at(-1)).toEqual({ date: '2030-03-15', revenue: 1000 });
    expect(usd.daily.find((x) => x.date === '2030-02-27')?.revenue).toBe(700);
    expect(d.currencies.find((c) => c.currency === 'JPY')).toMatchObject({ revenueToday: 300 });
    expect(d.currencies.find((c) => c.currency === 'EUR')).toMatchObject({
      revenueThisMonth: 0,
      refundsThisMonth: 450,
    });
    expect(d.successRate).toBeCloseTo(4 / 5);
    expect(d).toMatchObject({ paymentsCount: 5, activeSubscriptions: 1 });
  });

  it('counts active and past-due subscriptions apart, tells refunds today and each period', () => {
    const sub = (id: string) =>
      createSubscription(
        {
          id,
          customerEmail: `${id}@x.co`,
          amount: 1200,
          currency: 'USD',
          interval: 'MONTHLY',
          intervalCount: 1,
          start: NOW,
        },
        NOW.toISOString(),
      );
    const payments = [
      refunded(
        paid('t', 8800, 'USD', '2030-03-15T08:00:00.000Z'),
        4400,
        're_t',
        '2030-03-15T09:00:00.000Z',
      ),
    ];
    const d = computeDashboard(
      {
        payments,
        refunds: refundsOf(payments),
        subscriptions: [sub('a'), { ...sub('b'), status: 'PAST_DUE' }],
        counts: countsOf(payments),
      },
      NOW,
    );
    expect(d).toMatchObject({ activeSubscriptions: 1, failedSubscriptions: 1 });
    expect(d.currencies[0]).toMatchObject({
      revenueToday: 8800,
      refundsToday: 4400,
      revenueThisMonth: 8800,
      refundsThisMonth: 4400,
    });
    expect(d.periods).toEqual({
      today: '2030-03-15',
      month: { from: '2030-03-01', to: '2030-03-15' },
      chart: { from: '2030-02-14', to: '2030-03-15' },
    });
  });

  it('has no success rate before the first charge', () => {
    const counts = countsOf([]);
    expect(
      computeDashboard({ payments: [], refunds: [], subscriptions: [], counts }, NOW),
    ).toMatchObject({
      successRate: null,
      currencies: [],
      paymentsCount: 0,
    });
  });

  it('looks back to the earlier of the month start and the 30-day chart', () => {
    expect(windowStart(NOW)).toBe('2030-02-14T00:00:00.000Z');
    expect(windowStart(new Date('2030-03-31T12:00:00Z'))).toBe('2030-03-01T00:00:00.000Z');
  });
});

describe('dashboard.get', () => {
  it('counts a refund this month of a payment older than the window', async () => {
    const core = await openTestCore();
    try {
      await must(core, 'clock.advance', { to: '2031-01-05T10:00:00Z' });
      const old = await must(core, 'payments.process', {
        amount: '80.00',
        currency: 'USD',
        customerEmail: 'old@example.com',
        paymentMethod: 'pm_card_visa',
      });
      await must(core, 'clock.advance', { to: '2031-04-20T10:00:00Z' });
      await must(core, 'payments.refund', { paymentId: old.id, amount: '30.00' });
      await must(core, 'payments.process', {
        amount: '12.00',
        currency: 'USD',
        customerEmail: 'new@example.com',
        paymentMethod: 'pm_card_visa',
      });
      const d = await must(core, 'dashboard.get', {});
      expect(d.currencies).toHaveLength(1);
      expect(d.currencies[0]).toMatchObject({
        currency: 'USD',
        revenueToday: 1200,
        revenueThisMonth: 1200,
        refundsThisMonth: 3000,
      });
      expect(d).toMatchObject({ paymentsCount: 2, successRate: 1 });
    } finally {
      await core.close();
    }
  });

  it('counts this month’s refunds of payments read back from the snapshot, and new ones', async () => {
    const dataDir = tempDataDir();
    let core = await openTestCore(dataDir);
    const old = await must(core, 'payments.process', {
      amount: '80.00',
      currency: 'EUR',
      customerEmail: 'old@example.com',
      paymentMethod: 'pm_card_visa',
    });
    await must(core, 'clock.advance', { to: '2031-04-20T10:00:00Z' });
    await must(core, 'payments.refund', { paymentId: old.id, amount: '30.00' });
    await core.close(); // compacts: the refunded payment is now in the snapshot
    core = await openTestCore(dataDir);
    try {
      const refundsOfEur = async () =>
        (await must(core, 'dashboard.get', {})).currencies.find((c) => c.currency === 'EUR')
          ?.refundsThisMonth;
      expect(await refundsOfEur()).toBe(3000);
      // A second refund of it (the payment leaves the snapshot for memory): both count.
      await must(core, 'payments.refund', { paymentId: old.id, amount: '10.00' });
      expect(await refundsOfEur()).toBe(4000);
      await must(core, 'clock.advance', { to: '2031-05-02T10:00:00Z' });
      expect(await refundsOfEur()).toBeUndefined();
    } finally {
      await core.close();
    }
  });
});
