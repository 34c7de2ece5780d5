/**
 * ProcessPayment (undo: refund what is not yet refunded; redo: a new charge linked to the
 * first) and RefundPayment (irreversible: a barrier in the history).
 */
import { z } from 'zod';
import { currencyCode, minorUnits } from '../../../shared/domain';
import { formatAmount } from '../../../shared/money';
import { DomainError } from '../../../shared/result';
import { newId } from '../ids';
import { pendingPayment } from '../payment-rules';
import type { Store } from '../ports';
import { chargePending, refundThroughGateway } from './charge';
import { defineCommand } from './command';

const processParams = z.object({
  amount: minorUnits.positive(),
  currency: currencyCode,
  customerEmail: z.string(),
  description: z.string().nullable(),
  paymentMethod: z.string().nullable(),
});

const paymentMemo = z.object({
  paymentId: z.string(),
  /** The payment first charged by this entry; redone charges link to it. */
  firstPaymentId: z.string(),
});

/** "PARTIALLY_REFUNDED" → "Partially refunded". */
export function statusWords(status: string): string {
  const words = status.toLowerCase().replace('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function requirePayment(store: Store, id: string) {
  const payment = store.getPayment(id);
  if (!payment) throw new DomainError('not_found', `No payment with id ${id}`, 'id');
  return payment;
}

export const processPayment = defineCommand({
  kind: 'ProcessPayment',
  params: processParams,
  memo: paymentMemo,
  irreversible: false,
  movesMoney: true,
  label: (p) => `Charge ${formatAmount(p.amount, p.currency, 'en-US')} to ${p.customerEmail}`,

  async execute(ctx, p, previous) {
    const id = newId('pay');
    const pending = pendingPayment(
      { ...p, id, idempotencyKey: `charge_${id}`, redoOf: previous?.firstPaymentId ?? null },
      ctx.now(),
    );
    ctx.stage({ t: 'payment', v: pending });
    await ctx.flush();
    const settled = await chargePending(ctx.gateway, pending, () => ctx.now());
    if (settled !== pending) ctx.stage({ t: 'payment', v: settled });
    const charged = settled.status === 'COMPLETED';
    return {
      result: settled,
      memo: charged ? { paymentId: id, firstPaymentId: previous?.firstPaymentId ?? id } : null,
      outcome: charged || settled.status === 'PENDING' ? 'ok' : 'declined',
      summary: statusWords(settled.status),
      ...(settled.failureCode
        ? { message: `${settled.failureCode}: ${settled.failureMessage}` }
        : {}),
    };
  },

  async undo(ctx, _p, memo) {
    const payment = requirePayment(ctx.store, memo.paymentId);
    if (payment.status !== 'COMPLETED' || payment.refundedAmount !== 0) {
      throw new DomainError(
        'conflict',
        `Cannot undo: payment ${payment.id} has changed since (it is ${payment.status.toLowerCase().replace('_', ' ')}). Nothing was changed.`,
      );
    }
    const after = await refundThroughGateway(ctx.gateway, payment, undefined, () => ctx.now());
    ctx.stage({ t: 'payment', v: after });
    return memo;
  },
});

const refundParams = z.object({
  paymentId: z.string(),
  /** Minor units; null refunds all that is left. */
  amount: minorUnits.positive().nullable(),
});

export const refundPayment = defineCommand({
  kind: 'RefundPayment',
  params: refundParams,
  memo: z.object({ paymentId: z.string(), amount: minorUnits }),
  irreversible: true,
  movesMoney: true,
  label(p, store) {
    const payment = store.getPayment(p.paymentId);
    if (!payment) return `Refund payment ${p.paymentId}`;
    const amount = p.amount ?? payment.amount - payment.refundedAmount;
    return `Refund ${formatAmount(amount, payment.currency, 'en-US')} to ${payment.customerEmail}`;
  },

  async execute(ctx, p) {
    const payment = requirePayment(ctx.store, p.paymentId);
    const after = await refundThroughGateway(ctx.gateway, payment, p.amount ?? undefined, () =>
      ctx.now(),
    );
    ctx.stage({ t: 'payment', v: after });
    const amount = after.refundedAmount - payment.refundedAmount;
    return {
      result: after,
      memo: { paymentId: p.paymentId, amount },
      outcome: 'ok',
      summary: statusWords(after.status),
      label: `Refund ${formatAmount(amount, payment.currency, 'en-US')} to ${payment.customerEmail}`,
    };
  },

  undo() {
    return Promise.reject(new DomainError('conflict', 'A refund cannot be undone'));
  },
});
