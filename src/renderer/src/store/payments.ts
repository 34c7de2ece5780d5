/**
 * Payments: a window onto a possibly huge list, fetched in pages as rows scroll into view
 * (never the whole list), the filters and sort order, the selected payment, and the
 * payments being processed right now (shown as pending until the gateway answers).
 */
import { create } from 'zustand';
import type { ExportFilters, OperationInput, PaymentSort } from '../../../shared/contract';
import type { Payment, PaymentStatus } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import { money } from '../lib/format';
import type { IntentOptions } from '../lib/intent';
import { runCommand } from './commands';
import { api } from './connection';
import { pagedList, type PagedRows } from './paged-list';

export interface PaymentFilters {
  status: PaymentStatus | '';
  /** Any part of the customer's e-mail. */
  customer: string;
  /** A currency code, or '' for all. */
  currency: string;
  /** Decimal amounts, '' for no bound (PaymentFilters.tsx applies only valid ones). */
  minAmount: string;
  maxAmount: string;
  /** Dates (yyyy-mm-dd), both included; '' for no bound. */
  from: string;
  to: string;
  sort: PaymentSort;
  order: 'desc' | 'asc';
}

export const NO_PAYMENT_FILTERS: PaymentFilters = {
  status: '',
  customer: '',
  currency: '',
  minAmount: '',
  maxAmount: '',
  from: '',
  to: '',
  sort: 'createdAt',
  order: 'desc',
};

export interface PendingPayment {
  key: number;
  amount: string;
  currency: string;
  customerEmail: string;
}

export interface PaymentsState extends PagedRows<Payment> {
  filters: PaymentFilters;
  selectedId: string | null;
  selected: Payment | null;
  detailError: string | null;
  pending: PendingPayment[];
  /** The list changed while another screen was shown: refetch when the table shows again. */
  stale: boolean;
  /** Bumped when the filters are replaced from elsewhere (showPayments): the fields follow. */
  filtersReplaced: number;
}

export const initialPayments: PaymentsState = {
  filters: NO_PAYMENT_FILTERS,
  total: null,
  pages: {},
  fresh: {},
  loading: {},
  error: null,
  generation: 0,
  visible: { first: 0, last: 0 },
  selectedId: null,
  selected: null,
  detailError: null,
  pending: [],
  stale: false,
  filtersReplaced: 0,
};
export const usePayments = create<PaymentsState>()(() => initialPayments);

const get = usePayments.getState;
const set = usePayments.setState;

/**
 * What the table shows as `payments.list` takes it, paging aside: the filters and the order.
 * "Export CSV" exports exactly this, so a filter belongs here.
 */
export function paymentListFilters(filters: PaymentFilters): ExportFilters<'payments'> {
  const input: ExportFilters<'payments'> = { order: filters.order };
  if (filters.sort !== 'createdAt') input.sort = filters.sort;
  if (filters.status) input.status = filters.status;
  if (filters.customer.trim()) input.search = filters.customer.trim();
  if (filters.currency) input.currency = filters.currency;
  if (filters.minAmount) input.minAmount = filters.minAmount;
  if (filters.maxAmount) input.maxAmount = filters.maxAmount;
  if (filters.from) input.from = filters.from;
  if (filters.to) input.to = filters.to;
  return input;
}

const rows = pagedList<Payment, PaymentsState, ExportFilters<'payments'>>(usePayments, {
  maxCachedPages: 30,
  query: (s) => paymentListFilters(s.filters),
  list: (input) => api()['payments.list'](input),
  refused: (error) => ({ error: error.message }),
});

/** Called by the table with the rows in view (overscan included): fetch missing pages. */
export const showRange = rows.showRange;

/** The list changed (a push event): refetch what is in view, keep showing the old rows. */
export function refreshPayments(): void {
  set({ stale: false });
  rows.refresh();
  const { selectedId } = get();
  if (selectedId) void loadSelected(selectedId);
}

