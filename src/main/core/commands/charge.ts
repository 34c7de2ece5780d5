/**
 * Calling the gateway for a payment that is already stored PENDING (rule 3), and for a
 * refund. An unknown outcome (a time-out) is looked up by the idempotency key at once; if
 * the gateway still cannot tell, the payment stays PENDING and is reconciled at start-up.
 */
import type { Payment } from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import { checkRefund, refundCount, refunded, settle } from '../payment-rules';
import { GatewayError, type Gateway } from '../ports';

export async function chargePending(
  gateway: Gateway,
  pending: Payment,
  now: () => string,
): Promise<Payment> {
  const attemptedAt = now();
  try {
    const result = await gateway.charge({
      idempotencyKey: pending.idempotencyKey,
      amount: pending.amount,
      currency: pending.currency,
      customerEmail: pending.customerEmail,
      paymentMethod: pending.paymentMethod,
      description: pending.description,
    });
    return settle(pending, result, now(), { attemptedAt });
  } catch (error) {
    if (!(error instanceof GatewayError) || error.code !== 'timeout') throw error;
    const known = await gateway.lookup(pending.idempotencyKey).catch(() => null);
    if (known === null) return pending;
    return settle(pending, known, now(), { attemptedAt, reconciled: true });
  }
}

/** Refund `amount` (default: all that is left) through the gateway and record it. */
export async function refundThroughGateway(
  gateway: Gateway,
  payment: Payment,
  amount: number | undefined,
  now: () => string,
): Promise<Payment> {
  const toRefund = checkRefund(payment, amount);
  if (payment.transactionId === null) {
    throw new DomainError('conflict', `Payment ${payment.id} has no gateway transaction to refund`);
  }
  try {
    const { refundId } = await gateway.refund({
      idempotencyKey: `refund_${payment.id}_${refundCount(payment) + 1}`,
      transactionId: payment.transactionId,
      amount: toRefund,
    });
    return refunded(payment, toRefund, refundId, now());
  } catch (error) {
    if (error instanceof GatewayError) {
      throw new DomainError('gateway', `The gateway refused the refund: ${error.message}`);
    }
    throw error;
  }
}
