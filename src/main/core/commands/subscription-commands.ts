/**
 * CreateSubscription (undo: cancel it; redo: restore it), and Pause, Resume and Cancel, whose
 * undo restores the previous status (billing restarts from the first period at or after the
 * moment it is restored: what fell due meanwhile is not charged).
 */
import { z } from 'zod';
import {
  currencyCode,
  interval,
  isoInstant,
  minorUnits,
  subscriptionStatus,
  type Subscription,
} from '../../../shared/domain';
import { formatAmount } from '../../../shared/money';
import { intervalWords } from '../../../shared/wording';
import { newId } from '../ids';
import type { Store } from '../ports';
import { cancel, createSubscription, pause, resume, uncancel } from '../subscription-rules';
import { defineCommand, type CommandContext } from './command';
import { requireSubscription, statusWords } from './lookups';

/** "subscription of ann@example.com, $45.00 every 3 months". */
function describe(store: Store, id: string): string {
  const sub = store.getSubscription(id);
  if (!sub) return `subscription ${id}`;
  return `subscription of ${sub.customerEmail}, ${formatAmount(sub.amount, sub.currency, 'en-US')} ${intervalWords(sub.interval, sub.intervalCount)}`;
}

function put(ctx: CommandContext, sub: Subscription): Subscription {
  ctx.stage({ t: 'subscription', v: sub });
  return sub;
}

const subscriptionMemo = z.object({
  subscriptionId: z.string(),
  previousStatus: subscriptionStatus,
});
const byId = z.object({ subscriptionId: z.string() });

export const createSubscriptionCommand = defineCommand({
  kind: 'CreateSubscription',
  params: z.object({
    customerEmail: z.string(),
    amount: minorUnits.positive(),
    currency: currencyCode,
    interval,
    intervalCount: z.number().int().positive(),
    /** The billing anchor; null: the moment of creation. */
    start: isoInstant.nullable(),
  }),
  memo: subscriptionMemo,
  irreversible: false,
  movesMoney: false,
  label: (p) =>
    `Subscribe ${p.customerEmail} to ${formatAmount(p.amount, p.currency, 'en-US')} ${intervalWords(p.interval, p.intervalCount)}`,

  async execute(ctx, p, previous) {
    if (previous) {
      // Redo after an undo (which cancelled it): bring the same subscription back.
      const sub = requireSubscription(ctx.store, previous.subscriptionId);
      const restored = put(ctx, uncancel(sub, previous.previousStatus, ctx.now()));
      return {
        result: restored,
        memo: previous,
        outcome: 'ok',
        summary: statusWords(restored.status),
      };
    }
    const now = ctx.now();
    const start = new Date(p.start ?? now);
    const sub = createSubscription({ ...p, id: newId('sub'), start }, now);
    put(ctx, sub);
    return {
      result: sub,
      memo: { subscriptionId: sub.id, previousStatus: 'ACTIVE' as const },
      outcome: 'ok',
      summary: statusWords(sub.status),
    };
  },

  async undo(ctx, _p, memo) {
    const sub = requireSubscription(ctx.store, memo.subscriptionId);
    put(ctx, cancel(sub, ctx.now()));
    return { ...memo, previousStatus: sub.status };
  },
});

type SubscriptionMemo = z.infer<typeof subscriptionMemo>;

/** A status change of one subscription, undone by the opposite change. */
function statusChange(
  kind: 'PauseSubscription' | 'ResumeSubscription' | 'CancelSubscription',
  verb: string,
  apply: (sub: Subscription, now: string) => Subscription,
  revert: (sub: Subscription, memo: SubscriptionMemo, now: string) => Subscription,
) {
  return defineCommand({
    kind,
    params: byId,
    memo: subscriptionMemo,
    irreversible: false,
    movesMoney: false,
    label: (p, store) => `${verb} the ${describe(store, p.subscriptionId)}`,
    async execute(ctx, p) {
      const sub = requireSubscription(ctx.store, p.subscriptionId);
      const result = put(ctx, apply(sub, ctx.now()));
      return {
        result,
        memo: { subscriptionId: sub.id, previousStatus: sub.status },
        outcome: 'ok',
        summary: statusWords(result.status),
      };
    },
    async undo(ctx, _p, memo) {
      put(ctx, revert(requireSubscription(ctx.store, memo.subscriptionId), memo, ctx.now()));
      return memo;
    },
  });
}

export const pauseSubscription = statusChange(
  'PauseSubscription',
  'Pause',
  pause,
  (sub, _memo, now) => resume(sub, now),
);

export const resumeSubscription = statusChange(
  'ResumeSubscription',
  'Resume',
  resume,
  (sub, _memo, now) => pause(sub, now, sub.pauseReason),
);

export const cancelSubscription = statusChange(
  'CancelSubscription',
  'Cancel',
  cancel,
  (sub, memo, now) => uncancel(sub, memo.previousStatus, now),
);
