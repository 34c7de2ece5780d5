/** Payments: the filtered, virtualized table; the selected payment; the New payment form. */
import { useEffect, useMemo, type KeyboardEvent } from 'react';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { NewPaymentForm } from '../components/payments/NewPaymentForm';
import { PaymentDetail } from '../components/payments/PaymentDetail';
import { PaymentFilters } from '../components/payments/PaymentFilters';
import { PAYMENTS_GRID_ID, PaymentsTable } from '../components/payments/PaymentsTable';
import { PendingPayments } from '../components/payments/PendingPayments';
import {
  paymentListFilters,
  refreshPaymentsIfStale,
  selectPayment,
  usePayments,
} from '../store/payments';

function closeOnEscape(e: KeyboardEvent<HTMLDivElement>): void {
  if (e.key !== 'Escape' || e.defaultPrevented || usePayments.getState().selectedId === null)
    return;
  e.preventDefault();
  selectPayment(null);
  document.getElementById(PAYMENTS_GRID_ID)?.focus();
}

export function PaymentsScreen() {
  useEffect(() => refreshPaymentsIfStale(), []);
  const filters = usePayments((s) => s.filters);
  const exportFilters = useMemo(() => paymentListFilters(filters), [filters]);
  return (
    <>
      <h1 tabIndex={-1}>Payments</h1>
      <div className="split">
        <section className="split-main" aria-label="Payment list">
          <PaymentFilters />
          <div className="list-actions">
            <ExportCsvButton kind="payments" filters={exportFilters} noun="payments" />
          </div>
          <PendingPayments />
          <PaymentsTable />
        </section>
        <div className="split-side">
          {/* Escape in the open payment closes it, and the table has the focus again. */}
          <div onKeyDown={closeOnEscape}>
            <PaymentDetail />
          </div>
          <NewPaymentForm />
        </div>
      </div>
    </>
  );
}
