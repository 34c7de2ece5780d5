/**
 * The New payment form. Errors show next to each field as you type (the contract's zod
 * schema plus money.ts's exact amount rules) and when the core rejects a field.
 */
import { TEST_PAYMENT_METHODS, TEST_PAYMENT_METHOD_IDS } from '../../../../shared/test-methods';
import { useCustomerPrefill } from '../../lib/use-prefill';
import { useValidatedForm } from '../../lib/use-validated-form';
import { checkPayment, type PaymentField, type PaymentFormValues } from '../../lib/validation';
import { processPayment } from '../../store/payments';
import { AmountCurrencyRow, CustomerEmailField } from '../ChargeFields';
import { Field } from '../Field';

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

/** "none" in the select means no payment method. */
const checkForm = (values: PaymentFormValues) =>
  checkPayment({
    ...values,
    paymentMethod: values.paymentMethod === 'none' ? '' : values.paymentMethod,
  });

export function NewPaymentForm() {
  const { values, busy, formError, formRef, errorOf, update, fill, onSubmit } = useValidatedForm({
    empty: EMPTY,
    fields: FIELD_ORDER,
    check: checkForm,
    submit: processPayment,
    keep: ['currency', 'paymentMethod'],
  });
  useCustomerPrefill('payment', fill, formRef, 'amount');

  return (
    <form
      ref={formRef}
      className="panel form"
      aria-labelledby="new-payment-title"
      onSubmit={(e) => void onSubmit(e)}
      noValidate
    >
      <h2 id="new-payment-title">New payment</h2>
      <AmountCurrencyRow values={values} errorOf={errorOf} update={update} placeholder="99.99" />
      <CustomerEmailField values={values} errorOf={errorOf} update={update} />
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
