/**
 * The mock gateway's own books: the zod schema of one ledger entry (a charge or a refund, as
 * the provider recorded it) and the in-memory index over the entries, which refuses an entry
 * that cannot follow the ones before it. Pure: the file lives in ./ledger-file.
 */
import { z } from 'zod';

export const chargeResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded'), transactionId: z.string().min(1) }),
  z.object({ status: z.literal('failed'), code: z.string().min(1), message: z.string() }),
]);

const positiveAmount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const chargeEntry = z.object({
  type: z.literal('charge'),
  idempotencyKey: z.string().min(1),
  amount: positiveAmount,
  currency: z.string().regex(/^[A-Z]{3}$/),
  customerEmail: z.string(),
  paymentMethod: z.string().nullable(),
  description: z.string().nullable(),
  result: chargeResult,
  /** The charge was recorded but its caller got a time-out (pm_card_timeoutAfterCharge). */
  timedOut: z.boolean(),
  at: z.iso.datetime(),
});
export type ChargeEntry = z.infer<typeof chargeEntry>;

export const refundEntry = z.object({
  type: z.literal('refund'),
  idempotencyKey: z.string().min(1),
  transactionId: z.string().min(1),
  amount: positiveAmount,
  refundId: z.string().min(1),
  at: z.iso.datetime(),
});
export type RefundEntry = z.infer<typeof refundEntry>;

export const ledgerEntry = z.discriminatedUnion('type', [chargeEntry, refundEntry]);
export type LedgerEntry = z.infer<typeof ledgerEntry>;

/** Every entry, indexed by idempotency key and by transaction. */
export class LedgerBook {
  private readonly all: LedgerEntry[] = [];
  private readonly byKey = new Map<string, LedgerEntry>();
  private readonly successfulCharges = new Map<string, ChargeEntry>();
  private readonly refundedByTransaction = new Map<string, number>();

  /** Why `entry` cannot follow the entries so far, or null when it can. */
  conflict(entry: LedgerEntry): string | null {
    if (this.byKey.has(entry.idempotencyKey)) {
      return `idempotency key "${entry.idempotencyKey}" is recorded twice`;
    }
    if (entry.type === 'charge') {
      if (
        entry.result.status === 'succeeded' &&
        this.successfulCharges.has(entry.result.transactionId)
      ) {
        return `transaction ${entry.result.transactionId} is recorded twice`;
      }
      return null;
    }
    if (!this.successfulCharges.has(entry.transactionId)) {
      return `refund ${entry.refundId} is of unknown transaction ${entry.transactionId}`;
    }
    const left = this.unrefunded(entry.transactionId);
    if (entry.amount > left) {
      return `refund ${entry.refundId} of ${entry.amount} exceeds the ${left} left on ${entry.transactionId}`;
    }
    return null;
  }

  /** Record `entry`; throws when it conflicts with the entries so far. */
  add(entry: LedgerEntry): void {
    const conflict = this.conflict(entry);
    if (conflict !== null) throw new Error(conflict);
    this.all.push(entry);
    this.byKey.set(entry.idempotencyKey, entry);
    if (entry.type === 'charge') {
      if (entry.result.status === 'succeeded') {
        this.successfulCharges.set(entry.result.transactionId, entry);
      }
    } else {
      this.refundedByTransaction.set(
        entry.transactionId,
        (this.refundedByTransaction.get(entry.transactionId) ?? 0) + entry.amount,
      );
    }
  }

  byIdempotencyKey(key: string): LedgerEntry | undefined {
    return this.byKey.get(key);
  }

  /** The successful charge that made `transactionId`, if any. */
  successfulCharge(transactionId: string): ChargeEntry | undefined {
    return this.successfulCharges.get(transactionId);
  }

  /** What is left to refund of a successful charge (0 for an unknown transaction). */
  unrefunded(transactionId: string): number {
    const charge = this.successfulCharges.get(transactionId);
    if (charge === undefined) return 0;
    return charge.amount - (this.refundedByTransaction.get(transactionId) ?? 0);
  }

  /** Every entry in the order recorded. */
  entries(): readonly LedgerEntry[] {
    return this.all;
  }
}