/** The list changed (a push event) while another screen was shown. */
export function markPaymentsStale(): void {
  set({ stale: true });
}

/**
 * The Payments screen shows again: its cached rows and selected payment are refetched if the
 * list changed meanwhile (push events only refresh the screen on view).
 */
export function refreshPaymentsIfStale(): void {
  if (get().stale) refreshPayments();
}

export function setFilters(change: Partial<PaymentFilters>): void {
  set((s) => ({
    filters: { ...s.filters, ...change },
    generation: s.generation + 1,
    total: null,
    pages: {},
    fresh: {},
    loading: {},
    error: null,
  }));
  const { visible } = get();
  showRange(0, Math.max(visible.last - visible.first, 0));
}

/**
 * Sort by `column`: the other way when it is the sort already; else newest first for the
 * date, smallest or A to Z first for the others.
 */
export function sortPayments(column: PaymentSort): void {
  const { sort, order } = get().filters;
  if (sort === column) setFilters({ order: order === 'desc' ? 'asc' : 'desc' });
  else setFilters({ sort: column, order: column === 'createdAt' ? 'desc' : 'asc' });
}

/** Show the payments matching `change` alone (the Search dialog's "Show all"). */
export function showPayments(change: Partial<PaymentFilters>): void {
  setFilters({ ...NO_PAYMENT_FILTERS, ...change });
  set((s) => ({ filtersReplaced: s.filtersReplaced + 1 }));
}

async function loadSelected(id: string): Promise<void> {
  const res = await api()['payments.get']({ id });
  if (get().selectedId !== id) return;
  if (res.ok) set({ selected: res.data, detailError: null });
  else set({ detailError: res.error.message });
}

export function selectPayment(id: string | null): void {
  const current = get();
  if (id === current.selectedId) return;
  const known = id ? findLoaded(current, id) : null;
  set({ selectedId: id, selected: known, detailError: null });
  if (id) void loadSelected(id);
}

function findLoaded(state: PaymentsState, id: string): Payment | null {
  for (const rows of Object.values(state.pages)) {
    const found = rows.find((p) => p.id === id);
    if (found) return found;
  }
  return null;
}

let pendingKey = 1;

function describeCharge(p: Payment): string {
  const what = `${money(p.amount, p.currency)} to ${p.customerEmail}`;
  if (p.status === 'FAILED')
    return `Charge of ${what} declined: ${p.failureMessage ?? p.failureCode ?? 'no reason given'}`;
  if (p.status === 'PENDING')
    return `Charge of ${what} is pending: the gateway has not answered yet`;
  return `Charged ${what}`;
}

/** Charge: `call` names the operator's intent (the same key when the form retries). */
export async function processPayment(
  input: OperationInput<'payments.process'>,
  call: IntentOptions,
): Promise<Result<Payment>> {
  const key = pendingKey++;
  set((s) => ({
    pending: [
      ...s.pending,
      { key, amount: input.amount, currency: input.currency, customerEmail: input.customerEmail },
    ],
  }));
  const res = await runCommand('payments.process', input, {
    ...call,
    kind: 'ProcessPayment',
    describe: describeCharge,
    level: (p) => (p.status === 'FAILED' ? 'error' : 'info'),
  }).finally(() => set((s) => ({ pending: s.pending.filter((p) => p.key !== key) })));
  if (res.ok) {
    refreshPayments();
    selectPayment(res.data.id);
  }
  return res;
}

export async function refundPayment(
  input: OperationInput<'payments.refund'>,
  call: IntentOptions,
): Promise<Result<Payment>> {
  const res = await runCommand('payments.refund', input, {
    ...call,
    describe: (p) =>
      `Refunded ${p.customerEmail}: ${money(p.refundedAmount, p.currency)} of ${money(p.amount, p.currency)} refunded so far. A refund cannot be undone.`,
  });
  if (res.ok) {
    set({ selected: res.data });
    refreshPayments();
  }
  return res;
}
