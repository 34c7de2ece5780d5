/**
 * The contract: every operation the UI, IPC and HTTP can ask of the core, each with its zod
 * input schema and its result type. Channel names are the keys of `operations`; the preload,
 * the IPC handlers, the browser transport and the service are all derived from this object.
 */
import { z } from 'zod';
import {
  INTERVALS,
  PAYMENT_STATUSES,
  SUBSCRIPTION_STATUSES,
  type AuditEntry,
  type HistoryEntry,
  type Payment,
  type Refund,
  type Settings,
  type Subscription,
} from './domain';
import type { Result } from './result';
import { TEST_PAYMENT_METHOD_IDS, isTestPaymentMethod } from './test-methods';

const id = z.string().trim().min(1, 'Required').max(100);
const email = z.email('Enter an email address like ann@example.com').max(254);
/** Amounts cross the boundary as decimal strings ("99.99"); the service parses them exactly. */
const decimalAmount = z.string().max(40);
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Use a three-letter ISO-4217 code like USD')
  .describe('ISO-4217 currency code');
const page = {
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
  order: z.enum(['asc', 'desc']).default('desc'),
};
const empty = z.object({}).strict();
/**
 * A payment method: a test method of the mock gateway (pm_card_visa...), or any other text
 * that does not look like one (the gateway then draws a seeded outcome). An unknown `pm_`
 * id is refused here, before anything is stored or sent to the gateway.
 */
const paymentMethod = z
  .string()
  .trim()
  .max(100)
  .refine((m) => !m.startsWith('pm_') || isTestPaymentMethod(m), {
    message: `No such payment method; the test methods are ${TEST_PAYMENT_METHOD_IDS.join(', ')}`,
  });
/** How many entries of each history stack to return (a year of use stacks tens of thousands). */
const historyLimit = z.number().int().min(1).max(1_000_000).optional();

/** Push events: what changed, so that views refetch (the UI never polls). */
export const CHANGE_TOPICS = [
  'payments',
  'subscriptions',
  'history',
  'scheduler',
  'clock',
] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/**
 * An operation that changes something declares what (`changes`, for push events). Those are
 * the operations a caller may name with an idempotency key: a retry with the same key gets
 * the first outcome instead of acting again. Queries declare nothing.
 */
const changing = <const T extends readonly ChangeTopic[]>(...topics: T) => topics;

