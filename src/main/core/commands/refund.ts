/**
 * A refund as an intent (rules 3 and 4): stored PENDING under a gateway key derived from its
 * request's key before the gateway is called, so that a store that cannot write stops it
 * before any money moves, and a crash leaves a record that start-up reconciles. Then it is
 * settled, the payment following in the same commit. Asked again under the same key, it
 * answers the refund already made instead of making another.
 */
import type { Payment, Refund } from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import { newId } from '../ids';
import {
  checkRefund,
  pendingAmount,
  pendingRefund,
  refunded,
  refundFailed,
  refundSucceeded,
} from '../payment-rules';
import { GatewayError } from '../ports';
import type { CommandContext } from './command';
import { requirePayment } from './lookups';

export interface RefundAsk {
  payment: Payment;
  /** Minor units; undefined refunds all that is left. */
  amount?: number;
  /** The gateway's idempotency key (ctx.gatewayKey(...)). */
  key: string;
  /** The history entry whose undo asks for it, if any. */
  undoOf: string | null;
}

/** The message of a refund the gateway refused. */
const refusal = (refund: Refund): DomainError =>
  new DomainError(
    'gateway',
    `The gateway refused the refund: ${refund.failureMessage ?? 'refused'}`,
  );

/**
 * Makes (or finds, under the same key) the refund; resolves with the payment as it is after
 * it, once the refund and the payment are durable. Throws `gateway` when the gateway refuses.
 */
export async function refundOnce(ctx: CommandContext, ask: RefundAsk): Promise<Payment> {
  const refund = prepareRefund(ctx, ask);
  if (refund.status === 'SUCCEEDED') return requirePayment(ctx.store, refund.paymentId);
  await ctx.flush();
  return settleRefund(ctx, refund, { flush: true });
}

/**
 * The refund `ask` names: found under its key (a repeat), or a new PENDING one, staged: it
 * must be flushed before `settleRefund` calls the gateway. Throws `gateway` for a refund
 * found FAILED, `conflict` for a key found with other parameters.
 */
export function prepareRefund(ctx: CommandContext, ask: RefundAsk): Refund {
  const found = ctx.store.getRefundByIdempotencyKey(ask.key);
  if (found !== undefined) {
    if (
      found.paymentId !== ask.payment.id ||
      (ask.amount !== undefined && found.amount !== ask.amount)
    ) {
      throw new DomainError(
        'conflict',
        `This idempotency key was used for another refund (${found.id}): use a new key for a new refund`,
        'idempotencyKey',
      );
    }
    if (found.status === 'FAILED') throw refusal(found);
    return found;
  }
  const payment = ask.payment;
  if (payment.transactionId === null) {
    throw new DomainError('conflict', `Payment ${payment.id} has no gateway transaction to refund`);
  }
  const pending = pendingAmount(ctx.store.refundsOfPayment(payment.id));
  const refund = pendingRefund(
    {
      id: newId('rfd'),
      payment,
      amount: checkRefund(payment, ask.amount, pending),
      idempotencyKey: ask.key,
      requestKey: ctx.requestKey,
      undoOf: ask.undoOf,
    },
    ctx.now(),
  );
  ctx.stage({ t: 'refund', v: refund });
  return refund;
}

/**
 * Calls the gateway for a PENDING refund that is on disk and stages the outcome with the
 * payment; `flush` commits it before resolving (else the caller flushes: a batch of refunds
 * shares one commit). Resolves with the payment after the refund.
 */
export async function settleRefund(
  ctx: CommandContext,
  refund: Refund,
  options: { flush: boolean },
): Promise<Payment> {
  const payment = requirePayment(ctx.store, refund.paymentId);
  let gatewayRefundId: string | null;
  try {
    ({ refundId: gatewayRefundId } = await ctx.gateway.refund({
      idempotencyKey: refund.idempotencyKey,
      transactionId: payment.transactionId ?? '',
      amount: refund.amount,
    }));
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    if (error.code === 'timeout') {
      gatewayRefundId =
        (await ctx.gateway.lookupRefund(refund.idempotencyKey).catch(() => null))?.refundId ?? null;
      if (gatewayRefundId === null) {
        throw new DomainError(
          'gateway',
          `The refund of payment ${payment.id} timed out; its outcome is settled when Paydesk next starts`,
        );
      }
    } else {
      const failed = refundFailed(refund, error.code, error.message, ctx.now());
      ctx.stage({ t: 'refund', v: failed });
      if (options.flush) await ctx.flush();
      throw refusal(failed);
    }
  }
  // The payment as it is now: other refunds of an undo may have settled meanwhile.
  const after = refunded(
    requirePayment(ctx.store, refund.paymentId),
    refund.amount,
    gatewayRefundId,
    ctx.now(),
  );
  ctx.stage(
    { t: 'refund', v: refundSucceeded(refund, gatewayRefundId, ctx.now()) },
    { t: 'payment', v: after },
  );
  if (options.flush) await ctx.flush();
  return after;
}

/**
 * How far an undo of history entry `entryId` got with `payment`: its own refund made
 * ('done'), or nothing of its own ('none'); and whether anything else refunded the payment
 * since (or is refunding it), which makes the undo a conflict.
 */
export function undoRefundState(
  ctx: Pick<CommandContext, 'store'>,
  payment: Payment,
  entryId: string,
): { own: 'done' | 'none'; changed: boolean } {
  let own: 'done' | 'none' = 'none';
  let changed = payment.status !== 'COMPLETED' && payment.status !== 'REFUNDED';
  for (const refund of ctx.store.refundsOfPayment(payment.id)) {
    if (refund.status === 'FAILED') continue;
    if (refund.undoOf === entryId && refund.status === 'SUCCEEDED') own = 'done';
    else changed = true;
  }
  if (own === 'none' && payment.status !== 'COMPLETED') changed = true;
  return { own, changed };
}
