/**
 * The REST API's JSON shapes (the MVP's): snake_case fields, amounts as decimal strings in
 * the currency's exponent, instants as ISO strings. Pure functions from the contract's
 * outputs, plus the key conversions between REST bodies and contract inputs.
 */
import type {
  BackupInfo,
  BackupsView,
  CustomerDetail,
  CustomerEvent,
  CustomerSummary,
  CustomerTotals,
  HistoryItem,
  HistoryView,
  OperatorSession,
  OperatorView,
  PaymentDetail,
  RecurringRunSummary,
  RecurringRunSummaryBrief,
  SchedulerStatus,
  SubscriptionDetail,
} from '../shared/contract';
import type { AuditEntry, Payment, PaymentEvent, Refund, Subscription } from '../shared/domain';
import { toDecimalString } from '../shared/money';

export const snakeCase = (name: string): string =>
  name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const camelCase = (name: string): string =>
  name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function presentPayment(p: Payment) {
  return {
    id: p.id,
    amount: toDecimalString(p.amount, p.currency),
    currency: p.currency,
    status: p.status,
    transaction_id: p.transactionId,
    customer_email: p.customerEmail,
    description: p.description,
    payment_method: p.paymentMethod,
    failure_code: p.failureCode,
    failure_message: p.failureMessage,
    refunded_amount: toDecimalString(p.refundedAmount, p.currency),
    subscription_id: p.subscriptionId,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function presentEvent(e: PaymentEvent, currency: string) {
  switch (e.type) {
    case 'succeeded':
      return { type: e.type, at: e.at, transaction_id: e.transactionId };
    case 'failed':
      return { type: e.type, at: e.at, code: e.code, message: e.message };
    case 'refunded':
      return {
        type: e.type,
        at: e.at,
        amount: toDecimalString(e.amount, currency),
        refund_id: e.refundId,
      };
    case 'reconciled':
      return { type: e.type, at: e.at, outcome: e.outcome };
    default:
      return { type: e.type, at: e.at };
  }
}

export function presentRefund(r: Refund) {
  return {
    id: r.id,
    amount: toDecimalString(r.amount, r.currency),
    currency: r.currency,
    status: r.status,
    gateway_refund_id: r.gatewayRefundId,
    failure_code: r.failureCode,
    failure_message: r.failureMessage,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/** A payment with its timeline and its refunds, for GET payments/{id}/. */
export const presentPaymentDetail = (p: PaymentDetail) => ({
  ...presentPayment(p),
  events: p.events.map((e) => presentEvent(e, p.currency)),
  refunds: p.refunds.map(presentRefund),
});

export function presentSubscription(s: Subscription) {
  return {
    id: s.id,
    customer_email: s.customerEmail,
    amount: toDecimalString(s.amount, s.currency),
    currency: s.currency,
    interval: s.interval,
    interval_count: s.intervalCount,
    status: s.status,
    next_payment_date: s.nextPaymentDate,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    failed_attempts: s.failedAttempts,
    pause_reason: s.pauseReason,
    billing_anchor: s.billingAnchor,
    missed_periods:
      s.review === null
        ? null
        : {
            from_period: s.review.fromPeriod,
            to_period: s.review.toPeriod,
            marked_at: s.review.markedAt,
          },
    unpaid_periods: s.unpaidPeriods,
  };
}

/** A subscription with its charges, for GET subscriptions/{id}/. */
export const presentSubscriptionDetail = (s: SubscriptionDetail) => ({
  ...presentSubscription(s),
  charges: s.charges.map(presentPayment),
});

export const presentRun = (r: RecurringRunSummary) => ({
  charged: r.charged,
  succeeded: r.succeeded,
  failed: r.failed,
  payments: r.payments.map(presentPayment),
});

const presentHistoryItem = (h: HistoryItem) => ({
  id: h.id,
  label: h.label,
  kind: h.kind,
  origin: h.origin,
  created_at: h.createdAt,
  barrier: h.barrier,
  moves_money: h.movesMoney,
  outcome: h.outcome ?? null,
  operator: h.operator,
});

export const presentHistory = (h: HistoryView) => ({
  undo: h.undo.map(presentHistoryItem),
  redo: h.redo.map(presentHistoryItem),
  undo_total: h.undoTotal,
  redo_total: h.redoTotal,
  next_undo: h.nextUndo,
  next_redo: h.nextRedo,
});

/** A customer's totals in one currency, amounts as decimal strings. */
const presentCustomerTotals = (t: CustomerTotals) => ({
  currency: t.currency,
  charged: toDecimalString(t.charged, t.currency),
  refunded: toDecimalString(t.refunded, t.currency),
  net: toDecimalString(t.net, t.currency),
  monthly_recurring_revenue: toDecimalString(t.monthlyRecurringRevenue, t.currency),
});

/** One customer of GET customers/: the e-mail (lower case), counts and totals per currency. */
export const presentCustomer = (c: CustomerSummary) => ({
  email: c.email,
  payments: c.payments,
  failed_payments: c.failedPayments,
  active_subscriptions: c.activeSubscriptions,
  last_payment_at: c.lastPaymentAt,
  totals: c.totals.map(presentCustomerTotals),
});

function presentCustomerEvent(e: CustomerEvent) {
  switch (e.type) {
    case 'payment':
      return { type: e.type, at: e.at, payment: presentPayment(e.payment) };
    case 'refund':
      return {
        type: e.type,
        at: e.at,
        refund: { ...presentRefund(e.refund), payment_id: e.refund.paymentId },
      };
    case 'subscription':
      return { type: e.type, at: e.at, subscription: presentSubscription(e.subscription) };
  }
}

/** A customer with their subscriptions and timeline, for GET customers/{email}/. */
export const presentCustomerDetail = (c: CustomerDetail) => ({
  ...presentCustomer(c),
  subscriptions: c.subscriptions.map(presentSubscription),
  payments_shown: c.paymentsShown,
  timeline: c.timeline.map(presentCustomerEvent),
});

/** An audit entry; `moved` is null in entries written before amounts were recorded. */
/** An operator account (never its token's hash). */
export const presentOperator = (o: OperatorView) => ({
  id: o.id,
  name: o.name,
  role: o.role,
  created_at: o.createdAt,
  revoked_at: o.revokedAt,
});

/** Who the caller is (GET operators/me). */
export const presentSession = (s: OperatorSession) => ({
  operator: s.operator === null ? null : presentOperator(s.operator),
  role: s.role,
  accounts: s.accounts,
});

export const presentAuditEntry = (e: AuditEntry) => ({
  id: e.id,
  at: e.at,
  origin: e.origin,
  action: e.action,
  kind: e.kind,
  label: e.label,
  outcome: e.outcome,
  message: e.message,
  operator: e.operator,
  moved:
    e.moved?.map((m) => ({
      currency: m.currency,
      charged: toDecimalString(m.charged, m.currency),
      refunded: toDecimalString(m.refunded, m.currency),
    })) ?? null,
});

const presentRunBrief = (r: RecurringRunSummaryBrief) => ({
  charged: r.charged,
  succeeded: r.succeeded,
  failed: r.failed,
});

export const presentScheduler = (s: SchedulerStatus) => ({
  running: s.running,
  interval_seconds: s.intervalSeconds,
  last_run_at: s.lastRunAt,
  next_run_at: s.nextRunAt,
  in_flight: s.inFlight,
  last_run: s.lastRun === null ? null : presentRunBrief(s.lastRun),
});

export const presentBackup = (b: BackupInfo) => ({
  name: b.name,
  path: b.path,
  created_at: b.createdAt,
  kind: b.kind,
  commit_seq: b.commitSeq,
  payments: b.payments,
  subscriptions: b.subscriptions,
  ledger_entries: b.ledgerEntries,
  bytes: b.bytes,
});

export const presentBackups = (v: BackupsView) => ({
  folder: v.folder,
  keep: v.keep,
  daily: v.daily,
  daily_runs: v.dailyRuns,
  backups: v.backups.map(presentBackup),
});
