/** A payment's events, oldest first: created, charge attempted, succeeded/failed, refunds. */
import type { Payment, PaymentEvent } from '../../../../shared/domain';
import { dateTimeSeconds, money, statusText } from '../../lib/format';

function eventText(event: PaymentEvent, currency: string): string {
  switch (event.type) {
    case 'created':
      return 'Created';
    case 'charge_attempted':
      return 'Charge sent to the gateway';
    case 'succeeded':
      return `Succeeded (transaction ${event.transactionId})`;
    case 'failed':
      return `Failed: ${event.message} (${event.code})`;
    case 'refunded':
      return `Refunded ${money(event.amount, currency)} (${event.refundId})`;
    case 'reconciled':
      return `Reconciled with the gateway: ${statusText(event.outcome).toLowerCase()}`;
  }
}

export function PaymentTimeline({ payment }: { payment: Payment }) {
  if (payment.events.length === 0) return <p className="muted">No events recorded.</p>;
  return (
    <ol className="timeline" aria-label="Event timeline">
      {payment.events.map((event, i) => (
        <li key={i} className={`timeline-item timeline-${event.type}`}>
          <time dateTime={event.at}>{dateTimeSeconds(event.at)}</time>
          <span>{eventText(event, payment.currency)}</span>
        </li>
      ))}
    </ol>
  );
}
