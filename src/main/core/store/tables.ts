/**
 * The in-memory tables of payments and subscriptions and their indexes, so that no query
 * scans the whole store.
 *
 * A table keeps its records in creation order (`rows`); a record's position there (its slot)
 * never changes, so indexes hold slots (small integers) rather than records, and putting a
 * new version of a record only touches the indexes whose key changed. Indexes:
 *  - by id (and, for payments, by idempotency key): Map to slot;
 *  - all records and each status: SortedSlots by createdAt, then id;
 *  - by customer e-mail (lower-cased) and, for payments, by subscription: sorted arrays;
 *  - for subscriptions, the due list: ACTIVE or PAST_DUE with a nextPaymentDate, by that date.
 * Records are immutable: the store keeps the very objects it is given and hands them out.
 */
import type { Page } from '../../../shared/contract';
import type { Payment, Subscription } from '../../../shared/domain';
import {
  insertSorted,
  pageOf,
  removeSorted,
  SortedSlots,
  type SlotList,
  type SlotOrder,
} from './sorted';

interface Row {
  id: string;
  createdAt: string;
  status: string;
  customerEmail: string;
}

/** One filter of a query: the index list that holds its matches, and the test itself. */
interface Filter<T> {
  list: SlotList;
  test: (row: T) => boolean;
}

const EMPTY: SlotList = [];

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const emailKey = (email: string): string => email.toLowerCase();

abstract class Table<T extends Row> {
  readonly rows: T[] = [];
  /** Date.parse(createdAt) by slot, so ordering compares numbers. */
  private readonly createdMs: number[] = [];
  private readonly slotById = new Map<string, number>();
  /** By createdAt, then the createdAt text (for equal instants written differently), then id. */
  protected readonly byCreation: SlotOrder = (a, b) => {
    const d = (this.createdMs[a] as number) - (this.createdMs[b] as number);
    if (d !== 0) return d;
    const ra = this.rows[a] as T;
    const rb = this.rows[b] as T;
    return compareStrings(ra.createdAt, rb.createdAt) || compareStrings(ra.id, rb.id);
  };
  private readonly all = new SortedSlots(this.byCreation);
  private readonly byStatus = new Map<string, SortedSlots>();
  private readonly byEmail = new Map<string, number[]>();

  get size(): number {
    return this.rows.length;
  }

