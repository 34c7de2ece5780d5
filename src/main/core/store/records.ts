/**
 * Validation of stored records and changes, against the zod schemas of src/shared/domain.ts.
 *
 * zod is the reference, but parsing 1,000,000 payments with it takes about 2 s on the
 * project's machines, which alone breaks the 1.5 s budget for opening the store. So the two
 * record kinds that come by the million (payments and audit entries) and subscriptions get a
 * hand-written structural check that accepts exactly what zod accepts (a property test in
 * test/property/store-records.test.ts holds the two together); zod itself is only run when
 * the check fails, to word the error. One difference: zod strips unknown keys, the check
 * keeps them. Everything else (refunds, history entries, idempotency records, settings) goes
 * through zod directly: there are few of them.
 */
import type { z } from 'zod';
import {
  auditEntry,
  historyEntry,
  idempotencyRecord,
  isoInstant,
  payment,
  refund,
  settings,
  subscription,
  type AuditEntry,
  type Payment,
  type Subscription,
} from '../../../shared/domain';
import type { Change } from '../ports';

// The very pattern zod checks isoInstant with, so the two cannot drift apart.
const ISO_INSTANT: RegExp = isoInstant.def.pattern ?? /^$/;
const CURRENCY = /^[A-Z]{3}$/;

const PAYMENT_STATUS = new Set([
  'PENDING',
  'COMPLETED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
]);
const SUBSCRIPTION_STATUS = new Set(['ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED']);
const INTERVAL = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const ORIGIN = new Set(['operator', 'api', 'scheduler', 'system']);
const AUDIT_ACTION = new Set(['execute', 'undo', 'redo', 'reconcile']);
const AUDIT_OUTCOME = new Set(['ok', 'declined', 'error']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): boolean => typeof v === 'string';
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const minor = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
export const isInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v);
const instant = isInstant;
const instantOrNull = (v: unknown): boolean => v === null || instant(v);

function eventOk(e: unknown, p: Obj): boolean {
  if (!isObj(e)) return false;
  const at = e.at;
  // The event times usually repeat createdAt/updatedAt (already checked): skip the regex.
  if (!(typeof at === 'string' && (at === p.createdAt || at === p.updatedAt)) && !instant(at)) {
    return false;
  }
  switch (e.type) {
    case 'created':
    case 'charge_attempted':
    case 'timed_out':
      return true;
    case 'succeeded':
      return str(e.transactionId);
    case 'failed':
      return str(e.code) && str(e.message);
    case 'refunded':
      return minor(e.amount) && str(e.refundId);
    case 'reconciled':
      return e.outcome === 'COMPLETED' || e.outcome === 'FAILED';
    default:
      return false;
  }
}

/** Accepts exactly what `payment.safeParse` accepts. */
export function isPayment(v: unknown): v is Payment {
  if (!isObj(v)) return false;
  if (!(
    str(v.id) &&
    minor(v.amount) &&
    typeof v.currency === 'string' &&
    CURRENCY.test(v.currency) &&
    str(v.customerEmail) &&
    strOrNull(v.description) &&
    strOrNull(v.paymentMethod) &&
    PAYMENT_STATUS.has(v.status as string) &&
    strOrNull(v.transactionId) &&
    strOrNull(v.failureCode) &&
    strOrNull(v.failureMessage) &&
    minor(v.refundedAmount) &&
    str(v.idempotencyKey) &&
    strOrNull(v.subscriptionId) &&
    (v.period === null || minor(v.period)) &&
    strOrNull(v.redoOf) &&
    instant(v.createdAt) &&
    (v.updatedAt === v.createdAt || instant(v.updatedAt)) &&
    Array.isArray(v.events)
  )) {
    return false;
  }
  const events = v.events as unknown[];
  for (let i = 0; i < events.length; i++) if (!eventOk(events[i], v)) return false;
  return true;
}

/** Accepts exactly what `subscription.safeParse` accepts. */
export function isSubscription(v: unknown): v is Subscription {
  if (!isObj(v)) return false;
  if (!(
    str(v.id) &&
    str(v.customerEmail) &&
    minor(v.amount) &&
    typeof v.currency === 'string' &&
    CURRENCY.test(v.currency) &&
    INTERVAL.has(v.interval as string) &&
    Number.isSafeInteger(v.intervalCount) &&
    (v.intervalCount as number) > 0 &&
    SUBSCRIPTION_STATUS.has(v.status as string) &&
    instant(v.billingAnchor) &&
    minor(v.nextPeriod) &&
    instantOrNull(v.nextPaymentDate) &&
    minor(v.failedAttempts) &&
    instantOrNull(v.retryAt) &&
    instantOrNull(v.pausedAt) &&
    strOrNull(v.pauseReason) &&
    Array.isArray(v.waivedPeriods) &&
    instant(v.createdAt) &&
    instant(v.updatedAt)
  )) {
    return false;
  }
  const waived = v.waivedPeriods as unknown[];
  for (let i = 0; i < waived.length; i++) if (!minor(waived[i])) return false;
  if (!Array.isArray(v.unpaidPeriods)) return false;
  const unpaid = v.unpaidPeriods as unknown[];
  for (let i = 0; i < unpaid.length; i++) if (!minor(unpaid[i])) return false;
  const review = v.review;
  return (
    review === null ||
    (isObj(review) &&
      minor(review.fromPeriod) &&
      minor(review.toPeriod) &&
      instant(review.markedAt))
  );
}

