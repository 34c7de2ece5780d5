/**
 * Filters of the payments table: status, customer (any part of the e-mail), currency, amount
 * range and date range. Typed text is applied after a pause, and only once it is valid (an
 * amount that is not one says so next to its field); a date range includes both days.
 */
import { useEffect, useState } from 'react';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../../../shared/domain';
import { statusText } from '../../lib/format';
import {
  setFilters,
  showPayments,
  usePayments,
  type PaymentFilters as Filters,
} from '../../store/payments';
import { CurrencyInput } from '../CurrencyInput';
import { Field } from '../Field';

const TYPING_PAUSE_MS = 300;
const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;

/** The fields typed as text: applied after a pause, when valid. */
type Typed = Pick<Filters, 'customer' | 'currency' | 'minAmount' | 'maxAmount'>;
const TYPED: readonly (keyof Typed)[] = ['customer', 'currency', 'minAmount', 'maxAmount'];

function problems(typed: Typed): Partial<Record<keyof Typed, string>> {
  const out: Partial<Record<keyof Typed, string>> = {};
  for (const key of ['minAmount', 'maxAmount'] as const) {
    const v = typed[key].trim();
    if (v !== '' && !AMOUNT.test(v)) out[key] = 'Use an amount like 10 or 99.99';
  }
  const min = Number(typed.minAmount);
  const max = Number(typed.maxAmount);
  if (!out.minAmount && !out.maxAmount && typed.minAmount && typed.maxAmount && min > max) {
    out.maxAmount = 'Must not be below the minimum';
  }
  if (typed.currency !== '' && !/^[A-Z]{3}$/.test(typed.currency)) {
    out.currency = 'Use a three-letter code like USD';
  }
  return out;
}

export function PaymentFilters() {
  const filters = usePayments((s) => s.filters);
  const total = usePayments((s) => s.total);
  const [typed, setTyped] = useState<Typed>(() => {
    const f = usePayments.getState().filters;
    return {
      customer: f.customer,
      currency: f.currency,
      minAmount: f.minAmount,
      maxAmount: f.maxAmount,
    };
  });
  const errors = problems(typed);
  const invalid = Object.keys(errors).length > 0;

  // Filters replaced elsewhere (the Search dialog's "Show all") show in the fields.
  const replaced = usePayments((s) => s.filtersReplaced);
  useEffect(() => {
    if (replaced === 0) return;
    const f = usePayments.getState().filters;
    setTyped({
      customer: f.customer,
      currency: f.currency,
      minAmount: f.minAmount,
      maxAmount: f.maxAmount,
    });
  }, [replaced]);

  useEffect(() => {
    const current = usePayments.getState().filters;
    const change: Partial<Typed> = {};
    for (const key of TYPED) {
      const v = typed[key].trim();
      if (v !== current[key]) change[key] = v;
    }
    if (invalid || Object.keys(change).length === 0) return;
    const timer = setTimeout(() => setFilters(change), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed, invalid]);

  const type = (key: keyof Typed) => (value: string) => setTyped((t) => ({ ...t, [key]: value }));
  const any =
    filters.status !== '' ||
    filters.from !== '' ||
    filters.to !== '' ||
    TYPED.some((key) => typed[key] !== '');

  return (
    <div className="filters" role="search" aria-label="Filter payments">
      <div className="field field-inline">
        <label htmlFor="payments-status">Status</label>
        <select
          id="payments-status"
          value={filters.status}
          onChange={(e) => setFilters({ status: e.target.value as PaymentStatus | '' })}
        >
          <option value="">All statuses</option>
          {PAYMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusText(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-inline">
        <label htmlFor="payments-customer">Customer</label>
        <input
          id="payments-customer"
          type="search"
          value={typed.customer}
          placeholder="Any part of the e-mail"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => type('customer')(e.target.value)}
        />
      </div>
      <Field label="Currency" error={errors.currency} className="field-inline field-narrow">
        {(control) => (
          <CurrencyInput
            {...control}
            name="currency"
            value={typed.currency}
            onChange={type('currency')}
          />
        )}
      </Field>
      <Field label="Amount from" error={errors.minAmount} className="field-inline field-narrow">
        {(control) => (
          <input
            {...control}
            inputMode="decimal"
            autoComplete="off"
            value={typed.minAmount}
            onChange={(e) => type('minAmount')(e.target.value)}
          />
        )}
      </Field>
      <Field label="Amount to" error={errors.maxAmount} className="field-inline field-narrow">
        {(control) => (
          <input
            {...control}
            inputMode="decimal"
            autoComplete="off"
            value={typed.maxAmount}
            onChange={(e) => type('maxAmount')(e.target.value)}
          />
        )}
      </Field>
      <div className="field field-inline">
        <label htmlFor="payments-from">From</label>
        <input
          id="payments-from"
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onChange={(e) => setFilters({ from: e.target.value })}
        />
      </div>
      <div className="field field-inline">
        <label htmlFor="payments-to">To</label>
        <input
          id="payments-to"
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onChange={(e) => setFilters({ to: e.target.value })}
        />
      </div>
      {any && (
        <button
          type="button"
          className="button-quiet"
          onClick={() => {
            const { sort, order } = usePayments.getState().filters;
            showPayments({ sort, order });
          }}
        >
          Clear filters
        </button>
      )}
      <p className="filters-count" aria-live="polite">
        {total === null ? '' : `${total.toLocaleString()} payment${total === 1 ? '' : 's'}`}
      </p>
    </div>
  );
}
