/**
 * The core's ports: the storage, gateway and clock interfaces that commands, the invoker
 * and the scheduler depend on. Implementations live in ./store, ./gateway and ./clock.
 */
import type {
  CustomerPage,
  CustomerSort,
  CustomerSummary,
  Page,
  ParsedAuditFilters,
  PaymentSort,
  SubscriptionSort,
  UnreadableRecord,
} from '../../shared/contract';
import type {
  AuditEntry,
  HistoryEntry,
  IdempotencyRecord,
  Payment,
  PaymentStatus,
  Refund,
  Settings,
  Subscription,
  SubscriptionStatus,
} from '../../shared/domain';

// ---------------------------------------------------------------------------------------
// Storage

/**
 * One change to the stored state. A commit is a list of changes applied together: all of
 * them or none survive a crash. Records are put whole (their status only moves forward;
 * the command layer guarantees that), the audit log is appended, history stacks are pushed
 * and popped.
 */
export type Change =
  | { t: 'payment'; v: Payment }
  | { t: 'subscription'; v: Subscription }
  | { t: 'audit'; v: AuditEntry }
  | { t: 'undo.push'; v: HistoryEntry }
  | { t: 'undo.pop' }
  | { t: 'redo.push'; v: HistoryEntry }
  | { t: 'redo.pop' }
  | { t: 'redo.clear' }
  /**
   * Take the entry with this id off the undo (redo) stack wherever it is: an operator's own
   * undo or redo when a colleague's entries lie above theirs (history-owners.ts).
   */
  | { t: 'undo.remove'; v: string }
  | { t: 'redo.remove'; v: string }
  | { t: 'refund'; v: Refund }
  | { t: 'idempotency'; v: IdempotencyRecord }
  | { t: 'settings'; v: Settings }
  /** How far the gateway's records have been compared with the store (an opaque cursor). */
  | { t: 'gatewayCursor'; v: string }
  /** The test clock's current time, or null when the system clock is in use. */
  | { t: 'clock'; v: string | null };

/** Which audit entries to list: the contract's filters (instants canonical) and the order. */
export interface AuditQuery extends ParsedAuditFilters {
  /** By position in the log, which is the order entries were written (default 'desc'). */
  order?: 'asc' | 'desc';
}

