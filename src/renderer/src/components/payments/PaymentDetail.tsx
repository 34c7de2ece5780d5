/** The selected payment: its facts, its event timeline, and the refund action. */
import { money, dateTime } from '../../lib/format';
import { selectPayment, usePayments } from '../../store/payments';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';
import { PaymentTimeline } from './PaymentTimeline';
import { RefundForm } from './RefundForm';

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
        <dt>Method</dt>
        <dd>{payment.paymentMethod ?? 'none'}</dd>
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
            <dd className="mono">
              {payment.subscriptionId}
              {payment.period !== null ? `, period ${payment.period + 1}` : ''}
            </dd>
          </>
        )}
        <dt>Payment id</dt>
        <dd className="mono">{payment.id}</dd>
      </dl>
      <h3>Timeline</h3>
      <PaymentTimeline payment={payment} />
      {refundable && <RefundForm key={payment.id} payment={payment} />}
    </section>
  );
}
