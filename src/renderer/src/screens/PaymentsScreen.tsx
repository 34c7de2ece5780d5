/** Payments: the filtered, virtualized table; the selected payment; the New payment form. */
import { NewPaymentForm } from '../components/payments/NewPaymentForm';
import { PaymentDetail } from '../components/payments/PaymentDetail';
import { PaymentFilters } from '../components/payments/PaymentFilters';
import { PaymentsTable } from '../components/payments/PaymentsTable';
import { PendingPayments } from '../components/payments/PendingPayments';

export function PaymentsScreen() {
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
