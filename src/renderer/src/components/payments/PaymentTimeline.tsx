/**
 * A payment's events, oldest first: created, charge attempted, succeeded/failed, refunds.
 * A refund event (one is recorded only when the refund was made) can offer its receipt.
 */
import type { Payment, PaymentEvent } from '../../../../shared/domain';
import { dateTimeSeconds, money, statusText } from '../../lib/format';

/** `afterTimeOut`: the call timed out before, so a `reconciled` outcome came from a look-up. */
function eventText(event: PaymentEvent, currency: string, afterTimeOut: boolean): string {
  switch (event.type) {
    case 'created':
      return 'Created';
    case 'charge_attempted':
      return 'Charge sent to the gateway';
    case 'timed_out':
      return 'Timed out: the gateway did not answer, so its outcome was unknown';
    case 'succeeded':
      return `Succeeded (transaction ${event.transactionId})`;
    case 'failed':
      return `Failed: ${event.message} (${event.code})`;
    case 'refunded':
      return `Refunded ${money(event.amount, currency)} (${event.refundId})`;
    case 'reconciled':
      return afterTimeOut
        ? `Outcome learnt by looking the charge up: ${statusText(event.outcome).toLowerCase()}`
        : `Reconciled with the gateway: ${statusText(event.outcome).toLowerCase()}`;
  }
}

export function PaymentTimeline({
  payment,
  onRefundReceipt,
}: {
  payment: Payment;
  /** Open the receipt of the refund with this gateway id; no buttons without it. */
  onRefundReceipt?: (refundId: string) => void;
}) {
  if (payment.events.length === 0) return <p className="muted">No events recorded.</p>;
  return (
    <ol className="timeline" aria-label="Event timeline">
      {payment.events.map((event, i) => (
        <li key={i} className={`timeline-item timeline-${event.type}`}>
          <time dateTime={event.at}>{dateTimeSeconds(event.at)}</time>
          <span>
            {eventText(
              event,
              payment.currency,
              payment.events.slice(0, i).some((e) => e.type === 'timed_out'),
            )}
          </span>
          {event.type === 'refunded' && onRefundReceipt && (
            <button
              type="button"
              className="link-button timeline-action"
              aria-label={`Refund receipt for ${money(event.amount, payment.currency)} (${event.refundId})`}
              onClick={() => onRefundReceipt(event.refundId)}
            >
              Refund receipt
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