export const operations = {
  'payments.process': {
    input: z
      .object({
        amount: decimalAmount,
        currency,
        customerEmail: email,
        description: z.string().max(500).optional(),
        paymentMethod: paymentMethod.optional(),
      })
      .strict(),
    output: {} as Payment,
    changes: changing('payments', 'history'),
  },
  'payments.refund': {
    input: z.object({ paymentId: id, amount: decimalAmount.optional() }).strict(),
    output: {} as Payment,
    changes: changing('payments', 'history'),
  },
  /** One payment with its refunds (every status: a PENDING one is being made). */
  'payments.get': { input: z.object({ id }).strict(), output: {} as PaymentDetail },
  'payments.list': {
    input: z
      .object({
        status: z.enum(PAYMENT_STATUSES).optional(),
        customerEmail: z.string().max(254).optional(),
        subscriptionId: id.optional(),
        ...page,
      })
      .strict(),
    output: {} as Page<Payment>,
  },
  'subscriptions.create': {
    input: z
      .object({
        customerEmail: email,
        amount: decimalAmount,
        currency,
        interval: z.enum(INTERVALS),
        intervalCount: z.number().int().min(1).default(1),
        startDate: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    output: {} as Subscription,
    changes: changing('subscriptions', 'history'),
  },
  'subscriptions.get': { input: z.object({ id }).strict(), output: {} as SubscriptionDetail },
  'subscriptions.list': {
    input: z
      .object({
        status: z.enum(SUBSCRIPTION_STATUSES).optional(),
        customerEmail: z.string().max(254).optional(),
        ...page,
      })
      .strict(),
    output: {} as Page<Subscription>,
  },
  'subscriptions.pause': {
    input: z.object({ id }).strict(),
    output: {} as Subscription,
    changes: changing('subscriptions', 'history'),
  },
  'subscriptions.resume': {
    input: z.object({ id }).strict(),
    output: {} as Subscription,
    changes: changing('subscriptions', 'history'),
  },
  'subscriptions.cancel': {
    input: z.object({ id }).strict(),
    output: {} as Subscription,
    changes: changing('subscriptions', 'history'),
  },
  /** Charge the missed periods of a subscription held for review, one charge each. */
  'subscriptions.chargeMissed': {
    input: z.object({ id }).strict(),
    output: {} as RecurringRunSummary,
    changes: changing('payments', 'subscriptions', 'history'),
  },
  /** Skip them: billing goes on from the first period at or after now. */
  'subscriptions.skipMissed': {
    input: z.object({ id }).strict(),
    output: {} as Subscription,
    changes: changing('subscriptions', 'history'),
  },
  'recurring.run': {
    input: empty,
    output: {} as RecurringRunSummary,
    changes: changing('payments', 'subscriptions', 'history', 'scheduler'),
  },
  /** The undo and redo stacks, newest first: at most `limit` entries of each (default all). */
  'history.get': { input: z.object({ limit: historyLimit }).strict(), output: {} as HistoryView },
  /** Undo the last command, or everything down to and including entry `toId`. */
  'history.undo': {
    input: z.object({ toId: id.optional(), limit: historyLimit }).strict(),
    output: {} as HistoryView,
    changes: changing('payments', 'subscriptions', 'history'),
  },
  'history.redo': {
    input: z.object({ toId: id.optional(), limit: historyLimit }).strict(),
    output: {} as HistoryView,
    changes: changing('payments', 'subscriptions', 'history'),
  },
  'audit.list': {
    input: z.object({ offset: page.offset, limit: page.limit }).strict(),
    output: {} as Page<AuditEntry>,
  },
  'scheduler.status': { input: empty, output: {} as SchedulerStatus },
  'scheduler.start': {
    input: empty,
    output: {} as SchedulerStatus,
    changes: changing('scheduler'),
  },
  'scheduler.stop': { input: empty, output: {} as SchedulerStatus, changes: changing('scheduler') },
  'scheduler.run': {
    input: empty,
    output: {} as RecurringRunSummary,
    changes: changing('payments', 'subscriptions', 'history', 'scheduler'),
  },
  'clock.get': { input: empty, output: {} as ClockView },
  'clock.advance': {
    input: z
      .object({
        seconds: z
          .number()
          .int()
          .positive()
          .max(20 * 366 * 86_400)
          .optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      })
      .strict()
      .refine((v) => (v.seconds === undefined) !== (v.to === undefined), {
        message: 'Give either seconds or to',
        path: ['seconds'],
      }),
    output: {} as ClockView,
    changes: changing('clock', 'scheduler'),
  },
  'settings.get': { input: empty, output: {} as Settings },
  'settings.set': {
    input: z
      .object({
        schedulerIntervalSeconds: z.number().int().min(1).max(86_400).optional(),
        schedulerEnabled: z.boolean().optional(),
      })
      .strict(),
    output: {} as Settings,
    changes: changing('scheduler'),
  },
  'dashboard.get': { input: empty, output: {} as Dashboard },
} as const satisfies Record<
  string,
  { input: z.ZodType; output: unknown; changes?: readonly ChangeTopic[] }
>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export const OPERATION_NAMES = Object.keys(operations) as OperationName[];
/** What a caller sends (defaults may be left out). */
export type OperationInput<K extends OperationName> = z.input<Operations[K]['input']>;
/** What the service receives after parsing (defaults filled in). */
export type ParsedInput<K extends OperationName> = z.output<Operations[K]['input']>;
export type OperationOutput<K extends OperationName> = Operations[K]['output'];

/** What each changing operation changes (for push events); undefined for a query. */
export function changesOf(name: OperationName): readonly ChangeTopic[] | undefined {
  const op = operations[name];
  return 'changes' in op ? op.changes : undefined;
}

/** Operations that change something: they take an idempotency key. */
export const CHANGING_OPERATIONS: readonly OperationName[] = OPERATION_NAMES.filter(
  (name) => changesOf(name) !== undefined,
);

/** An Idempotency-Key: 1 to 255 visible ASCII characters, as Stripe takes them. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'An idempotency key is 1 to 255 visible ASCII characters');

/**
 * How a caller names one intent: the same key sent again (a retry after a lost answer, a
 * second click) gets the first outcome instead of acting twice. Only changing operations
 * take one; a caller that sends none gets a key made for it.
 */
export interface CallOptions {
  idempotencyKey?: string;
}

/** The typed API every transport (IPC preload, HTTP client, tests) offers the renderer. */
export type PaydeskApi = {
  [K in OperationName]: (
    input: OperationInput<K>,
    options?: CallOptions,
  ) => Promise<Result<OperationOutput<K>>>;
};

export interface Page<T> {
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export interface PaymentDetail extends Payment {
  refunds: Refund[];
}

export interface SubscriptionDetail extends Subscription {
  charges: Payment[];
}

export interface RecurringRunSummary {
  charged: number;
  succeeded: number;
  failed: number;
  payments: Payment[];
}

export type HistoryItem = Omit<HistoryEntry, 'params' | 'memo'>;
export interface HistoryView {
  undo: HistoryItem[]; // newest first, at most the limit asked
  redo: HistoryItem[]; // newest first (the next redo first), at most the limit asked
  undoTotal: number; // entries on the undo stack, shown or not
  redoTotal: number;
  nextUndo: string | null; // label of what Undo would do, null when nothing (or a barrier)
  nextRedo: string | null;
}

export interface SchedulerStatus {
  running: boolean;
  intervalSeconds: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  /** Progress of the run in flight, if any. */
  inFlight: { done: number; total: number } | null;
  lastRun: RecurringRunSummaryBrief | null;
}
export type RecurringRunSummaryBrief = Omit<RecurringRunSummary, 'payments'>;

export interface ClockView {
  mode: 'system' | 'test';
  now: string;
}

export interface Dashboard {
  /** Per currency, so that amounts in different currencies are never added together. */
  currencies: Array<{
    currency: string;
    revenueToday: number;
    revenueThisMonth: number;
    refundsThisMonth: number;
    monthlyRecurringRevenue: number;
    /** Revenue per UTC day for the last 30 days, oldest first. */
    daily: Array<{ date: string; revenue: number }>;
  }>;
  /** Completed charges over all settled charges (0..1), null before the first. */
  successRate: number | null;
  paymentsCount: number;
  activeSubscriptions: number;
  failedSubscriptions: number;
}

export type PushEvent =
  | { type: 'changed'; topics: ChangeTopic[] }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'progress'; done: number; total: number };

/** Validate an input against its operation's schema; the error names the first bad field. */
export function parseInput<K extends OperationName>(name: K, raw: unknown): Result<ParsedInput<K>> {
  const parsed = operations[name].input.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, data: parsed.data as ParsedInput<K> };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const message =
    issue?.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`
      : `${field ?? 'input'}: ${issue?.message ?? 'invalid'}`;
  return {
    ok: false,
    error: {
      code: 'validation',
      message,
      ...(field ? { field } : issue?.code === 'unrecognized_keys' ? { field: issue.keys[0] } : {}),
    },
  };
}
