/** The start page: revenue per currency, success rate, subscriptions at a glance. */
import { useEffect } from 'react';
import { CurrencyCard } from '../components/dashboard/CurrencyCard';
import { Empty, ErrorState, Loading } from '../components/States';
import { loadDashboard, useDashboard } from '../store/dashboard';
import { goTo } from '../store/navigation';

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
      {data && data.paymentsCount > 0 && (
        <>
          <dl className="summary">
            <div>
              <dt>Success rate</dt>
              <dd>
                {data.successRate === null ? '—' : `${(data.successRate * 100).toFixed(1)} %`}
              </dd>
            </div>
            <div>
              <dt>Payments</dt>
              <dd>{data.paymentsCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Active subscriptions</dt>
              <dd>{data.activeSubscriptions.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Failed subscriptions</dt>
              <dd>{data.failedSubscriptions.toLocaleString()}</dd>
            </div>
          </dl>
          <div className="cards">
            {data.currencies.map((c) => (
              <CurrencyCard key={c.currency} figures={c} />
            ))}
          </div>
        </>
      )}
    </>
  );
}
