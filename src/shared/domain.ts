/**
 * The domain's records as zod schemas: the one declaration that the store validates on
 * disk, the contract returns, and every TypeScript type is inferred from.
 * Amounts are integers in minor units; instants are ISO-8601 UTC strings.
 */
import { z } from 'zod';

export const isoInstant = z.iso.datetime({ offset: false });
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'Use a three-letter ISO-4217 code');
export const minorUnits = z.number().int().nonnegative();

export const PAYMENT_STATUSES = [
  'PENDING',
  'COMPLETED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;
export const paymentStatus = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatus>;

export const DECLINE_CODES = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'processing_error',
] as const;

export const paymentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created'), at: isoInstant }),
  z.object({ type: z.literal('charge_attempted'), at: isoInstant }),
  z.object({ type: z.literal('succeeded'), at: isoInstant, transactionId: z.string() }),
  z.object({ type: z.literal('failed'), at: isoInstant, code: z.string(), message: z.string() }),
  z.object({
    type: z.literal('refunded'),
    at: isoInstant,
    amount: minorUnits,
    refundId: z.string(),
  }),
  z.object({
    type: z.literal('reconciled'),
    at: isoInstant,
    outcome: z.enum(['COMPLETED', 'FAILED']),
  }),
]);
export type PaymentEvent = z.infer<typeof paymentEvent>;

export const payment = z.object({
  id: z.string(),
  amount: minorUnits,
  currency: currencyCode,
  customerEmail: z.string(),
  description: z.string().nullable(),
  paymentMethod: z.string().nullable(),
  status: paymentStatus,
  transactionId: z.string().nullable(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  refundedAmount: minorUnits,
  idempotencyKey: z.string(),
  subscriptionId: z.string().nullable(),
  /** Index of the subscription period this charge is for (0 = the first period). */
  period: z.number().int().nonnegative().nullable(),
  /** The payment this one charges again (a redo), if any. */
  redoOf: z.string().nullable(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  events: z.array(paymentEvent),
});
export type Payment = z.infer<typeof payment>;

export const INTERVALS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export const interval = z.enum(INTERVALS);
export type Interval = z.infer<typeof interval>;

export const SUBSCRIPTION_STATUSES = ['ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED'] as const;
export const subscriptionStatus = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof subscriptionStatus>;

export const subscription = z.object({
  id: z.string(),
  customerEmail: z.string(),
  amount: minorUnits,
  currency: currencyCode,
  interval,
  intervalCount: z.number().int().positive(),
  status: subscriptionStatus,
  /** The instant every period's date derives from (period k = anchor + k intervals). */
  billingAnchor: isoInstant,
  /** The next period to charge. */
  nextPeriod: z.number().int().nonnegative(),
  /** When the next charge is due: the next period's date, or the retry time when past due. */
  nextPaymentDate: isoInstant.nullable(),
  /** Failed attempts on the next period so far (reset when it is paid). */
  failedAttempts: z.number().int().nonnegative(),
  retryAt: isoInstant.nullable(),
  pausedAt: isoInstant.nullable(),
  pauseReason: z.string().nullable(),
  /** Periods whose charge was refunded by an undo: the timer never charges them again. */
  waivedPeriods: z.array(z.number().int().nonnegative()),
  createdAt: isoInstant,
  updatedAt: isoInstant,
});
export type Subscription = z.infer<typeof subscription>;

export const ORIGINS = ['operator', 'api', 'scheduler', 'system'] as const;
export const origin = z.enum(ORIGINS);
export type Origin = z.infer<typeof origin>;

export const COMMAND_KINDS = [
  'ProcessPayment',
  'RefundPayment',
  'CreateSubscription',
  'PauseSubscription',
  'ResumeSubscription',
  'CancelSubscription',
  'RunRecurring',
] as const;
export const commandKind = z.enum(COMMAND_KINDS);
export type CommandKind = z.infer<typeof commandKind>;

/** One entry of the undo or redo stack: a command as it was run, and what its undo needs. */
export const historyEntry = z.object({
  id: z.string(),
  kind: commandKind,
  label: z.string(),
  /** The command's parameters, as validated by its declaration's schema. */
  params: z.unknown(),
  /** What the last execution did, which its undo compensates (ids of payments, prior states). */
  memo: z.unknown(),
  origin,
  createdAt: isoInstant,
  /** An irreversible entry (an explicit refund): undo and redo never cross it. */
  barrier: z.boolean(),
  /** Whether money moves when this entry is undone or redone (the UI confirms first). */
  movesMoney: z.boolean(),
  /** How its last execution went, for people ("Completed", "3 charged, 1 failed"). */
  outcome: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

export const AUDIT_ACTIONS = ['execute', 'undo', 'redo', 'reconcile'] as const;
export const auditEntry = z.object({
  id: z.string(),
  at: isoInstant,
  origin,
  action: z.enum(AUDIT_ACTIONS),
  kind: z.string(),
  label: z.string(),
  outcome: z.enum(['ok', 'declined', 'error']),
  message: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

/** A stored response to an HTTP request with an Idempotency-Key (kept at least 24 h). */
export const idempotencyRecord = z.object({
  key: z.string(),
  fingerprint: z.string(),
  status: z.number().int(),
  body: z.string(),
  createdAt: isoInstant,
});
export type IdempotencyRecord = z.infer<typeof idempotencyRecord>;

export const settings = z.object({
  schedulerIntervalSeconds: z.number().int().min(1).max(86_400),
  schedulerEnabled: z.boolean(),
});
export type Settings = z.infer<typeof settings>;
export const DEFAULT_SETTINGS: Settings = { schedulerIntervalSeconds: 60, schedulerEnabled: true };
