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

export const PAGE_SIZE = 100;
/** Pages kept in memory; the ones farthest from view are dropped first. */
const MAX_CACHED_PAGES = 30;

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

export interface PaymentsState {
  filters: PaymentFilters;
  /** Rows matching the filters; null until the first page answers. */
  total: number | null;
  pages: Record<number, Payment[]>;
  /** Pages fetched since the last change: others are shown but refetched. */
  fresh: Record<number, true>;
  loading: Record<number, true>;
  error: string | null;
  /** Bumped whenever the list changes under us: older answers are dropped. */
  generation: number;
  visible: { first: number; last: number };
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

export function paymentAt(pages: PaymentsState['pages'], index: number): Payment | undefined {
  return pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function evictFarPages(
  pages: Record<number, Payment[]>,
  center: number,
): Record<number, Payment[]> {
  const keys = Object.keys(pages).map(Number);
  if (keys.length <= MAX_CACHED_PAGES) return pages;
  const keep = keys
    .sort((a, b) => Math.abs(a - center) - Math.abs(b - center))
    .slice(0, MAX_CACHED_PAGES);
  return Object.fromEntries(keep.map((k) => [k, pages[k] as Payment[]]));
}

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

async function fetchPage(page: number): Promise<void> {
  const { generation, filters } = get();
  set((s) => ({ loading: { ...s.loading, [page]: true } }));
  const input: OperationInput<'payments.list'> = {
    ...paymentListFilters(filters),
    offset: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  };
  const res = await api()['payments.list'](input);
  if (get().generation !== generation) return;
  if (!res.ok) {
    set((s) => ({ loading: without(s.loading, page), error: res.error.message }));
    return;
  }
  set((s) => ({
    loading: without(s.loading, page),
    fresh: { ...s.fresh, [page]: true },
    pages: evictFarPages(
      { ...s.pages, [page]: res.data.items },
      Math.floor(s.visible.first / PAGE_SIZE),
    ),
    total: res.data.total,
    error: null,
  }));
  // The total may have grown into pages that are now visible but not yet fetched.
  showRange(get().visible.first, get().visible.last);
}

/** Called by the table with the rows in view (overscan included): fetch missing pages. */
export function showRange(first: number, last: number): void {
  const state = get();
  if (state.visible.first !== first || state.visible.last !== last) {
    set({ visible: { first, last } });
  }
  if (state.error) return;
  // Page 0 is always wanted, even when the list was empty: else a refresh of an empty list
  // would fetch nothing and the first payment would never appear.
  const lastRow = state.total === null ? 0 : Math.max(0, Math.min(last, state.total - 1));
  for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(lastRow / PAGE_SIZE); page++) {
    const s = get();
    if (!s.fresh[page] && !s.loading[page]) void fetchPage(page);
  }
}

/** The list changed (a push event): refetch what is in view, keep showing the old rows. */
export function refreshPayments(): void {
  set((s) => ({ generation: s.generation + 1, fresh: {}, loading: {}, error: null, stale: false }));
  const { visible, selectedId } = get();
  showRange(visible.first, visible.last);
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
