/**
 * What a receipt says, as pure functions of a payment (with its refunds) and the business
 * details from Settings: the receipt of a charge, or the receipt of one of its refunds.
 * The Receipt component only lays this out, so the rules (which payments have a receipt,
 * which refunds count, what "refunded so far" means on a refund's receipt) live here.
 */
import type { PaymentDetail } from '../../../shared/contract';
import {
  EMPTY_BUSINESS,
  type BusinessDetails,
  type Payment,
  type Refund,
  type Settings,
} from '../../../shared/domain';
import { fail, ok, type Result } from '../../../shared/result';

/**
 * Refund lines printed one by one; more are summed up in one line, so that a payment
 * refunded in many small parts still fits its receipt on one page.
 */
export const MAX_REFUND_LINES = 8;

export interface ReceiptRefund {
  /** The refund's record id (rfd_...). */
  id: string;
  /** What the customer's bank knows it by: the gateway's refund id (re_...), else the record's. */
  reference: string;
  amount: number;
  /** When it was made (the refund settled). */
  at: string;
}

export interface ReceiptModel {
  kind: 'payment' | 'refund';
  title: 'Receipt' | 'Refund receipt';
  /** The receipt's number: the payment's id, or the refund's. */
  number: string;
  /** When the charge (or the refund) was made. */
  date: string;
  /** Trimmed; empty text means not given. */
  business: BusinessDetails;
  customer: string;
  description: string | null;
  currency: string;
  /** The amount this receipt is for: the charge, or the refund. */
  amount: number;
  method: string | null;
  transactionId: string | null;
  paymentId: string;
  /** The charge: its amount and when it was made. */
  paid: { amount: number; at: string };
  /** The refund a refund receipt is for. */
  refund: ReceiptRefund | null;
  /**
   * Refunds made so far, oldest first: all of them on a charge's receipt, those up to and
   * including its refund on a refund's receipt. At most MAX_REFUND_LINES; `moreRefunds`
   * sums up the rest (the older ones).
   */
  refunds: ReceiptRefund[];
  moreRefunds: { count: number; amount: number } | null;
  refundedSoFar: number;
  /** What the customer has paid net of those refunds. */
  netPaid: number;
  /** The name "Save as PDF" suggests. */
  fileName: string;
}

/** A receipt is issued for money taken: a charge that succeeded (refunded since or not). */
export function hasReceipt(payment: Pick<Payment, 'status'>): boolean {
  return (
    payment.status === 'COMPLETED' ||
    payment.status === 'PARTIALLY_REFUNDED' ||
    payment.status === 'REFUNDED'
  );
}

/** The business details from Settings, trimmed; empty when Settings has none yet. */
export function businessOf(settings: Pick<Settings, 'business'>): BusinessDetails {
  const business = settings.business ?? EMPTY_BUSINESS;
  return {
    name: business.name.trim(),
    address: business.address.trim(),
    taxId: business.taxId.trim(),
  };
}

/** Whether Settings says who issues receipts (without a name a receipt names no one). */
export function hasBusinessName(business: BusinessDetails): boolean {
  return business.name !== '';
}

/** When the charge was made: its success (or the reconciliation that found it), else creation. */
export function chargedAt(payment: Payment): string {
  for (const event of payment.events) {
    if (event.type === 'succeeded') return event.at;
    if (event.type === 'reconciled' && event.outcome === 'COMPLETED') return event.at;
  }
  return payment.createdAt;
}

/** The refunds made, oldest first: only SUCCEEDED ones (a PENDING or FAILED one moved nothing). */
export function refundsMade(refunds: readonly Refund[]): ReceiptRefund[] {
  return refunds
    .filter((refund) => refund.status === 'SUCCEEDED')
    .map((refund) => ({
      id: refund.id,
      reference: refund.gatewayRefundId ?? refund.id,
      amount: refund.amount,
      // A refund's status only moves forward: SUCCEEDED is its last change.
      at: refund.updatedAt,
    }))
    .sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)));
}

/**
 * The receipt of a charge (`refundId` null) or of one of its refunds (`refundId`: the
 * refund's record id or its gateway id, as the timeline names it).
 */
export function buildReceipt(
  payment: PaymentDetail,
  settings: Pick<Settings, 'business'>,
  refundId: string | null = null,
): Result<ReceiptModel> {
  if (!hasReceipt(payment)) {
    return fail(
      'conflict',
      `Payment ${payment.id} took no money (${payment.status}): it has no receipt`,
    );
  }
  const made = refundsMade(payment.refunds);
  let refund: ReceiptRefund | null = null;
  let counted = made;
  if (refundId !== null) {
    const index = made.findIndex((r) => r.id === refundId || r.reference === refundId);
    refund = made[index] ?? null;
    if (refund === null) {
      return fail('not_found', `Payment ${payment.id} has no refund ${refundId} that was made`);
    }
    counted = made.slice(0, index + 1);
  }
  const refundedSoFar = counted.reduce((sum, r) => sum + r.amount, 0);
  const older = counted.slice(0, Math.max(0, counted.length - MAX_REFUND_LINES));
  const paid = { amount: payment.amount, at: chargedAt(payment) };
  return ok({
    kind: refund ? 'refund' : 'payment',
    title: refund ? 'Refund receipt' : 'Receipt',
    number: refund ? refund.id : payment.id,
    date: refund ? refund.at : paid.at,
    business: businessOf(settings),
    customer: payment.customerEmail,
    description: payment.description,
    currency: payment.currency,
    amount: refund ? refund.amount : payment.amount,
    method: payment.paymentMethod,
    transactionId: payment.transactionId,
    paymentId: payment.id,
    paid,
    refund,
    refunds: counted.slice(older.length),
    moreRefunds:
      older.length === 0
        ? null
        : { count: older.length, amount: older.reduce((sum, r) => sum + r.amount, 0) },
    refundedSoFar,
    netPaid: payment.amount - refundedSoFar,
    fileName: `${refund ? 'refund-receipt' : 'receipt'}-${refund ? refund.id : payment.id}.pdf`,
  });
}
