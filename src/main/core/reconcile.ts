/**
 * Start-up reconciliation (rule 3), both ways, before any change is accepted:
 *  1. The gateway's side: its records since the last reconciled point (the store's gateway
 *     cursor), page by page. A PENDING payment or refund found there is settled with the
 *     gateway's outcome; a charge or a refund the store does not know (its record was lost,
 *     a journal cut short) is recorded, with an audit entry saying so.
 *  2. The store's side: what is still PENDING (the gateway listed nothing under its key) is
 *     looked up by key, many at a time: known → settled; never seen → FAILED (interrupted),
 *     for the gateway cannot make it any more (the process that would have called is gone).
 * Every settlement is audited; a subscription's schedule follows its charge's outcome. Then
 * the cursor moves to the end of what was read, so the next start reads only what is new.
 */
import type { Payment, Refund } from '../../shared/domain';
import { settleBounded } from './bounded';
import { newId } from './ids';
import { movedBy } from './moved';
import {
  paymentFromGateway,
  refunded,
  refundFailed,
  refundSucceeded,
  settle,
} from './payment-rules';
import type { Change, ChargeResult, Clock, Gateway, GatewayRecord, Store } from './ports';
import { keyOwner } from './store/codec';
import { periodFailed, periodPaid } from './subscription-rules';

export const INTERRUPTED = {
  code: 'interrupted',
  message:
    'Paydesk stopped before the gateway answered, and the gateway has no record of this charge',
};

const REFUND_INTERRUPTED = {
  code: 'interrupted',
  message:
    'Paydesk stopped before the gateway answered, and the gateway has no record of this refund',
};

/** Look-ups kept in flight at the gateway at once. */
export const RECONCILE_CONCURRENCY = 100;
/** Gateway records read per page. */
export const RECORDS_PAGE = 1000;

export interface ReconcileReport {
  /** Gateway records read since the last reconciled point. */
  read: number;
  /** PENDING payments and refunds settled. */
  settled: number;
  /** Charges and refunds found at the gateway that the store did not know, now recorded. */
  recorded: number;
  /** Records that stay PENDING: the gateway could not be asked (they are tried at the next start). */
  unsettled: number;
}

export async function reconcile(
  store: Store,
  gateway: Gateway,
  clock: Clock,
  log: (message: string) => void,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { read: 0, settled: 0, recorded: 0, unsettled: 0 };
  const now = () => clock.now().toISOString();
  try {
    await readGatewaySide(store, gateway, now, log, report);
  } catch (error) {
    log(
      `Could not read the gateway's records (${(error as Error).message}); ` +
        'pending payments and refunds are looked up one by one',
    );
  }
  await lookUpPending(store, gateway, now, log, report);
  if (report.settled + report.recorded + report.unsettled > 0) {
    log(
      `Reconciled with the gateway: ${report.read} gateway records read, ${report.settled} ` +
        `pending settled, ${report.recorded} unknown recorded, ${report.unsettled} still pending`,
    );
  }
  return report;
}

async function readGatewaySide(
  store: Store,
  gateway: Gateway,
  now: () => string,
  log: (message: string) => void,
  report: ReconcileReport,
): Promise<void> {
  let cursor = store.gatewayCursor();
  for (;;) {
    const page = await gateway.records(cursor, RECORDS_PAGE);
    // Each commit is applied at once (later records see earlier ones) and they share flushes.
    const commits: Promise<void>[] = [];
    for (const record of page.records) {
      const changes = compare(store, record, now(), log, report);
      if (changes.length > 0) commits.push(store.commit(changes));
    }
    report.read += page.records.length;
    if (page.cursor !== cursor)
      commits.push(store.commit([{ t: 'gatewayCursor', v: page.cursor }]));
    await Promise.all(commits);
    cursor = page.cursor;
    if (!page.more) return;
  }
}

/** What the store must record to agree with one gateway record (nothing when it does). */
function compare(
  store: Store,
  record: GatewayRecord,
  now: string,
  log: (message: string) => void,
  report: ReconcileReport,
): Change[] {
  if (record.type === 'charge') {
    const payment = store.getPaymentByIdempotencyKey(record.idempotencyKey);
    if (payment === undefined) {
      report.recorded++;
      const owner = keyOwner(record.idempotencyKey);
      const found = paymentFromGateway(
        record,
        {
          id: newId('pay'),
          subscriptionId: owner !== null && 'subscriptionId' in owner ? owner.subscriptionId : null,
          period: owner !== null && 'period' in owner ? owner.period : null,
        },
        now,
      );
      return audited(
        [{ t: 'payment', v: found }, ...followSchedule(store, found, now)],
        now,
        'ProcessPayment',
        `Record charge ${record.idempotencyKey} found at the gateway (made ${record.at}); the store did not know it`,
        found.status === 'COMPLETED' ? 'ok' : 'declined',
        found.failureMessage,
      );
    }
    if (payment.status === 'PENDING') {
      report.settled++;
      return settlePayment(store, payment, record.result, now);
    }
    if (disagrees(payment, record.result)) {
      const message = `Payment ${payment.id} is ${payment.status} but the gateway's charge ${record.idempotencyKey} ${record.result.status}`;
      log(message);
      return audited([], now, 'ProcessPayment', message, 'error', null);
    }
    return [];
  }
  const refund = store.getRefundByIdempotencyKey(record.idempotencyKey);
  if (refund?.status === 'SUCCEEDED') return [];
  if (refund?.status === 'PENDING') {
    report.settled++;
    return settleRefund(store, refund, record.refundId, now);
  }
  const payment = store.getPaymentByIdempotencyKey(record.chargeIdempotencyKey);
  if (refund?.status === 'FAILED' || payment === undefined) {
    const message =
      `The gateway's refund ${record.idempotencyKey} of ${record.amount} ` +
      (payment === undefined
        ? `is of charge ${record.chargeIdempotencyKey}, which the store does not know`
        : `was recorded as failed`);
    log(message);
    return audited([], now, 'RefundPayment', message, 'error', null);
  }
  report.recorded++;
  const found: Refund = {
    id: newId('rfd'),
    paymentId: payment.id,
    amount: record.amount,
    currency: payment.currency,
    status: 'SUCCEEDED',
    idempotencyKey: record.idempotencyKey,
    requestKey: null,
    undoOf: null,
    gatewayRefundId: record.refundId,
    failureCode: null,
    failureMessage: null,
    createdAt: now,
    updatedAt: now,
  };
  return audited(
    [
      { t: 'refund', v: found },
      { t: 'payment', v: refunded(payment, record.amount, record.refundId, now) },
    ],
    now,
    'RefundPayment',
    `Record refund ${record.idempotencyKey} of payment ${payment.id} found at the gateway (made ${record.at}); the store did not know it`,
    'ok',
    null,
  );
}

