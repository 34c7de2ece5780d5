/** The selected payment: its facts, its event timeline, its receipts, and the refund action. */
import { money, dateTime } from '../../lib/format';
import { hasReceipt } from '../../lib/receipt';
import { goTo } from '../../store/navigation';
import { selectPayment, usePayments } from '../../store/payments';
import { selectSubscription } from '../../store/subscriptions';
import { openReceipt } from '../../store/receipt';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';
import { PaymentTimeline } from './PaymentTimeline';
import { RefundForm } from './RefundForm';

/** The Subscriptions screen with the charge's subscription open. */
function showSubscription(id: string): void {
  goTo('subscriptions');
  selectSubscription(id);
}

export function PaymentDetail() {
  const selectedId = usePayments((s) => s.selectedId);
  const payment = usePayments((s) => s.selected);
  const error = usePayments((s) => s.detailError);
  if (!selectedId) {
    return (
      <section className="panel detail" aria-label="Payment details">
        <Empty>Select a payment to see its details and timeline.</Empty>
      </section>
    );
  }
  if (!payment) {
    return (
      <section className="panel detail" aria-label="Payment details">
        {error ? <ErrorState message={error} /> : <Loading>Loading payment…</Loading>}
      </section>
    );
  }
  const refundable =
    (payment.status === 'COMPLETED' || payment.status === 'PARTIALLY_REFUNDED') &&
    payment.refundedAmount < payment.amount;
  return (
    <section className="panel detail" aria-labelledby="payment-detail-title">
      <div className="panel-head">
        <h2 id="payment-detail-title">
          {money(payment.amount, payment.currency)} <StatusBadge status={payment.status} />
        </h2>
        <button type="button" className="button-quiet" onClick={() => selectPayment(null)}>
          Close details
        </button>
      </div>
      {error && <ErrorState message={error} />}
      <dl className="facts">
        <dt>Customer</dt>
        <dd>{payment.customerEmail}</dd>
        <dt>Created</dt>
        <dd>{dateTime(payment.createdAt)}</dd>
        {payment.description && (
          <>
            <dt>Description</dt>
            <dd>{payment.description}</dd>
          </>
        )}
        {payment.paymentMethod && (
          <>
            <dt>Method</dt>
            <dd>{payment.paymentMethod}</dd>
          </>
        )}
        {payment.transactionId && (
          <>
            <dt>Transaction</dt>
            <dd className="mono">{payment.transactionId}</dd>
          </>
        )}
        {payment.failureMessage && (
          <>
            <dt>Declined</dt>
            <dd>
              {payment.failureMessage} ({payment.failureCode})
            </dd>
          </>
        )}
        {payment.refundedAmount > 0 && (
          <>
            <dt>Refunded</dt>
            <dd>{money(payment.refundedAmount, payment.currency)}</dd>
          </>
        )}
        {payment.subscriptionId && (
          <>
            <dt>Subscription</dt>
            <dd>
              <button
                type="button"
                className="link-button mono"
                onClick={() => showSubscription(payment.subscriptionId ?? '')}
              >
                {payment.subscriptionId}
              </button>
            </dd>
            {payment.period !== null && (
              <>
                <dt>Period</dt>
                <dd className="nowrap">{payment.period + 1}</dd>
              </>
            )}
          </>
        )}
        <dt>Payment id</dt>
        <dd className="mono">{payment.id}</dd>
      </dl>
      {hasReceipt(payment) && (
        <div className="detail-actions">
          <button type="button" onClick={() => void openReceipt(payment.id)}>
            Receipt
          </button>
        </div>
      )}
      <h3>Timeline</h3>
      <PaymentTimeline
        payment={payment}
        onRefundReceipt={(refundId) => void openReceipt(payment.id, refundId)}
      />
      {refundable && <RefundForm key={payment.id} payment={payment} />}
    </section>
  );
}
