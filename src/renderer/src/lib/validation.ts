/**
 * The forms' validation, as pure functions: a form's text values become the operation's
 * input, checked with the operation's own zod schema from the contract plus the exact money
 * rules of money.ts. Errors are keyed by the contract's (camelCase) field names.
 */
import type { z } from 'zod';
import { operations, type OperationInput } from '../../../shared/contract';
import type { Interval } from '../../../shared/domain';
import { assertCurrency, parseAmount } from '../../../shared/money';
import { intervalCountError } from '../../../shared/periods';
import { DomainError } from '../../../shared/result';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface Checked<I, F extends string> {
  input: I;
  errors: FieldErrors<F>;
}

function schemaErrors(schema: z.ZodType, input: unknown): Record<string, string> {
  const parsed = schema.safeParse(input);
  const errors: Record<string, string> = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (field && errors[field] === undefined) errors[field] = issue.message;
  }
  return errors;
}

function domainMessage(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err.message;
    throw err;
  }
}

/** Money fields shared by both forms: the currency first, then the amount in that currency. */
function moneyErrors(amount: string, currency: string): { amount?: string; currency?: string } {
  const errors: { amount?: string; currency?: string } = {};
  if (!/^[A-Z]{3}$/.test(currency)) {
    errors.currency = 'Use a three-letter ISO-4217 code like USD';
    return errors;
  }
  const currencyError = domainMessage(() => assertCurrency(currency));
  if (currencyError) errors.currency = currencyError;
  else {
    const amountError = domainMessage(() => parseAmount(amount, currency));
    if (amountError) errors.amount = amountError;
  }
  return errors;
}

export interface PaymentFormValues {
  amount: string;
  currency: string;
  customerEmail: string;
  description: string;
  /** A test payment method id, or '' for none. */
  paymentMethod: string;
}
export type PaymentField = keyof PaymentFormValues;
export type ProcessInput = OperationInput<'payments.process'>;

export function checkPayment(form: PaymentFormValues): Checked<ProcessInput, PaymentField> {
  const input: ProcessInput = {
    amount: form.amount.trim(),
    currency: form.currency.trim().toUpperCase(),
    customerEmail: form.customerEmail.trim(),
  };
  const description = form.description.trim();
  if (description) input.description = description;
  if (form.paymentMethod) input.paymentMethod = form.paymentMethod;
  const errors: FieldErrors<PaymentField> = {
    ...schemaErrors(operations['payments.process'].input, input),
    ...moneyErrors(input.amount, input.currency),
  };
  return { input, errors };
}

export interface SubscriptionFormValues {
  customerEmail: string;
  amount: string;
  currency: string;
  interval: Interval;
  intervalCount: string;
  /** yyyy-mm-dd from a date input (a UTC date), or '' to start now. */
  startDate: string;
}
export type SubscriptionField = keyof SubscriptionFormValues;
export type CreateSubscriptionInput = OperationInput<'subscriptions.create'>;

export function checkSubscription(
  form: SubscriptionFormValues,
): Checked<CreateSubscriptionInput, SubscriptionField> {
  const countText = form.intervalCount.trim();
  const input: CreateSubscriptionInput = {
    customerEmail: form.customerEmail.trim(),
    amount: form.amount.trim(),
    currency: form.currency.trim().toUpperCase(),
    interval: form.interval,
    intervalCount: /^\d+$/.test(countText) ? Number(countText) : Number.NaN,
  };
  const errors: FieldErrors<SubscriptionField> = {};
  if (form.startDate) {
    const iso = `${form.startDate}T00:00:00.000Z`;
    if (Number.isNaN(new Date(iso).getTime())) errors.startDate = 'Pick a date';
    else input.startDate = iso;
  }
  Object.assign(
    errors,
    schemaErrors(operations['subscriptions.create'].input, input),
    moneyErrors(input.amount, input.currency),
  );
  if (!Number.isInteger(input.intervalCount) || (input.intervalCount ?? 0) < 1) {
    errors.intervalCount = 'Use a whole number of 1 or more';
  } else {
    const tooLong = intervalCountError(input.interval, input.intervalCount ?? 1);
    if (tooLong) errors.intervalCount = tooLong;
  }
  return { input, errors };
}

export function hasErrors(errors: FieldErrors<string>): boolean {
  return Object.values(errors).some(Boolean);
}
