/** Payments: the filtered, virtualized table; the selected payment; the New payment form. */
import { useEffect } from 'react';
import { NewPaymentForm } from '../components/payments/NewPaymentForm';
import { PaymentDetail } from '../components/payments/PaymentDetail';
import { PaymentFilters } from '../components/payments/PaymentFilters';
import { PaymentsTable } from '../components/payments/PaymentsTable';
import { PendingPayments } from '../components/payments/PendingPayments';
import { refreshPaymentsIfStale } from '../store/payments';

export function PaymentsScreen() {
  useEffect(() => refreshPaymentsIfStale(), []);
  return (
    <>
      <h1 tabIndex={-1}>Payments</h1>
      <div className="split">
        <section className="split-main" aria-label="Payment list">
          <PaymentFilters />
          <PendingPayments />
          <PaymentsTable />
        </section>
        <div className="split-side">
          <PaymentDetail />
          <NewPaymentForm />
        </div>
      </div>
    </>
  );
}
