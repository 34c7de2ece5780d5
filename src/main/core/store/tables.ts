/**
 * The in-memory tables and their indexes, so that no query scans the whole store.
 *
 * A table gives each record a slot (its position in creation order, which never changes)
 * and keeps per slot only what its indexes sort and filter by; indexes hold slots (small
 * integers), and putting a new version of a record only touches the indexes whose key
 * changed. How a table keeps the records themselves is its own business: subscriptions as
 * objects (this file), payments mostly unread in the snapshot file (payment-table.ts).
 * Indexes:
 *  - by id: IdIndex (slot-index.ts);
 *  - all records and each status: SortedSlots by createdAt, then id;
 *  - by customer e-mail (lower-cased): GroupIndex, lists in the same order;
 *  - the subclasses' own (payments: by subscription and idempotency key; subscriptions:
 *    the due list, ACTIVE or PAST_DUE with a nextPaymentDate, by that date).
 * Records are immutable: a table hands out the very objects it was given or read.
 */
import type { Page } from '../../../shared/contract';
import type { Subscription } from '../../../shared/domain';
import { amountValue } from '../../../shared/money';
import { instantMs } from './codec';
import type { CustomerWatcher } from './customers';
import { GroupIndex, groupsOf, sortByGroup } from './groups';
import { IdIndex } from './slot-index';
import { SortedSlots, type SlotList, type SlotOrder } from './sorted';
import {
  buildOrder,
  columnOrder,
  CREATED,
  LazyList,
  pageSlots,
  SortedRange,
  type Filter,
  type Order,
  type PageSource,
  type SortColumn,
} from './query';

export type { Filter } from './query';

export interface Row {
  id: string;
  createdAt: string;
  status: string;
  customerEmail: string;
}

export const EMPTY: SlotList = [];

/** Queries whose matches a table remembers (the table scrolled, a search beside it). */
const MEMO_QUERIES = 2;

/** A search of the e-mail index (Table.emailPartFilter), remembered. */
interface Searched {
  text: string;
  /** The index's keyCount when it was made: a new e-mail makes it stale. */
  keyCount: number;
  /** The e-mails that contain the text. */
  matched: string[];
  keys: Set<string>;
  /** As of `puts` puts: how many records have those e-mails, and (once made) which. */
  puts: number;
  size: number;
  union: number[] | null;
}

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const emailKey = (email: string): string => email.toLowerCase();

export abstract class Table<T extends Row> {
  /** Ids by slot. */
  protected ids: string[] = [];
  /** The instant of createdAt by slot (first `ids.length` entries), so ordering compares numbers. */
  protected createdMs = new Float64Array(64);
  private slotById = new IdIndex((slot) => this.ids[slot] as string);
  /** By createdAt, then the createdAt text (for equal instants written differently), then id. */
  protected readonly byCreation: SlotOrder = (a, b) => {
    const d = (this.createdMs[a] as number) - (this.createdMs[b] as number);
    if (d !== 0) return d;
    return (
      compareStrings(this.createdAtOf(a), this.createdAtOf(b)) ||
      compareStrings(this.ids[a] as string, this.ids[b] as string)
    );
  };
  private readonly all = new SortedSlots(this.byCreation);
  private readonly byStatus = new Map<string, SortedSlots>();
  private readonly byEmail = new GroupIndex();
  /** Every slot by one sort column (query.ts), built the first time that sort is asked. */
  private readonly orders = new Map<string, SortedSlots>();
  /** The last search (emailPartFilter): its e-mails until a new one comes. */
  private searched: Searched | null = null;
  /** Puts so far: a search's count and union are kept until the next one. */
  private puts = 0;
  /** The matches of the last few queries (query.ts), until the next put. */
  private memo: Array<{ key: string; puts: number; slots: number[] }> = [];

  get size(): number {
    return this.ids.length;
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  get(id: string): T | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.row(slot);
  }

