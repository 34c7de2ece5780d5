/** Filters of the payments table: status and customer (typed text is applied after a pause). */
import { useEffect, useState } from 'react';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../../../shared/domain';
import { statusText } from '../../lib/format';
import { setFilters, usePayments } from '../../store/payments';

const TYPING_PAUSE_MS = 300;

export function PaymentFilters() {
  const status = usePayments((s) => s.filters.status);
  const total = usePayments((s) => s.total);
  const [customer, setCustomer] = useState(() => usePayments.getState().filters.customer);
  useEffect(() => {
    if (customer === usePayments.getState().filters.customer) return;
    const timer = setTimeout(() => setFilters({ customer }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [customer]);
  return (
    <div className="filters" role="search" aria-label="Filter payments">
      <div className="field field-inline">
        <label htmlFor="payments-status">Status</label>
        <select
          id="payments-status"
          value={status}
          onChange={(e) => setFilters({ status: e.target.value as PaymentStatus | '' })}
        >
          <option value="">All statuses</option>
          {PAYMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusText(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-inline">
        <label htmlFor="payments-customer">Customer</label>
        <input
          id="payments-customer"
          type="search"
          value={customer}
          placeholder="Email address"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setCustomer(e.target.value)}
        />
      </div>
      <p className="filters-count" aria-live="polite">
        {total === null ? '' : `${total.toLocaleString()} payment${total === 1 ? '' : 's'}`}
      </p>
    </div>
  );
}
