/**
 * The contract: every operation the UI, IPC and HTTP can ask of the core, each with its zod
 * input schema and its result type. Channel names are the keys of `operations`; the preload,
 * the IPC handlers, the browser transport and the service are all derived from this object.
 */
import { z } from 'zod';
import {
  AUDIT_OUTCOMES,
  INTERVALS,
  OPERATOR_ROLES,
  ORIGINS,
  PAYMENT_STATUSES,
  SUBSCRIPTION_STATUSES,
  isAbsolutePath,
  type AuditEntry,
  type HistoryEntry,
  type OperatorAccount,
  type OperatorRole,
  type Payment,
  type Refund,
  type SettingsView,
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

/**
 * One end of a time range: an instant with its offset, or a date (yyyy-mm-dd, a UTC day),
 * given as the UTC instant it stands for (`toISOString`, which orders as text): the day's
 * start, or with `endOfDay` the next day's start, so that `to: "2026-03-10"` includes the
 * 10th.
 */
const rangeEnd = (endOfDay: boolean) =>
  z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((value) => {
    if (value.length > 10) return new Date(value).toISOString();
    const day = new Date(`${value}T00:00:00.000Z`);
    if (endOfDay) day.setUTCDate(day.getUTCDate() + 1);
    return day.toISOString();
  });

/**
 * The audit log's filters (every one optional): who asked (`origin`; 'system' is start-up
 * reconciliation), how it went (`outcome`), and when: at or after `from`, before `to`.
 * The list and its CSV export take exactly these.
 */
export const auditFilters = z
  .object({
    origin: z.enum(ORIGINS).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    from: rangeEnd(false).optional(),
    to: rangeEnd(true).optional(),
  })
  .strict();
export type AuditFilters = z.input<typeof auditFilters>;
/** The filters once parsed: `from` and `to` as canonical UTC instants. */
export type ParsedAuditFilters = z.output<typeof auditFilters>;

/**
 * A bound of an amount filter: a decimal in major units ("10", "99.99"), compared with each
 * payment's amount in its own currency (money.ts `amountValue`), so that "10" means 10.00
 * USD and 10 JPY alike.
 */
const amountBound = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,4})?$/, 'Use an amount like 10 or 99.99')
  .describe('decimal amount in major units');

/**
 * The filters of a list of payments (every one optional), one schema for every operation
 * that lists them (payments.list, the CSV export): the same names mean the same everywhere.
 */
export const paymentFilters = z.object({
  status: z.enum(PAYMENT_STATUSES).optional(),
  /** The customer's whole e-mail address, case-insensitive. */
  customerEmail: z.string().max(254).optional(),
  subscriptionId: id.optional(),
  /** Any part of the customer's e-mail address, case-insensitive. */
  search: z.string().trim().max(254).optional(),
  currency: currency.optional(),
  /** Amounts of at least this much, in each payment's own currency. */
  minAmount: amountBound.optional(),
  /** Amounts of at most this much. */
  maxAmount: amountBound.optional(),
  /** Created at or after this (an instant, or a date: its start, UTC). */
  from: rangeEnd(false).optional(),
  /** Created before this (an instant, or a date: included, up to its end, UTC). */
  to: rangeEnd(true).optional(),
});
export type PaymentFilters = z.input<typeof paymentFilters>;

/** The columns a list of payments sorts by (ties by date, in the same direction). */
export const PAYMENT_SORTS = [
  'createdAt',
  'amount',
  'status',
  'customerEmail',
  'currency',
] as const;
export type PaymentSort = (typeof PAYMENT_SORTS)[number];
/** The columns a list of subscriptions sorts by. */
export const SUBSCRIPTION_SORTS = [
  'createdAt',
  'amount',
  'status',
  'customerEmail',
  'nextPaymentDate',
] as const;
export type SubscriptionSort = (typeof SUBSCRIPTION_SORTS)[number];

/** The mock gateway's behaviour, which the test clock lets the operator change while running. */
export const gatewaySettings = z
  .object({
    successRate: z.number().min(0).max(1),
    latencyMs: z.number().int().min(0).max(60_000),
  })
  .strict();
export type GatewaySettings = z.infer<typeof gatewaySettings>;

