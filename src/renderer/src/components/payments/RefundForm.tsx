/**
 * Refund a payment, fully (leave the amount empty) or partly. A refund cannot be undone,
 * so it is confirmed first. A confirmed refund is one intent: confirmed again after a lost
 * answer, it sends the same idempotency key; an edit of the amount makes a new one.
 */
import { useState, type FormEvent } from 'react';
import type { OperationInput } from '../../../../shared/contract';
import type { Payment } from '../../../../shared/domain';
import { parseAmount, toDecimalString } from '../../../../shared/money';
import { DomainError } from '../../../../shared/result';
import { money } from '../../lib/format';
import { intent } from '../../lib/intent';
import { confirm } from '../../store/confirm';
import { refundPayment } from '../../store/payments';
import { Field } from '../Field';

function checkRefund(text: string, payment: Payment, remaining: number): string | null {
  if (text.trim() === '') return null;
  try {
    const minor = parseAmount(text.trim(), payment.currency);
    if (minor > remaining) return `At most ${money(remaining, payment.currency)} can be refunded`;
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err.message;
    throw err;
  }
}

export function RefundForm({ payment }: { payment: Payment }) {
  const [amount, setAmount] = useState('');
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refunds] = useState(() => intent<OperationInput<'payments.refund'>>());
  const remaining = payment.amount - payment.refundedAmount;
  const inputError = checkRefund(amount, payment, remaining);
  const error = serverError ?? inputError;

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    // The core's last answer does not block: after a lost answer, Refund again is the retry.
    if (inputError || busy) return;
    const text = amount.trim();
    const refundMinor = text ? parseAmount(text, payment.currency) : remaining;
    const full = refundMinor === remaining;
    const ok = await confirm({
      title: `Refund ${money(refundMinor, payment.currency)} to ${payment.customerEmail}?`,
      message: `${full ? 'This refunds the rest of the payment.' : 'This is a partial refund.'} A refund cannot be undone: the money goes back to the customer, and the history cannot reverse it.`,
      confirmLabel: 'Refund',
      danger: true,
    });
    if (!ok) return;
    setBusy(true);
    const attempt = refunds.start({ paymentId: payment.id, ...(text && { amount: text }) });
    const res = attempt.settle(await refundPayment(attempt.request, attempt.options));
    setBusy(false);
    setServerError(res.ok ? null : res.error.message);
    if (res.ok) setAmount('');
  };

  return (
    <form className="refund-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h3>Refund</h3>
      <Field
        label="Refund amount"
        error={error ?? undefined}
        hint={`Leave empty to refund everything left: ${money(remaining, payment.currency)}.`}
      >
        {(p) => (
          <input
            {...p}
            inputMode="decimal"
            autoComplete="off"
            placeholder={toDecimalString(remaining, payment.currency)}
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              setServerError(null);
              refunds.drop();
            }}
          />
        )}
      </Field>
      <button type="submit" className="button-danger" disabled={busy} aria-busy={busy}>
        Refund
      </button>
    </form>
  );
}
