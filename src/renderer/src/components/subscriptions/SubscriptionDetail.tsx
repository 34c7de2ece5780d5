/** One subscription in detail, with the charges made for it. */
import { dateTime, intervalText, money } from '../../lib/format';
import { selectSubscription, useSubscriptions } from '../../store/subscriptions';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';

export function SubscriptionDetail() {
  const selectedId = useSubscriptions((s) => s.selectedId);
  const detail = useSubscriptions((s) => s.detail);
  const error = useSubscriptions((s) => s.detailError);
  if (!selectedId) return null;
  if (!detail) {
    return (
      <section className="panel detail" aria-label="Subscription details">
        {error ? <ErrorState message={error} /> : <Loading>Loading subscription…</Loading>}
      </section>
    );
  }
  return (
    <section className="panel detail" aria-labelledby="subscription-detail-title">
      <div className="panel-head">
        <h2 id="subscription-detail-title">
          {detail.customerEmail} <StatusBadge status={detail.status} />
        </h2>
        <button type="button" className="button-quiet" onClick={() => selectSubscription(null)}>
          Close details
        </button>
      </div>
      <dl className="facts">
        <dt>Amount</dt>
        <dd>
          {money(detail.amount, detail.currency)},{' '}
          {intervalText(detail.interval, detail.intervalCount).toLowerCase()}
        </dd>
        <dt>Next payment</dt>
        <dd>{detail.status === 'CANCELLED' ? '—' : dateTime(detail.nextPaymentDate)}</dd>
        {detail.pauseReason && (
          <>
            <dt>Paused because</dt>
            <dd>{detail.pauseReason}</dd>
          </>
        )}
        {detail.failedAttempts > 0 && (
          <>
            <dt>Failed attempts</dt>
            <dd>
              {detail.failedAttempts}
              {detail.retryAt ? `, next retry ${dateTime(detail.retryAt)}` : ''}
            </dd>
          </>
        )}
        <dt>Started</dt>
        <dd>{dateTime(detail.billingAnchor)}</dd>
        <dt>Subscription id</dt>
        <dd className="mono">{detail.id}</dd>
      </dl>
      <h3>Charges</h3>
      {detail.charges.length === 0 ? (
        <Empty>No charges yet.</Empty>
      ) : (
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Period</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {detail.charges.map((c) => (
              <tr key={c.id}>
                <td>{dateTime(c.createdAt)}</td>
                <td>{c.period === null ? '—' : c.period + 1}</td>
                <td className="num">{money(c.amount, c.currency)}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
