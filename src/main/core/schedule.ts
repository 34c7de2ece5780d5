/**
 * The billing schedule as pure functions of UTC instants: the period dates themselves are
 * shared with the renderer (shared/periods.ts); here are the retries and the period charge
 * key.
 */
export {
  addMonthsClamped,
  firstPeriodAtOrAfter,
  MAX_INTERVAL_COUNT,
  periodDate,
} from '../../shared/periods';

const DAY_MS = 86_400_000;

/** Charges a failing period gets in all: the first try and three retries. */
export const MAX_CHARGE_ATTEMPTS = 4;

/**
 * When to retry after the `failedAttempts`-th failure (1-based): after 1, 3 and 5 days;
 * processing errors (a provider hiccup, not the card) after 1, 3 and 5 hours. Null after the
 * last attempt: the subscription is then paused.
 */
export function retryDelayMs(failedAttempts: number, failureCode: string): number | null {
  const steps = [1, 3, 5];
  const step = steps[failedAttempts - 1];
  if (step === undefined) return null;
  const unit = failureCode === 'processing_error' ? 3_600_000 : DAY_MS;
  return step * unit;
}

/** The idempotency key of one charge attempt of one period: rule 4 hangs on it. */
export function periodChargeKey(subscriptionId: string, period: number, attempt: number): string {
  return `sub_${subscriptionId}_p${period}_a${attempt}`;
}
