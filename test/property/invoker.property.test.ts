/**
 * The invoker under random sequences of commands, undos and redos, reopened from disk in
 * between: no money is created or lost (refunds never exceed charges, and the app's refunds
 * match the gateway's), every gateway charge has exactly one payment, no subscription period
 * keeps two successful charges, and the history after reopening equals the history before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { ledgerEntries } from '../../src/main/core/gateway/mock-gateway';
import type { Payment } from '../../src/shared/domain';
import { TEST_PAYMENT_METHOD_IDS } from '../../src/shared/test-methods';
import { must, openTestCore, tempDataDir } from '../helpers/core';

type Action =
  | { a: 'pay'; cents: number; method: number }
  | { a: 'refund'; pick: number; part: number }
  | { a: 'undo' }
  | { a: 'redo' }
  | { a: 'undoTo'; depth: number }
  | { a: 'subscribe'; interval: 'DAILY' | 'WEEKLY' | 'MONTHLY' }
  | { a: 'advance'; hours: number }
  | { a: 'run' }
  | { a: 'toggle'; pick: number; op: 'pause' | 'resume' | 'cancel' }
  | { a: 'reopen' };

const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const action: fc.Arbitrary<Action> = fc.oneof(
  weighted(
    4,
    fc.record({
      a: fc.constant('pay' as const),
      cents: fc.integer({ min: 1, max: 100_000 }),
      method: fc.nat(9),
    }),
  ),
  weighted(
    2,
    fc.record({
      a: fc.constant('refund' as const),
      pick: fc.nat(),
      part: fc.integer({ min: 1, max: 4 }),
    }),
  ),
  weighted(2, fc.constant({ a: 'undo' as const })),
  weighted(2, fc.constant({ a: 'redo' as const })),
  weighted(
    1,
    fc.record({ a: fc.constant('undoTo' as const), depth: fc.integer({ min: 1, max: 4 }) }),
  ),
  weighted(
    1,
    fc.record({
      a: fc.constant('subscribe' as const),
      interval: fc.constantFrom('DAILY' as const, 'WEEKLY' as const, 'MONTHLY' as const),
    }),
  ),
  weighted(
    1,
    fc.record({ a: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 40 }) }),
  ),
  weighted(1, fc.constant({ a: 'run' as const })),
  weighted(
    1,
    fc.record({
      a: fc.constant('toggle' as const),
      pick: fc.nat(),
      op: fc.constantFrom('pause' as const, 'resume' as const, 'cancel' as const),
    }),
  ),
  weighted(1, fc.constant({ a: 'reopen' as const })),
);

async function allPayments(core: Core): Promise<Payment[]> {
  return (await must(core, 'payments.list', { limit: 500, order: 'asc' })).items;
}

async function apply(core: Core, step: Action): Promise<void> {
  switch (step.a) {
    case 'pay': {
      // Methods beyond the test list (index >= its length) are ordinary random cards.
      const method = TEST_PAYMENT_METHOD_IDS[step.method];
      await core.call(
        'payments.process',
        {
          amount: (step.cents / 100).toFixed(2),
          currency: 'USD',
          customerEmail: 'p@example.com',
          ...(method && { paymentMethod: method }),
        },
        'operator',
      );
      return;
    }
    case 'refund': {
      const payments = (await allPayments(core)).filter(
        (p) => p.amount > p.refundedAmount && p.transactionId,
      );
      const p = payments[step.pick % Math.max(1, payments.length)];
      if (!p) return;
      const cents = Math.max(1, Math.floor((p.amount - p.refundedAmount) / step.part));
      await core.call(
        'payments.refund',
        { paymentId: p.id, amount: (cents / 100).toFixed(2) },
        'api',
      );
      return;
    }
    case 'undo':
      await core.call('history.undo', {}, 'operator');
      return;
    case 'redo':
      await core.call('history.redo', {}, 'operator');
      return;
    case 'undoTo': {
      const { undo } = await must(core, 'history.get', {});
      const target = undo[Math.min(step.depth, undo.length) - 1];
      if (target) await core.call('history.undo', { toId: target.id }, 'operator');
      return;
    }
    case 'subscribe':
      await core.call(
        'subscriptions.create',
        {
          customerEmail: 's@example.com',
          amount: '9.99',
          currency: 'USD',
          interval: step.interval,
        },
        'operator',
      );
      return;
    case 'advance':
      await core.call('clock.advance', { seconds: step.hours * 3600 }, 'operator');
      return;
    case 'run':
      await core.call('recurring.run', {}, 'scheduler');
      return;
    case 'toggle': {
      const subs = (await must(core, 'subscriptions.list', { limit: 500 })).items;
      const sub = subs[step.pick % Math.max(1, subs.length)];
      if (sub) await core.call(`subscriptions.${step.op}`, { id: sub.id }, 'operator');
      return;
    }
    case 'reopen':
      return; // handled by the runner
  }
}

async function checkInvariants(core: Core, dataDir: string): Promise<void> {
  const payments = await allPayments(core);
  const ledger = await ledgerEntries(dataDir);
  const charges = ledger.filter((e) => e.type === 'charge' && e.result.status === 'succeeded');
  const byKey = new Map(payments.map((p) => [p.idempotencyKey, p]));
  // Every successful gateway charge has exactly one payment, and it knows the transaction.
  for (const charge of charges) {
    if (charge.type !== 'charge' || charge.result.status !== 'succeeded') continue;
    const owners = payments.filter((p) => p.idempotencyKey === charge.idempotencyKey);
    expect(owners).toHaveLength(1);
    expect(owners[0]!.transactionId).toBe(charge.result.transactionId);
  }
  expect(byKey.size).toBe(payments.length);
  const refundedAt = new Map<string, number>();
  for (const e of ledger) {
    if (e.type === 'refund')
      refundedAt.set(e.transactionId, (refundedAt.get(e.transactionId) ?? 0) + e.amount);
  }
  const livePeriods = new Set<string>();
  for (const p of payments) {
    // Refunds never exceed the charge, and the app's refunds are the gateway's.
    expect(p.refundedAmount).toBeLessThanOrEqual(p.amount);
    const refundEvents = p.events.filter((e) => e.type === 'refunded');
    expect(refundEvents.reduce((sum, e) => sum + (e.type === 'refunded' ? e.amount : 0), 0)).toBe(
      p.refundedAmount,
    );
    expect(p.transactionId ? (refundedAt.get(p.transactionId) ?? 0) : 0).toBe(p.refundedAmount);
    if (p.status !== 'PENDING') expect(p.transactionId !== null).toBe(p.status !== 'FAILED');
    if (p.subscriptionId !== null && p.status === 'COMPLETED') {
      const key = `${p.subscriptionId}:${p.period}`;
      expect(livePeriods.has(key)).toBe(false);
      livePeriods.add(key);
    }
  }
}

describe('the invoker under random sequences', () => {
  it('creates or loses no money and keeps its history across reopening', async () => {
    let paymentsSeen = 0;
    let undosSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), async (steps) => {
        const dataDir = tempDataDir('paydesk-prop-');
        let core = await openTestCore(dataDir, { gateway: { latencyMs: 0, seed: 3 } });
        try {
          for (const step of steps) {
            if (step.a === 'reopen') {
              const before = await must(core, 'history.get', {});
              const paymentsBefore = await allPayments(core);
              await core.close();
              core = await openTestCore(dataDir, { gateway: { latencyMs: 0, seed: 3 } });
              expect(await must(core, 'history.get', {})).toEqual(before);
              expect(await allPayments(core)).toEqual(paymentsBefore);
            } else {
              await apply(core, step);
            }
          }
          await checkInvariants(core, dataDir);
          paymentsSeen += (await allPayments(core)).length;
          undosSeen += (await must(core, 'audit.list', { limit: 500 })).items.filter(
            (e) => e.action === 'undo' && e.outcome === 'ok',
          ).length;
        } finally {
          await core.close();
        }
      }),
      { numRuns: 40 },
    );
    // The sequences did exercise the invoker, not just fail validation.
    expect(paymentsSeen).toBeGreaterThan(40);
    expect(undosSeen).toBeGreaterThan(5);
  });
});
