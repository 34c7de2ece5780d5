/**
 * Payment and refund transitions as pure functions. A payment's status only moves forward:
 * PENDING → COMPLETED | FAILED, COMPLETED → PARTIALLY_REFUNDED → REFUNDED, and the sum of its
 * refunds, those still pending included, never exceeds its amount. A refund's: PENDING →
 * SUCCEEDED | FAILED. Every function returns a new record (a payment with an event added).
 */
import type { Payment, PaymentEvent, PaymentStatus, Refund } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import type { ChargeResult, GatewayRecord } from './ports';

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

/**
 * A charge the gateway made that the store did not know (start-up reconciliation found it
 * in the gateway's records), recorded as the gateway tells it.
 */
export function paymentFromGateway(
  record: Extract<GatewayRecord, { type: 'charge' }>,
  fields: { id: string; subscriptionId: string | null; period: number | null },
  now: string,
): Payment {
  const pending = pendingPayment(
    {
      id: fields.id,
      amount: record.amount,
      currency: record.currency,
      customerEmail: record.customerEmail,
      description: record.description,
      paymentMethod: record.paymentMethod,
      idempotencyKey: record.idempotencyKey,
      subscriptionId: fields.subscriptionId,
      period: fields.period,
    },
    now,
  );
  return settle(pending, record.result, now, { reconciled: true });
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
 * (omitted when the answer comes from a later look-up), `timedOutAt` when it timed out;
 * `reconciled` marks an answer learnt by looking the charge up after the call's outcome was
 * unknown.
 */
export function settle(
  payment: Payment,
  result: ChargeResult,
  now: string,
  how: { attemptedAt?: string; timedOutAt?: string; reconciled?: boolean } = {},
): Payment {
  const events: PaymentEvent[] = [];
  if (how.attemptedAt !== undefined) events.push({ type: 'charge_attempted', at: how.attemptedAt });
  if (how.timedOutAt !== undefined) events.push({ type: 'timed_out', at: how.timedOutAt });
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

/** What is left to refund: the amount less what is refunded and what is being refunded. */
export function refundableAmount(payment: Payment, pendingRefunds = 0): number {
  return payment.status === 'COMPLETED' || payment.status === 'PARTIALLY_REFUNDED'
    ? payment.amount - payment.refundedAmount - pendingRefunds
    : 0;
}

/**
 * Check a refund of `amount` (default: all that is left) and return the amount to refund.
 * `pendingRefunds` is what refunds of the payment still PENDING hold back.
 */
export function checkRefund(payment: Payment, amount?: number, pendingRefunds = 0): number {
  const left = refundableAmount(payment, pendingRefunds);
  if (left <= 0) {
    const why =
      payment.status === 'REFUNDED'
        ? 'it is already fully refunded'
        : pendingRefunds > 0 && refundableAmount(payment) > 0
          ? 'a refund of all that is left is still pending'
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

/** Record a refund the gateway made. */
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

/** The sum of a payment's refunds still PENDING. */
export function pendingAmount(refunds: readonly Refund[]): number {
  let sum = 0;
  for (const r of refunds) if (r.status === 'PENDING') sum += r.amount;
  return sum;
}

export interface NewRefund {
  id: string;
  payment: Payment;
  amount: number;
  idempotencyKey: string;
  requestKey: string | null;
  undoOf: string | null;
}

/** A refund as first stored, before the gateway is called (rule 3). */
export function pendingRefund(fields: NewRefund, now: string): Refund {
  return {
    id: fields.id,
    paymentId: fields.payment.id,
    amount: fields.amount,
    currency: fields.payment.currency,
    status: 'PENDING',
    idempotencyKey: fields.idempotencyKey,
    requestKey: fields.requestKey,
    undoOf: fields.undoOf,
    gatewayRefundId: null,
    failureCode: null,
    failureMessage: null,
    createdAt: now,
    updatedAt: now,
  };
}

function settledRefund(refund: Refund, now: string): Refund {
  if (refund.status !== 'PENDING') {
    throw new DomainError('conflict', `Refund ${refund.id} is already ${refund.status}`);
  }
  return { ...refund, updatedAt: now };
}

/** The gateway made the refund. */
export function refundSucceeded(refund: Refund, gatewayRefundId: string, now: string): Refund {
  return { ...settledRefund(refund, now), status: 'SUCCEEDED', gatewayRefundId };
}

/** The gateway refused the refund, or never saw it (interrupted): nothing was refunded. */
export function refundFailed(refund: Refund, code: string, message: string, now: string): Refund {
  return {
    ...settledRefund(refund, now),
    status: 'FAILED',
    failureCode: code,
    failureMessage: message,
  };
}
