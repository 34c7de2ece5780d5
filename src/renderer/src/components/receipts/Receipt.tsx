/**
 * A receipt as a printable document: who issues it (the business details from Settings),
 * for whom, the amount, how it was paid, the gateway's transaction id, the date and the
 * refunds so far; or the receipt of one refund. Laid out for one A4 or Letter page (the
 * print rules are in app.css, under "Receipts"); what it says comes from lib/receipt.ts.
 */
import { useId } from 'react';
import { dateTime, money } from '../../lib/format';
import { hasBusinessName, type ReceiptModel } from '../../lib/receipt';

export const BUSINESS_MISSING = 'Set your business details in Settings';

export function Receipt({ receipt }: { receipt: ReceiptModel }) {
  const titleId = useId();
  const { business, currency } = receipt;
  const amount = (minor: number) => money(minor, currency);
  const isRefund = receipt.refund !== null;
  return (
    <article className="receipt" aria-labelledby={titleId}>
      <header className="receipt-head">
        <div className="receipt-issuer">
          {hasBusinessName(business) ? (
            <p className="receipt-business">{business.name}</p>
          ) : (
            <p className="receipt-missing">{BUSINESS_MISSING}</p>
          )}
          {business.address && <p className="receipt-address">{business.address}</p>}
          {business.taxId && <p>Tax ID: {business.taxId}</p>}
        </div>
        <div className="receipt-heading">
          <h2 id={titleId} className="receipt-title">
            {receipt.title}
          </h2>
          <dl className="receipt-meta">
            <dt>Number</dt>
            <dd className="mono">{receipt.number}</dd>
            <dt>Date</dt>
            <dd>{dateTime(receipt.date)}</dd>
          </dl>
        </div>
      </header>

      <p className="receipt-amount">
        <span>{isRefund ? 'Amount refunded' : 'Amount paid'}</span>{' '}
        <strong>{amount(receipt.amount)}</strong>
      </p>

      <dl className="receipt-facts">
        <dt>Customer</dt>
        <dd>{receipt.customer}</dd>
        {receipt.description && (
          <>
            <dt>Description</dt>
            <dd>{receipt.description}</dd>
          </>
        )}
        <dt>Payment method</dt>
        <dd>{receipt.method ?? 'Not recorded'}</dd>
        <dt>Transaction id</dt>
        <dd className="mono">{receipt.transactionId ?? 'Not recorded'}</dd>
        {receipt.refund && (
          <>
            <dt>Refund id</dt>
            <dd className="mono">{receipt.refund.reference}</dd>
            <dt>Original payment</dt>
            <dd>
              {amount(receipt.paid.amount)} on {dateTime(receipt.paid.at)}
            </dd>
          </>
        )}
        <dt>Payment id</dt>
        <dd className="mono">{receipt.paymentId}</dd>
      </dl>

      <table className="receipt-lines">
        <caption>
          {isRefund ? 'Payment and refunds up to this one' : 'Payment and refunds so far'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Payment</th>
            <td>{dateTime(receipt.paid.at)}</td>
            <td className="num">{amount(receipt.paid.amount)}</td>
          </tr>
          {receipt.moreRefunds && (
            <tr>
              <th scope="row">
                {receipt.moreRefunds.count} earlier refund
                {receipt.moreRefunds.count === 1 ? '' : 's'}
              </th>
              <td />
              <td className="num">−{amount(receipt.moreRefunds.amount)}</td>
            </tr>
          )}
          {receipt.refunds.map((refund) => (
            <tr
              key={refund.id}
              className={refund.id === receipt.refund?.id ? 'receipt-this' : undefined}
            >
              <th scope="row">
                Refund <span className="mono">{refund.reference}</span>
              </th>
              <td>{dateTime(refund.at)}</td>
              <td className="num">−{amount(refund.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Refunds so far
            </th>
            <td className="num">
              {receipt.refundedSoFar > 0 ? `−${amount(receipt.refundedSoFar)}` : 'None'}
            </td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>
              Net paid
            </th>
            <td className="num">{amount(receipt.netPaid)}</td>
          </tr>
        </tfoot>
      </table>

      <footer className="receipt-foot">
        {isRefund
          ? 'The amount refunded goes back to the payment method it was paid with.'
          : 'Thank you for your payment.'}
      </footer>
    </article>
  );
}
