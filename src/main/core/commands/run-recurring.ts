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
import { runCountsText } from '../../../shared/wording';
import { settleBounded } from '../bounded';
import { newId } from '../ids';
import { pendingPayment } from '../payment-rules';
import type { Store } from '../ports';
import { periodChargeKey } from '../schedule';
import {
  markForReview,
  MAX_CATCH_UP_PERIODS,
  periodFailed,
  periodPaid,
  periodsToCatchUp,
} from '../subscription-rules';
import { chargePending } from './charge';
import {
  defineCommand,
  type CommandContext,
  type CommandDefinition,
  type Execution,
  type RecoveryContext,
} from './command';
import { requirePayment, requireSubscription } from './lookups';
import { prepareRefund, settleRefund, undoRefundState } from './refund';

/** Subscriptions charged per commit. */
export const RECURRING_BATCH_SIZE = 500;

/** Refunds an undo keeps in flight at the gateway at once. */
export const UNDO_CONCURRENCY = 64;
/** Refunds an undo stores PENDING in one commit before it makes them. */
export const UNDO_BATCH = 250;

const chargeRef = z.object({
  paymentId: z.string(),
  subscriptionId: z.string(),
  period: z.number().int().nonnegative(),
});
type ChargeRef = z.infer<typeof chargeRef>;
export const runMemo = z.object({ charges: z.array(chargeRef) });

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

/**
 * The attempt that charges `period` now: an earlier one still PENDING is asked again under
 * its own key (the gateway answers what it did with it, or makes it now), since a new
 * attempt under a new key could charge the period twice (rule 5); otherwise a new PENDING
 * payment, staged. Either way it is to be made durable before the gateway is called. An
 * attempt asked again keeps the `redoOf` it was made with.
 */
export function periodAttempt(
  ctx: CommandContext,
  sub: Subscription,
  period: number,
  redoOf: string | null,
): Payment {
  const charges = ctx.store.periodCharges(sub.id, period);
  if (charges.pending !== null) return requirePayment(ctx.store, charges.pending);
  const payment = pendingCharge(ctx, sub, period, charges.attempts, redoOf);
  ctx.stage({ t: 'payment', v: payment });
  return payment;
}

function summarize(payments: Payment[]): RecurringRunSummary {
  const succeeded = payments.filter((p) => p.status === 'COMPLETED').length;
  const failed = payments.filter((p) => p.status === 'FAILED').length;
  return { charged: payments.length, succeeded, failed, payments };
}

/**
 * "Recurring run: 4 charges attempted" (shared/wording.ts says what the counts mean). `left`:
 * subscriptions due but not charged (held for review, left to another run), after which a
 * run that charged none cannot say that nothing was due.
 */
function runLabel(title: string, summary: RecurringRunSummary, left: number): string {
  const n = summary.charged;
  if (n === 0 && left === 0) return `${title}: ${runCountsText(summary)}`;
  return `${title}: ${n} charge${n === 1 ? '' : 's'} attempted`;
}

/**
 * Stages one batch: the PENDING payment of each subscription's next period, or for a period
 * already paid (a crash between the charge and the schedule update) just the move to the
 * next one, or, for a subscription with more periods to catch up than a run charges by
 * itself, its mark for review (counted in `reviewed`). Returns what is to be charged.
 */
function stageBatch(
  ctx: CommandContext,
  subs: Subscription[],
  reviewed: Subscription[],
): Pending[] {
  const pending: Pending[] = [];
  const now = new Date(ctx.now());
  for (const sub of subs) {
    const behind = periodsToCatchUp(sub, now);
    if (behind.count > MAX_CATCH_UP_PERIODS) {
      const marked = markForReview(sub, behind.to, ctx.now());
      ctx.stage({ t: 'subscription', v: marked });
      reviewed.push(marked);
      continue;
    }
    if (ctx.store.periodCharges(sub.id, sub.nextPeriod).paid) {
      ctx.stage({ t: 'subscription', v: periodPaid(sub, sub.nextPeriod, ctx.now()) });
      continue;
    }
    pending.push({ sub, payment: periodAttempt(ctx, sub, sub.nextPeriod, null) });
  }
  return pending;
}

