/**
 * Stripe-style test payment methods that force an outcome of the mock gateway. Shared so
 * that the New payment form can offer them and the gateway can honour them.
 */
export const TEST_PAYMENT_METHODS = {
  pm_card_visa: { label: 'Visa (succeeds)', outcome: 'succeeded' },
  pm_card_chargeDeclined: { label: 'Declined: card_declined', outcome: 'card_declined' },
  pm_card_chargeDeclinedInsufficientFunds: {
    label: 'Declined: insufficient_funds',
    outcome: 'insufficient_funds',
  },
  pm_card_chargeDeclinedExpiredCard: { label: 'Declined: expired_card', outcome: 'expired_card' },
  pm_card_chargeDeclinedProcessingError: {
    label: 'Declined: processing_error',
    outcome: 'processing_error',
  },
  /** Charges, then times out before answering: the caller cannot know the outcome. */
  pm_card_timeoutAfterCharge: { label: 'Times out after charging', outcome: 'timeout' },
} as const;
export type TestPaymentMethod = keyof typeof TEST_PAYMENT_METHODS;
export const TEST_PAYMENT_METHOD_IDS = Object.keys(TEST_PAYMENT_METHODS) as TestPaymentMethod[];

export function isTestPaymentMethod(method: string): method is TestPaymentMethod {
  return Object.hasOwn(TEST_PAYMENT_METHODS, method);
}