const disagrees = (payment: Payment, result: ChargeResult): boolean =>
  (result.status === 'succeeded') !== (payment.status !== 'FAILED');

/** Looks up what is still PENDING, many at a time, and settles it. */
async function lookUpPending(
  store: Store,
  gateway: Gateway,
  now: () => string,
  log: (message: string) => void,
  report: ReconcileReport,
): Promise<void> {
  type Item = { payment: Payment } | { refund: Refund };
  const items: Item[] = [
    ...store.pendingPayments().map((payment) => ({ payment })),
    ...store.pendingRefunds().map((refund) => ({ refund })),
  ];
  const outcomes = await settleBounded(items, RECONCILE_CONCURRENCY, async (item) => {
    if ('payment' in item) {
      const known = await gateway.lookup(item.payment.idempotencyKey);
      const result = known ?? { status: 'failed' as const, ...INTERRUPTED };
      // The payment as it is now (the look-ups of others ran meanwhile, but never of this one).
      const current = store.getPayment(item.payment.id) ?? item.payment;
      await store.commit(settlePayment(store, current, result, now()));
    } else {
      const known = await gateway.lookupRefund(item.refund.idempotencyKey);
      await store.commit(
        known === null
          ? interruptedRefund(item.refund, now())
          : settleRefund(store, item.refund, known.refundId, now()),
      );
    }
    report.settled++;
  });
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    report.unsettled++;
    const item = items[i] as Item;
    const what = 'payment' in item ? `payment ${item.payment.id}` : `refund ${item.refund.id}`;
    log(`Could not reconcile ${what}: ${(outcome.reason as Error).message}; it stays PENDING`);
  });
}

function settlePayment(
  store: Store,
  payment: Payment,
  result: ChargeResult,
  now: string,
): Change[] {
  const after = settle(payment, result, now, { reconciled: true });
  const interrupted = result.status === 'failed' && result.code === INTERRUPTED.code;
  return audited(
    [{ t: 'payment', v: after }, ...followSchedule(store, after, now)],
    now,
    'ProcessPayment',
    `Reconcile payment ${payment.id} with the gateway${interrupted ? ' (interrupted)' : ''}`,
    after.status === 'COMPLETED' ? 'ok' : 'declined',
    after.status === 'COMPLETED' ? null : after.failureMessage,
  );
}

function settleRefund(
  store: Store,
  refund: Refund,
  gatewayRefundId: string,
  now: string,
): Change[] {
  const payment = store.getPayment(refund.paymentId);
  return audited(
    [
      { t: 'refund', v: refundSucceeded(refund, gatewayRefundId, now) },
      ...(payment === undefined
        ? []
        : [{ t: 'payment' as const, v: refunded(payment, refund.amount, gatewayRefundId, now) }]),
    ],
    now,
    'RefundPayment',
    `Reconcile refund ${refund.id} with the gateway`,
    'ok',
    null,
  );
}

function interruptedRefund(refund: Refund, now: string): Change[] {
  const { code, message } = REFUND_INTERRUPTED;
  return audited(
    [{ t: 'refund', v: refundFailed(refund, code, message, now) }],
    now,
    'RefundPayment',
    `Reconcile refund ${refund.id} with the gateway (interrupted)`,
    'declined',
    message,
  );
}

function followSchedule(store: Store, payment: Payment, now: string): Change[] {
  if (payment.subscriptionId === null || payment.period === null) return [];
  const sub = store.getSubscription(payment.subscriptionId);
  if (!sub || sub.nextPeriod !== payment.period) return [];
  if (payment.status === 'COMPLETED')
    return [{ t: 'subscription', v: periodPaid(sub, payment.period, now) }];
  // An interrupted attempt says nothing about the card: the period simply stays due.
  if (
    payment.failureCode === INTERRUPTED.code ||
    sub.status === 'PAUSED' ||
    sub.status === 'CANCELLED'
  )
    return [];
  return [{ t: 'subscription', v: periodFailed(sub, payment.failureCode ?? 'failed', now) }];
}

/** `changes` followed by their audit entry, which records the money they move. */
function audited(
  changes: Change[],
  now: string,
  kind: string,
  label: string,
  outcome: 'ok' | 'declined' | 'error',
  message: string | null,
): Change[] {
  const entry: Change = {
    t: 'audit',
    v: {
      id: newId('aud'),
      at: now,
      origin: 'system',
      action: 'reconcile',
      kind,
      label,
      outcome,
      message,
      moved: movedBy(changes),
      operator: null,
    },
  };
  return [...changes, entry];
}
