/**
 * RunRecurring: charge every due period of every ACTIVE or PAST_DUE subscription, catching
 * up missed periods one charge each, in batches that are committed together and yield to
 * other work between them. Undo refunds the run's charges and waives those periods (the
 * timer never charges them again by itself); redo charges them again.
 *
 * Rule 4 hangs on the idempotency key: subscription, period and attempt number, where the
 * attempt number is how many payments that period already has. A period that already has a
 * successful charge is never charged again by the timer.
 */
import { z } from 'zod';
import type { Payment, Subscription } from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import type { RecurringRunSummary } from '../../../shared/contract';
import { newId } from '../ids';
import { pendingPayment } from '../payment-rules';
import { periodChargeKey } from '../schedule';
import { periodFailed, periodPaid } from '../subscription-rules';
import { chargePending, refundThroughGateway } from './charge';
import { defineCommand, type CommandContext } from './command';
import { requirePayment } from './payment-commands';
import { requireSubscription } from './subscription-commands';

/** Subscriptions charged per commit. */
export const RECURRING_BATCH_SIZE = 500;

const chargeRef = z.object({
  paymentId: z.string(),
  subscriptionId: z.string(),
  period: z.number().int().nonnegative(),
});
type ChargeRef = z.infer<typeof chargeRef>;
const runMemo = z.object({ charges: z.array(chargeRef) });

/**
 * The PENDING payment of the next attempt at `period`, after `attempts` earlier ones
 * (committed before the gateway call).
 */
function pendingCharge(
  ctx: CommandContext,
  sub: Subscription,
  period: number,
  attempts: number,
  redoOf: string | null,
) {
  const attempt = attempts + 1;
  const id = newId('pay');
  return pendingPayment(
    {
      id,
      amount: sub.amount,
      currency: sub.currency,
      customerEmail: sub.customerEmail,
      description: `Subscription ${sub.id}, period ${period + 1}`,
      paymentMethod: null,
      idempotencyKey: periodChargeKey(sub.id, period, attempt),
      subscriptionId: sub.id,
      period,
      redoOf,
    },
    ctx.now(),
  );
}

function summarize(payments: Payment[]): RecurringRunSummary {
  const succeeded = payments.filter((p) => p.status === 'COMPLETED').length;
  const failed = payments.filter((p) => p.status === 'FAILED').length;
  return { charged: payments.length, succeeded, failed, payments };
}

function runLabel(summary: RecurringRunSummary): string {
  const n = summary.succeeded;
  return `Recurring run: ${n} charge${n === 1 ? '' : 's'}`;
}

/**
 * Stages one batch: the PENDING payment of each subscription's next period, or for a period
 * already paid (a crash between the charge and the schedule update) just the move to the
 * next one. Returns what is to be charged.
 */
function stageBatch(ctx: CommandContext, subs: Subscription[]): Pending[] {
  const pending: Pending[] = [];
  for (const sub of subs) {
    const charges = ctx.store.periodCharges(sub.id, sub.nextPeriod);
    if (charges.paid) {
      ctx.stage({ t: 'subscription', v: periodPaid(sub, sub.nextPeriod, ctx.now()) });
      continue;
    }
    const payment = pendingCharge(ctx, sub, sub.nextPeriod, charges.attempts, null);
    ctx.stage({ t: 'payment', v: payment });
    pending.push({ sub, payment });
  }
  return pending;
}

interface Pending {
  sub: Subscription;
  payment: Payment;
}

