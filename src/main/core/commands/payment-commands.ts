/**
 * ProcessPayment (undo: refund what is not yet refunded; redo: a new charge linked to the
 * first) and RefundPayment (irreversible: a barrier in the history). The charge's gateway key
 * derives from the request's key, so a request asked again finds its payment instead of
 * charging anew, and a crash between the call and the answer leaves a PENDING payment that
 * start-up settles under that same key.
 */
import { z } from 'zod';
import { currencyCode, minorUnits, type Payment } from '../../../shared/domain';
import { formatAmount } from '../../../shared/money';
import { DomainError } from '../../../shared/result';
import { newId } from '../ids';
import { pendingPayment } from '../payment-rules';
import { chargePending } from './charge';
import { defineCommand, type Execution } from './command';
import { requirePayment, statusWords } from './lookups';
import { refundOnce, undoRefundState } from './refund';

const processParams = z.object({
  amount: minorUnits.positive(),
  currency: currencyCode,
  customerEmail: z.string(),
  description: z.string().nullable(),
  paymentMethod: z.string().nullable(),
});
type ProcessParams = z.infer<typeof processParams>;

const paymentMemo = z.object({
  paymentId: z.string(),
  /** The payment first charged by this entry; redone charges link to it. */
  firstPaymentId: z.string(),
});
type PaymentMemo = z.infer<typeof paymentMemo>;

/** What a charge's execution answers, from the payment as it stands after the gateway's answer. */
function chargeExecution(
  settled: Payment,
  previous: PaymentMemo | null,
): Execution<Payment, PaymentMemo> {
  const charged = settled.status === 'COMPLETED';
  return {
    result: settled,
    memo: charged
      ? { paymentId: settled.id, firstPaymentId: previous?.firstPaymentId ?? settled.id }
      : null,
    outcome: charged || settled.status === 'PENDING' ? 'ok' : 'declined',
    summary: statusWords(settled.status),
    ...(settled.failureCode
      ? { message: `${settled.failureCode}: ${settled.failureMessage}` }
      : {}),
  };
}

/** Whether `payment` is the charge `p` asks for (a key found again must mean the same charge). */
const sameCharge = (payment: Payment, p: ProcessParams): boolean =>
  payment.amount === p.amount &&
  payment.currency === p.currency &&
  payment.customerEmail === p.customerEmail &&
  payment.paymentMethod === p.paymentMethod;

const paramsOf = (p: Payment): ProcessParams => ({
  amount: p.amount,
  currency: p.currency,
  customerEmail: p.customerEmail,
  description: p.description,
  paymentMethod: p.paymentMethod,
});

export const processPayment = defineCommand({
  kind: 'ProcessPayment',
  params: processParams,
  memo: paymentMemo,
  irreversible: false,
  movesMoney: true,
  paymentsOf: (memo) => [memo.paymentId],
  label: (p) => `Charge ${formatAmount(p.amount, p.currency, 'en-US')} to ${p.customerEmail}`,

  async execute(ctx, p, previous) {
    const key = ctx.gatewayKey('charge');
    // The request asked again after its record expired: its charge is there already.
    let payment = ctx.store.getPaymentByIdempotencyKey(key);
    if (payment !== undefined && !sameCharge(payment, p)) {
      throw new DomainError(
        'conflict',
        `This idempotency key was used for another payment (${payment.id}): use a new key for a new payment`,
        'idempotencyKey',
      );
    }
    if (payment === undefined) {
      const id = newId('pay');
      payment = pendingPayment(
        { ...p, id, idempotencyKey: key, redoOf: previous?.firstPaymentId ?? null },
        ctx.now(),
      );
      ctx.stage({ t: 'payment', v: payment });
      await ctx.flush();
    }
    if (payment.status === 'PENDING') {
      const settled = await chargePending(ctx.gateway, payment, () => ctx.now());
      if (settled !== payment) ctx.stage({ t: 'payment', v: settled });
      payment = settled;
    }
    return chargeExecution(payment, previous);
  },

  recover(ctx, previous) {
    const payment = ctx.store.getPaymentByIdempotencyKey(ctx.gatewayKey('charge'));
    if (payment === undefined) return null;
    return { params: paramsOf(payment), execution: chargeExecution(payment, previous) };
  },

  async undo(ctx, _p, memo) {
    const payment = requirePayment(ctx.store, memo.paymentId);
    const state = undoRefundState(ctx, payment, ctx.entryId ?? '');
    if (state.changed) {
      throw new DomainError(
        'conflict',
        `Cannot undo: payment ${payment.id} has changed since (it is ${payment.status.toLowerCase().replace('_', ' ')}). Nothing was changed.`,
      );
    }
    if (state.own === 'none') {
      await refundOnce(ctx, {
        payment,
        key: ctx.gatewayKey(`refund/${payment.id}`),
        undoOf: ctx.entryId,
      });
    }
    return memo;
  },

  recoverUndo(ctx, _p, memo) {
    const payment = ctx.store.getPayment(memo.paymentId);
    if (payment === undefined) return null;
    return undoRefundState(ctx, payment, ctx.entryId ?? '').own === 'done' ? memo : null;
  },
});

const refundParams = z.object({
  paymentId: z.string(),
  /** Minor units; null refunds all that is left. */
  amount: minorUnits.positive().nullable(),
});

const refundLabel = (amount: number, payment: Payment) =>
  `Refund ${formatAmount(amount, payment.currency, 'en-US')} to ${payment.customerEmail}`;

export const refundPayment = defineCommand({
  kind: 'RefundPayment',
  params: refundParams,
  memo: z.object({ paymentId: z.string(), amount: minorUnits }),
  irreversible: true,
  movesMoney: true,
  label(p, store) {
    const payment = store.getPayment(p.paymentId);
    if (!payment) return `Refund payment ${p.paymentId}`;
    return refundLabel(p.amount ?? payment.amount - payment.refundedAmount, payment);
  },

  async execute(ctx, p) {
    const payment = requirePayment(ctx.store, p.paymentId);
    const key = ctx.gatewayKey('refund');
    const after = await refundOnce(ctx, {
      payment,
      ...(p.amount === null ? {} : { amount: p.amount }),
      key,
      undoOf: null,
    });
    const amount = ctx.store.getRefundByIdempotencyKey(key)?.amount ?? 0;
    return {
      result: after,
      memo: { paymentId: p.paymentId, amount },
      outcome: 'ok',
      summary: statusWords(after.status),
      label: refundLabel(amount, payment),
    };
  },

  recover(ctx) {
    const refund = ctx.store.getRefundByIdempotencyKey(ctx.gatewayKey('refund'));
    if (refund?.status !== 'SUCCEEDED') return null;
    const after = requirePayment(ctx.store, refund.paymentId);
    return {
      params: { paymentId: refund.paymentId, amount: refund.amount },
      execution: {
        result: after,
        memo: { paymentId: refund.paymentId, amount: refund.amount },
        outcome: 'ok',
        summary: statusWords(after.status),
        label: refundLabel(refund.amount, after),
      },
    };
  },

  undo() {
    return Promise.reject(new DomainError('conflict', 'A refund cannot be undone'));
  },
});
