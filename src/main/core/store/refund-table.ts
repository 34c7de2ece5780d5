/**
 * The refunds in memory: by id, by gateway idempotency key, by payment, and the PENDING ones
 * (start-up reconciles them). Refunds are few next to payments (one a refund or an undone
 * charge), so they are kept as objects and read whole at open.
 */
import type { Refund } from '../../../shared/domain';

export class RefundTable {
  private readonly byId = new Map<string, Refund>();
  private readonly byKey = new Map<string, Refund>();
  private readonly byPayment = new Map<string, string[]>();
  private readonly pendingIds = new Set<string>();

  get size(): number {
    return this.byId.size;
  }

  /** Loads validated refunds; returns the first id or key that appears twice, else null. */
  load(refunds: readonly Refund[]): string | null {
    for (const refund of refunds) {
      if (this.byId.has(refund.id)) return refund.id;
      if (this.byKey.has(refund.idempotencyKey)) return refund.idempotencyKey;
      this.put(refund);
    }
    return null;
  }

  /** Whether `refund` can be put: its key is not another refund's. */
  conflict(refund: Refund): string | null {
    const holder = this.byKey.get(refund.idempotencyKey);
    return holder !== undefined && holder.id !== refund.id
      ? `refund ${refund.id} has the idempotency key of refund ${holder.id}`
      : null;
  }

  put(refund: Refund): void {
    const known = this.byId.get(refund.id);
    if (known === undefined) {
      const list = this.byPayment.get(refund.paymentId);
      if (list === undefined) this.byPayment.set(refund.paymentId, [refund.id]);
      else list.push(refund.id);
    }
    this.byId.set(refund.id, refund);
    this.byKey.set(refund.idempotencyKey, refund);
    if (refund.status === 'PENDING') this.pendingIds.add(refund.id);
    else this.pendingIds.delete(refund.id);
  }

  get(id: string): Refund | undefined {
    return this.byId.get(id);
  }

  byIdempotencyKey(key: string): Refund | undefined {
    return this.byKey.get(key);
  }

  ofPayment(paymentId: string): Refund[] {
    return (this.byPayment.get(paymentId) ?? []).map((id) => this.byId.get(id) as Refund);
  }

  pending(): Refund[] {
    return [...this.pendingIds].map((id) => this.byId.get(id) as Refund);
  }

  values(): Refund[] {
    return [...this.byId.values()];
  }
}
