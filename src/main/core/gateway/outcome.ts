/**
 * The mock gateway's decisions as pure functions of (seed, idempotency key): whether an
 * ordinary charge succeeds, which decline it gets, and the ids it hands out. The same seed
 * gives the same outcomes whatever order the calls come in. Test payment methods
 * (src/shared/test-methods.ts) force an outcome.
 */
import { hash } from 'node:crypto';
import { DECLINE_CODES } from '../../../shared/domain';
import { TEST_PAYMENT_METHODS, isTestPaymentMethod } from '../../../shared/test-methods';
import type { ChargeResult } from '../ports';

export type DeclineCode = (typeof DECLINE_CODES)[number];

/** Stripe's wording for each decline. */
export const DECLINE_MESSAGES: Readonly<Record<DeclineCode, string>> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
};

/**
 * What the provider does with a new charge: record `result`; when `timesOut`, the charge is
 * recorded all the same but the caller gets a time-out instead of the answer.
 */
export interface ChargeDecision {
  result: ChargeResult;
  timesOut: boolean;
}

/** A charge's decision is refused outright: the payment method names no method we know. */
export class UnknownPaymentMethodError extends Error {
  constructor(readonly paymentMethod: string) {
    super(`No such payment method: "${paymentMethod}"`);
    this.name = 'UnknownPaymentMethodError';
  }
}

/** SHA-256, in hex, of the parts (JSON keeps them apart: no key can pass for another pair). */
function digest(parts: readonly (string | number)[]): string {
  // crypto.hash (Node >= 20.12) is the one-shot createHash(...).update(...).digest(); hex
  // text costs half what a Buffer does here, and reads the same bytes.
  return hash('sha256', JSON.stringify(parts));
}

/**
 * Everything a charge's fate is drawn from, one hash per charge: bytes 0-3 decide success,
 * 4-7 the decline code, 8-19 the transaction id (hex digits 0-7, 8-15 and 16-39).
 */
function chargeDigest(seed: number, idempotencyKey: string): string {
  return digest(['charge', seed, idempotencyKey]);
}

/** Bytes `from` to `from + 3` of a hex digest, as an unsigned big-endian integer. */
const uint32At = (hex: string, from: number): number =>
  parseInt(hex.slice(2 * from, 2 * from + 8), 16);

function transactionIdOf(hex: string): string {
  return `txn_${hex.slice(16, 40)}`;
}

/** The transaction id of the charge made with `idempotencyKey`: `txn_` and 24 hex digits. */
export function transactionIdFor(seed: number, idempotencyKey: string): string {
  return transactionIdOf(chargeDigest(seed, idempotencyKey));
}

/** The id of the refund made with `idempotencyKey`: `re_` and 24 hex digits. */
export function refundIdFor(seed: number, idempotencyKey: string): string {
  return `re_${digest(['re', seed, idempotencyKey]).slice(0, 24)}`;
}

function declined(code: DeclineCode): ChargeResult {
  return { status: 'failed', code, message: DECLINE_MESSAGES[code] };
}

/** The ordinary outcome of a charge: success with probability `successRate`, else a decline. */
export function seededOutcome(
  seed: number,
  idempotencyKey: string,
  successRate: number,
): ChargeResult {
  const hex = chargeDigest(seed, idempotencyKey);
  if (uint32At(hex, 0) / 2 ** 32 < successRate) {
    return { status: 'succeeded', transactionId: transactionIdOf(hex) };
  }
  const code = DECLINE_CODES[uint32At(hex, 4) % DECLINE_CODES.length] ?? 'card_declined';
  return declined(code);
}

/**
 * Decide a new charge. A test payment method forces its outcome; any other method starting
 * with `pm_` is unknown (throws UnknownPaymentMethodError); everything else, including no
 * method at all, gets the seeded outcome.
 */
export function decideCharge(
  seed: number,
  idempotencyKey: string,
  paymentMethod: string | null,
  successRate: number,
): ChargeDecision {
  if (paymentMethod === null || !paymentMethod.startsWith('pm_')) {
    return { result: seededOutcome(seed, idempotencyKey, successRate), timesOut: false };
  }
  if (!isTestPaymentMethod(paymentMethod)) throw new UnknownPaymentMethodError(paymentMethod);
  const forced = TEST_PAYMENT_METHODS[paymentMethod].outcome;
  if (forced === 'succeeded' || forced === 'timeout') {
    return {
      result: { status: 'succeeded', transactionId: transactionIdFor(seed, idempotencyKey) },
      timesOut: forced === 'timeout',
    };
  }
  return { result: declined(forced), timesOut: false };
}