  get(id: string): T | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.rows[slot];
  }

  put(row: T): void {
    const slot = this.slotById.get(row.id);
    if (slot === undefined) {
      const fresh = this.rows.length;
      this.rows.push(row);
      this.createdMs.push(Date.parse(row.createdAt));
      this.slotById.set(row.id, fresh);
      this.index(fresh, row);
      return;
    }
    const old = this.rows[slot] as T;
    if (old.createdAt !== row.createdAt) {
      // The creation order itself moves: take the slot out of every list under its old key.
      this.unindex(slot, old);
      this.rows[slot] = row;
      this.createdMs[slot] = Date.parse(row.createdAt);
      this.index(slot, row);
      return;
    }
    const extra = this.extraKeysChanged(old, row);
    if (extra) this.unindexExtra(slot, old);
    this.rows[slot] = row;
    if (old.status !== row.status) {
      this.statusList(old.status).remove(slot);
      this.statusList(row.status).insert(slot);
    }
    const oldEmail = emailKey(old.customerEmail);
    const newEmail = emailKey(row.customerEmail);
    if (oldEmail !== newEmail) {
      removeSorted(this.emailList(oldEmail), slot, this.byCreation);
      insertSorted(this.emailList(newEmail), slot, this.byCreation);
    }
    if (extra) this.indexExtra(slot, row);
  }

  /**
   * Loads records into an empty table: one sort (linear when they come in createdAt order,
   * as they usually do) instead of one sorted insertion per record. Returns the id of a
   * record that appears twice, or null.
   */
  load(rows: readonly T[]): string | null {
    for (let slot = 0; slot < rows.length; slot++) {
      const row = rows[slot] as T;
      if (this.slotById.has(row.id)) return row.id;
      this.rows.push(row);
      this.createdMs.push(Date.parse(row.createdAt));
      this.slotById.set(row.id, slot);
    }
    const sorted = inOrder(rows.length, this.byCreation);
    this.all.fill(sorted);
    const byStatus = new Map<string, number[]>();
    for (const slot of sorted) {
      const row = this.rows[slot] as T;
      let list = byStatus.get(row.status);
      if (list === undefined) {
        list = [];
        byStatus.set(row.status, list);
      }
      list.push(slot);
      this.emailList(emailKey(row.customerEmail)).push(slot);
    }
    for (const [status, list] of byStatus) this.statusList(status).fill(list);
    this.loadExtra(sorted);
    return null;
  }

  /** Records in creation order (the order they were first put). */
  values(): IterableIterator<T> {
    return this.rows.values();
  }

  /** Builds the extra indexes of a freshly loaded table; `sorted` is every slot in order. */
  protected abstract loadExtra(sorted: readonly number[]): void;
  protected abstract extraKeysChanged(old: T, row: T): boolean;
  protected abstract indexExtra(slot: number, row: T): void;
  protected abstract unindexExtra(slot: number, row: T): void;

  protected statusFilter(status: string): Filter<T> {
    return { list: this.byStatus.get(status) ?? EMPTY, test: (r) => r.status === status };
  }

  protected emailFilter(email: string): Filter<T> {
    const key = emailKey(email);
    return {
      list: this.byEmail.get(key) ?? EMPTY,
      test: (r) => emailKey(r.customerEmail) === key,
    };
  }

  /** A page of the records matching every filter, by creation order. */
  protected page(
    filters: Filter<T>[],
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<T> {
    let slots: number[];
    let total: number;
    if (filters.length === 0) {
      total = this.all.length;
      slots = pageOf(this.all, order, offset, limit);
    } else {
      // Walk the shortest index list and test the other filters on its records.
      let best = filters[0] as Filter<T>;
      for (const f of filters) if (f.list.length < best.list.length) best = f;
      const others = filters.filter((f) => f !== best);
      if (others.length === 0) {
        total = best.list.length;
        slots = pageOf(best.list, order, offset, limit);
      } else {
        const matches: number[] = [];
        for (let i = 0; i < best.list.length; i++) {
          const slot = best.list.at(i) as number;
          const row = this.rows[slot] as T;
          if (others.every((f) => f.test(row))) matches.push(slot);
        }
        total = matches.length;
        slots = pageOf(matches, order, offset, limit);
      }
    }
    return { total, offset, limit, items: slots.map((s) => this.rows[s] as T) };
  }

  protected slotsToRows(list: SlotList): T[] {
    const out: T[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.rows[list.at(i) as number] as T;
    return out;
  }

  protected statusRows(status: string): T[] {
    const list = this.byStatus.get(status);
    return list === undefined ? [] : this.slotsToRows(list);
  }

  private index(slot: number, row: T): void {
    this.all.insert(slot);
    this.statusList(row.status).insert(slot);
    insertSorted(this.emailList(emailKey(row.customerEmail)), slot, this.byCreation);
    this.indexExtra(slot, row);
  }

  private unindex(slot: number, row: T): void {
    this.all.remove(slot);
    this.statusList(row.status).remove(slot);
    removeSorted(this.emailList(emailKey(row.customerEmail)), slot, this.byCreation);
    this.unindexExtra(slot, row);
  }

  private statusList(status: string): SortedSlots {
    let list = this.byStatus.get(status);
    if (list === undefined) {
      list = new SortedSlots(this.byCreation);
      this.byStatus.set(status, list);
    }
    return list;
  }

  private emailList(key: string): number[] {
    let list = this.byEmail.get(key);
    if (list === undefined) {
      list = [];
      this.byEmail.set(key, list);
    }
    return list;
  }
}

/** Slots 0..n-1 sorted by `order`. */
function inOrder(n: number, order: SlotOrder): number[] {
  const slots: number[] = new Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    slots[i] = i;
    if (sorted && i > 0 && order(i - 1, i) > 0) sorted = false;
  }
  return sorted ? slots : slots.sort(order);
}

export interface PaymentFilter {
  status?: string;
  customerEmail?: string;
  subscriptionId?: string;
}

export class PaymentTable extends Table<Payment> {
  private readonly slotByKey = new Map<string, number>();
  private readonly bySubscription = new Map<string, number[]>();

  byIdempotencyKey(key: string): Payment | undefined {
    const slot = this.slotByKey.get(key);
    return slot === undefined ? undefined : this.rows[slot];
  }

