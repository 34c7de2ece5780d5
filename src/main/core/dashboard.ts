/**
 * The dashboard's figures: gross revenue and refunds today and this month (the UI shows the
 * net between them), monthly recurring revenue and gross revenue per day, per currency
 * (amounts in different currencies are never added), the UTC dates each period covers, the
 * all-time success rate of charges, and subscriptions active or past due (apart: a past-due
 * one is not active).
 *
 * `computeDashboard` is the pure arithmetic; `dashboardFromStore` feeds it through the
 * store's indexes: the payments charged inside the window, and the refunds made this month
 * (`Store.refundsSince`, which reads no payment body twice), never the whole store.
 */
import type { Dashboard, UnreadableRecord } from '../../shared/contract';
import type { Payment, PaymentStatus, Subscription } from '../../shared/domain';
import type { RefundMade, Store } from './ports';
import { monthlyAmount } from './subscription-rules';

const DAYS_SHOWN = 30;
const DAY_MS = 86_400_000;
const PAGE = 500;

type Figures = Dashboard['currencies'][number];

export interface DashboardInput {
  /**
   * Each charged payment created in the window (this month and the last 30 days), once;
   * others may be left out, as they cannot count.
   */
  payments: Iterable<Payment>;
  /** Every refund made this month, of any payment however old; earlier ones may be given. */
  refunds: Iterable<Pick<RefundMade, 'currency' | 'amount' | 'at'>>;
  subscriptions: Iterable<Subscription>;
  /** Payments by status, over the whole store. */
  counts: Readonly<Record<PaymentStatus, number>>;
}

const dayOf = (iso: string) => iso.slice(0, 10);

/** The first instant whose payments can count: the start of this month or of the 30-day chart. */
export function windowStart(now: Date): string {
  const monthStart = `${dayOf(now.toISOString()).slice(0, 7)}-01`;
  const chartStart = dayOf(new Date(now.getTime() - (DAYS_SHOWN - 1) * DAY_MS).toISOString());
  return `${monthStart < chartStart ? monthStart : chartStart}T00:00:00.000Z`;
}

export function computeDashboard(input: DashboardInput, now: Date): Dashboard {
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
        refundsToday: 0,
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

  for (const p of input.payments) {
    if (p.transactionId === null) continue;
    const f = figures(p.currency);
    const day = dayOf(p.createdAt);
    if (day === today) f.revenueToday += p.amount;
    if (day.startsWith(month)) f.revenueThisMonth += p.amount;
    if (day >= firstDay && day <= today) f.perDay.set(day, (f.perDay.get(day) ?? 0) + p.amount);
  }
  for (const r of input.refunds) {
    if (!r.at.startsWith(month)) continue;
    const f = figures(r.currency);
    f.refundsThisMonth += r.amount;
    if (dayOf(r.at) === today) f.refundsToday += r.amount;
  }

  let active = 0;
  let failing = 0;
  for (const s of input.subscriptions) {
    if (s.status === 'ACTIVE' || s.status === 'PAST_DUE') {
      figures(s.currency).monthlyRecurringRevenue += monthlyAmount(s);
    }
    if (s.status === 'ACTIVE') active += 1;
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

  const { counts } = input;
  const succeeded = counts.COMPLETED + counts.PARTIALLY_REFUNDED + counts.REFUNDED;
  const settled = succeeded + counts.FAILED;
  return {
    currencies,
    periods: {
      today,
      month: { from: `${month}-01`, to: today },
      chart: { from: firstDay, to: today },
    },
    successRate: settled === 0 ? null : succeeded / settled,
    paymentsCount: settled + counts.PENDING,
    activeSubscriptions: active,
    failedSubscriptions: failing,
  };
}

/**
 * Payments of one status, newest first, while `keep` holds; those that cannot be read are
 * added to `unreadable` (the pages read hold them).
 */
function* newestWhile(
  store: Store,
  status: PaymentStatus,
  keep: (p: Payment) => boolean,
  unreadable: UnreadableRecord[],
) {
  for (let offset = 0; ; offset += PAGE) {
    const page = store.queryPayments({
      status,
      order: 'desc',
      offset,
      limit: PAGE,
      skipUnreadable: true,
    });
    unreadable.push(...(page.unreadable ?? []));
    for (const p of page.items) {
      if (!keep(p)) return;
      yield p;
    }
    if (offset + PAGE >= page.total) return;
  }
}

/** The dashboard; a payment that cannot be read is left out of it and named in `unreadable`. */
export function dashboardFromStore(store: Store, now: Date): Dashboard {
  const from = windowStart(now);
  const unreadable: UnreadableRecord[] = [];
  const count = (status: PaymentStatus) =>
    store.queryPayments({ status, order: 'desc', offset: 0, limit: 0, skipUnreadable: true }).total;
  const counts = {
    PENDING: count('PENDING'),
    COMPLETED: count('COMPLETED'),
    FAILED: count('FAILED'),
    PARTIALLY_REFUNDED: count('PARTIALLY_REFUNDED'),
    REFUNDED: count('REFUNDED'),
  };
  function* payments() {
    for (const status of ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
      yield* newestWhile(store, status, (p) => p.createdAt >= from, unreadable);
    }
  }
  const dashboard = computeDashboard(
    {
      payments: payments(),
      // A refund this month may be of a payment from long before the window.
      refunds: store.refundsSince(from, unreadable),
      subscriptions: store.allSubscriptions(),
      counts,
    },
    now,
  );
  if (unreadable.length === 0) return dashboard;
  // Once each, without a page's place (the dashboard has none).
  const named = new Map(unreadable.map(({ id, error }) => [id, { id, error }]));
  return { ...dashboard, unreadable: [...named.values()] };
}
