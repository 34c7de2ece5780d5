/**
 * The dashboard's figures as a pure function of payments and subscriptions: revenue today
 * and this month, refunds, monthly recurring revenue and revenue per day, per currency
 * (amounts in different currencies are never added), and the success rate of charges.
 */
import type { Dashboard } from '../../shared/contract';
import type { Payment, Subscription } from '../../shared/domain';
import { monthlyAmount } from './subscription-rules';

const DAYS_SHOWN = 30;
const DAY_MS = 86_400_000;

type Figures = Dashboard['currencies'][number];

const dayOf = (iso: string) => iso.slice(0, 10);

export function computeDashboard(
  payments: Iterable<Payment>,
  subscriptions: Iterable<Subscription>,
  now: Date,
): Dashboard {
  const today = dayOf(now.toISOString());
  const month = today.slice(0, 7);
  const firstDay = dayOf(new Date(now.getTime() - (DAYS_SHOWN - 1) * DAY_MS).toISOString());
  const byCurrency = new Map<string, Figures & { perDay: Map<string, number> }>();
  const figures = (currency: string) => {
    let f = byCurrency.get(currency);
    if (!f) {
      f = {
        currency,
        revenueToday: 0,
        revenueThisMonth: 0,
        refundsThisMonth: 0,
        monthlyRecurringRevenue: 0,
        daily: [],
        perDay: new Map(),
      };
      byCurrency.set(currency, f);
    }
    return f;
  };

  let succeeded = 0;
  let failed = 0;
  let count = 0;
  for (const p of payments) {
    count += 1;
    if (p.status === 'FAILED') failed += 1;
    if (p.transactionId === null) continue;
    succeeded += 1;
    const f = figures(p.currency);
    const day = dayOf(p.createdAt);
    if (day === today) f.revenueToday += p.amount;
    if (day.startsWith(month)) f.revenueThisMonth += p.amount;
    if (day >= firstDay && day <= today) f.perDay.set(day, (f.perDay.get(day) ?? 0) + p.amount);
    for (const e of p.events) {
      if (e.type === 'refunded' && e.at.startsWith(month)) f.refundsThisMonth += e.amount;
    }
  }

  let active = 0;
  let failing = 0;
  for (const s of subscriptions) {
    if (s.status === 'ACTIVE' || s.status === 'PAST_DUE') {
      active += 1;
      figures(s.currency).monthlyRecurringRevenue += monthlyAmount(s);
    }
    if (s.status === 'PAST_DUE') failing += 1;
  }

  const currencies = [...byCurrency.values()]
    .map(({ perDay, ...f }) => ({
      ...f,
      daily: Array.from({ length: DAYS_SHOWN }, (_, i) => {
        const date = dayOf(new Date(now.getTime() - (DAYS_SHOWN - 1 - i) * DAY_MS).toISOString());
        return { date, revenue: perDay.get(date) ?? 0 };
      }),
    }))
    .sort(
      (a, b) => b.revenueThisMonth - a.revenueThisMonth || a.currency.localeCompare(b.currency),
    );

  return {
    currencies,
    successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
    paymentsCount: count,
    activeSubscriptions: active,
    failedSubscriptions: failing,
  };
}
