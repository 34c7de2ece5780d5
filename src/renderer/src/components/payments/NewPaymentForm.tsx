/**
 * The New payment form. Errors show next to each field as you type (the contract's zod
 * schema plus money.ts's exact amount rules) and when the core rejects a field.
 */
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { TEST_PAYMENT_METHODS, TEST_PAYMENT_METHOD_IDS } from '../../../../shared/test-methods';
import {
  checkPayment,
  hasErrors,
  type FieldErrors,
  type PaymentField,
  type PaymentFormValues,
} from '../../lib/validation';
import { processPayment } from '../../store/payments';
import { Field } from '../Field';
import { CurrencyInput } from '../CurrencyInput';

const EMPTY: PaymentFormValues = {
  amount: '',
  currency: 'USD',
  customerEmail: '',
  description: '',
  paymentMethod: 'none',
};
const FIELD_ORDER: PaymentField[] = [
  'amount',
  'currency',
  'customerEmail',
  'description',
  'paymentMethod',
];

export function NewPaymentForm() {
  const [values, setValues] = useState(EMPTY);
  const [touched, setTouched] = useState<Partial<Record<PaymentField, true>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors<PaymentField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const checked = useMemo(
    () =>
      checkPayment({
        ...values,
        paymentMethod: values.paymentMethod === 'none' ? '' : values.paymentMethod,
      }),
    [values],
  );

  const errorOf = (field: PaymentField): string | undefined =>
    serverErrors[field] ?? (touched[field] || submitted ? checked.errors[field] : undefined);
  const update = (field: PaymentField, value: string): void => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => ({ ...e, [field]: undefined }));
    setFormError(null);
  };
  const focusField = (field: PaymentField): void => {
    formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  };

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    const firstBad = FIELD_ORDER.find((f) => checked.errors[f]);
    if (hasErrors(checked.errors)) {
      if (firstBad) focusField(firstBad);
      return;
    }
    setBusy(true);
    const res = await processPayment(checked.input);
    setBusy(false);
    if (res.ok) {
      setValues((v) => ({ ...EMPTY, currency: v.currency, paymentMethod: v.paymentMethod }));
      setTouched({});
      setSubmitted(false);
      return;
    }
    const field = res.error.field as PaymentField | undefined;
    if (field && FIELD_ORDER.includes(field)) {
      setServerErrors({ [field]: res.error.message });
      focusField(field);
    } else {
      setFormError(res.error.message);
    }
  };

  return (
    <form
      ref={formRef}
      className="panel form"
      aria-labelledby="new-payment-title"
      onSubmit={(e) => void onSubmit(e)}
      noValidate
    >
      <h2 id="new-payment-title">New payment</h2>
      <div className="form-row">
        <Field label="Amount" error={errorOf('amount')} className="grow">
          {(p) => (
            <input
              {...p}
              name="amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder="99.99"
              value={values.amount}
              onChange={(e) => update('amount', e.target.value)}
            />
          )}
        </Field>
        <Field label="Currency" error={errorOf('currency')} className="narrow">
          {(p) => (
            <CurrencyInput
              {...p}
              name="currency"
              value={values.currency}
              onChange={(v) => update('currency', v)}
            />
          )}
        </Field>
      </div>
      <Field label="Customer email" error={errorOf('customerEmail')}>
        {(p) => (
          <input
            {...p}
            name="customerEmail"
            type="email"
            autoComplete="off"
            spellCheck={false}
            placeholder="ann@example.com"
            value={values.customerEmail}
            onChange={(e) => update('customerEmail', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" error={errorOf('description')} hint="Optional">
        {(p) => (
          <input
            {...p}
            name="description"
            autoComplete="off"
            value={values.description}
            onChange={(e) => update('description', e.target.value)}
          />
        )}
      </Field>
      <Field label="Payment method" error={errorOf('paymentMethod')}>
        {(p) => (
          <select
            {...p}
            name="paymentMethod"
            value={values.paymentMethod}
            onChange={(e) => update('paymentMethod', e.target.value)}
          >
            <option value="none">none (the gateway decides)</option>
            {TEST_PAYMENT_METHOD_IDS.map((id) => (
              <option key={id} value={id}>
                {TEST_PAYMENT_METHODS[id].label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={busy} aria-busy={busy}>
        Process payment
      </button>
      {busy && (
        <p className="muted" role="status">
          Waiting for the gateway…
        </p>
      )}
    </form>
  );
}
