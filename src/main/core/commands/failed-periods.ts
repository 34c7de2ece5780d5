/**
 * The operator's two answers to an unpaid period (a period whose charge failed and that a
 * resume left behind, see subscription-rules.ts restartSchedule): RetryFailedPeriod charges
 * it now, one attempt (undo: refund it, the period is unpaid again; redo: charge it again);
 * ForgiveFailedPeriod gives it up (undo: it is unpaid again). Neither touches the schedule:
 * billing goes on from the period it had reached.
 */
import { z } from 'zod';
import type { Payment } from '../../../shared/domain';
import { formatAmount } from '../../../shared/money';
import { intervalWords } from '../../../shared/wording';
import type { Store } from '../ports';
import { requireUnpaid, unpaidAgain, unpaidSettled, waivedAndUnpaid } from '../subscription-rules';
import { chargePending } from './charge';
import { defineCommand, type CommandContext, type Execution } from './command';
import { requireSubscription, statusWords } from './lookups';
import { madeSince, periodAttempt, refundingCharges, runMemo } from './run-recurring';

const byPeriod = z.object({
  subscriptionId: z.string(),
  period: z.number().int().nonnegative(),
});
type ByPeriod = z.infer<typeof byPeriod>;
type RunMemo = z.infer<typeof runMemo>;

/** "period 1 of the subscription of ann@example.com, $45.00 monthly". */
function describe(store: Store, p: ByPeriod): string {
  const sub = store.getSubscription(p.subscriptionId);
  const of = sub
    ? `the subscription of ${sub.customerEmail}, ${formatAmount(sub.amount, sub.currency, 'en-US')} ${intervalWords(sub.interval, sub.intervalCount)}`
    : `subscription ${p.subscriptionId}`;
  return `period ${p.period + 1} of ${of}`;
}

/** A retry's answer: its charge; the memo (for undo) only when it was paid. */
function retryExecution(payment: Payment): Execution<Payment, RunMemo> {
  const paid = payment.status === 'COMPLETED';
  return {
    result: payment,
    memo: paid
      ? {
          charges: [
            {
              paymentId: payment.id,
              subscriptionId: payment.subscriptionId ?? '',
              period: payment.period ?? 0,
            },
          ],
        }
      : null,
    outcome: payment.status === 'FAILED' ? 'declined' : 'ok',
    summary: statusWords(payment.status),
    ...(payment.failureCode
      ? { message: `${payment.failureCode}: ${payment.failureMessage}` }
      : {}),
  };
}

/** One charge of the unpaid period (its PENDING payment durable first); paid: settled. */
async function chargeUnpaid(
  ctx: CommandContext,
  p: ByPeriod,
  redoOf: string | null,
): Promise<Payment> {
  const sub = requireSubscription(ctx.store, p.subscriptionId);
  requireUnpaid(sub, p.period);
  const pending = periodAttempt(ctx, sub, p.period, redoOf);
  await ctx.flush();
  const after = await chargePending(ctx.gateway, pending, () => ctx.now());
  if (after !== pending) ctx.stage({ t: 'payment', v: after });
  if (after.status === 'COMPLETED') {
    ctx.stage({ t: 'subscription', v: unpaidSettled(sub, p.period, ctx.now()) });
  }
  return after;
}

const refunding = refundingCharges<ByPeriod>();

export const retryFailedPeriod = defineCommand({
  kind: 'RetryFailedPeriod',
  params: byPeriod,
  memo: runMemo,
  irreversible: false,
  movesMoney: true,
  paymentsOf: refunding.paymentsOf,
  label: (p, store) => `Retry ${describe(store, p)}`,

  async execute(ctx, p, previous) {
    return retryExecution(await chargeUnpaid(ctx, p, previous?.charges[0]?.paymentId ?? null));
  },

  recover(ctx, previous) {
    const made = madeSince(ctx, previous)[0];
    if (made === undefined || made.subscriptionId === null || made.period === null) return null;
    const params = { subscriptionId: made.subscriptionId, period: made.period };
    const sub = requireSubscription(ctx.store, params.subscriptionId);
    if (made.status === 'COMPLETED' && sub.unpaidPeriods.includes(params.period)) {
      ctx.stage({ t: 'subscription', v: unpaidSettled(sub, params.period, ctx.now()) });
    }
    return { params, execution: retryExecution(made) };
  },

  // Refunded, the period is unpaid again (and waived, as a run's undo leaves its periods).
  async undo(ctx, p, memo) {
    const done = await refunding.undo(ctx, p, memo);
    const sub = requireSubscription(ctx.store, p.subscriptionId);
    ctx.stage({ t: 'subscription', v: waivedAndUnpaid(sub, p.period, ctx.now()) });
    return done;
  },

  recoverUndo(ctx, p, memo) {
    const done = refunding.recoverUndo(ctx, p, memo);
    if (done === null) return null;
    const sub = requireSubscription(ctx.store, p.subscriptionId);
    ctx.stage({ t: 'subscription', v: waivedAndUnpaid(sub, p.period, ctx.now()) });
    return done;
  },
});

const forgiveMemo = byPeriod;

export const forgiveFailedPeriod = defineCommand({
  kind: 'ForgiveFailedPeriod',
  params: byPeriod,
  memo: forgiveMemo,
  irreversible: false,
  movesMoney: false,
  label: (p, store) => `Forgive ${describe(store, p)}`,

  async execute(ctx, p) {
    const sub = requireSubscription(ctx.store, p.subscriptionId);
    const after = unpaidSettled(sub, p.period, ctx.now());
    ctx.stage({ t: 'subscription', v: after });
    return { result: after, memo: p, outcome: 'ok', summary: 'Forgiven' };
  },

  async undo(ctx, _p, memo) {
    const sub = requireSubscription(ctx.store, memo.subscriptionId);
    ctx.stage({ t: 'subscription', v: unpaidAgain(sub, memo.period, ctx.now()) });
    return memo;
  },
});
