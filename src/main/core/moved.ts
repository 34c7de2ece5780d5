/**
 * The money an audited action moved, read from the changes it committed rather than asked
 * of each command: one rule for every command, undo, redo and reconciliation. A payment put
 * COMPLETED is a charge made (a payment becomes COMPLETED only when its charge is settled:
 * PENDING → COMPLETED, or a charge found at the gateway; later puts refund it and say
 * PARTIALLY_REFUNDED or REFUNDED); a refund put SUCCEEDED is a refund made (refunds only move
 * forward, so each is put SUCCEEDED once). Amounts stay per currency and are never netted.
 */
import type { MovedMoney } from '../../shared/domain';
import type { Change } from './ports';

export class MoneyMoved {
  private readonly byCurrency = new Map<string, { charged: number; refunded: number }>();

  add(change: Change): void {
    if (change.t === 'payment' && change.v.status === 'COMPLETED') {
      this.entry(change.v.currency).charged += change.v.amount;
    } else if (change.t === 'refund' && change.v.status === 'SUCCEEDED') {
      this.entry(change.v.currency).refunded += change.v.amount;
    }
  }

  addAll(changes: readonly Change[]): this {
    for (const change of changes) this.add(change);
    return this;
  }

  /** The list with `changes` added, this tally left as it is. */
  with(changes: readonly Change[]): MovedMoney[] {
    const copy = new MoneyMoved();
    for (const [currency, m] of this.byCurrency) copy.byCurrency.set(currency, { ...m });
    return copy.addAll(changes).list();
  }

  /** Per currency, sorted by currency; empty when nothing moved. */
  list(): MovedMoney[] {
    return [...this.byCurrency]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, m]) => ({ currency, charged: m.charged, refunded: m.refunded }));
  }

  private entry(currency: string): { charged: number; refunded: number } {
    let entry = this.byCurrency.get(currency);
    if (entry === undefined) {
      entry = { charged: 0, refunded: 0 };
      this.byCurrency.set(currency, entry);
    }
    return entry;
  }
}

/** The money `changes` move (see MoneyMoved). */
export function movedBy(changes: readonly Change[]): MovedMoney[] {
  return new MoneyMoved().addAll(changes).list();
}
