/** The New subscription form, validated as you type like the New payment form. */
import { INTERVALS, type Interval } from '../../../../shared/domain';
import { statusText } from '../../lib/format';
import { useValidatedForm } from '../../lib/use-validated-form';
import {
  checkSubscription,
  type SubscriptionField,
  type SubscriptionFormValues,
} from '../../lib/validation';
import { createSubscription } from '../../store/subscriptions';
import { AmountCurrencyRow, CustomerEmailField } from '../ChargeFields';
import { Field } from '../Field';

const EMPTY: SubscriptionFormValues = {
  customerEmail: '',
  amount: '',
  currency: 'USD',
  interval: 'MONTHLY',
  intervalCount: '1',
  startDate: '',
};
const FIELD_ORDER: SubscriptionField[] = [
  'customerEmail',
  'amount',
  'currency',
  'interval',
  'intervalCount',
  'startDate',
];

export function SubscriptionForm() {
  const { values, busy, formError, formRef, errorOf, update, onSubmit } = useValidatedForm({
    empty: EMPTY,
    fields: FIELD_ORDER,
    check: checkSubscription,
    submit: createSubscription,
    keep: ['currency', 'interval'],
  });

  return (
    <form
      ref={formRef}
      className="panel form"
      aria-labelledby="new-subscription-title"
      onSubmit={(e) => void onSubmit(e)}
      noValidate
    >
      <h2 id="new-subscription-title">New subscription</h2>
      <CustomerEmailField values={values} errorOf={errorOf} update={update} />
      <AmountCurrencyRow values={values} errorOf={errorOf} update={update} placeholder="19.99" />
      <div className="form-row">
        <Field label="Interval" error={errorOf('interval')} className="grow">
          {(p) => (
            <select
              {...p}
              name="interval"
              value={values.interval}
              onChange={(e) => update('interval', e.target.value as Interval)}
            >
              {INTERVALS.map((i) => (
                <option key={i} value={i}>
                  {statusText(i)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Interval count" error={errorOf('intervalCount')} className="narrow">
          {(p) => (
            <input
              {...p}
              name="intervalCount"
              type="number"
              min={1}
              step={1}
              value={values.intervalCount}
              onChange={(e) => update('intervalCount', e.target.value)}
            />
          )}
        </Field>
      </div>
      <Field
        label="Start date"
        error={errorOf('startDate')}
        hint="Optional, a UTC date; empty starts now."
      >
        {(p) => (
          <input
            {...p}
            name="startDate"
            type="date"
            value={values.startDate}
            onChange={(e) => update('startDate', e.target.value)}
          />
        )}
      </Field>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={busy} aria-busy={busy}>
        Create subscription
      </button>
    </form>
  );
}
