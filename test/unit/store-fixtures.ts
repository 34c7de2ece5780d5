/**
 * Shared helpers of the store's tests: fresh temp directories, valid records, and a dump of
 * everything a Store answers (to compare two stores query by query).
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AuditEntry,
  HistoryEntry,
  IdempotencyRecord,
  Refund,
  Payment,
  PaymentStatus,
  Subscription,
} from '../../src/shared/domain';
import type { Store } from '../../src/main/core/ports';
import { isLockFile, LOCK_FILE, lockGeneration } from '../../src/main/core/store/files';
import { CUSTOMER_SORTS } from '../../src/shared/contract';

const made: string[] = [];

/** A fresh directory under the OS temp dir; removed by `removeTempDirs`. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paydesk-store-'));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** The files of a data directory other than the lock's, sorted. */
export async function dataFileNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !isLockFile(name)).sort();
}

/**
 * What the lock of `dir` says: the highest `paydesk.lock.<n>`'s text ('released' or a pid),
 * with its name; null when there is none.
 */
export async function lockOf(dir: string): Promise<{ file: string; text: string } | null> {
  const generations = (await readdir(dir))
    .map((name) => lockGeneration(name))
    .filter((n) => n !== null)
    .sort((a, b) => a - b);
  const top = generations.at(-1);
  if (top === undefined) return null;
  const file = `${LOCK_FILE}.${top}`;
  return { file, text: (await readFile(join(dir, file), 'utf8')).trim() };
}

/**
 * `text` with the last `from` replaced by `to`: in a snapshot, inside the payments' bodies
 * (they come last; the columns before them hold currencies too).
 */
export function replaceLast(text: string, from: string, to: string): string {
  const i = text.lastIndexOf(from);
  return i < 0 ? text : text.slice(0, i) + to + text.slice(i + from.length);
}

export const at = (minutes: number): string =>
  new Date(Date.UTC(2025, 0, 1) + minutes * 60_000).toISOString();

export function payment(id: string, over: Partial<Payment> = {}): Payment {
  const createdAt = over.createdAt ?? at(0);
  return {
    id,
    amount: 1250,
    currency: 'USD',
    customerEmail: 'ada@example.com',
    description: null,
    paymentMethod: 'pm_card_visa',
    status: 'COMPLETED',
    transactionId: `txn_${id}`,
    failureCode: null,
    failureMessage: null,
    refundedAmount: 0,
    idempotencyKey: `key-${id}`,
    subscriptionId: null,
    period: null,
    redoOf: null,
    createdAt,
    updatedAt: createdAt,
    events: [
      { type: 'created', at: createdAt },
      { type: 'succeeded', at: createdAt, transactionId: `txn_${id}` },
    ],
    ...over,
  };
}

export function subscription(id: string, over: Partial<Subscription> = {}): Subscription {
  return {
    id,
    customerEmail: 'ada@example.com',
    amount: 999,
    currency: 'EUR',
    interval: 'MONTHLY',
    intervalCount: 1,
    status: 'ACTIVE',
    billingAnchor: at(0),
    nextPeriod: 1,
    nextPaymentDate: at(60),
    failedAttempts: 0,
    retryAt: null,
    pausedAt: null,
    pauseReason: null,
    waivedPeriods: [],
    createdAt: at(0),
    updatedAt: at(0),
    review: null,
    unpaidPeriods: [],
    ...over,
  };
}

export function auditEntry(id: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: at(0),
    origin: 'operator',
    action: 'execute',
    kind: 'ProcessPayment',
    label: `audit ${id}`,
    outcome: 'ok',
    message: null,
    operator: null,
    ...over,
  };
}

export function historyEntry(id: string, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id,
    kind: 'ProcessPayment',
    label: `history ${id}`,
    params: { amount: 1 },
    memo: { paymentId: id },
    origin: 'operator',
    createdAt: at(0),
    barrier: false,
    movesMoney: true,
    operator: null,
    ...over,
  };
}

/** A finished request of a caller's key (kept 7 days), unless `over` says otherwise. */
export function idempotency(key: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    fingerprint: `fp-${key}`,
    operation: 'payments.process',
    origin: 'api',
    clientKey: true,
    targets: [],
    createdAt: at(0),
    finishedAt: at(0),
    answer: { ok: true, data: { id: `pay-${key}` } },
    operator: null,
    ...over,
  };
}

export function refund(id: string, over: Partial<Refund> = {}): Refund {
  return {
    id,
    paymentId: 'p0',
    amount: 500,
    currency: 'USD',
    status: 'PENDING',
    idempotencyKey: `rk-${id}`,
    requestKey: `req-${id}`,
    undoOf: null,
    gatewayRefundId: null,
    failureCode: null,
    failureMessage: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...over,
  };
}

const STATUSES: PaymentStatus[] = [
  'PENDING',
  'COMPLETED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
];

