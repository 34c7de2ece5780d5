/**
 * Customers: one row per customer e-mail with their totals (sortable, searchable), and a
 * customer's page with everything about them on one timeline.
 */
import { useEffect, useMemo, useRef } from 'react';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { CustomerList } from '../components/customers/CustomerList';
import { CustomerPage } from '../components/customers/CustomerPage';
import { customerListFilters, refreshCustomers, useCustomers } from '../store/customers';

export function CustomersScreen() {
  useEffect(() => refreshCustomers(), []);
  const openEmail = useCustomers((s) => s.openEmail);
  const query = useCustomers((s) => s.query);
  const exportFilters = useMemo(() => customerListFilters(query), [query]);
  const shown = useRef(openEmail);
  // A customer opened or closed: the new heading takes the focus, as a new page's would.
  useEffect(() => {
    if (shown.current === openEmail) return;
    shown.current = openEmail;
    const frame = requestAnimationFrame(() =>
      document.querySelector<HTMLElement>('main h1')?.focus(),
    );
    return () => cancelAnimationFrame(frame);
  }, [openEmail]);
  if (openEmail !== null) return <CustomerPage email={openEmail} />;
  return (
    <>
      <h1 tabIndex={-1}>Customers</h1>
      <p className="muted">
        Everyone who paid or subscribed, one row per e-mail (upper and lower case alike). Amounts in
        different currencies are never added: pick the currency to show and sort by.
      </p>
      <div className="list-actions">
        <ExportCsvButton kind="customers" filters={exportFilters} noun="customers" />
      </div>
      <CustomerList />
    </>
  );
}
