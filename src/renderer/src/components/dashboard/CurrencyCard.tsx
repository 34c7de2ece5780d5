/** One currency's figures: today, this month, refunds, recurring revenue, and the daily chart. */
import { lazy, Suspense } from 'react';
import type { Dashboard } from '../../../../shared/contract';
import { money } from '../../lib/format';

const RevenueChart = lazy(() => import('./RevenueChart'));

type CurrencyFigures = Dashboard['currencies'][number];

export function CurrencyCard({ figures }: { figures: CurrencyFigures }) {
  const { currency } = figures;
  const hasRevenue = figures.daily.some((d) => d.revenue > 0);
  return (
    <section className="panel currency-card" aria-labelledby={`dash-${currency}`}>
      <h2 id={`dash-${currency}`}>{currency}</h2>
      <dl className="figures">
        <div>
          <dt>Today</dt>
          <dd>{money(figures.revenueToday, currency)}</dd>
        </div>
        <div>
          <dt>This month</dt>
          <dd>{money(figures.revenueThisMonth, currency)}</dd>
        </div>
        <div>
          <dt>Refunds this month</dt>
          <dd>{money(figures.refundsThisMonth, currency)}</dd>
        </div>
        <div>
          <dt>Monthly recurring revenue</dt>
          <dd>{money(figures.monthlyRecurringRevenue, currency)}</dd>
        </div>
      </dl>
      {hasRevenue ? (
        <Suspense fallback={<div className="chart chart-placeholder" aria-hidden="true" />}>
          <RevenueChart currency={currency} daily={figures.daily} />
        </Suspense>
      ) : (
        <p className="muted">No revenue in the last 30 days.</p>
      )}
    </section>
  );
}