/** Push events: what changed, so that views refetch (the UI never polls). */
export const CHANGE_TOPICS = [
  'payments',
  'subscriptions',
  'history',
  'scheduler',
  'clock',
  'settings',
  'backups',
  /** Whether the store takes changes (StorageStatus). */
  'storage',
] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/** The columns the customers list sorts by. */
export const CUSTOMER_SORTS = [
  'email',
  'charged',
  'refunded',
  'net',
  'monthlyRecurringRevenue',
  'activeSubscriptions',
  'failedPayments',
  'lastPaymentAt',
] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
/** The sorts by an amount: in one currency, since amounts in different ones are never added. */
export const MONEY_SORTS: ReadonlySet<CustomerSort> = new Set<CustomerSort>([
  'charged',
  'refunded',
  'net',
  'monthlyRecurringRevenue',
]);

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
  /** A page of payments, filtered (`paymentFilters`) and sorted by one column. */
  'payments.list': {
    input: paymentFilters
      .extend({ sort: z.enum(PAYMENT_SORTS).default('createdAt'), ...page })
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
        /** Any part of the customer's e-mail address or of the subscription's id. */
        search: z.string().trim().max(254).optional(),
        /** Only those held for review (true), or only the others (false). */
        review: z.boolean().optional(),
        sort: z.enum(SUBSCRIPTION_SORTS).default('createdAt'),
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
  /** Charge an unpaid period (`unpaidPeriods`) now, one attempt: answers its charge. */
  'subscriptions.retryFailed': {
    input: z.object({ id, period: z.number().int().nonnegative() }).strict(),
    output: {} as Payment,
    changes: changing('payments', 'subscriptions', 'history'),
  },
  /** Give an unpaid period up: it is no longer unpaid, and never charged. */
  'subscriptions.forgiveFailed': {
    input: z.object({ id, period: z.number().int().nonnegative() }).strict(),
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
  /** What history.undo or history.redo with this `toId` would do and the money it would move. */
  'history.preview': {
    input: z.object({ direction: z.enum(['undo', 'redo']), toId: id.optional() }).strict(),
    output: {} as HistoryPreview,
  },
  /** The audit log, newest first by default, filtered (`auditFilters`). */
  'audit.list': {
    input: auditFilters.extend(page).strict(),
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
  /** The settings, without the operator accounts (operators.list, for admins). */
  'settings.get': { input: empty, output: {} as SettingsView },
  'settings.set': {
    input: z
      .object({
        schedulerIntervalSeconds: z
          .number('Enter a whole number of seconds')
          .int('Enter a whole number of seconds')
          .min(1, 'At least 1 second')
          .max(86_400, 'At most 86,400 seconds (a day)')
          .optional(),
        schedulerEnabled: z.boolean().optional(),
        /** Printed on receipts; each given field replaces the stored one. */
        business: z
          .object({
            name: z.string().trim().max(200, 'At most 200 characters').optional(),
            address: z.string().trim().max(1000, 'At most 1,000 characters').optional(),
            taxId: z.string().trim().max(100, 'At most 100 characters').optional(),
          })
          .strict()
          .optional(),
        /** Where backups go and how many daily ones are kept; each given field replaces its own. */
        backup: z
          .object({
            /** null: the `backups` folder in the data directory. */
            folder: z
              .string()
              .trim()
              .min(1, 'Required')
              .max(1000, 'At most 1,000 characters')
              .refine(isAbsolutePath, 'Give the whole path, like /home/me/paydesk-backups')
              .nullable()
              .optional(),
            keep: z
              .number('Enter a whole number')
              .int('Enter a whole number')
              .min(1, 'At least 1')
              .max(365, 'At most 365')
              .optional(),
            daily: z.boolean().optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    output: {} as SettingsView,
    changes: changing('scheduler', 'settings', 'backups'),
  },
  /** Who is asking: their operator account and role (null: the single desk, every right). */
  'operators.me': { input: empty, output: {} as OperatorSession },
  /** The operator accounts, revoked ones too, oldest first (admins only). */
  'operators.list': { input: empty, output: {} as OperatorView[] },
  /**
   * Add an operator account (admins only): its token is in this answer and nowhere else
   * (only its SHA-256 is kept; a replay of the key answers the account without it).
   */
  'operators.create': {
    input: z
      .object({
        name: z
          .string()
          .trim()
          .min(1, 'Required')
          .max(100, 'At most 100 characters')
          .regex(/^[^\p{Cc}]*$/u, 'No control characters'),
        role: z.enum(OPERATOR_ROLES),
      })
      .strict(),
    output: {} as CreatedOperator,
    changes: changing('settings'),
  },
  /** Revoke an account (admins only): its token is refused from now on. The last admin stays. */
  'operators.revoke': {
    input: z.object({ id }).strict(),
    output: {} as OperatorView,
    changes: changing('settings'),
  },
  /**
   * Back up now: a copy of the data as of one commit, taken while the app keeps working,
   * verified by opening it read-only, into a new folder of the backup folder.
   */
  'backup.create': { input: empty, output: {} as BackupInfo, changes: changing('backups') },
  /** The backup folder, its settings and the backups in it, newest first. */
  'backup.list': { input: empty, output: {} as BackupsView },
  /**
   * Where the data lives, the clock, and the gateway called: the mock's behaviour (and whether
   * it can change), or the gateway service's URL.
   */
  'system.info': { input: empty, output: {} as SystemInfo },
  /** Change the mock gateway's success rate or latency until the next start: test clock only. */
  'gateway.configure': {
    input: gatewaySettings.partial().strict(),
    output: {} as GatewaySettings,
    changes: changing('settings'),
  },
  'dashboard.get': { input: empty, output: {} as Dashboard },
  /**
   * Customers (one per e-mail, case-insensitive) with their totals: a page sorted by one
   * column, the amounts in one currency (`currency`, else the most used), and `search`
   * matching any part of the e-mail.
   */
  'customers.list': {
    input: z
      .object({
        search: z.string().max(254).optional(),
        sort: z.enum(CUSTOMER_SORTS).default('net'),
        currency: currency.optional(),
        ...page,
      })
      .strict(),
    output: {} as CustomerPage,
  },
  /** One customer: the totals and everything about them on one timeline, newest first. */
  'customers.get': {
    input: z.object({ email: z.string().trim().min(1, 'Required').max(254) }).strict(),
    output: {} as CustomerDetail,
  },
  /**
   * Search everywhere (the Search dialog): a few payments, customers and subscriptions that
   * `text` names: an id, a transaction id, any part of an e-mail, an exact amount.
   */
  'search.find': {
    input: z
      .object({
        text: z.string().trim().min(1, 'Required').max(200),
        limit: z.number().int().min(1).max(20).default(5),
      })
      .strict(),
    output: {} as SearchResults,
  },
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
  /**
   * Records of this page that could not be read (their stored body is damaged): left out of
   * `items`, each named with the error (which names the file and line). Absent when none.
   */
  unreadable?: UnreadableRecord[];
}

/** A stored record that cannot be read: its id, and the error naming the file and line. */
export interface UnreadableRecord {
  id: string;
  error: string;
  /** In a page: where it would be among the items (those after it moved up one). */
  index?: number;
}

/** An operator account as the API shows it: never its token or the token's hash. */
export type OperatorView = Omit<OperatorAccount, 'tokenHash'>;

/** What operators.create answers: the account and its token, shown this once. */
export interface CreatedOperator {
  operator: OperatorView;
  /** Null in a replay of the request's key: the token is never stored. */
  token: string | null;
}

/** Who the caller is (operators.me). */
export interface OperatorSession {
  /** Their account; null for the single desk (the desktop app, the server's API token). */
  operator: OperatorView | null;
  /** What they may do (the single desk: admin). */
  role: OperatorRole;
  /**
   * Whether an admin account exists: requests then authenticate with their operator's own
   * token, and the server's single API token is refused.
   */
  accounts: boolean;
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

/** What an undo or a redo would do, told before it is confirmed. */
export interface HistoryPreview {
  /** The entries it takes, in the order it takes them. */
  entries: string[];
  /** The charges whose money moves: refunded by an undo, charged again by a redo. */
  charges: number;
  /** The money that moves, per currency (minor units), by currency code. */
  amounts: Array<{ currency: string; amount: number }>;
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

export interface SystemInfo {
  /** The data directory: the store, the gateway's ledger, the API token. */
  dataDir: string;
  clock: ClockView['mode'];
  /**
   * The gateway this desk calls: the mock in its own process, with its behaviour and whether
   * `gateway.configure` may change it (only with the test clock); or the shared gateway
   * service at `url` (`npm run gateway`), whose behaviour is set where it runs.
   */
  gateway:
    | (GatewaySettings & { kind: 'mock'; configurable: boolean })
    | { kind: 'service'; url: string; configurable: false };
  storage: StorageStatus;
}

/** How the store stands: whether it takes changes, and what it repaired when it opened. */
export interface StorageStatus {
  /**
   * 'stopped' once a write, flush or rename of the data files failed (disk full, an I/O
   * error): every change is refused with `storage_unavailable` until Paydesk is restarted
   * once the cause is fixed; reads go on.
   */
  writes: 'ok' | 'stopped';
  /** Why writes stopped: the file and the error. Null while they go on. */
  cause: string | null;
  /**
   * What the store found damaged at its last start and repaired (a journal's end cut, its
   * bytes saved beside it; confirmed commits missing): shown until the next start. Null
   * when it opened clean.
   */
  repaired: string | null;
}

export interface Dashboard {
  /**
   * Per currency, so that amounts in different currencies are never added together.
   * Revenue is gross (what was charged, in the period by the charge's date); refunds are
   * those made in the period, of charges however old; net is the one less the other.
   */
  currencies: Array<{
    currency: string;
    revenueToday: number;
    refundsToday: number;
    revenueThisMonth: number;
    refundsThisMonth: number;
    /** Of ACTIVE and PAST_DUE subscriptions. */
    monthlyRecurringRevenue: number;
    /** Gross revenue per UTC day for the last 30 days, oldest first. */
    daily: Array<{ date: string; revenue: number }>;
  }>;
  /** The UTC dates (yyyy-mm-dd, both included) that "today", "this month" and the chart cover. */
  periods: {
    today: string;
    month: { from: string; to: string };
    chart: { from: string; to: string };
  };
  /** Completed charges over all settled charges (0..1), null before the first: all time. */
  successRate: number | null;
  /** Payments of every status, all time. */
  paymentsCount: number;
  /** ACTIVE subscriptions (a past-due one is counted apart). */
  activeSubscriptions: number;
  /** PAST_DUE subscriptions: a charge failed and is being retried. */
  failedSubscriptions: number;
  /** Payments that could not be read, left out of the figures. Absent when none. */
  unreadable?: UnreadableRecord[];
}

/** A customer's totals in one currency. */
export interface CustomerTotals {
  currency: string;
  /** Charged by payments that went through (whatever was refunded since). */
  charged: number;
  refunded: number;
  /** charged − refunded. */
  net: number;
  /** Of the ACTIVE and PAST_DUE subscriptions, per month (as the dashboard counts it). */
  monthlyRecurringRevenue: number;
}

/** One customer: everyone who paid or subscribed with one e-mail (case-insensitive). */
export interface CustomerSummary {
  /** The e-mail in lower case: the customer's identity. */
  email: string;
  /** Payments of every status, failed attempts included. */
  payments: number;
  failedPayments: number;
  /** ACTIVE or PAST_DUE. */
  activeSubscriptions: number;
  /** When the newest payment that went through was made; null when none did. */
  lastPaymentAt: string | null;
  /** One entry per currency the customer has payments or subscriptions in, by code. */
  totals: CustomerTotals[];
}

export interface CustomerPage extends Page<CustomerSummary> {
  /** The currency the amounts were sorted in (asked, else the most used); null when none is used. */
  currency: string | null;
  /** Every currency in use, most used first (by payments and subscriptions). */
  currencies: string[];
}

/** One line of a customer's timeline. */
export type CustomerEvent =
  | { type: 'payment'; at: string; payment: Payment }
  | { type: 'refund'; at: string; refund: Refund }
  | { type: 'subscription'; at: string; subscription: Subscription };

export interface CustomerDetail extends CustomerSummary {
  subscriptions: Subscription[];
  /**
   * Newest first: payments (subscription charges and failed attempts among them), their
   * refunds, and subscriptions started; of the payments, the newest CUSTOMER_TIMELINE_PAYMENTS.
   */
  timeline: CustomerEvent[];
  /** Payments on the timeline (fewer than `payments` when there are more than it shows). */
  paymentsShown: number;
}

/** How many payments a customer's timeline shows at most (the totals count them all). */
export const CUSTOMER_TIMELINE_PAYMENTS = 500;

/** Who made a backup: the operator (or an API client), or the daily backup. */
export const BACKUP_KINDS = ['manual', 'daily'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** One backup: a folder of the backup folder, as its manifest (backup.json) describes it. */
export interface BackupInfo {
  /** The folder's name (paydesk-backup-<when, UTC>). */
  name: string;
  /** The folder's full path: what a restore is given. */
  path: string;
  createdAt: string;
  kind: BackupKind;
  /** The commit it holds the state of (the store's sequence number). */
  commitSeq: number;
  payments: number;
  subscriptions: number;
  /** Charges and refunds in the mock gateway's ledger as of the same instant. */
  ledgerEntries: number;
  /** The size of its files. */
  bytes: number;
}

export interface BackupsView {
  /** Where backups go (the setting, or the `backups` folder in the data directory). */
  folder: string;
  /** Daily backups kept. */
  keep: number;
  /** The setting: back up once a day. */
  daily: boolean;
  /** Whether this app backs up daily at all (the desktop app does; the server when told). */
  dailyRuns: boolean;
  /** Newest first. */
  backups: BackupInfo[];
}

/** What search.find answers: a few hits of each kind, the closest first. */
export interface SearchResults {
  /** The payment with that id or transaction id first, then by e-mail part or amount. */
  payments: Payment[];
  /** How many payments have an e-mail containing the text, or that amount. */
  paymentsTotal: number;
  customers: CustomerSummary[];
  subscriptions: Subscription[];
}

/**
 * Push events. `connection` is the desktop shell's own, never the core's: the core's process
 * stopped and is being restarted ('reconnecting'), or is back ('connected'; a `changed` of
 * every topic follows, so that views refetch).
 */
export type PushEvent =
  | { type: 'changed'; topics: ChangeTopic[] }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'connection'; state: 'reconnecting' | 'connected' };

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

/**
 * The lists that can be exported as CSV, each named by the list operation it reads: an
 * export takes exactly that operation's input minus its paging (`offset`, `limit`), so a
 * filter added to a list is a filter of its export too.
 */
export const EXPORTS = {
  payments: 'payments.list',
  subscriptions: 'subscriptions.list',
  customers: 'customers.list',
  audit: 'audit.list',
} as const satisfies Record<string, OperationName>;
export type ExportKind = keyof typeof EXPORTS;
export const EXPORT_KINDS = Object.keys(EXPORTS) as ExportKind[];
const PAGING = ['offset', 'limit'] as const;
/** What an export of `kind` takes: its list's filters and order. */
export type ExportFilters<K extends ExportKind> = Omit<
  OperationInput<(typeof EXPORTS)[K]>,
  (typeof PAGING)[number]
>;
/** ...and what they are once parsed (defaults filled in). */
export type ParsedExportFilters<K extends ExportKind> = Omit<
  ParsedInput<(typeof EXPORTS)[K]>,
  (typeof PAGING)[number]
>;
/** One row of an export of `kind`: an item of its list's pages. */
export type ExportItem<K extends ExportKind> =
  OperationOutput<(typeof EXPORTS)[K]> extends Page<infer T> ? T : never;

export const isExportKind = (name: string): name is ExportKind => Object.hasOwn(EXPORTS, name);

/** What an export answers once written: the file (null when the operator cancelled). */
export interface ExportDone {
  /** The file written (desktop: its path) or downloaded (browser: its name). */
  file: string | null;
  /** Rows written, when known (the browser does not count them). */
  rows: number | null;
}

/**
 * Validate an export's filters with its list's own schema. Paging is refused by name, since
 * an export is the whole list.
 */
export function parseExportFilters<K extends ExportKind>(
  kind: K,
  raw: unknown,
): Result<ParsedExportFilters<K>> {
  const input = raw ?? {};
  if (typeof input === 'object' && !Array.isArray(input)) {
    const paging = PAGING.find((key) => Object.hasOwn(input, key));
    if (paging !== undefined) {
      const message = `${paging}: an export is the whole list, it takes no paging`;
      return { ok: false, error: { code: 'validation', message, field: paging } };
    }
  }
  const parsed = parseInput(EXPORTS[kind], input);
  if (!parsed.ok) return parsed;
  const { offset: _offset, limit: _limit, ...filters } = parsed.data;
  return { ok: true, data: filters as ParsedExportFilters<K> };
}
