/**
 * What a customer is and what counts in their totals, as pure functions: the store's
 * customers index (store/customers.ts) keeps the same figures up to date put by put, and its
 * tests compare it with `summarizeCustomers`, the plain computation from every record.
 *
 * A customer is an e-mail, compared case-insensitively (as the payments' e-mail index does),
 * with at least one payment or subscription. Per currency (amounts in different currencies
 * are never added): charged is the amount of every payment that went through (COMPLETED, or
 * refunded since), refunded what was refunded of them, net the difference, and the monthly
 * recurring revenue that of the ACTIVE and PAST_DUE subscriptions (`monthlyAmount`, as the
 * dashboard counts it). Failed payments are counted; the last payment is the newest one that
 * went through.
 *
 * Sorting: by one column, ties by e-mail; descending is exactly the reverse of ascending.
 * A money column sorts by the amount in one currency (a customer without it counts 0).
 * `customerFromStore` reads one customer's page through the store's indexes.
 */
import {
  CUSTOMER_TIMELINE_PAYMENTS,
  type CustomerDetail,
  type CustomerEvent,
  type CustomerPage,
  type CustomerSort,
  type CustomerSummary,
  type CustomerTotals,
} from '../../shared/contract';
import type { Payment, PaymentStatus, Refund, Subscription } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import { wasCharged } from './payment-rules';
import type { CustomerQuery, Store } from './ports';
import { monthlyAmount } from './subscription-rules';

/** The customer an e-mail belongs to. */
export const customerKey = (email: string): string => email.toLowerCase();

/** What a payment adds to its customer's totals in its currency. */
export function paymentShare(p: Pick<Payment, 'status' | 'amount' | 'refundedAmount'>): {
  charged: number;
  refunded: number;
} {
  return wasCharged(p.status) ? { charged: p.amount, refunded: p.refundedAmount } : NOTHING;
}
const NOTHING = { charged: 0, refunded: 0 } as const;

export const isFailed = (status: PaymentStatus): boolean => status === 'FAILED';

/** Whether a subscription counts as active (and in the monthly recurring revenue). */
export const isActiveSubscription = (s: Pick<Subscription, 'status'>): boolean =>
  s.status === 'ACTIVE' || s.status === 'PAST_DUE';

/** What a subscription adds to its customer's monthly recurring revenue. */
export const subscriptionShare = (s: Subscription): number =>
  isActiveSubscription(s) ? monthlyAmount(s) : 0;

