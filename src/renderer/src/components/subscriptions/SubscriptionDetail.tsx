/**
 * One subscription in detail, with the charges made for it and, when a run held it for
 * review, the operator's choice on its missed periods.
 */
import type { Subscription } from '../../../../shared/domain';
import { periodDate } from '../../../../shared/periods';
import { dateTime, intervalText, money, utcDay } from '../../lib/format';
import { confirm } from '../../store/confirm';
import {
  decideFailedPeriod,
  decideMissedPeriods,
  missedCount,
  selectSubscription,
  useSubscriptions,
} from '../../store/subscriptions';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';

async function chargeMissedWithConfirmation(sub: Subscription): Promise<void> {
  const n = missedCount(sub);
  const ok = await confirm({
    title: `Charge ${n} missed period${n === 1 ? '' : 's'} to ${sub.customerEmail}?`,
    message: `${n} charge${n === 1 ? '' : 's'} of ${money(sub.amount, sub.currency)} (${money(
      sub.amount * n,
      sub.currency,
    )} in all) will be made now, one per period. You can undo this from the history: it refunds them.`,
    confirmLabel: 'Charge missed periods',
    cancelLabel: 'Not now',
  });
  if (ok) await decideMissedPeriods('charge', sub);
}

/** A run found more periods to catch up than it charges by itself: the operator decides. */
function MissedPeriods({ sub, busy }: { sub: Subscription; busy: boolean }) {
  if (sub.review === null) return null;
  const n = missedCount(sub);
  return (
    <div className="notice notice-warning" role="group" aria-labelledby="missed-periods-title">
      <h3 id="missed-periods-title">
        {n} missed period{n === 1 ? '' : 's'} held for review
      </h3>
      <p>
        Periods {sub.review.fromPeriod + 1} to {sub.review.toPeriod + 1} fell due while Paydesk was
        not charging (found {dateTime(sub.review.markedAt)}). None of them was charged, and this
        subscription is not charged again until you decide.
      </p>
      <div className="row-actions">
        <button
          type="button"
          disabled={busy}
          onClick={() => void chargeMissedWithConfirmation(sub)}
        >
          Charge missed periods
        </button>
        <button type="button" disabled={busy} onClick={() => void decideMissedPeriods('skip', sub)}>
          Skip them
        </button>
      </div>
    </div>
  );
}

/**
 * Periods whose charge failed and that a resume left behind: never charged by the timer,
 * shown until the operator charges them now or forgives them.
 */
function UnpaidPeriods({ sub, busy }: { sub: Subscription; busy: boolean }) {
  return (
    <>
      {sub.unpaidPeriods.map((period) => {
        const titleId = `unpaid-period-${sub.id}-${period}`;
        return (
          <div
            key={period}
            className="notice notice-warning"
            role="group"
            aria-labelledby={titleId}
          >
            <h3 id={titleId}>Period {period + 1} was not paid</h3>
            <p>
              Its charge of {money(sub.amount, sub.currency)} (due{' '}
              {utcDay(dateOfPeriod(sub, period))}) failed, and billing went on from a later period
              when the subscription was resumed. It is not charged again unless you retry it.
            </p>
            <div className="row-actions">
              <button
                type="button"
                disabled={busy}
                onClick={() => void decideFailedPeriod('retry', sub, period)}
              >
                Retry now
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => void decideFailedPeriod('forgive', sub, period)}
              >
                Forgive
              </button>
            </div>
          </div>
        );
      })}
    </>
  );
}

/** The date period `k` of `sub` was due (the anchor plus k intervals). */
function dateOfPeriod(sub: Subscription, k: number): Date {
  return periodDate(new Date(sub.billingAnchor), sub.interval, sub.intervalCount, k);
}

export function SubscriptionDetail() {
  const selectedId = useSubscriptions((s) => s.selectedId);
  const detail = useSubscriptions((s) => s.detail);
  const error = useSubscriptions((s) => s.detailError);
  const busy = useSubscriptions((s) => (selectedId ? s.busy[selectedId] === true : false));
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
      <MissedPeriods sub={detail} busy={busy} />
      <UnpaidPeriods sub={detail} busy={busy} />
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
