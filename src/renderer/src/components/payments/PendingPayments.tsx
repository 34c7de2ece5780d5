/** Payments sent to the gateway that have not answered yet, shown until the result arrives. */
import { currencyExponent, parseAmount } from '../../../../shared/money';
import { money } from '../../lib/format';
import { usePayments } from '../../store/payments';

function amountText(amount: string, currency: string): string {
  try {
    return currencyExponent(currency) === null
      ? amount
      : money(parseAmount(amount, currency), currency);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function PendingPayments() {
  const pending = usePayments((s) => s.pending);
  if (pending.length === 0) return null;
  return (
    <ul className="pending-list" aria-label="Payments in progress">
      {pending.map((p) => (
        <li key={p.key} className="pending-row" role="status">
          <span className="spinner" aria-hidden="true" />
          <span className="badge badge-pending">Processing</span>
          <span>
            {amountText(p.amount, p.currency)} to {p.customerEmail}: waiting for the gateway…
          </span>
        </li>
      ))}
    </ul>
  );
}