interface Pending {
  sub: Subscription;
  payment: Payment;
}

/** A batch's gateway answers, in its order. */
interface Charged extends Pending {
  after: Payment;
}

/** Charges a batch whose PENDING payments are durable. */
function chargeBatch(ctx: CommandContext, pending: Pending[]): Promise<Charged[]> {
  return Promise.all(
    pending.map(async (p) => ({
      ...p,
      after: await chargePending(ctx.gateway, p.payment, () => ctx.now()),
    })),
  );
}

/** Stages a batch's results: each payment's outcome and its subscription moved on. */
function stageResults(ctx: CommandContext, charged: Charged[]): void {
  for (const { sub, payment, after } of charged) {
    if (after !== payment) ctx.stage({ t: 'payment', v: after });
    if (after.status === 'COMPLETED') {
      ctx.stage({ t: 'subscription', v: periodPaid(sub, payment.period ?? 0, ctx.now()) });
    } else if (after.status === 'FAILED') {
      ctx.stage({
        t: 'subscription',
        v: periodFailed(sub, after.failureCode ?? 'failed', ctx.now()),
      });
    }
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Charges due periods batch by batch, the writes of one batch overlapping the gateway calls
 * of the next: a batch's PENDING payments are committed and awaited (rule 3), then the
 * previous batch's results are committed, and written while this batch is at the gateway
 * (its subscriptions, still due in memory until then, are not chosen again meanwhile). The
 * next batch's PENDING commit waits for that write too: flush() waits for everything
 * committed before it. Before its gateway calls the run yields, so that other work (an
 * operator's request) runs between batches. Background compaction waits for the end of the
 * run (Store.holdCompaction): a rewrite of the snapshot halfway would be outdated by the rest
 * of the run and would take the disk and the thread from it.
 *
 * Each batch's subscriptions are claimed first (Store.claimSubscriptions) and held until the
 * run's results are written; those another run holds are left to it (`elsewhere`).
 */
async function chargeDuePeriods(
  ctx: CommandContext,
  reviewed: Subscription[],
  elsewhere: Set<string>,
): Promise<Payment[]> {
  const results: Payment[] = [];
  /** Subscriptions whose charge outcome is unknown: not tried again in this run. */
  const held = new Set<string>();
  /** The last batch's answers, not committed yet (its subscriptions still look due). */
  let answered: Charged[] = [];
  const nextDue = () => {
    const skip = new Set([...held, ...elsewhere, ...answered.map((c) => c.sub.id)]);
    return ctx.store
      .dueSubscriptions(ctx.now(), RECURRING_BATCH_SIZE + skip.size)
      .filter((s) => !skip.has(s.id))
      .slice(0, RECURRING_BATCH_SIZE);
  };
  const claims = ctx.store.claimSubscriptions();
  const claimed = async (due: Subscription[]) => {
    const ours = await claims.claim(due.map((s) => s.id));
    for (const s of due) if (!ours.has(s.id)) elsewhere.add(s.id);
    return due.filter((s) => ours.has(s.id));
  };
  let expected = ctx.store.dueSubscriptions(ctx.now()).length;
  const releaseCompaction = ctx.store.holdCompaction();
  try {
    for (;;) {
      const found = nextDue();
      const due = await claimed(found).catch(async (error: unknown) => {
        // The run stops; the last batch's answers are recorded first.
        stageResults(ctx, answered);
        await ctx.flush();
        throw error;
      });
      const pending = stageBatch(ctx, due, reviewed);
      await ctx.flush();
      const moved = answered.length > 0;
      stageResults(ctx, answered);
      answered = [];
      // Awaited by the next flush (or the last one, below): a failed write surfaces there.
      ctx.flush().catch(() => undefined);
      // Those subscriptions may owe another period now (catching up): look again.
      if (found.length === 0 && !moved) break;
      if (due.length === 0) continue;
      // Even when the flush was synchronous (as a batch's usually is: durable-append.ts).
      await yieldToEventLoop();
      answered = await chargeBatch(ctx, pending);
      for (const { sub, after } of answered) {
        results.push(after);
        if (after.status === 'PENDING') held.add(sub.id);
      }
      expected = Math.max(expected, results.length);
      ctx.progress(results.length, expected);
    }
    await ctx.flush();
  } finally {
    releaseCompaction();
    await claims.release();
  }
  return results;
}

export async function rechargeWaived(
  ctx: CommandContext,
  charges: ChargeRef[],
): Promise<Payment[]> {
  const results: Payment[] = [];
  for (const ref of charges) {
    const sub = requireSubscription(ctx.store, ref.subscriptionId);
    const payment = periodAttempt(ctx, sub, ref.period, ref.paymentId);
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

type RunMemo = z.infer<typeof runMemo>;

/** What a run left uncharged, and the title of its entry. */
export interface RunNotes {
  /** Subscriptions held for review (more missed periods than a run charges by itself). */
  reviewed?: number;
  /** Subscriptions another instance's run holds (Store.claimSubscriptions). */
  elsewhere?: number;
  title?: string;
}

export function runExecution(
  payments: Payment[],
  interrupted: boolean,
  { reviewed = 0, elsewhere = 0, title = 'Recurring run' }: RunNotes = {},
): Execution<RecurringRunSummary, RunMemo> {
  const summary = summarize(payments);
  const left =
    (reviewed > 0 ? `, ${reviewed} held for review (missed periods)` : '') +
    (elsewhere > 0 ? `, ${elsewhere} left to another instance's run` : '');
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
    label:
      runLabel(title, summary, reviewed + elsewhere) +
      left +
      (interrupted ? ' (interrupted by a restart)' : ''),
    summary: summary.charged === 0 && left !== '' ? left.slice(2) : runCountsText(summary) + left,
    ...(summary.failed > 0 || left !== ''
      ? {
          message: [summary.failed > 0 ? `${summary.failed} charge(s) failed` : '', left.slice(2)]
            .filter(Boolean)
            .join('; '),
        }
      : {}),
  };
}

/**
 * The subscription charges made since `since`, oldest first: after a crash, what the run in
 * flight had made (commands run one at a time, so everything made since it started is its).
 */
function chargesSince(store: Store, since: string): Payment[] {
  const found: Payment[] = [];
  const PAGE = 500;
  for (let offset = 0; ; offset += PAGE) {
    const page = store.queryPayments({ order: 'desc', offset, limit: PAGE });
    for (const p of page.items) {
      if (p.createdAt < since) return found.reverse();
      if (p.subscriptionId !== null) found.push(p);
    }
    if (page.items.length < PAGE) return found.reverse();
  }
}

/**
 * What an interrupted execution made: its charges since it started (a redo's are those that
 * charge the undone ones again), optionally of one subscription only.
 */
export function madeSince(
  ctx: RecoveryContext,
  previous: RunMemo | null,
  subscriptionId?: string,
): Payment[] {
  const redone = new Set(previous?.charges.map((c) => c.paymentId));
  return chargesSince(ctx.store, ctx.startedAt).filter(
    (p) =>
      (previous === null ? p.redoOf === null : p.redoOf !== null && redone.has(p.redoOf)) &&
      (subscriptionId === undefined || p.subscriptionId === subscriptionId),
  );
}

/** Marks the periods of refunded charges as waived: the timer never charges them again. */
function waive(ctx: Pick<CommandContext, 'store' | 'stage' | 'now'>, payments: Payment[]): void {
  const waived = new Map<string, number[]>();
  for (const payment of payments) {
    const periods = waived.get(payment.subscriptionId ?? '') ?? [];
    periods.push(payment.period ?? 0);
    waived.set(payment.subscriptionId ?? '', periods);
  }
  for (const [subscriptionId, periods] of waived) {
    const sub = requireSubscription(ctx.store, subscriptionId);
    const all = [...new Set([...sub.waivedPeriods, ...periods])].sort((a, b) => a - b);
    ctx.stage({ t: 'subscription', v: { ...sub, waivedPeriods: all, updatedAt: ctx.now() } });
  }
}

/**
 * The undo of commands that charged many periods (a run, the charge of missed periods):
 * their charges are refunded, many at a time; each refund is durable on its own, so an
 * interruption (a crash, a refund the gateway refuses) leaves every refund made recorded
 * and the entry on the undo stack: undone again, it refunds only what is left. The periods
 * are waived: the timer never charges them again by itself.
 */
export function refundingCharges<P>(): Required<
  Pick<CommandDefinition<P, RecurringRunSummary, RunMemo>, 'undo' | 'recoverUndo' | 'paymentsOf'>
> {
  return {
    undo: undoCharges,
    recoverUndo: recoverUndoOfCharges,
    paymentsOf: (memo) => memo.charges.map((c) => c.paymentId),
  };
}

async function undoCharges(ctx: CommandContext, _p: unknown, memo: RunMemo): Promise<RunMemo> {
  const payments = memo.charges.map((c) => requirePayment(ctx.store, c.paymentId));
  const states = payments.map((p) => undoRefundState(ctx, p, ctx.entryId ?? ''));
  const changed = payments.find((_, i) => states[i]?.changed);
  if (changed) {
    throw new DomainError(
      'conflict',
      `Cannot undo: payment ${changed.id} has changed since (it is ${changed.status.toLowerCase().replace('_', ' ')}). Nothing was changed.`,
    );
  }
  const todo = payments.filter((_, i) => states[i]?.own === 'none');
  let done = payments.length - todo.length;
  const failures: unknown[] = [];
  for (let from = 0; from < todo.length && failures.length === 0; from += UNDO_BATCH) {
    // The batch's refunds are stored PENDING in one commit before any is made, and their
    // outcomes share the next: a crash between leaves PENDING refunds that start-up settles.
    const refunds = todo.slice(from, from + UNDO_BATCH).map((payment) =>
      prepareRefund(ctx, {
        payment,
        key: ctx.gatewayKey(`refund/${payment.id}`),
        undoOf: ctx.entryId,
      }),
    );
    await ctx.flush();
    const outcomes = await settleBounded(refunds, UNDO_CONCURRENCY, (refund) =>
      settleRefund(ctx, refund, { flush: false }),
    );
    await ctx.flush();
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') done++;
      else failures.push(outcome.reason);
    }
    ctx.progress(done, payments.length);
  }
  if (failures.length > 0) {
    const first: unknown = failures[0];
    if (!(first instanceof DomainError)) throw first;
    throw new DomainError(
      first.code,
      `Undo stopped: ${done} of ${payments.length} charges are refunded, ` +
        `${failures.length} could not be (${first.message}). Undo again to refund the rest.`,
    );
  }
  waive(ctx, payments);
  return memo;
}

function recoverUndoOfCharges(ctx: RecoveryContext, _p: unknown, memo: RunMemo): RunMemo | null {
  const payments = memo.charges.map((c) => requirePayment(ctx.store, c.paymentId));
  if (payments.some((p) => undoRefundState(ctx, p, ctx.entryId ?? '').own !== 'done')) {
    return null;
  }
  waive(ctx, payments);
  return memo;
}

export const runRecurring = defineCommand({
  kind: 'RunRecurring',
  params: z.object({}),
  memo: runMemo,
  irreversible: false,
  movesMoney: true,
  label: () => 'Recurring run',

  async execute(ctx, _p, previous) {
    if (previous) return runExecution(await rechargeWaived(ctx, previous.charges), false);
    const reviewed: Subscription[] = [];
    const elsewhere = new Set<string>();
    const payments = await chargeDuePeriods(ctx, reviewed, elsewhere);
    return runExecution(payments, false, {
      reviewed: reviewed.length,
      elsewhere: elsewhere.size,
    });
  },

  recover(ctx: RecoveryContext, previous) {
    return { params: {}, execution: runExecution(madeSince(ctx, previous), true) };
  },

  ...refundingCharges<Record<string, never>>(),
});