  put(row: T): void {
    this.puts++;
    const slot = this.slotById.get(row.id);
    if (slot === undefined) {
      const fresh = this.ids.length;
      this.ids.push(row.id);
      this.setCreated(fresh, instantMs(row.createdAt));
      this.slotById.add(fresh);
      this.keep(fresh, row);
      this.index(fresh);
      return;
    }
    if (this.createdAtOf(slot) !== row.createdAt) {
      // The creation order itself moves: take the slot out of every list under its old key.
      this.unindex(slot);
      this.keep(slot, row);
      this.setCreated(slot, instantMs(row.createdAt));
      this.index(slot);
      return;
    }
    const extra = this.extraKeysChanged(slot, row);
    if (extra) this.unindexExtra(slot);
    const oldStatus = this.statusOf(slot);
    const oldEmail = this.emailKeyOf(slot);
    const moved = this.leaveOrders(slot, row);
    this.keep(slot, row);
    for (const list of moved) list.insert(slot);
    if (oldStatus !== row.status) {
      this.statusList(oldStatus).remove(slot);
      this.statusList(row.status).insert(slot);
    }
    const newEmail = emailKey(row.customerEmail);
    if (oldEmail !== newEmail) {
      this.byEmail.remove(oldEmail, slot, this.byCreation);
      this.byEmail.insert(newEmail, slot, this.byCreation);
    }
    if (extra) this.indexExtra(slot);
  }

  /**
   * Indexes the `count` slots the subclass just filled (ids, createdMs and its own storage):
   * one sort (linear when they come in createdAt order, as they usually do) instead of one
   * sorted insertion per record. Returns the id of a record that appears twice, or null.
   */
  protected indexLoaded(count: number): string | null {
    this.slotById = new IdIndex((slot) => this.ids[slot] as string, count);
    const repeated = this.slotById.addAll(count);
    if (repeated !== -1) return this.ids[repeated] as string;
    const sorted = inOrder(count, this.byCreation);
    this.all.fill(sorted);
    const statuses = this.statusGroups(count);
    const byStatus = sortByGroup(statuses.keys.length, statuses.groupOf, sorted);
    statuses.keys.forEach((status, g) => {
      const { offsets, slots } = byStatus;
      if (offsets[g] !== offsets[g + 1]) {
        this.statusList(status).fill(slots.subarray(offsets[g], offsets[g + 1]));
      }
    });
    const emails = this.emailGroups(count);
    this.byEmail.load(emails.keys, emails.groupOf, sorted);
    this.loadExtra(sorted);
    return null;
  }

  /** Sets the createdAt milliseconds of `slot` (at most one past the last). */
  protected setCreated(slot: number, ms: number): void {
    if (slot >= this.createdMs.length) {
      const bigger = new Float64Array(Math.max(64, 2 * this.createdMs.length));
      bigger.set(this.createdMs);
      this.createdMs = bigger;
    }
    this.createdMs[slot] = ms;
  }

  /** The groups of the `count` loaded slots by status (see GroupIndex.load). */
  protected statusGroups(count: number): { keys: string[]; groupOf: Int32Array } {
    return groupsOf(count, (slot) => this.statusOf(slot));
  }

  /** The e-mail index's groups of the `count` loaded slots (see GroupIndex.load). */
  protected emailGroups(count: number): { keys: string[]; groupOf: Int32Array } {
    return groupsOf(count, (slot) => this.emailKeyOf(slot));
  }

  /** The record in `slot`. */
  protected abstract row(slot: number): T;
  protected abstract createdAtOf(slot: number): string;
  protected abstract statusOf(slot: number): string;
  /** The lower-cased customer e-mail. */
  protected abstract emailKeyOf(slot: number): string;
  /** Keeps `row` as the record of `slot` (the indexes still hold the old one's keys). */
  protected abstract keep(slot: number, row: T): void;
  /** Builds the extra indexes of a freshly loaded table; `sorted` is every slot in order. */
  protected abstract loadExtra(sorted: readonly number[]): void;
  protected abstract extraKeysChanged(slot: number, row: T): boolean;
  protected abstract indexExtra(slot: number): void;
  protected abstract unindexExtra(slot: number): void;

  protected statusFilter(status: string): Filter {
    return {
      list: this.statusSlots(status),
      test: (slot) => this.statusOf(slot) === status,
    };
  }

  protected emailFilter(email: string): Filter {
    const key = emailKey(email);
    return {
      list: this.byEmail.get(key),
      test: (slot) => this.emailKeyOf(slot) === key,
    };
  }

