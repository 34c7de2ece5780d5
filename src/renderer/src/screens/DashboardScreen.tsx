/**
 * The start page: revenue per currency, success rate, subscriptions at a glance. Each
 * figure says what it counts (all time, a period's dates) and leads to the list it counts.
 */
import { useEffect } from 'react';
import { CurrencyCard } from '../components/dashboard/CurrencyCard';
import { Empty, ErrorState, Loading } from '../components/States';
import { loadDashboard, useDashboard } from '../store/dashboard';
import { goTo } from '../store/navigation';
import { setFilters } from '../store/payments';
import { showSubscriptions } from '../store/subscriptions';

function showAllPayments(): void {
  setFilters({ status: '' });
  goTo('payments');
}

function showFailedPayments(): void {
  setFilters({ status: 'FAILED' });
  goTo('payments');
}

function showPastDue(): void {
  showSubscriptions({ status: 'PAST_DUE' });
  goTo('subscriptions');
}

export function DashboardScreen() {
  const { data, loading, error } = useDashboard();
  useEffect(() => void loadDashboard(), []);
  return (
    <>
      <h1 tabIndex={-1}>Dashboard</h1>
      {error && !data && <ErrorState message={error} onRetry={() => void loadDashboard()} />}
      {loading && !data && <Loading>Loading the dashboard…</Loading>}
      {data && data.paymentsCount === 0 && (
        <Empty>
          <p>No payments yet. Figures appear here once the first charge is made.</p>
          <button type="button" className="button-primary" onClick={() => goTo('payments')}>
            Make a first charge
          </button>
        </Empty>
      )}
      {data?.unreadable !== undefined && data.unreadable.length > 0 && (
        <div className="notice notice-warning" role="alert">
          <h3>
            {data.unreadable.length === 1
              ? 'One payment cannot be read and is left out of these figures'
              : `${data.unreadable.length} payments cannot be read and are left out of these figures`}
          </h3>
          <ul>
            {data.unreadable.map((r) => (
              <li key={r.id} className="storage-cause">
                {r.id}: {r.error}
              </li>
            ))}
          </ul>
        </div>
      )}
      {data && data.paymentsCount > 0 && (
        <>
          <dl className="summary">
            <div>
              <dt>
                <button type="button" className="link-button" onClick={showFailedPayments}>
                  Success rate, all time
                  <span className="visually-hidden"> (show the failed payments)</span>
                </button>
              </dt>
              <dd>
                {data.successRate === null ? '—' : `${(data.successRate * 100).toFixed(1)} %`}
              </dd>
            </div>
            <div>
              <dt>
                <button type="button" className="link-button" onClick={showAllPayments}>
                  Payments, all time
                </button>
              </dt>
              <dd>{data.paymentsCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>
                <button type="button" className="link-button" onClick={() => goTo('subscriptions')}>
                  Active subscriptions
                </button>
              </dt>
              <dd>{data.activeSubscriptions.toLocaleString()}</dd>
            </div>
            <div>
              <dt>
                <button type="button" className="link-button" onClick={showPastDue}>
                  Past due
                  <span className="visually-hidden"> (show the subscriptions past due)</span>
                </button>
              </dt>
              <dd>{data.failedSubscriptions.toLocaleString()}</dd>
            </div>
          </dl>
          <div className="cards">
            {data.currencies.map((c) => (
              <CurrencyCard key={c.currency} figures={c} periods={data.periods} />
            ))}
          </div>
        </>
      )}
    </>
  );
}
