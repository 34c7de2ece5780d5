/**
 * Start-up reconciliation (rule 3): every payment still PENDING was stored before a gateway
 * call whose answer never arrived. Ask the gateway by idempotency key: charged → COMPLETED
 * with its transaction id, declined → FAILED, never seen → FAILED (interrupted). Each is
 * recorded in the audit log; a subscription's schedule follows its charge's outcome.
 */
import type { Payment } from '../../shared/domain';
import { newId } from './ids';
import { settle } from './payment-rules';
import type { Change, Clock, Gateway, Store } from './ports';
import { periodFailed, periodPaid } from './subscription-rules';

export const INTERRUPTED = {
  code: 'interrupted',
  message:
    'Paydesk stopped before the gateway answered, and the gateway has no record of this charge',
};

export async function reconcilePending(
  store: Store,
  gateway: Gateway,
  clock: Clock,
  log: (message: string) => void,
): Promise<number> {
  const pending = store.pendingPayments();
  let done = 0;
  for (const payment of pending) {
    let known;
    try {
      known = await gateway.lookup(payment.idempotencyKey);
    } catch (error) {
      log(
        `Could not reconcile payment ${payment.id}: ${(error as Error).message}; it stays PENDING`,
      );
      continue;
    }
    const now = clock.now().toISOString();
    const result = known ?? { status: 'failed' as const, ...INTERRUPTED };
    const after = settle(payment, result, now, { reconciled: true });
    await store.commit([
      { t: 'payment', v: after },
      ...followSchedule(store, after, now),
      audit(after, now),
    ]);
    log(`Reconciled payment ${payment.id}: ${after.status}${known ? '' : ' (interrupted)'}`);
    done += 1;
  }
  return done;
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

function audit(payment: Payment, now: string): Change {
  return {
    t: 'audit',
    v: {
      id: newId('aud'),
      at: now,
      origin: 'system',
      action: 'reconcile',
      kind: 'ProcessPayment',
      label: `Reconcile payment ${payment.id} with the gateway`,
      outcome: payment.status === 'COMPLETED' ? 'ok' : 'declined',
      message: payment.status === 'COMPLETED' ? null : payment.failureMessage,
    },
  };
}