  /** A page of the records matching every filter, by `sort` (query.ts), ties by creation. */
  protected page(
    filters: Filter[],
    order: Order,
    offset: number,
    limit: number,
    sort: string = CREATED,
    /** Names the query (its filters and sort): its matches may be remembered under it. */
    key?: string,
  ): Page<T> {
    const puts = this.puts;
    const source: PageSource = {
      size: this.size,
      orderList: (name) => this.orderList(name),
      comparator: (name) => this.comparator(name),
      value: (name) => (this.sortColumn(name) as SortColumn<T>).of,
    };
    if (key !== undefined) {
      source.remembered = () => this.memo.find((m) => m.key === key && m.puts === puts)?.slots;
      source.remember = (slots) => {
        this.memo = [{ key, puts, slots }, ...this.memo.filter((m) => m.key !== key)];
        this.memo.length = Math.min(this.memo.length, MEMO_QUERIES);
      };
    }
    const { total, slots } = pageSlots(source, filters, sort, order, offset, limit);
    return { total, offset, limit, items: this.rows(slots) };
  }

  /** The columns the table sorts by besides creation (query.ts), by name. */
  protected sortColumn(_name: string): SortColumn<T> | undefined {
    return undefined;
  }

  /** Every slot in the order of `sort`: creation, or a column's, built the first time. */
  protected orderList(sort: string): SortedSlots {
    if (sort === CREATED) return this.all;
    let list = this.orders.get(sort);
    if (list === undefined) {
      const column = this.sortColumn(sort);
      if (column === undefined) throw new Error(`no sort column ${sort}`);
      list = buildOrder([...this.all], column, columnOrder(column, this.byCreation));
      this.orders.set(sort, list);
    }
    return list;
  }

  protected comparator(sort: string): SlotOrder {
    if (sort === CREATED) return this.byCreation;
    const column = this.sortColumn(sort);
    if (column === undefined) throw new Error(`no sort column ${sort}`);
    return columnOrder(column, this.byCreation);
  }

  /** The sort orders built whose value of `slot` changes with `row`: taken out of them. */
  private leaveOrders(slot: number, row: T): SortedSlots[] {
    const moved: SortedSlots[] = [];
    for (const [name, list] of this.orders) {
      const column = this.sortColumn(name) as SortColumn<T>;
      if (column.of(slot) !== column.ofRow(row)) {
        list.remove(slot);
        moved.push(list);
      }
    }
    return moved;
  }

  /** Records created at or after `fromMs` and before `toMs` (either may be absent). */
  protected createdFilter(fromMs: number | undefined, toMs: number | undefined): Filter {
    const ms = this.createdMs;
    const lo = fromMs === undefined ? 0 : this.all.countBefore((s) => (ms[s] as number) < fromMs);
    const hi =
      toMs === undefined ? this.all.length : this.all.countBefore((s) => (ms[s] as number) < toMs);
    return {
      list: new SortedRange(this.all, lo, Math.max(lo, hi)),
      test: (slot) =>
        (fromMs === undefined || (ms[slot] as number) >= fromMs) &&
        (toMs === undefined || (ms[slot] as number) < toMs),
    };
  }

  /**
   * Records whose customer e-mail contains `text` (case-insensitive): the e-mails are
   * matched among the distinct ones of the e-mail index (no record is read), and their lists
   * joined.
   */
  protected emailPartFilter(text: string): Filter {
    const found = this.searchFor(text.toLowerCase());
    if (found.puts !== this.puts) {
      // The lists changed since: count again (no list is made for it), unite again if asked.
      found.puts = this.puts;
      found.size = 0;
      for (const key of found.matched) found.size += this.byEmail.sizeOf(key);
      found.union = null;
    }
    const list = new LazyList(found.size, () => {
      found.union ??= this.unionOf(found.matched.map((key) => this.byEmail.get(key)));
      return found.union;
    });
    if (found.union !== null) list.slots();
    return { list, test: (slot) => found.keys.has(this.emailKeyOf(slot)) };
  }

  /** The distinct e-mail keys containing `needle`, remembered until a new e-mail comes. */
  private searchFor(needle: string): Searched {
    const count = this.byEmail.keyCount;
    const last = this.searched;
    if (last !== null && last.text === needle && last.keyCount === count) return last;
    const matched: string[] = [];
    for (const key of this.byEmail.keys()) {
      if (key.includes(needle) && this.byEmail.sizeOf(key) > 0) matched.push(key);
    }
    const found: Searched = {
      text: needle,
      keyCount: count,
      matched,
      keys: new Set(matched),
      puts: -1,
      size: 0,
      union: null,
    };
    this.searched = found;
    return found;
  }