export interface PaymentQuery {
  status?: PaymentStatus;
  /** Exact match, case-insensitive. */
  customerEmail?: string;
  subscriptionId?: string;
  /** Any part of the customer's e-mail, case-insensitive. */
  search?: string;
  currency?: string;
  /**
   * Bounds of the amount, both included, as values (money.ts `amountValue`: ten-thousandths
   * of a major unit), so that a bound means the same in every currency.
   */
  minAmount?: number;
  maxAmount?: number;
  /** Created at or after this instant. */
  from?: string;
  /** Created before this instant. */
  to?: string;
  /** The column (default createdAt; amounts by value); ties by createdAt, then id. */
  sort?: PaymentSort;
  /**
   * Leave out of the page a payment whose stored body cannot be read, naming it in the
   * page's `unreadable`, instead of failing (for views; a command wants the whole truth).
   */
  skipUnreadable?: boolean;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface SubscriptionQuery {
  status?: SubscriptionStatus;
  customerEmail?: string;
  /** Any part of the customer's e-mail or of the id, case-insensitive. */
  search?: string;
  /** Held for review (true), or not (false). */
  review?: boolean;
  sort?: SubscriptionSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface CustomerQuery {
  /** Matches any part of the e-mail, case-insensitive. */
  search?: string;
  sort: CustomerSort;
  order: 'asc' | 'desc';
  currency?: string;
  offset: number;
  limit: number;
}

export interface PeriodCharges {
  /** Payments made for the period (each attempt is one). */
  attempts: number;
  /** Whether one of them was charged (COMPLETED, or refunded since). */
  paid: boolean;
  /**
   * The id of the last attempt still PENDING (its outcome unknown: the gateway may have
   * charged it), or null. It is asked again under its own key, never followed by a new one.
   */
  pending: string | null;
}

/** One refund of a payment, as its `refunded` event records it. */
export interface RefundMade {
  paymentId: string;
  currency: string;
  amount: number;
  at: string;
}

export interface Store {
  readonly dataDir: string;

  getPayment(id: string): Payment | undefined;
  getPaymentByIdempotencyKey(key: string): Payment | undefined;
  queryPayments(query: PaymentQuery): Page<Payment>;
  /** Every payment still PENDING (reconciled at start-up). */
  pendingPayments(): Payment[];
  /** All payments, in creation order (for aggregate views). */
  allPayments(): Iterable<Payment>;
  paymentCount(): number;

  getSubscription(id: string): Subscription | undefined;
  querySubscriptions(query: SubscriptionQuery): Page<Subscription>;
  /** Charges of one subscription, oldest first. */
  paymentsOfSubscription(subscriptionId: string): Payment[];
  /**
   * The charge attempts of one period of a subscription and whether one went through,
   * answered from the indexes (no payment is read): the scheduler asks it of every due period.
   */
  periodCharges(subscriptionId: string, period: number): PeriodCharges;
  /**
   * Every refund made at or after `instant` (any payment, however old). The refunds of
   * payments unchanged since the snapshot was read are read from their bodies once per
   * open, not per call (compactions carry them over): the dashboard asks this after every
   * change. Refunded payments whose bodies cannot be read are left out (and named in
   * `unreadable`, when given).
   */
  refundsSince(instant: string, unreadable?: UnreadableRecord[]): RefundMade[];
  /** ACTIVE or PAST_DUE subscriptions whose nextPaymentDate is at or before `now`, soonest first. */
  dueSubscriptions(now: string, limit?: number): Subscription[];
  allSubscriptions(): Iterable<Subscription>;

  /**
   * A page of customers (one per e-mail, case-insensitive: customer-rules.ts), from sorted
   * indexes kept up to date by every commit; the amounts sorted in `currency`, else the most
   * used one. The first call builds the index (one pass over the payments' columns).
   */
  queryCustomers(query: CustomerQuery): CustomerPage;
  /** One customer's totals (any case of the e-mail), or undefined when it has no records. */
  getCustomer(email: string): CustomerSummary | undefined;

  /** Oldest first; the last element is the next undo. */
  undoStack(): readonly HistoryEntry[];
  /** Oldest first; the last element is the next redo. */
  redoStack(): readonly HistoryEntry[];
  /**
   * Newest first (or oldest first), filtered. A filtered query scans the log once per
   * filter and keeps the positions that match, extended by later entries: store/audit-query.ts.
   */
  audit(offset: number, limit: number, query?: AuditQuery): Page<AuditEntry>;

  getRefund(id: string): Refund | undefined;
  getRefundByIdempotencyKey(key: string): Refund | undefined;
  /** A payment's refunds, oldest first (every status). */
  refundsOfPayment(paymentId: string): Refund[];
  /** Every refund still PENDING (reconciled at start-up). */
  pendingRefunds(): Refund[];

  getIdempotencyRecord(key: string): IdempotencyRecord | undefined;
  /** Requests whose work a crash interrupted (no answer yet), oldest first. */
  unfinishedRequests(): IdempotencyRecord[];
  settings(): Settings;
  testClock(): string | null;
  /** Up to where the gateway's records were compared with the store; null before the first time. */
  gatewayCursor(): string | null;
  /**
   * Why the store takes no more writes, or null while it does: after a failed write the
   * store refuses every commit until it is reopened (memory would be ahead of the disk).
   */
  writeFailure(): Error | null;
  /**
   * What the store found at open and repaired: a journal whose end was cut (its bytes saved
   * beside it), or commits known confirmed that are missing; null when it opened clean.
   */
  repaired(): StoreRepair | null;

  /**
   * Apply `changes` to the in-memory state at once (reads see them as soon as this returns)
   * and resolve when they are durable on disk. Commits made close together share one flush.
   */
  commit(changes: Change[]): Promise<void>;
  /** Rewrite the snapshot and truncate the journal. */
  compact(): Promise<void>;
  /**
   * Hold background compactions back until the returned release is called (once is enough;
   * later calls do nothing), for a long stretch of back-to-back commits such as a scheduler
   * run: a compaction in the middle would rewrite a snapshot the run is about to outdate,
   * competing with it for the disk and the thread. The release starts the compaction the
   * journal has grown past its threshold meanwhile. `compact()` and `close()` still compact.
   */
  holdCompaction(): () => void;
  /** The sequence number of the last commit (applied in memory; durable once it resolved). */
  commitSeq(): number;
  /**
   * Write a copy of the store as of one commit S into `dir` (a snapshot of S, no journal)
   * while commits go on. `atCapture` runs in the same synchronous instant as the state of S
   * is captured (for what must be copied as of the same moment). Resolves once the copy is
   * written and synced and S is durable in the store itself.
   */
  backupTo(dir: string, atCapture?: () => void): Promise<StoreCopy>;
  /**
   * Run `task` as the one writer of the data among every process that shares it, with the
   * state in memory caught up with what the others committed first. The invoker runs every
   * queued task through it; a commit made outside one runs in one of its own. The embedded
   * store's directory lock already admits one process: it just runs `task`.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Whether this process leads the recurring scheduler: true for the embedded store; among
   * instances sharing a database, the one holding the leader's lock (taken here when free).
   */
  leadScheduler(): Promise<boolean>;
  /**
   * Claims for one recurring run: the subscriptions it charges, claimed batch by batch and
   * held until it lets them all go, after its results are written. Among instances sharing a
   * database a subscription another run holds is skipped, not waited for, so that even two
   * runs at once (one of them left over from an instance that lost its turn) never ask for
   * one period's charge together. The embedded store's one process claims everything.
   */
  claimSubscriptions(): SubscriptionClaims;
  /** Flush, compact and release the directory lock. */
  close(): Promise<void>;
}

/** A recurring run's claims (Store.claimSubscriptions). */
export interface SubscriptionClaims {
  /** Claims `ids`; resolves to those claimed, leaving out those another run holds. */
  claim(ids: readonly string[]): Promise<ReadonlySet<string>>;
  /** Lets every claim go; never rejects. */
  release(): Promise<void>;
}

/** What Store.repaired() reports (store/journal.ts's header has the rule it follows). */
export interface StoreRepair {
  /** For people: what was cut, where its bytes were saved, and what is missing. */
  message: string;
  /** The file the cut bytes were saved to; null when nothing was cut. */
  savedAs: string | null;
  /** The last commit kept. */
  keptSeq: number;
  /** Commits that had been confirmed and are missing (from..to), when known; else null. */
  lost: { from: number; to: number } | null;
}

/** What a copy made by Store.backupTo holds: its commit and how many records of each kind. */
export interface StoreCopy {
  seq: number;
  payments: number;
  subscriptions: number;
  refunds: number;
  audit: number;
}

// ---------------------------------------------------------------------------------------
// Gateway

export interface ChargeRequest {
  idempotencyKey: string;
  amount: number;
  currency: string;
  customerEmail: string;
  paymentMethod: string | null;
  description: string | null;
}

export type ChargeResult =
  | { status: 'succeeded'; transactionId: string }
  | { status: 'failed'; code: string; message: string };

export interface RefundRequest {
  idempotencyKey: string;
  transactionId: string;
  amount: number;
}

export interface RefundResult {
  refundId: string;
}

export type GatewayErrorCode =
  /** The call's outcome is unknown (the provider may have charged): look it up by key later. */
  | 'timeout'
  /** The same idempotency key was used before with other parameters. */
  | 'idempotency_mismatch'
  /** A refund that the provider refuses (unknown transaction, more than is left). */
  | 'invalid_request';

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** One charge or refund as the provider recorded it (its own books, for reconciliation). */
export type GatewayRecord =
  | (ChargeRequest & { type: 'charge'; result: ChargeResult; at: string })
  | {
      type: 'refund';
      idempotencyKey: string;
      transactionId: string;
      /** The idempotency key of the charge refunded (how the app finds its payment). */
      chargeIdempotencyKey: string;
      amount: number;
      refundId: string;
      at: string;
    };

export interface GatewayRecordsPage {
  /** In the order the provider recorded them. */
  records: GatewayRecord[];
  /** Where the next page starts (pass it as `after`). */
  cursor: string;
  /** Whether more records follow the cursor right now. */
  more: boolean;
}

export interface Gateway {
  /** Charge once per idempotency key: a replay with the same parameters returns the first result. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refund once per idempotency key: a replay with the same parameters returns the first result. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /** What the provider knows of a charge by its idempotency key; null when it never saw it. */
  lookup(idempotencyKey: string): Promise<ChargeResult | null>;
  /** What the provider knows of a refund by its idempotency key; null when it never saw it. */
  lookupRefund(idempotencyKey: string): Promise<RefundResult | null>;
  /**
   * The provider's records after `after` (a cursor from an earlier page; null: from the
   * first), at most `limit` of them: the list reconciliation compares with the store.
   */
  records(after: string | null, limit: number): Promise<GatewayRecordsPage>;
  /**
   * The charge that made `transactionId` (as a provider retrieves a charge by its id), with
   * the idempotency key that finds its payment; null when the provider made no such charge.
   * The store keeps no index of transaction ids: the search asks the provider.
   */
  findCharge(transactionId: string): Promise<{ idempotencyKey: string } | null>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Clock

export interface Clock {
  readonly mode: 'system' | 'test';
  now(): Date;
}
