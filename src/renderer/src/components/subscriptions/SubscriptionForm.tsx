/** The New subscription form, validated as you type like the New payment form. */
import { useEffect } from 'react';
import { INTERVALS, type Interval } from '../../../../shared/domain';
import { firstCharge, MAX_INTERVAL_COUNT } from '../../../../shared/periods';
import { statusText, utcDay } from '../../lib/format';
import { useCustomerPrefill } from '../../lib/use-prefill';
import { useValidatedForm } from '../../lib/use-validated-form';
import {
  checkSubscription,
  type SubscriptionField,
  type SubscriptionFormValues,
} from '../../lib/validation';
import { coreNow, loadClock, useScheduler } from '../../store/scheduler';
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

/**
 * What the start date means, in the app's way of writing dates: when it starts, and for a
 * date in the past, that it only sets the billing anchor and which charge comes first.
 */
function startDateNotes(values: SubscriptionFormValues, now: Date) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.startDate)) {
    return { hint: 'Optional, a UTC date; empty starts now.', warning: null };
  }
  const anchor = new Date(`${values.startDate}T00:00:00.000Z`);
  if (Number.isNaN(anchor.getTime())) return { hint: 'Pick a date.', warning: null };
  const hint = `Starts ${utcDay(anchor)} (UTC).`;
  const count = Number(values.intervalCount);
  if (anchor.getTime() >= now.getTime() || !(Number.isInteger(count) && count >= 1)) {
    return { hint, warning: null };
  }
  const first = firstCharge(anchor, values.interval, count, now);
  return {
    hint,
    warning:
      `${utcDay(anchor)} is in the past: it sets the billing day only, and no period that ` +
      `began before today is charged. The first charge is on ${utcDay(first.date)}.`,
  };
}

export function SubscriptionForm() {
  const { values, busy, formError, formRef, errorOf, update, fill, onSubmit } = useValidatedForm({
    empty: EMPTY,
    fields: FIELD_ORDER,
    check: checkSubscription,
    submit: createSubscription,
    keep: ['currency', 'interval'],
  });
  useCustomerPrefill('subscription', fill, formRef, 'amount');
  const clock = useScheduler((s) => s.clock);
  // The core's clock says what is past (a test clock may be months ahead of this machine).
  useEffect(() => void (values.startDate ? loadClock() : undefined), [values.startDate]);
  const start = startDateNotes(values, coreNow(clock));

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
              max={MAX_INTERVAL_COUNT[values.interval]}
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
        hint={start.hint}
        warning={start.warning}
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