  /** The slots of `lists` (each in creation order, none shared) in creation order. */
  private unionOf(lists: readonly SlotList[]): number[] {
    let size = 0;
    for (const list of lists) size += list.length;
    const numbers = new Int32Array(size);
    let at = 0;
    for (const list of lists)
      for (let i = 0; i < list.length; i++) numbers[at++] = list.at(i) as number;
    // Slots are mostly in creation order already: a numeric sort, then the real order (a
    // near-sorted array takes the comparator about once per element).
    numbers.sort();
    const out = Array.from(numbers);
    return out.sort(this.byCreation);
  }

  /** The records of `slots`, in that order. */
  protected rows(slots: readonly number[]): T[] {
    const out: T[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) out[i] = this.row(slots[i] as number);
    return out;
  }

  protected listRows(list: SlotList): T[] {
    const slots: number[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) slots[i] = list.at(i) as number;
    return this.rows(slots);
  }

  /** The slots of one customer e-mail (lower-cased), in creation order. */
  protected emailSlots(key: string): SlotList {
    return this.byEmail.get(key);
  }

  /** The slots of one status, in creation order. */
  protected statusSlots(status: string): SlotList {
    return this.byStatus.get(status) ?? EMPTY;
  }

  protected statusRows(status: string): T[] {
    return this.listRows(this.statusSlots(status));
  }

  private index(slot: number): void {
    this.all.insert(slot);
    this.statusList(this.statusOf(slot)).insert(slot);
    this.byEmail.insert(this.emailKeyOf(slot), slot, this.byCreation);
    this.indexExtra(slot);
    for (const list of this.orders.values()) list.insert(slot);
  }

  private unindex(slot: number): void {
    this.all.remove(slot);
    this.statusList(this.statusOf(slot)).remove(slot);
    this.byEmail.remove(this.emailKeyOf(slot), slot, this.byCreation);
    this.unindexExtra(slot);
    for (const list of this.orders.values()) list.remove(slot);
  }

