/**
 * One currency's figures: gross, refunds and net today and this month (each period named
 * with its dates, UTC), monthly recurring revenue, and the daily chart of gross revenue.
 */
import { lazy, Suspense, useId } from 'react';
import type { Dashboard } from '../../../../shared/contract';
import { isoDay, isoDayRange, money, signedMoney } from '../../lib/format';

const RevenueChart = lazy(() => import('./RevenueChart'));

type CurrencyFigures = Dashboard['currencies'][number];

/** Gross, refunds and net of one period. */
function PeriodFigures(props: { title: string; currency: string; gross: number; refunds: number }) {
  const titleId = useId();
  const { currency, gross, refunds } = props;
  return (
    <div className="period" role="group" aria-labelledby={titleId}>
      <h3 id={titleId}>{props.title}</h3>
      <dl className="figures">
        <div>
          <dt>Gross</dt>
          <dd>{money(gross, currency)}</dd>
        </div>
        <div>
          <dt>Refunds</dt>
          <dd>{signedMoney(-refunds, currency)}</dd>
        </div>
        <div>
          <dt>Net</dt>
          <dd>{signedMoney(gross - refunds, currency)}</dd>
        </div>
      </dl>
    </div>
  );
}

export function CurrencyCard({
  figures,
  periods,
}: {
  figures: CurrencyFigures;
  periods: Dashboard['periods'];
}) {
  const { currency } = figures;
  const hasRevenue = figures.daily.some((d) => d.revenue > 0);
  const chartRange = isoDayRange(periods.chart.from, periods.chart.to);
  return (
    <section className="panel currency-card" aria-labelledby={`dash-${currency}`}>
      <h2 id={`dash-${currency}`}>{currency}</h2>
      <PeriodFigures
        title={`Today, ${isoDay(periods.today)}`}
        currency={currency}
        gross={figures.revenueToday}
        refunds={figures.refundsToday}
      />
      <PeriodFigures
        title={`This month, ${isoDayRange(periods.month.from, periods.month.to)}`}
        currency={currency}
        gross={figures.revenueThisMonth}
        refunds={figures.refundsThisMonth}
      />
      <dl className="figures">
        <div>
          <dt>Monthly recurring revenue</dt>
          <dd>{money(figures.monthlyRecurringRevenue, currency)}</dd>
        </div>
      </dl>
      <h3>Gross revenue per day, {chartRange}</h3>
      {hasRevenue ? (
        <Suspense fallback={<div className="chart chart-placeholder" aria-hidden="true" />}>
          <RevenueChart currency={currency} daily={figures.daily} range={chartRange} />
        </Suspense>
      ) : (
        <p className="muted">No revenue in these 30 days.</p>
      )}
    </section>
  );
}
