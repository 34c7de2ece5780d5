/**
 * The customers list: a search by any part of the e-mail, the currency the amounts are
 * shown and sorted in, a table with a sort button in each column's header (aria-sort says
 * which one sorts), and pages of 50 with Previous and Next.
 */
import type { CustomerSort, CustomerSummary } from '../../../../shared/contract';
import { dateTime, money } from '../../lib/format';
import {
  CUSTOMERS_PAGE_SIZE,
  loadCustomers,
  openCustomer,
  searchCustomers,
  setCustomerCurrency,
  showCustomerPage,
  sortCustomers,
  useCustomers,
} from '../../store/customers';
import { Field } from '../Field';
import { Empty, ErrorState, Loading } from '../States';

type MoneyColumn = 'charged' | 'refunded' | 'net' | 'monthlyRecurringRevenue';

interface Column {
  sort: CustomerSort;
  label: string;
  numeric: boolean;
  cell: (c: CustomerSummary, currency: string | null) => string;
}

const amount =
  (field: MoneyColumn) =>
  (c: CustomerSummary, currency: string | null): string => {
    const t = c.totals.find((x) => x.currency === currency);
    return t === undefined ? '—' : money(t[field], t.currency);
  };

const COLUMNS: readonly Column[] = [
  { sort: 'charged', label: 'Charged', numeric: true, cell: amount('charged') },
  { sort: 'refunded', label: 'Refunded', numeric: true, cell: amount('refunded') },
  { sort: 'net', label: 'Net', numeric: true, cell: amount('net') },
  {
    sort: 'activeSubscriptions',
    label: 'Active subscriptions',
    numeric: true,
    cell: (c) => c.activeSubscriptions.toLocaleString(),
  },
  {
    sort: 'monthlyRecurringRevenue',
    label: 'Monthly recurring',
    numeric: true,
    cell: amount('monthlyRecurringRevenue'),
  },
  {
    sort: 'failedPayments',
    label: 'Failed charges',
    numeric: true,
    cell: (c) => c.failedPayments.toLocaleString(),
  },
  {
    sort: 'lastPaymentAt',
    label: 'Last payment',
    numeric: false,
    cell: (c) => dateTime(c.lastPaymentAt),
  },
];

function SortHeader({ sort, label, numeric }: Pick<Column, 'sort' | 'label' | 'numeric'>) {
  const query = useCustomers((s) => s.query);
  const active = query.sort === sort;
  const ariaSort = active ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={ariaSort} className={numeric ? 'num' : undefined}>
      <button type="button" className="sort-button" onClick={() => sortCustomers(sort)}>
        {label}
        <span aria-hidden="true">{active ? (query.order === 'asc' ? ' ↑' : ' ↓') : ' ↕'}</span>
      </button>
    </th>
  );
}

/** The currencies a customer has besides the one shown. */
function otherCurrencies(c: CustomerSummary, currency: string | null): string {
  return c.totals
    .map((t) => t.currency)
    .filter((code) => code !== currency)
    .join(', ');
}

export function CustomerList() {
  const { query, page, data, loading, error } = useCustomers();
  const currency = data?.currency ?? null;
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / CUSTOMERS_PAGE_SIZE));
  const first = page * CUSTOMERS_PAGE_SIZE;
  return (
    <>
      <div className="filters" role="search" aria-label="Find customers">
        <Field label="Search customers" className="field-inline">
          {(control) => (
            <input
              {...control}
              type="search"
              autoComplete="off"
              placeholder="Part of an e-mail"
              value={query.search}
              onChange={(e) => searchCustomers(e.target.value)}
            />
          )}
        </Field>
        <Field label="Currency" className="field-inline field-narrow">
          {(control) => (
            <select
              {...control}
              value={currency ?? ''}
              disabled={(data?.currencies.length ?? 0) === 0}
              onChange={(e) => setCustomerCurrency(e.target.value)}
            >
              {(data?.currencies ?? []).map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          )}
        </Field>
        <p className="filters-count" aria-live="polite">
          {data === null ? '' : `${total.toLocaleString()} customer${total === 1 ? '' : 's'}`}
        </p>
      </div>
      {error ? (
        <ErrorState message={error} onRetry={() => void loadCustomers()} />
      ) : data === null ? (
        <Loading>Loading customers…</Loading>
      ) : data.items.length === 0 ? (
        <Empty>
          {query.search.trim() !== ''
            ? `No customer's e-mail contains “${query.search.trim()}”.`
            : 'No customers yet: they appear with their first payment or subscription.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table customers-table" aria-busy={loading || undefined}>
            <caption className="visually-hidden">
              Customers, amounts in {currency ?? 'their currency'}, page {page + 1} of {pages}
            </caption>
            <thead>
              <tr>
                <SortHeader sort="email" label="Customer" numeric={false} />
                {COLUMNS.map((col) => (
                  <SortHeader key={col.sort} {...col} />
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => {
                const others = otherCurrencies(c, currency);
                return (
                  <tr key={c.email}>
                    <th scope="row">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => openCustomer(c.email)}
                      >
                        {c.email}
                      </button>
                      {others && <div className="note">Also in {others}</div>}
                    </th>
                    {COLUMNS.map((col) => (
                      <td key={col.sort} className={col.numeric ? 'num' : undefined}>
                        {col.cell(c, currency)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <nav className="pager" aria-label="Customer pages">
            <button
              type="button"
              disabled={page === 0 || loading}
              onClick={() => showCustomerPage(page - 1)}
            >
              Previous page
            </button>
            <span>
              {(first + 1).toLocaleString()}–
              {Math.min(first + CUSTOMERS_PAGE_SIZE, total).toLocaleString()} of{' '}
              {total.toLocaleString()}
            </span>
            <button
              type="button"
              disabled={page + 1 >= pages || loading}
              onClick={() => showCustomerPage(page + 1)}
            >
              Next page
            </button>
          </nav>
        </div>
      )}
    </>
  );
}