/** Everything the store answers, as plain data, for deep comparison of two stores. */
export interface DumpKeys {
  emails: string[];
  subscriptionIds: string[];
  idempotencyKeys: string[];
  refundIds: string[];
  /** "now" for dueSubscriptions. */
  now: string;
}

/** The read half of a Store (what a reference model implements too). */
export type StoreReads = Omit<
  Store,
  | 'dataDir'
  | 'commit'
  | 'compact'
  | 'holdCompaction'
  | 'close'
  | 'writeFailure'
  | 'repaired'
  | 'commitSeq'
  | 'backupTo'
  | 'exclusive'
  | 'leadScheduler'
  | 'claimSubscriptions'
>;

export function dumpStore(store: StoreReads, keys: DumpKeys) {
  const { emails, subscriptionIds, idempotencyKeys, refundIds, now } = keys;
  const payments = [...store.allPayments()];
  const subscriptions = [...store.allSubscriptions()];
  const pq = (q: Omit<Parameters<Store['queryPayments']>[0], 'order' | 'offset' | 'limit'>) =>
    (['asc', 'desc'] as const).flatMap((order) => [
      store.queryPayments({ ...q, order, offset: 0, limit: 1000 }),
      store.queryPayments({ ...q, order, offset: 1, limit: 2 }),
    ]);
  return {
    count: store.paymentCount(),
    payments,
    byId: payments.map((p) => store.getPayment(p.id)),
    byKey: payments.map((p) => store.getPaymentByIdempotencyKey(p.idempotencyKey)?.id),
    pending: store.pendingPayments(),
    all: pq({}),
    byStatus: STATUSES.map((status) => pq({ status })),
    byEmail: emails.map((customerEmail) => pq({ customerEmail: customerEmail.toUpperCase() })),
    bySub: subscriptionIds.map((subscriptionId) => pq({ subscriptionId })),
    combined: STATUSES.flatMap((status) =>
      emails.flatMap((customerEmail) =>
        subscriptionIds.map((subscriptionId) => pq({ status, customerEmail, subscriptionId })),
      ),
    ),
    ofSub: subscriptionIds.map((id) => store.paymentsOfSubscription(id)),
    refunds: [now, '2000-01-01T00:00:00.000Z'].map((instant) =>
      store
        .refundsSince(instant)
        .map((r) => `${r.paymentId} ${r.at} ${r.amount} ${r.currency}`)
        .sort(),
    ),
    periodCharges: subscriptionIds.flatMap((id) =>
      [0, 1, 2, 3].map((period) => store.periodCharges(id, period)),
    ),
    subscriptions,
    subById: subscriptions.map((s) => store.getSubscription(s.id)),
    subQueries: (['asc', 'desc'] as const).flatMap((order) => [
      store.querySubscriptions({ order, offset: 0, limit: 1000 }),
      ...emails.map((customerEmail) =>
        store.querySubscriptions({ customerEmail, order, offset: 0, limit: 1000 }),
      ),
      ...(['ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED'] as const).map((status) =>
        store.querySubscriptions({ status, order, offset: 0, limit: 1000 }),
      ),
    ]),
    due: store.dueSubscriptions(now),
    undo: store.undoStack(),
    redo: store.redoStack(),
    audit: store.audit(0, 100_000),
    idempotency: idempotencyKeys.map((k) => store.getIdempotencyRecord(k) ?? null),
    unfinished: store
      .unfinishedRequests()
      .map((r) => r.key)
      .sort(),
    refundsById: refundIds.map((id) => store.getRefund(id) ?? null),
    refundsByKey: refundIds.map((id) => store.getRefundByIdempotencyKey(`rk-${id}`)?.id ?? null),
    refundsOf: payments.map((p) => store.refundsOfPayment(p.id).map((r) => r.id)),
    pendingRefunds: store
      .pendingRefunds()
      .map((r) => r.id)
      .sort(),
    gatewayCursor: store.gatewayCursor(),
    settings: store.settings(),
    testClock: store.testClock(),
    customers: dumpCustomers(store, emails),
  };
}

/** The customers' pages: every sort, both orders, a few currencies, searches and pages. */
function dumpCustomers(store: StoreReads, emails: string[]) {
  const pages = CUSTOMER_SORTS.flatMap((sort) =>
    (['asc', 'desc'] as const).flatMap((order) =>
      [undefined, 'USD', 'EUR', 'GBP'].flatMap((currency) =>
        ['', 'ADA', 'b', ' @ '].flatMap((search) =>
          [
            { offset: 0, limit: 1000 },
            { offset: 1, limit: 2 },
          ].map((page) => store.queryCustomers({ sort, order, currency, search, ...page })),
        ),
      ),
    ),
  );
  return {
    pages,
    byEmail: [...emails, 'nobody@example.com'].map((email) => store.getCustomer(email) ?? null),
  };
}
