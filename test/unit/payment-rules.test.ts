/** Payment transitions: statuses only move forward and refunds never exceed the amount. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canMove,
  checkRefund,
  pendingPayment,
  refunded,
  refundableAmount,
  settle,
} from '../../src/main/core/payment-rules';
import { PAYMENT_STATUSES } from '../../src/shared/domain';
import { DomainError } from '../../src/shared/result';

const T = '2030-01-01T00:00:00.000Z';
const base = pendingPayment(
  {
    id: 'pay_1',
    amount: 1000,
    currency: 'USD',
    customerEmail: 'a@example.com',
    description: null,
    paymentMethod: null,
    idempotencyKey: 'k1',
  },
  T,
);
const completed = settle(base, { status: 'succeeded', transactionId: 'txn_1' }, T, {
  attemptedAt: T,
});

describe('payment rules', () => {
  it('settles a pending payment once, forward only', () => {
    expect(completed).toMatchObject({ status: 'COMPLETED', transactionId: 'txn_1' });
    expect(completed.events.map((e) => e.type)).toEqual([
      'created',
      'charge_attempted',
      'succeeded',
    ]);
    const failed = settle(base, { status: 'failed', code: 'card_declined', message: 'no' }, T);
    expect(failed).toMatchObject({ status: 'FAILED', failureCode: 'card_declined' });
    expect(() => settle(completed, { status: 'succeeded', transactionId: 'txn_2' }, T)).toThrow(
      DomainError,
    );
    expect(() => settle(failed, { status: 'succeeded', transactionId: 'txn_2' }, T)).toThrow(
      DomainError,
    );
  });

  it('never lets a status move backwards', () => {
    const order = { PENDING: 0, COMPLETED: 1, FAILED: 1, PARTIALLY_REFUNDED: 2, REFUNDED: 3 };
    for (const from of PAYMENT_STATUSES) {
      for (const to of PAYMENT_STATUSES) {
        if (canMove(from, to)) expect(order[to]).toBeGreaterThanOrEqual(order[from]);
      }
    }
    expect(canMove('REFUNDED', 'COMPLETED')).toBe(false);
    expect(canMove('FAILED', 'COMPLETED')).toBe(false);
  });

  it('refuses refunds of what cannot be refunded', () => {
    expect(() => checkRefund(base)).toThrow(/cannot be refunded/);
    expect(() => checkRefund(completed, 1001)).toThrow(/exceeds/);
    expect(checkRefund(completed)).toBe(1000);
  });

  it('keeps the sum of any refunds within the amount (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1500 }), { maxLength: 12 }), (wishes) => {
        let p = completed;
        for (const [i, wish] of wishes.entries()) {
          try {
            p = refunded(p, checkRefund(p, wish), `re_${i}`, T);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
          }
          expect(p.refundedAmount).toBeLessThanOrEqual(p.amount);
          expect(refundableAmount(p)).toBe(p.amount - p.refundedAmount);
        }
        const expected =
          p.refundedAmount === 0
            ? 'COMPLETED'
            : p.refundedAmount === p.amount
              ? 'REFUNDED'
              : 'PARTIALLY_REFUNDED';
        expect(p.status).toBe(expected);
      }),
    );
  });
});
