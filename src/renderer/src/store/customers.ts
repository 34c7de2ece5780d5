/**
 * Customers: one page of the list at a time (sorted by one column, the amounts in one
 * currency, searched by any part of the e-mail: the core answers from its indexes), and the
 * customer opened, with everything about them on one timeline.
 */
import { create } from 'zustand';
import type {
  CustomerDetail,
  CustomerPage,
  CustomerSort,
  ExportFilters,
  OperationInput,
} from '../../../shared/contract';
import { api } from './connection';

export const CUSTOMERS_PAGE_SIZE = 50;

export interface CustomerListQuery {
  /** Any part of the e-mail. */
  search: string;
  sort: CustomerSort;
  order: 'asc' | 'desc';
  /** The currency amounts are shown and sorted in; null: the core's choice (the most used). */
  currency: string | null;
}

export interface CustomersState {
  query: CustomerListQuery;
  /** The page shown, from 0. */
  page: number;
  data: CustomerPage | null;
  loading: boolean;
  error: string | null;
  /** The customer whose page is open (their e-mail, lower case), or null for the list. */
  openEmail: string | null;
  detail: CustomerDetail | null;
  detailError: string | null;
}

export const initialCustomers: CustomersState = {
  query: { search: '', sort: 'net', order: 'desc', currency: null },
  page: 0,
  data: null,
  loading: false,
  error: null,
  openEmail: null,
  detail: null,
  detailError: null,
};
export const useCustomers = create<CustomersState>()(() => initialCustomers);

const get = useCustomers.getState;
const set = useCustomers.setState;
let listSeq = 0;

/** The order a column is first sorted in: e-mails A to Z, figures largest first. */
export const firstOrder = (sort: CustomerSort): 'asc' | 'desc' =>
  sort === 'email' ? 'asc' : 'desc';

/**
 * What the list shows as `customers.list` takes it, paging aside: "Export CSV" exports
 * exactly this, so a filter of the list belongs here.
 */
export function customerListFilters(query: CustomerListQuery): ExportFilters<'customers'> {
  const input: ExportFilters<'customers'> = { sort: query.sort, order: query.order };
  const search = query.search.trim();
  if (search !== '') input.search = search;
  if (query.currency !== null) input.currency = query.currency;
  return input;
}

export function customersInput(
  query: CustomerListQuery,
  page: number,
): OperationInput<'customers.list'> {
  return {
    ...customerListFilters(query),
    offset: page * CUSTOMERS_PAGE_SIZE,
    limit: CUSTOMERS_PAGE_SIZE,
  };
}

/** Fetches the page shown (a newer request wins); past the last page, the last one. */
export async function loadCustomers(): Promise<void> {
  const seq = ++listSeq;
  const { query, page } = get();
  set({ loading: true, error: null });
  const res = await api()['customers.list'](customersInput(query, page));
  if (seq !== listSeq) return;
  if (!res.ok) {
    set({ loading: false, error: res.error.message });
    return;
  }
  const last = Math.max(0, Math.ceil(res.data.total / CUSTOMERS_PAGE_SIZE) - 1);
  if (page > last) {
    // The list shrank under us (a search, or customers gone): show its last page.
    set({ page: last });
    await loadCustomers();
    return;
  }
  set({ loading: false, data: res.data });
}

function changeQuery(change: Partial<CustomerListQuery>): void {
  set((s) => ({ query: { ...s.query, ...change }, page: 0 }));
  void loadCustomers();
}

export const searchCustomers = (search: string): void => changeQuery({ search });

export const setCustomerCurrency = (currency: string): void => changeQuery({ currency });

/** Sorts by `sort`; the column sorted already is reversed. */
export function sortCustomers(sort: CustomerSort): void {
  const { query } = get();
  const order = query.sort === sort ? (query.order === 'asc' ? 'desc' : 'asc') : firstOrder(sort);
  changeQuery({ sort, order });
}

export function showCustomerPage(page: number): void {
  set({ page: Math.max(0, page) });
  void loadCustomers();
}

async function loadDetail(email: string): Promise<void> {
  const res = await api()['customers.get']({ email });
  if (get().openEmail !== email) return;
  if (res.ok) set({ detail: res.data, detailError: null });
  else set({ detailError: res.error.message });
}

export function openCustomer(email: string): void {
  set({ openEmail: email, detail: null, detailError: null });
  void loadDetail(email);
}

export function closeCustomer(): void {
  set({ openEmail: null, detail: null, detailError: null });
  void loadCustomers();
}

/** Something changed (a push event, or the screen shown again): refetch what is shown. */
export function refreshCustomers(): void {
  const { openEmail } = get();
  if (openEmail !== null) void loadDetail(openEmail);
  else void loadCustomers();
}