  private statusList(status: string): SortedSlots {
    let list = this.byStatus.get(status);
    if (list === undefined) {
      list = new SortedSlots(this.byCreation);
      this.byStatus.set(status, list);
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

export interface SubscriptionFilter {
  status?: string;
  customerEmail?: string;
  /** Any part of the e-mail or of the id, case-insensitive. */
  search?: string;
  /** Held for review (true) or not (false). */
  review?: boolean;
  /** createdAt, or a column of SUBSCRIPTION_COLUMNS (default createdAt). */
  sort?: string;
}

/** The columns subscriptions sort by besides creation. */
const SUBSCRIPTION_COLUMNS: Record<string, (s: Subscription) => number | string> = {
  amount: (s) => amountValue(s.amount, s.currency),
  status: (s) => s.status,
  customerEmail: (s) => emailKey(s.customerEmail),
  // None (paused, cancelled) after every date.
  nextPaymentDate: (s) =>
    s.nextPaymentDate === null ? Number.POSITIVE_INFINITY : instantMs(s.nextPaymentDate),
};

const isDue = (s: Subscription): boolean =>
  (s.status === 'ACTIVE' || s.status === 'PAST_DUE') && s.nextPaymentDate !== null;

/** Subscriptions, kept as objects (there are thousands, not millions). */
export class SubscriptionTable extends Table<Subscription> {
  private readonly records: Subscription[] = [];
  /** The instant of nextPaymentDate by slot (meaningful only for slots in `due`). */
  private readonly nextMs: number[] = [];
  private readonly dueOrder: SlotOrder = (a, b) => {
    const d = (this.nextMs[a] as number) - (this.nextMs[b] as number);
    if (d !== 0) return d;
    const ra = this.records[a] as Subscription;
    const rb = this.records[b] as Subscription;
    return (
      compareStrings(ra.nextPaymentDate ?? '', rb.nextPaymentDate ?? '') ||
      compareStrings(ra.id, rb.id)
    );
  };
  private readonly due = new SortedSlots(this.dueOrder);
  /** Told of every put once set (the customers index). */
  private watcher: CustomerWatcher | null = null;

  /** Tells `watcher` of every subscription, then of every put: the old version out, the new in. */
  watch(watcher: CustomerWatcher): void {
    for (const s of this.records) watcher.subscription(s, 1);
    watcher.settle();
    this.watcher = watcher;
  }

  override put(row: Subscription): void {
    const watcher = this.watcher;
    if (watcher === null) {
      super.put(row);
      return;
    }
    const old = this.get(row.id);
    if (old !== undefined) watcher.subscription(old, -1);
    super.put(row);
    watcher.subscription(row, 1);
    watcher.settle();
  }

  /** Loads records into an empty table; returns the id of one that appears twice, or null. */
  load(rows: readonly Subscription[]): string | null {
    for (const row of rows) {
      this.setCreated(this.ids.length, instantMs(row.createdAt));
      this.ids.push(row.id);
      this.records.push(row);
    }
    return this.indexLoaded(rows.length);
  }

  values(): IterableIterator<Subscription> {
    return this.records.values();
  }

  /** Every record in creation order (a copy of the list: records are immutable). */
  snapshot(): Subscription[] {
    return this.records.slice();
  }

  query(
    filter: SubscriptionFilter,
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<Subscription> {
    const filters: Filter[] = [];
    if (filter.status !== undefined) filters.push(this.statusFilter(filter.status));
    if (filter.customerEmail !== undefined) filters.push(this.emailFilter(filter.customerEmail));
    const search = filter.search?.trim().toLowerCase();
    if (search) {
      // Thousands of records: tested one by one.
      filters.push({
        list: this.orderList(CREATED),
        exact: false,
        test: (slot) => {
          const s = this.records[slot] as Subscription;
          return emailKey(s.customerEmail).includes(search) || s.id.toLowerCase().includes(search);
        },
      });
    }
    const review = filter.review;
    if (review !== undefined) {
      filters.push({
        list: this.orderList(CREATED),
        exact: false,
        test: (slot) => ((this.records[slot] as Subscription).review !== null) === review,
      });
    }
    return this.page(filters, order, offset, limit, filter.sort ?? CREATED);
  }

  protected override sortColumn(name: string): SortColumn<Subscription> | undefined {
    const value = SUBSCRIPTION_COLUMNS[name];
    if (value === undefined) return undefined;
    return { of: (slot) => value(this.records[slot] as Subscription), ofRow: value };
  }

  /** ACTIVE or PAST_DUE subscriptions due at or before `now`, soonest first. */
  dueAt(now: string, limit: number): Subscription[] {
    const nowMs = Date.parse(now);
    const out: Subscription[] = [];
    if (Number.isNaN(nowMs)) return out;
    for (const slot of this.due) {
      if (out.length >= limit || (this.nextMs[slot] as number) > nowMs) break;
      out.push(this.records[slot] as Subscription);
    }
    return out;
  }

  protected row(slot: number): Subscription {
    return this.records[slot] as Subscription;
  }

  protected createdAtOf(slot: number): string {
    return (this.records[slot] as Subscription).createdAt;
  }

  protected statusOf(slot: number): string {
    return (this.records[slot] as Subscription).status;
  }

  protected emailKeyOf(slot: number): string {
    return emailKey((this.records[slot] as Subscription).customerEmail);
  }

  protected keep(slot: number, row: Subscription): void {
    this.records[slot] = row;
  }

  protected loadExtra(sorted: readonly number[]): void {
    const due: number[] = [];
    for (const slot of sorted) {
      this.nextMs.push(0);
      if (isDue(this.records[slot] as Subscription)) due.push(slot);
    }
    for (const slot of due) {
      this.nextMs[slot] = instantMs((this.records[slot] as Subscription).nextPaymentDate as string);
    }
    this.due.fill(due.sort(this.dueOrder));
  }

  protected extraKeysChanged(slot: number, row: Subscription): boolean {
    const old = this.records[slot] as Subscription;
    return old.nextPaymentDate !== row.nextPaymentDate || isDue(old) !== isDue(row);
  }

  protected indexExtra(slot: number): void {
    while (this.nextMs.length <= slot) this.nextMs.push(0);
    const row = this.records[slot] as Subscription;
    if (!isDue(row)) return;
    this.nextMs[slot] = instantMs(row.nextPaymentDate as string);
    this.due.insert(slot);
  }

  protected unindexExtra(slot: number): void {
    if (isDue(this.records[slot] as Subscription)) this.due.remove(slot);
  }
}
