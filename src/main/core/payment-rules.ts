/**
 * Payment transitions as pure functions. A payment's status only moves forward:
 * PENDING → COMPLETED | FAILED, COMPLETED → PARTIALLY_REFUNDED → REFUNDED, and the sum of its
 * refunds never exceeds its amount. Every function returns a new record with an event added.
 */
import type { Payment, PaymentEvent, PaymentStatus } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import type { ChargeResult } from './ports';

export interface NewPayment {
  id: string;
  amount: number;
  currency: string;
  customerEmail: string;
  description: string | null;
  paymentMethod: string | null;
  idempotencyKey: string;
  subscriptionId?: string | null;
  period?: number | null;
  redoOf?: string | null;
}

/** A payment as first stored, before the gateway is called (rule 3). */
export function pendingPayment(fields: NewPayment, now: string): Payment {
  return {
    id: fields.id,
    amount: fields.amount,
    currency: fields.currency,
    customerEmail: fields.customerEmail,
    description: fields.description,
    paymentMethod: fields.paymentMethod,
    status: 'PENDING',
    transactionId: null,
    failureCode: null,
    failureMessage: null,
    refundedAmount: 0,
    idempotencyKey: fields.idempotencyKey,
    subscriptionId: fields.subscriptionId ?? null,
    period: fields.period ?? null,
    redoOf: fields.redoOf ?? null,
    createdAt: now,
    updatedAt: now,
    events: [{ type: 'created', at: now }],
  };
}

const NEXT: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['COMPLETED', 'FAILED'],
  COMPLETED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  FAILED: [],
  REFUNDED: [],
};

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

function moved(payment: Payment, to: PaymentStatus, now: string, events: PaymentEvent[]): Payment {
  if (!canMove(payment.status, to)) {
    throw new DomainError(
      'conflict',
      `Payment ${payment.id} cannot go from ${payment.status} to ${to}`,
    );
  }
  return { ...payment, status: to, updatedAt: now, events: [...payment.events, ...events] };
}

/**
 * Apply the gateway's answer to a PENDING payment. `attemptedAt` is when the call was made
 * (omitted when the answer comes from a later look-up); `reconciled` marks an answer learnt
 * by looking the charge up after the call's outcome was unknown.
 */
export function settle(
  payment: Payment,
  result: ChargeResult,
  now: string,
  how: { attemptedAt?: string; reconciled?: boolean } = {},
): Payment {
  const events: PaymentEvent[] = [];
  if (how.attemptedAt !== undefined) events.push({ type: 'charge_attempted', at: how.attemptedAt });
  events.push(
    result.status === 'succeeded'
      ? { type: 'succeeded', at: now, transactionId: result.transactionId }
      : { type: 'failed', at: now, code: result.code, message: result.message },
  );
  if (how.reconciled) {
    events.push({
      type: 'reconciled',
      at: now,
      outcome: result.status === 'succeeded' ? 'COMPLETED' : 'FAILED',
    });
  }
  if (result.status === 'succeeded') {
    return { ...moved(payment, 'COMPLETED', now, events), transactionId: result.transactionId };
  }
  return {
    ...moved(payment, 'FAILED', now, events),
    failureCode: result.code,
    failureMessage: result.message,
  };
}

/** Whether a payment in `status` was charged (whatever was refunded since). */
export function wasCharged(status: PaymentStatus): boolean {
  return status === 'COMPLETED' || status === 'PARTIALLY_REFUNDED' || status === 'REFUNDED';
}

export function refundableAmount(payment: Payment): number {
  return payment.status === 'COMPLETED' || payment.status === 'PARTIALLY_REFUNDED'
    ? payment.amount - payment.refundedAmount
    : 0;
}

/** Check a refund of `amount` (default: all that is left) and return the amount to refund. */
export function checkRefund(payment: Payment, amount?: number): number {
  const left = refundableAmount(payment);
  if (left === 0) {
    const why =
      payment.status === 'REFUNDED'
        ? 'it is already fully refunded'
        : `its status is ${payment.status}`;
    throw new DomainError('conflict', `Payment ${payment.id} cannot be refunded: ${why}`);
  }
  const wanted = amount ?? left;
  if (wanted > left) {
    throw new DomainError(
      'conflict',
      `Refund of ${wanted} exceeds the ${left} left to refund on payment ${payment.id}`,
      'amount',
    );
  }
  return wanted;
}

/** Record a refund the gateway accepted. */
export function refunded(payment: Payment, amount: number, refundId: string, now: string): Payment {
  checkRefund(payment, amount);
  const total = payment.refundedAmount + amount;
  return {
    ...moved(payment, total === payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED', now, [
      { type: 'refunded', at: now, amount, refundId },
    ]),
    refundedAmount: total,
  };
}

/** How many refunds a payment has had: numbers each refund's idempotency key. */
export function refundCount(payment: Payment): number {
  return payment.events.filter((e) => e.type === 'refunded').length;
}