/** The optional `moved` of an audit entry: absent, or a list of amounts per currency. */
function movedOk(v: unknown): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const m: unknown = v[i];
    if (!(
      isObj(m) &&
      typeof m.currency === 'string' &&
      CURRENCY.test(m.currency) &&
      minor(m.charged) &&
      minor(m.refunded)
    )) {
      return false;
    }
  }
  return true;
}

/** Accepts exactly what `auditEntry.safeParse` accepts. */
export function isAuditEntry(v: unknown): v is AuditEntry {
  return (
    isObj(v) &&
    str(v.id) &&
    instant(v.at) &&
    ORIGIN.has(v.origin as string) &&
    AUDIT_ACTION.has(v.action as string) &&
    str(v.kind) &&
    str(v.label) &&
    AUDIT_OUTCOME.has(v.outcome as string) &&
    strOrNull(v.message) &&
    movedOk(v.moved)
  );
}

/** zod's own words for why `value` does not fit `schema` ("amount: Too small ..."). */
export function describeProblem(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) return 'invalid record';
  const issue = result.error.issues[0];
  if (!issue) return 'invalid record';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export type RecordKind =
  'payment' | 'subscription' | 'refund' | 'audit' | 'history' | 'idempotency' | 'settings';

const SCHEMAS: Record<RecordKind, z.ZodType> = {
  payment,
  subscription,
  refund,
  audit: auditEntry,
  history: historyEntry,
  idempotency: idempotencyRecord,
  settings,
};

/** The keys each fast check knows: it must be the schema's whole shape. */
export const FAST_CHECK_KEYS = {
  payment: [
    'id',
    'amount',
    'currency',
    'customerEmail',
    'description',
    'paymentMethod',
    'status',
    'transactionId',
    'failureCode',
    'failureMessage',
    'refundedAmount',
    'idempotencyKey',
    'subscriptionId',
    'period',
    'redoOf',
    'createdAt',
    'updatedAt',
    'events',
  ],
  subscription: [
    'id',
    'customerEmail',
    'amount',
    'currency',
    'interval',
    'intervalCount',
    'status',
    'billingAnchor',
    'nextPeriod',
    'nextPaymentDate',
    'failedAttempts',
    'retryAt',
    'pausedAt',
    'pauseReason',
    'waivedPeriods',
    'createdAt',
    'updatedAt',
    'review',
    'unpaidPeriods',
  ],
  audit: ['id', 'at', 'origin', 'action', 'kind', 'label', 'outcome', 'message', 'moved'],
} as const;

const sameKeys = (schema: z.ZodObject, keys: readonly string[]): boolean =>
  Object.keys(schema.shape).sort().join() === [...keys].sort().join();

/**
 * The fast checks in use: one whose keys no longer match its schema (domain.ts changed and
 * this file did not) is left out, so validation falls back to zod and stays right.
 */
export const FAST: Partial<Record<RecordKind, (v: unknown) => boolean>> = {
  ...(sameKeys(payment, FAST_CHECK_KEYS.payment) ? { payment: isPayment } : {}),
  ...(sameKeys(subscription, FAST_CHECK_KEYS.subscription) ? { subscription: isSubscription } : {}),
  ...(sameKeys(auditEntry, FAST_CHECK_KEYS.audit) ? { audit: isAuditEntry } : {}),
};

/** null when `value` is a valid record of `kind`, else what is wrong with it. */
export function checkRecord(kind: RecordKind, value: unknown): string | null {
  const fast = FAST[kind];
  if (fast !== undefined) return fast(value) ? null : describeProblem(SCHEMAS[kind], value);
  return SCHEMAS[kind].safeParse(value).success ? null : describeProblem(SCHEMAS[kind], value);
}

const CHANGE_RECORD: Partial<Record<Change['t'], RecordKind>> = {
  payment: 'payment',
  subscription: 'subscription',
  refund: 'refund',
  audit: 'audit',
  'undo.push': 'history',
  'redo.push': 'history',
  idempotency: 'idempotency',
  settings: 'settings',
};

/** null when `value` is a well-formed change (records valid), else what is wrong with it. */
export function checkChange(value: unknown): string | null {
  if (!isObj(value) || typeof value.t !== 'string') return 'not a change';
  const t = value.t as Change['t'];
  switch (t) {
    case 'undo.pop':
    case 'redo.pop':
    case 'redo.clear':
      return null;
    case 'clock':
      return value.v === null || instant(value.v) ? null : `clock: not an ISO instant or null`;
    case 'gatewayCursor':
      return typeof value.v === 'string' ? null : 'gatewayCursor: not text';
    default: {
      const kind = CHANGE_RECORD[t];
      if (kind === undefined) return `unknown change type ${JSON.stringify(t)}`;
      const problem = checkRecord(kind, value.v);
      return problem === null ? null : `${t}: ${problem}`;
    }
  }
}
