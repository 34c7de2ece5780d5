/**
 * A customer's page: their totals per currency, and everything about them on one timeline,
 * newest first (payments and failed attempts, subscription charges, refunds, subscriptions
 * started), with "New payment" and "New subscription" opening those forms filled in.
 */
import type { CustomerDetail, CustomerEvent } from '../../../../shared/contract';
import { dateTime, dateTimeSeconds, intervalText, money } from '../../lib/format';
import { closeCustomer, refreshCustomers, useCustomers } from '../../store/customers';
import { goTo, openForm } from '../../store/navigation';
import { selectPayment } from '../../store/payments';
import { selectSubscription } from '../../store/subscriptions';
import { ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';

function openPayment(id: string): void {
  goTo('payments');
  selectPayment(id);
}

function openSubscription(id: string): void {
  goTo('subscriptions');
  selectSubscription(id);
}

function EventLine({ event }: { event: CustomerEvent }) {
  switch (event.type) {
    case 'payment': {
      const p = event.payment;
      const what = p.subscriptionId === null ? 'Payment' : 'Subscription charge';
      return (
        <>
          <span>
            {what} of {money(p.amount, p.currency)} <StatusBadge status={p.status} />
            {p.status === 'FAILED' && (
              <span className="note"> {p.failureMessage ?? p.failureCode ?? 'Declined'}</span>
            )}
          </span>
          <button type="button" className="link-button" onClick={() => openPayment(p.id)}>
            Open payment {p.id}
          </button>
        </>
      );
    }
    case 'refund': {
      const r = event.refund;
      return (
        <>
          <span>
            Refund of {money(r.amount, r.currency)} <StatusBadge status={r.status} />
          </span>
          <button type="button" className="link-button" onClick={() => openPayment(r.paymentId)}>
            Open payment {r.paymentId}
          </button>
        </>
      );
    }
    case 'subscription': {
      const s = event.subscription;
      return (
        <>
          <span>
            Subscription started: {money(s.amount, s.currency)}{' '}
            {intervalText(s.interval, s.intervalCount).toLowerCase()}{' '}
            <StatusBadge status={s.status} />
          </span>
          <button type="button" className="link-button" onClick={() => openSubscription(s.id)}>
            Open subscription {s.id}
          </button>
        </>
      );
    }
  }
}

function Totals({ detail }: { detail: CustomerDetail }) {
  return (
    // Focusable, so that the keyboard can scroll it in a narrow window.
    <div className="table-wrap" role="region" aria-label="Totals table" tabIndex={0}>
      <table className="table table-compact">
        <caption className="visually-hidden">Totals per currency</caption>
        <thead>
          <tr>
            <th scope="col">Currency</th>
            <th scope="col" className="num">
              Charged
            </th>
            <th scope="col" className="num">
              Refunded
            </th>
            <th scope="col" className="num">
              Net
            </th>
            <th scope="col" className="num">
              Monthly recurring
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.totals.map((t) => (
            <tr key={t.currency}>
              <th scope="row">{t.currency}</th>
              <td className="num">{money(t.charged, t.currency)}</td>
              <td className="num">{money(t.refunded, t.currency)}</td>
              <td className="num">{money(t.net, t.currency)}</td>
              <td className="num">{money(t.monthlyRecurringRevenue, t.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CustomerPage({ email }: { email: string }) {
  const detail = useCustomers((s) => s.detail);
  const error = useCustomers((s) => s.detailError);
  return (
    <>
      <h1 tabIndex={-1}>{email}</h1>
      <div className="detail-actions">
        <button type="button" onClick={closeCustomer}>
          All customers
        </button>
        <button type="button" className="button-primary" onClick={() => openForm('payment', email)}>
          New payment
        </button>
        <button type="button" onClick={() => openForm('subscription', email)}>
          New subscription
        </button>
      </div>
      {error ? (
        <ErrorState message={error} onRetry={refreshCustomers} />
      ) : detail === null ? (
        <Loading>Loading the customer…</Loading>
      ) : (
        <div className="stack">
          <section className="panel" aria-labelledby="customer-totals-title">
            <h2 id="customer-totals-title">Totals</h2>
            <dl className="facts">
              <dt>Payments</dt>
              <dd>{detail.payments.toLocaleString()}</dd>
              <dt>Failed charges</dt>
              <dd>{detail.failedPayments.toLocaleString()}</dd>
              <dt>Active subscriptions</dt>
              <dd>{detail.activeSubscriptions.toLocaleString()}</dd>
              <dt>Last payment</dt>
              <dd>{dateTime(detail.lastPaymentAt)}</dd>
            </dl>
            <Totals detail={detail} />
          </section>
          <section className="panel" aria-labelledby="customer-timeline-title">
            <h2 id="customer-timeline-title">Timeline</h2>
            {detail.paymentsShown < detail.payments && (
              <p className="muted">
                The newest {detail.paymentsShown.toLocaleString()} of{' '}
                {detail.payments.toLocaleString()} payments; the totals count them all.
              </p>
            )}
            {detail.timeline.length === 0 ? (
              <p className="muted">Nothing yet.</p>
            ) : (
              <ol className="timeline customer-timeline" aria-label="Timeline">
                {detail.timeline.map((event) => (
                  <li
                    key={`${event.type}-${eventId(event)}`}
                    className={`timeline-item${failed(event) ? ' timeline-failed' : ''}`}
                  >
                    <time dateTime={event.at}>{dateTimeSeconds(event.at)}</time>
                    <EventLine event={event} />
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </>
  );
}

function eventId(e: CustomerEvent): string {
  return e.type === 'payment'
    ? e.payment.id
    : e.type === 'refund'
      ? e.refund.id
      : e.subscription.id;
}

const failed = (e: CustomerEvent): boolean =>
  (e.type === 'payment' && e.payment.status === 'FAILED') ||
  (e.type === 'refund' && e.refund.status === 'FAILED');