/** Every customer's summary from all payments and subscriptions, by customer key. */
export function summarizeCustomers(
  payments: Iterable<Payment>,
  subscriptions: Iterable<Subscription>,
): Map<string, CustomerSummary> {
  const out = new Map<string, CustomerSummary>();
  const lastMs = new Map<string, number>();
  const customer = (email: string): CustomerSummary => {
    const key = customerKey(email);
    let c = out.get(key);
    if (c === undefined) {
      c = {
        email: key,
        payments: 0,
        failedPayments: 0,
        activeSubscriptions: 0,
        lastPaymentAt: null,
        totals: [],
      };
      out.set(key, c);
    }
    return c;
  };
  const totals = (c: CustomerSummary, currency: string): CustomerTotals => {
    let t = c.totals.find((x) => x.currency === currency);
    if (t === undefined) {
      t = { currency, charged: 0, refunded: 0, net: 0, monthlyRecurringRevenue: 0 };
      c.totals.push(t);
    }
    return t;
  };
  for (const p of payments) {
    const c = customer(p.customerEmail);
    c.payments++;
    if (isFailed(p.status)) c.failedPayments++;
    const share = paymentShare(p);
    const t = totals(c, p.currency);
    t.charged += share.charged;
    t.refunded += share.refunded;
    t.net = t.charged - t.refunded;
    if (wasCharged(p.status)) {
      const ms = Date.parse(p.createdAt);
      if (ms > (lastMs.get(c.email) ?? -Infinity)) {
        lastMs.set(c.email, ms);
        c.lastPaymentAt = new Date(ms).toISOString();
      }
    }
  }
  for (const s of subscriptions) {
    const c = customer(s.customerEmail);
    if (isActiveSubscription(s)) c.activeSubscriptions++;
    totals(c, s.currency).monthlyRecurringRevenue += subscriptionShare(s);
  }
  for (const c of out.values()) c.totals.sort((a, b) => compareText(a.currency, b.currency));
  return out;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The value a customer sorts by (`currency` for the money columns). */
export function sortValue(c: CustomerSummary, sort: CustomerSort, currency: string | null): number {
  const t = c.totals.find((x) => x.currency === currency);
  switch (sort) {
    case 'email':
      return 0;
    case 'charged':
    case 'refunded':
    case 'net':
    case 'monthlyRecurringRevenue':
      return t?.[sort] ?? 0;
    case 'activeSubscriptions':
    case 'failedPayments':
      return c[sort];
    case 'lastPaymentAt':
      return c.lastPaymentAt === null ? -Infinity : Date.parse(c.lastPaymentAt);
  }
}

/** The order of the customers list, ascending (descending is its reverse). */
export function compareCustomers(
  sort: CustomerSort,
  currency: string | null,
): (a: CustomerSummary, b: CustomerSummary) => number {
  return (a, b) => {
    const va = sortValue(a, sort, currency);
    const vb = sortValue(b, sort, currency);
    return va < vb ? -1 : va > vb ? 1 : compareText(a.email, b.email);
  };
}

/** Whether `search` matches any part of the customer's e-mail (case-insensitive). */
export const matchesSearch = (key: string, search: string): boolean =>
  key.includes(search.trim().toLowerCase());

/** Every currency in use, most used first (by payments and subscriptions), then by code. */
export function currenciesByUse(
  payments: Iterable<Pick<Payment, 'currency'>>,
  subscriptions: Iterable<Pick<Subscription, 'currency'>>,
): string[] {
  const uses = new Map<string, number>();
  for (const r of [...payments, ...subscriptions]) {
    uses.set(r.currency, (uses.get(r.currency) ?? 0) + 1);
  }
  return [...uses.entries()]
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .map(([currency]) => currency);
}

/** A page of customers computed the plain way, from every record (the store's reference). */
export function pageOfCustomers(
  payments: readonly Payment[],
  subscriptions: readonly Subscription[],
  q: CustomerQuery,
): CustomerPage {
  const currencies = currenciesByUse(payments, subscriptions);
  const currency = q.currency ?? currencies[0] ?? null;
  const all = [...summarizeCustomers(payments, subscriptions).values()]
    .filter((c) => matchesSearch(c.email, q.search ?? ''))
    .sort(compareCustomers(q.sort, currency));
  if (q.order === 'desc') all.reverse();
  return {
    total: all.length,
    offset: q.offset,
    limit: q.limit,
    items: all.slice(q.offset, q.offset + q.limit),
    currency,
    currencies,
  };
}

/**
 * A customer's timeline, newest first: their payments (subscription charges and failed
 * attempts among them), the refunds of those payments, and their subscriptions' starts.
 */
export function customerTimeline(
  payments: readonly Payment[],
  refunds: readonly Refund[],
  subscriptions: readonly Subscription[],
): CustomerEvent[] {
  const events: CustomerEvent[] = [
    ...payments.map((payment) => ({ type: 'payment' as const, at: payment.createdAt, payment })),
    ...refunds.map((refund) => ({ type: 'refund' as const, at: refund.createdAt, refund })),
    ...subscriptions.map((subscription) => ({
      type: 'subscription' as const,
      at: subscription.createdAt,
      subscription,
    })),
  ];
  const ms = (e: CustomerEvent): number => Date.parse(e.at);
  // At one instant, the later listed first (a refund above its payment, as newest first).
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => ms(b.e) - ms(a.e) || b.i - a.i)
    .map(({ e }) => e);
}

/** A customer's page from their summary and records (`paymentsShown` of them listed). */
export function customerDetail(
  summary: CustomerSummary,
  payments: readonly Payment[],
  refunds: readonly Refund[],
  subscriptions: readonly Subscription[],
): CustomerDetail {
  return {
    ...summary,
    subscriptions: [...subscriptions],
    timeline: customerTimeline(payments, refunds, subscriptions),
    paymentsShown: payments.length,
  };
}

/**
 * A customer's page, read through the store's indexes: the summary from the customers
 * index, the newest CUSTOMER_TIMELINE_PAYMENTS payments from the e-mail index, their refunds,
 * and the customer's subscriptions. A customer without records is `not_found`.
 */
export function customerFromStore(store: Store, email: string): CustomerDetail {
  const summary = store.getCustomer(email);
  if (summary === undefined) {
    throw new DomainError('not_found', `No payments or subscriptions for ${email}`, 'email');
  }
  const customerEmail = summary.email;
  const page = { order: 'desc', offset: 0 } as const;
  const payments = store.queryPayments({
    ...page,
    customerEmail,
    limit: CUSTOMER_TIMELINE_PAYMENTS,
  }).items;
  const refunds = payments.flatMap((p) => store.refundsOfPayment(p.id));
  const subscriptions = store.querySubscriptions({
    ...page,
    customerEmail,
    limit: Number.MAX_SAFE_INTEGER,
  }).items;
  return customerDetail(summary, payments, refunds, subscriptions);
}