/** Charges a batch whose PENDING payments are durable, and stages each result. */
function chargeBatch(ctx: CommandContext, pending: Pending[]): Promise<Payment[]> {
  return Promise.all(
    pending.map(async ({ sub, payment }) => {
      const after = await chargePending(ctx.gateway, payment, () => ctx.now());
      if (after !== payment) ctx.stage({ t: 'payment', v: after });
      if (after.status === 'COMPLETED') {
        ctx.stage({ t: 'subscription', v: periodPaid(sub, payment.period ?? 0, ctx.now()) });
      } else if (after.status === 'FAILED') {
        ctx.stage({
          t: 'subscription',
          v: periodFailed(sub, after.failureCode ?? 'failed', ctx.now()),
        });
      }
      return after;
    }),
  );
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Charges due periods batch by batch. Between two batches, in one synchronous stretch, the
 * previous batch's results are committed (applied at once, so its subscriptions are no
 * longer due), the next batch is chosen and its PENDING payments committed: commits made
 * in one tick share one journal flush, which is awaited before the gateway is called (rule
 * 3). Then the run yields, so that other work (an operator's request) runs between
 * batches, before the batch goes to the gateway. Background compaction waits for the end of
 * the run (Store.holdCompaction): a rewrite of the snapshot halfway would be outdated by the
 * rest of the run and would take the disk and the thread from it.
 */
async function chargeDuePeriods(ctx: CommandContext): Promise<Payment[]> {
  const results: Payment[] = [];
  /** Subscriptions whose charge outcome is unknown: not tried again in this run. */
  const held = new Set<string>();
  const nextDue = () =>
    ctx.store
      .dueSubscriptions(ctx.now(), RECURRING_BATCH_SIZE + held.size)
      .filter((s) => !held.has(s.id))
      .slice(0, RECURRING_BATCH_SIZE);
  let expected = ctx.store.dueSubscriptions(ctx.now()).length;
  const releaseCompaction = ctx.store.holdCompaction();
  try {
    for (;;) {
      const previousResults = ctx.flush();
      const due = nextDue();
      const pending = stageBatch(ctx, due);
      await Promise.all([previousResults, ctx.flush()]);
      if (due.length === 0) break;
      // Even when the flush was synchronous (as a batch's usually is: durable-append.ts).
      await yieldToEventLoop();
      for (const p of await chargeBatch(ctx, pending)) {
        results.push(p);
        if (p.status === 'PENDING' && p.subscriptionId) held.add(p.subscriptionId);
      }
      expected = Math.max(expected, results.length);
      ctx.progress(results.length, expected);
    }
  } finally {
    releaseCompaction();
  }
  return results;
}

async function rechargeWaived(ctx: CommandContext, charges: ChargeRef[]): Promise<Payment[]> {
  const results: Payment[] = [];
  for (const ref of charges) {
    const sub = requireSubscription(ctx.store, ref.subscriptionId);
    const { attempts } = ctx.store.periodCharges(sub.id, ref.period);
    const payment = pendingCharge(ctx, sub, ref.period, attempts, ref.paymentId);
    ctx.stage({ t: 'payment', v: payment });
    await ctx.flush();
    const after = await chargePending(ctx.gateway, payment, () => ctx.now());
    if (after.status === 'COMPLETED') {
      const current = requireSubscription(ctx.store, ref.subscriptionId);
      ctx.stage({
        t: 'subscription',
        v: {
          ...current,
          waivedPeriods: current.waivedPeriods.filter((k) => k !== ref.period),
          updatedAt: ctx.now(),
        },
      });
    }
    ctx.stage({ t: 'payment', v: after });
    await ctx.flush();
    results.push(after);
    ctx.progress(results.length, charges.length);
  }
  return results;
}

export const runRecurring = defineCommand({
  kind: 'RunRecurring',
  params: z.object({}),
  memo: runMemo,
  irreversible: false,
  movesMoney: true,
  label: () => 'Recurring run',

  async execute(ctx, _p, previous) {
    const payments = previous
      ? await rechargeWaived(ctx, previous.charges)
      : await chargeDuePeriods(ctx);
    const summary = summarize(payments);
    const charges = payments
      .filter((p) => p.status === 'COMPLETED')
      .map((p) => ({
        paymentId: p.id,
        subscriptionId: p.subscriptionId ?? '',
        period: p.period ?? 0,
      }));
    return {
      result: summary,
      memo: charges.length > 0 ? { charges } : null,
      outcome: summary.failed > 0 && summary.succeeded === 0 ? 'declined' : 'ok',
      label: runLabel(summary),
      summary: `${summary.succeeded} charged${summary.failed > 0 ? `, ${summary.failed} failed` : ''}`,
      ...(summary.failed > 0 ? { message: `${summary.failed} charge(s) failed` } : {}),
    };
  },

  async undo(ctx, _p, memo) {
    const payments = memo.charges.map((c) => requirePayment(ctx.store, c.paymentId));
    const changed = payments.find((p) => p.status !== 'COMPLETED' || p.refundedAmount !== 0);
    if (changed) {
      throw new DomainError(
        'conflict',
        `Cannot undo: payment ${changed.id} of this run has changed since (it is ${changed.status.toLowerCase().replace('_', ' ')}). Nothing was changed.`,
      );
    }
    const waived = new Map<string, number[]>();
    for (const payment of payments) {
      ctx.stage({
        t: 'payment',
        v: await refundThroughGateway(ctx.gateway, payment, undefined, () => ctx.now()),
      });
      const periods = waived.get(payment.subscriptionId ?? '') ?? [];
      periods.push(payment.period ?? 0);
      waived.set(payment.subscriptionId ?? '', periods);
    }
    for (const [subscriptionId, periods] of waived) {
      const sub = requireSubscription(ctx.store, subscriptionId);
      const all = [...new Set([...sub.waivedPeriods, ...periods])].sort((a, b) => a - b);
      ctx.stage({ t: 'subscription', v: { ...sub, waivedPeriods: all, updatedAt: ctx.now() } });
    }
    return memo;
  },
});
