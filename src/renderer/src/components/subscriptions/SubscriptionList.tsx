/** The subscriptions: status, amount, interval, next payment date, and Pause/Resume/Cancel. */
import type { SubscriptionSort } from '../../../../shared/contract';
import type { Subscription } from '../../../../shared/domain';
import { dateTime, intervalText, money } from '../../lib/format';
import { confirm } from '../../store/confirm';
import {
  changeSubscription,
  loadSubscriptions,
  missedCount,
  selectSubscription,
  sortSubscriptions,
  useSubscriptions,
} from '../../store/subscriptions';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';

async function cancelWithConfirmation(s: Subscription): Promise<void> {
  const ok = await confirm({
    title: `Cancel the subscription of ${s.customerEmail}?`,
    message: `No more charges of ${money(s.amount, s.currency)} will be made. You can undo this from the history.`,
    confirmLabel: 'Cancel subscription',
    cancelLabel: 'Keep subscription',
    danger: true,
  });
  if (ok) await changeSubscription('cancel', s.id);
}

function Actions({ s, busy }: { s: Subscription; busy: boolean }) {
  const active = s.status === 'ACTIVE' || s.status === 'PAST_DUE';
  return (
    <div className="row-actions">
      {active && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void changeSubscription('pause', s.id)}
        >
          Pause
        </button>
      )}
      {s.status === 'PAUSED' && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void changeSubscription('resume', s.id)}
        >
          Resume
        </button>
      )}
      {s.status !== 'CANCELLED' && (
        <button type="button" disabled={busy} onClick={() => void cancelWithConfirmation(s)}>
          Cancel
        </button>
      )}
    </div>
  );
}

/** A column header that sorts the list by its column (aria-sort says how it is sorted). */
function SortHeader(props: { column: SubscriptionSort; label: string; className?: string }) {
  const { sort, order } = useSubscriptions((s) => s.filters);
  const sorted = sort === props.column;
  return (
    <th
      scope="col"
      className={props.className}
      aria-sort={sorted ? (order === 'desc' ? 'descending' : 'ascending') : 'none'}
    >
      <button
        type="button"
        className="sort-button"
        title={`Sort by ${props.label.toLowerCase()}`}
        onClick={() => sortSubscriptions(props.column)}
      >
        {props.label}{' '}
        <span aria-hidden="true" className={sorted ? '' : 'sort-idle'}>
          {sorted ? (order === 'desc' ? '↓' : '↑') : '↕'}
        </span>
      </button>
    </th>
  );
}

export function SubscriptionList() {
  const { items, total, loading, error, selectedId, busy, filters } = useSubscriptions();
  const filtered = filters.status !== '' || filters.search !== '';
  if (error && items.length === 0) {
    return <ErrorState message={error} onRetry={() => void loadSubscriptions()} />;
  }
  if (total === null) return <Loading>Loading subscriptions…</Loading>;
  if (items.length === 0) {
    return (
      <Empty>
        {filtered
          ? 'No subscriptions match these filters.'
          : 'No subscriptions yet. Create the first one with the form.'}
      </Empty>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Subscriptions</caption>
        <thead>
          <tr>
            <SortHeader column="customerEmail" label="Customer" />
            <SortHeader column="status" label="Status" />
            <SortHeader column="amount" label="Amount" className="num" />
            <th scope="col">Interval</th>
            <SortHeader column="nextPaymentDate" label="Next payment" />
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} className={s.id === selectedId ? 'is-selected' : undefined}>
              <th scope="row">
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={s.id === selectedId}
                  onClick={() => selectSubscription(s.id)}
                >
                  {s.customerEmail}
                </button>
              </th>
              <td>
                <StatusBadge status={s.status} />
                {s.pauseReason && <div className="note">{s.pauseReason}</div>}
                {s.review && (
                  <div className="note note-warning">
                    {missedCount(s)} missed periods held for review
                  </div>
                )}
                {s.unpaidPeriods.length > 0 && (
                  <div className="note note-warning">
                    {s.unpaidPeriods.length} unpaid period{s.unpaidPeriods.length === 1 ? '' : 's'}
                  </div>
                )}
              </td>
              <td className="num">{money(s.amount, s.currency)}</td>
              <td>{intervalText(s.interval, s.intervalCount)}</td>
              <td>{s.status === 'CANCELLED' ? '—' : dateTime(s.nextPaymentDate)}</td>
              <td>
                <Actions s={s} busy={busy[s.id] === true} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <ErrorState message={error} onRetry={() => void loadSubscriptions()} />}
      {items.length < total && (
        <button
          type="button"
          className="button-quiet"
          disabled={loading}
          onClick={() => void loadSubscriptions(true)}
        >
          Show more ({(total - items.length).toLocaleString()} left)
        </button>
      )}
    </div>
  );
}
