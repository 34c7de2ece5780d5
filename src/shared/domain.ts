/**
 * The domain's records as zod schemas: the one declaration that the store validates on
 * disk, the contract returns, and every TypeScript type is inferred from.
 * Amounts are integers in minor units; instants are ISO-8601 UTC strings.
 */
import { z } from 'zod';
import { ERROR_CODES } from './result';

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
  /** The gateway did not answer in time: the outcome that follows was learnt by a look-up. */
  z.object({ type: z.literal('timed_out'), at: isoInstant }),
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
  /**
   * Set when a run found more periods to catch up than it charges by itself (the app was
   * closed, the clock jumped): none of them is charged until the operator charges or skips
   * them. Periods `fromPeriod` to `toPeriod`, both included, were due at `markedAt`.
   */
  review: z
    .object({
      fromPeriod: z.number().int().nonnegative(),
      toPeriod: z.number().int().nonnegative(),
      markedAt: isoInstant,
    })
    .nullable(),
  /**
   * Periods whose charge failed and that billing left behind when it restarted (a past-due
   * subscription paused and resumed, or cancelled and restored): never collected by the
   * timer, kept until the operator retries ("Retry now") or forgives them.
   */
  unpaidPeriods: z.array(z.number().int().nonnegative()),
});
export type Subscription = z.infer<typeof subscription>;
export type MissedPeriods = NonNullable<Subscription['review']>;

export const ORIGINS = ['operator', 'api', 'scheduler', 'system'] as const;
export const origin = z.enum(ORIGINS);
export type Origin = z.infer<typeof origin>;

/**
 * What an operator account may do: a viewer reads, an operator also moves money (every
 * changing operation but the admin's), an admin also manages operators and settings
 * (shared/roles.ts has the rule).
 */
export const OPERATOR_ROLES = ['viewer', 'operator', 'admin'] as const;
export const operatorRole = z.enum(OPERATOR_ROLES);
export type OperatorRole = z.infer<typeof operatorRole>;

/**
 * Who did something: an operator account, by id and by its name at the time. Null where no
 * accounts are in use (the single desk: the desktop app, the server's one API token) and for
 * Paydesk itself (the scheduler, start-up reconciliation).
 */
export const operatorRef = z.object({ id: z.string(), name: z.string() });
export type OperatorRef = z.infer<typeof operatorRef>;

/**
 * An operator account, kept in the settings. Its token is never stored: only its SHA-256
 * (hex), compared in constant time. A revoked account is kept (the audit log names it).
 */
export const operatorAccount = z.object({
  id: z.string(),
  name: z.string().min(1).max(100),
  role: operatorRole,
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: isoInstant,
  revokedAt: isoInstant.nullable(),
});
export type OperatorAccount = z.infer<typeof operatorAccount>;

export const COMMAND_KINDS = [
  'ProcessPayment',
  'RefundPayment',
  'CreateSubscription',
  'PauseSubscription',
  'ResumeSubscription',
  'CancelSubscription',
  'RunRecurring',
  'ChargeMissedPeriods',
  'SkipMissedPeriods',
  'RetryFailedPeriod',
  'ForgiveFailedPeriod',
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
  /** Who ran it (or undid it, for a redo entry); null for the single desk and Paydesk itself. */
  operator: operatorRef.nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

export const AUDIT_ACTIONS = ['execute', 'undo', 'redo', 'reconcile'] as const;
export const AUDIT_OUTCOMES = ['ok', 'declined', 'error'] as const;

/**
 * Money one audited action moved in one currency: charges it made and refunds it made (a
 * declined charge moves nothing). Minor units, never netted: a refund is money going back.
 */
export const movedMoney = z.object({
  currency: currencyCode,
  charged: minorUnits,
  refunded: minorUnits,
});
export type MovedMoney = z.infer<typeof movedMoney>;

export const auditEntry = z.object({
  id: z.string(),
  at: isoInstant,
  origin,
  action: z.enum(AUDIT_ACTIONS),
  kind: z.string(),
  label: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  message: z.string().nullable(),
  /**
   * The money moved, per currency, sorted by currency; empty when none moved. Absent in
   * entries written before Paydesk recorded it (they say nothing about money).
   */
  moved: z.array(movedMoney).optional(),
  /** Who asked; null for the single desk and Paydesk itself (and entries written before). */
  operator: operatorRef.nullable(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

/**
 * An operation's answer as it is stored for replays: its Result, the data in the compact form
 * the core keeps for it (a recurring run's payments by id, history answers as nothing: the
 * history is read again when replayed).
 */
export const storedAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      field: z.string().optional(),
    }),
  }),
]);
export type StoredAnswer = z.infer<typeof storedAnswer>;