  query(
    filter: PaymentFilter,
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<Payment> {
    const filters: Filter<Payment>[] = [];
    if (filter.status !== undefined) filters.push(this.statusFilter(filter.status));
    if (filter.customerEmail !== undefined) filters.push(this.emailFilter(filter.customerEmail));
    const sub = filter.subscriptionId;
    if (sub !== undefined) {
      filters.push({
        list: this.bySubscription.get(sub) ?? EMPTY,
        test: (p) => p.subscriptionId === sub,
      });
    }
    return this.page(filters, order, offset, limit);
  }

  pending(): Payment[] {
    return this.statusRows('PENDING');
  }

  ofSubscription(subscriptionId: string): Payment[] {
    return this.slotsToRows(this.bySubscription.get(subscriptionId) ?? EMPTY);
  }

  protected loadExtra(sorted: readonly number[]): void {
    for (const slot of sorted) {
      const row = this.rows[slot] as Payment;
      this.slotByKey.set(row.idempotencyKey, slot);
      if (row.subscriptionId !== null) {
        let list = this.bySubscription.get(row.subscriptionId);
        if (list === undefined) {
          list = [];
          this.bySubscription.set(row.subscriptionId, list);
        }
        list.push(slot);
      }
    }
  }

  protected extraKeysChanged(old: Payment, row: Payment): boolean {
    return old.idempotencyKey !== row.idempotencyKey || old.subscriptionId !== row.subscriptionId;
  }

  protected indexExtra(slot: number, row: Payment): void {
    this.slotByKey.set(row.idempotencyKey, slot);
    if (row.subscriptionId !== null) {
      let list = this.bySubscription.get(row.subscriptionId);
      if (list === undefined) {
        list = [];
        this.bySubscription.set(row.subscriptionId, list);
      }
      insertSorted(list, slot, this.byCreation);
    }
  }

  protected unindexExtra(slot: number, row: Payment): void {
    if (this.slotByKey.get(row.idempotencyKey) === slot) this.slotByKey.delete(row.idempotencyKey);
    if (row.subscriptionId !== null) {
      const list = this.bySubscription.get(row.subscriptionId);
      if (list !== undefined) removeSorted(list, slot, this.byCreation);
    }
  }
}

export interface SubscriptionFilter {
  status?: string;
  customerEmail?: string;
}

const isDue = (s: Subscription): boolean =>
  (s.status === 'ACTIVE' || s.status === 'PAST_DUE') && s.nextPaymentDate !== null;

export class SubscriptionTable extends Table<Subscription> {
  /** Date.parse(nextPaymentDate) by slot (meaningful only for slots in `due`). */
  private readonly nextMs: number[] = [];
  private readonly dueOrder: SlotOrder = (a, b) => {
    const d = (this.nextMs[a] as number) - (this.nextMs[b] as number);
    if (d !== 0) return d;
    const ra = this.rows[a] as Subscription;
    const rb = this.rows[b] as Subscription;
    return (
      compareStrings(ra.nextPaymentDate ?? '', rb.nextPaymentDate ?? '') ||
      compareStrings(ra.id, rb.id)
    );
  };
  private readonly due = new SortedSlots(this.dueOrder);

  query(
    filter: SubscriptionFilter,
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<Subscription> {
    const filters: Filter<Subscription>[] = [];
    if (filter.status !== undefined) filters.push(this.statusFilter(filter.status));
    if (filter.customerEmail !== undefined) filters.push(this.emailFilter(filter.customerEmail));
    return this.page(filters, order, offset, limit);
  }

  /** ACTIVE or PAST_DUE subscriptions due at or before `now`, soonest first. */
  dueAt(now: string, limit: number): Subscription[] {
    const nowMs = Date.parse(now);
    const out: Subscription[] = [];
    if (Number.isNaN(nowMs)) return out;
    for (const slot of this.due) {
      if (out.length >= limit || (this.nextMs[slot] as number) > nowMs) break;
      out.push(this.rows[slot] as Subscription);
    }
    return out;
  }

  protected loadExtra(sorted: readonly number[]): void {
    const due: number[] = [];
    for (const slot of sorted) {
      const row = this.rows[slot] as Subscription;
      this.nextMs.push(0);
      if (isDue(row)) due.push(slot);
    }
    for (const slot of due) {
      this.nextMs[slot] = Date.parse((this.rows[slot] as Subscription).nextPaymentDate as string);
    }
    this.due.fill(due.sort(this.dueOrder));
  }

  protected extraKeysChanged(old: Subscription, row: Subscription): boolean {
    return old.nextPaymentDate !== row.nextPaymentDate || isDue(old) !== isDue(row);
  }

  protected indexExtra(slot: number, row: Subscription): void {
    while (this.nextMs.length <= slot) this.nextMs.push(0);
    if (!isDue(row)) return;
    this.nextMs[slot] = Date.parse(row.nextPaymentDate as string);
    this.due.insert(slot);
  }

  protected unindexExtra(slot: number, row: Subscription): void {
    if (isDue(row)) this.due.remove(slot);
  }
}
