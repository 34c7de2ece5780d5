/**
 * The operator's two answers to a subscription held for review (a run found more periods to
 * catch up than it charges by itself): ChargeMissedPeriods charges each of them, one charge
 * a period (undo: refund them all, as a run's undo does); SkipMissedPeriods leaves them
 * uncharged and bills on from the first period at or after now (undo: the review again).
 */
import { z } from 'zod';
import {
  subscription as subscriptionSchema,
  type Payment,
  type Subscription,
} from '../../../shared/domain';
import { formatAmount } from '../../../shared/money';
import { DomainError } from '../../../shared/result';
import type { Store } from '../ports';
import { chargeMissed, isDue, periodFailed, periodPaid, skipMissed } from '../subscription-rules';
import { chargePending } from './charge';
import { defineCommand, type CommandContext } from './command';
import { requireSubscription, statusWords } from './lookups';
import {
  madeSince,
  periodAttempt,
  rechargeWaived,
  refundingCharges,
  runExecution,
  runMemo,
} from './run-recurring';

const bySubscription = z.object({ subscriptionId: z.string() });

function periodsWord(sub: Subscription | undefined): string {
  const n = sub?.review ? sub.review.toPeriod - sub.review.fromPeriod + 1 : 0;
  return n === 0 ? 'the missed periods' : `${n} missed period${n === 1 ? '' : 's'}`;
}

function describe(store: Store, id: string): string {
  const sub = store.getSubscription(id);
  if (!sub) return `subscription ${id}`;
  return `${periodsWord(sub)} of ${sub.customerEmail}'s ${formatAmount(sub.amount, sub.currency, 'en-US')} subscription`;
}

/** Charges the periods of `sub` from its next one to `last`, one at a time; stops at a failure. */
async function chargeThrough(
  ctx: CommandContext,
  sub: Subscription,
  last: number,
): Promise<Payment[]> {
  const payments: Payment[] = [];
  let current = sub;
  while (current.nextPeriod <= last && isDue(current, new Date(ctx.now()))) {
    const period = current.nextPeriod;
    if (ctx.store.periodCharges(current.id, period).paid) {
      current = periodPaid(current, period, ctx.now());
      ctx.stage({ t: 'subscription', v: current });
      continue;
    }
    const pending = periodAttempt(ctx, current, period, null);
    await ctx.flush();
    const after = await chargePending(ctx.gateway, pending, () => ctx.now());
    if (after !== pending) ctx.stage({ t: 'payment', v: after });
    payments.push(after);
    if (after.status !== 'COMPLETED') {
      if (after.status === 'FAILED') {
        ctx.stage({
          t: 'subscription',
          v: periodFailed(current, after.failureCode ?? 'failed', ctx.now()),
        });
      }
      break;
    }
    current = periodPaid(current, period, ctx.now());
    ctx.stage({ t: 'subscription', v: current });
    await ctx.flush();
  }
  return payments;
}

export const chargeMissedPeriods = defineCommand({
  kind: 'ChargeMissedPeriods',
  params: bySubscription,
  memo: runMemo,
  irreversible: false,
  movesMoney: true,
  label: (p, store) => `Charge ${describe(store, p.subscriptionId)}`,

  async execute(ctx, p, previous) {
    const title = 'Missed periods charged';
    if (previous)
      return runExecution(await rechargeWaived(ctx, previous.charges), false, { title });
    const sub = requireSubscription(ctx.store, p.subscriptionId);
    const last = sub.review?.toPeriod ?? -1;
    const due = chargeMissed(sub, ctx.now());
    ctx.stage({ t: 'subscription', v: due });
    return runExecution(await chargeThrough(ctx, due, last), false, { title });
  },

  recover(ctx, previous) {
    const made = madeSince(ctx, previous);
    const subscriptionId = made[0]?.subscriptionId ?? '';
    return {
      params: { subscriptionId },
      execution: runExecution(made, true, { title: 'Missed periods charged' }),
    };
  },

  ...refundingCharges<z.infer<typeof bySubscription>>(),
});

const skipMemo = z.object({
  subscriptionId: z.string(),
  /** The subscription as it was held for review. */
  before: subscriptionSchema,
  /** The period billing went on from. */
  skippedTo: z.number().int().nonnegative(),
});

export const skipMissedPeriods = defineCommand({
  kind: 'SkipMissedPeriods',
  params: bySubscription,
  memo: skipMemo,
  irreversible: false,
  movesMoney: false,
  label: (p, store) => `Skip ${describe(store, p.subscriptionId)}`,

  async execute(ctx, p) {
    const before = requireSubscription(ctx.store, p.subscriptionId);
    const after = skipMissed(before, ctx.now());
    ctx.stage({ t: 'subscription', v: after });
    return {
      result: after,
      memo: { subscriptionId: before.id, before, skippedTo: after.nextPeriod },
      outcome: 'ok',
      summary: statusWords(after.status),
    };
  },

  async undo(ctx, _p, memo) {
    const sub = requireSubscription(ctx.store, memo.subscriptionId);
    // Untouched since the skip: nothing charged or attempted from the period it went on from.
    const untouched =
      sub.status === 'ACTIVE' &&
      sub.review === null &&
      sub.nextPeriod === memo.skippedTo &&
      ctx.store.periodCharges(sub.id, memo.skippedTo).attempts === 0;
    if (!untouched) {
      throw new DomainError(
        'conflict',
        `Cannot undo: subscription ${sub.id} has changed since the skip (charged, paused or cancelled). Nothing was changed.`,
      );
    }
    const { review, nextPeriod, nextPaymentDate, status, failedAttempts, retryAt } = memo.before;
    const restored = { review, nextPeriod, nextPaymentDate, status, failedAttempts, retryAt };
    ctx.stage({ t: 'subscription', v: { ...sub, ...restored, updatedAt: ctx.now() } });
    return memo;
  },
});