/**
 * One request that changes something, under its idempotency key (the caller's, or one made
 * for it). It is written with the first durable record of its work (unfinished: `answer`
 * null), and finished with its answer in the commit that ends the work; a repeat of the key
 * gets that answer. Start-up finishes what a crash left unfinished. Kept at least 24 hours.
 */
export const idempotencyRecord = z.object({
  key: z.string(),
  /** SHA-256 of the operation and its parsed input: the key with other input is a conflict. */
  fingerprint: z.string(),
  operation: z.string(),
  origin,
  /** Whether the caller chose the key (and may send it again); else Paydesk made it. */
  clientKey: z.boolean(),
  /** The history entries an undo or redo works on, in the order it takes them. */
  targets: z.array(z.string()),
  createdAt: isoInstant,
  finishedAt: isoInstant.nullable(),
  /** Null while the request is unfinished. */
  answer: storedAnswer.nullable(),
  /** Who asked (what recovery after a crash records its entries under). */
  operator: operatorRef.nullable(),
});
export type IdempotencyRecord = z.infer<typeof idempotencyRecord>;

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export const refundStatus = z.enum(REFUND_STATUSES);
export type RefundStatus = z.infer<typeof refundStatus>;

/**
 * A refund, as its own record: stored PENDING with the key of the request that asked for it
 * before the gateway is called (rule 3), then SUCCEEDED (the payment's refundedAmount and
 * events follow in the same commit) or FAILED. Statuses only move forward.
 */
export const refund = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: minorUnits,
  currency: currencyCode,
  status: refundStatus,
  /** The gateway's idempotency key, derived from the request key. */
  idempotencyKey: z.string(),
  /** The request that asked for it; null for a refund found at the gateway by reconciliation. */
  requestKey: z.string().nullable(),
  /** The history entry whose undo made this refund; null for an explicit refund. */
  undoOf: z.string().nullable(),
  /** The gateway's id of the refund, once made. */
  gatewayRefundId: z.string().nullable(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
});
export type Refund = z.infer<typeof refund>;

/** Who issues the receipts: printed on them. Empty text means not given. */
export const businessDetails = z.object({
  name: z.string().max(200),
  address: z.string().max(1000),
  taxId: z.string().max(100),
});
export type BusinessDetails = z.infer<typeof businessDetails>;
export const EMPTY_BUSINESS: BusinessDetails = { name: '', address: '', taxId: '' };

/** Whether a path is absolute on any platform Paydesk runs on (/..., C:\..., \\server\...). */
export const isAbsolutePath = (path: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path);

/** Where backups go and how many the daily backup keeps. */
export const backupSettings = z.object({
  /** An absolute path; null: the `backups` folder in the data directory. */
  folder: z.string().min(1).max(1000).refine(isAbsolutePath).nullable(),
  /** Daily backups kept, the newest (those made by hand are never removed). */
  keep: z.number().int().min(1).max(365),
  /** Back up once a day (where the app does: the desktop app, `serve --daily-backups`). */
  daily: z.boolean(),
});
export type BackupSettings = z.infer<typeof backupSettings>;
export const DEFAULT_BACKUP: BackupSettings = { folder: null, keep: 7, daily: true };

export const settings = z.object({
  schedulerIntervalSeconds: z.number().int().min(1).max(86_400),
  schedulerEnabled: z.boolean(),
  /** Absent in stores written before it existed: read it as `settings.business ?? EMPTY_BUSINESS`. */
  business: businessDetails.optional(),
  /** Absent until first changed: read it as `settings.backup ?? DEFAULT_BACKUP`. */
  backup: backupSettings.optional(),
  /** The operator accounts (none: the single desk). Never answered by settings.get. */
  operators: z.array(operatorAccount),
});
export type Settings = z.infer<typeof settings>;
/** The settings as settings.get answers them: without the operator accounts. */
export type SettingsView = Omit<Settings, 'operators'>;
export const DEFAULT_SETTINGS: Settings = {
  schedulerIntervalSeconds: 60,
  schedulerEnabled: true,
  operators: [],
};
