/**
 * The fields a payment and a subscription both ask for: the amount with its currency (one
 * row), and the customer's e-mail. Each form keeps its own values and validation
 * (lib/use-validated-form.ts) and hands them in.
 */
import { CurrencyInput } from './CurrencyInput';
import { Field } from './Field';

type ChargeField = 'amount' | 'currency' | 'customerEmail';

interface ChargeFieldsProps {
  values: Readonly<Record<ChargeField, string>>;
  errorOf: (field: ChargeField) => string | undefined;
  update: (field: ChargeField, value: string) => void;
}

export function AmountCurrencyRow({
  values,
  errorOf,
  update,
  placeholder,
}: ChargeFieldsProps & { placeholder: string }) {
  return (
    <div className="form-row">
      <Field label="Amount" error={errorOf('amount')} className="grow">
        {(p) => (
          <input
            {...p}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            placeholder={placeholder}
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
  );
}

export function CustomerEmailField({ values, errorOf, update }: ChargeFieldsProps) {
  return (
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
  );
}
