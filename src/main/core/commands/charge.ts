/**
 * Calling the gateway for a payment that is already stored PENDING (rule 3). An unknown
 * outcome (a time-out, kept in the timeline as a `timed_out` event) is looked up by the
 * idempotency key at once; if the gateway still cannot tell, the payment stays PENDING and
 * is reconciled at start-up. A charge the gateway refuses outright (an invalid request) was
 * never made: the payment is FAILED.
 */
import type { Payment } from '../../../shared/domain';
import { settle } from '../payment-rules';
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
    if (!(error instanceof GatewayError)) throw error;
    if (error.code !== 'timeout') {
      const refused = { status: 'failed' as const, code: error.code, message: error.message };
      return settle(pending, refused, now(), { attemptedAt });
    }
    const timedOutAt = now();
    const known = await gateway.lookup(pending.idempotencyKey).catch(() => null);
    if (known === null) return pending;
    return settle(pending, known, now(), { attemptedAt, timedOutAt, reconciled: true });
  }
}
