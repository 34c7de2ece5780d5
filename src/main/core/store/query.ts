/**
 * Answering a page of a query from the indexes (tables.ts): filters, a sort by any column
 * the table declares, and the page, without reading a record that is not on it.
 *
 * Each filter brings the index list that holds its matches (a status list, a customer's
 * list, a range of a sorted list) and a test. The shortest list is walked and the other
 * filters are tested on its slots; the matches are then put in the order asked for. When
 * that order is not the list's own, the matches are either sorted (few of them) or the sort
 * column's own list (SortedSlots of every slot, built the first time a sort by that column
 * is asked and kept up to date on every put) is walked from the nearer end, testing every
 * filter, until the page is found: whichever reads fewer slots.
 *
 * A sort column's list is built in linear time: the distinct values are ranked, and a
 * counting sort of the slots (in creation order) by rank gives the column's order with ties
 * in creation order, as its comparator has them.
 */
import { sortByGroup } from './groups';
import { pageOf, SortedSlots, type SlotList, type SlotOrder } from './sorted';

export type Order = 'asc' | 'desc';
export const CREATED = 'createdAt';

/** One filter of a query: the index list that holds its matches, and the test itself. */
export interface Filter {
  list: SlotList;
  test: (slot: number) => boolean;
  /** The sort the list is in (CREATED unless said). */
  sortedBy?: string;
  /** Whether every slot of the list matches (true unless said). */
  exact?: boolean;
}

/** A column a table sorts by (besides creation): its value per slot and per record. */
export interface SortColumn<T> {
  /** Numbers compare as numbers, strings by UTF-16 code units. */
  of(slot: number): number | string;
  ofRow(row: T): number | string;
}

export const compareValues = (a: number | string, b: number | string): number =>
  a < b ? -1 : a > b ? 1 : 0;

/** Indexes [lo, hi) of a SortedSlots, as a list of its own. */
export class SortedRange implements SlotList {
  constructor(
    readonly list: SortedSlots,
    readonly lo: number,
    readonly hi: number,
  ) {}
  get length(): number {
    return Math.max(0, this.hi - this.lo);
  }
  at(index: number): number | undefined {
    return index < 0 || index >= this.length ? undefined : this.list.at(this.lo + index);
  }
}

/** A list made when first read (a union of index lists), whose length is known before. */
export class LazyList implements SlotList {
  private items: number[] | null = null;
  constructor(
    readonly length: number,
    private readonly make: () => number[],
  ) {}
  at(index: number): number | undefined {
    return this.slots()[index];
  }
  slots(): number[] {
    this.items ??= this.make();
    return this.items;
  }
  /** Whether the list was made already (reading it costs nothing more). */
  made(): boolean {
    return this.items !== null;
  }
}

/** Visits the slots of `list` in `order` until `visit` returns false. */
export function scanList(list: SlotList, order: Order, visit: (slot: number) => boolean): void {
  if (list instanceof SortedSlots) return list.scan(0, list.length, order, visit);
  if (list instanceof SortedRange) return list.list.scan(list.lo, list.hi, order, visit);
  const items = list instanceof LazyList ? list.slots() : list;
  const n = items.length;
  if (order === 'asc') {
    for (let i = 0; i < n; i++) if (!visit(items.at(i) as number)) return;
  } else {
    for (let i = n - 1; i >= 0; i--) if (!visit(items.at(i) as number)) return;
  }
}

/** `limit` slots of `list` from `offset`, in `order` (ranges and lazy lists included). */
export function pageOfList(list: SlotList, order: Order, offset: number, limit: number): number[] {
  if (list instanceof SortedRange) {
    const n = Math.max(0, Math.min(limit, list.length - offset));
    const out: number[] = [];
    if (n === 0) return out;
    const from = order === 'asc' ? list.lo + offset : list.hi - offset - n;
    list.list.scan(from, from + n, order, (slot) => out.push(slot) > 0);
    return out;
  }
  return pageOf(list instanceof LazyList ? list.slots() : list, order, offset, limit);
}

/** What a table gives the page algorithm. */
export interface PageSource {
  /** How many records the table holds. */
  size: number;
  /** Every slot in the order of `sort` (built the first time). */
  orderList(sort: string): SlotList;
  /** The order of `sort`, ties by creation. */
  comparator(sort: string): SlotOrder;
  /** The value of a slot in column `sort` (not CREATED). */
  value(sort: string): (slot: number) => number | string;
  /** This query's matches in its sort's order, if remembered since the table last changed. */
  remembered?(): number[] | undefined;
  remember?(matches: number[]): void;
}

/**
 * Matches skipped past which a walk to the page makes the whole list of matches instead, and
 * remembers it: the next pages of the same query (the table scrolled) are then read from it.
 */
const DEEP = 2048;

/** The slots of one page of the records matching every filter, and how many match. */
export function pageSlots(
  source: PageSource,
  filters: readonly Filter[],
  sort: string,
  order: Order,
  offset: number,
  limit: number,
): { total: number; slots: number[] } {
  if (filters.length === 0) {
    const list = source.orderList(sort);
    return { total: list.length, slots: pageOfList(list, order, offset, limit) };
  }
  const known = source.remembered?.();
  if (known !== undefined)
    return { total: known.length, slots: pageOf(known, order, offset, limit) };
  const remember = (matches: number[]): { total: number; slots: number[] } => {
    source.remember?.(matches);
    return { total: matches.length, slots: pageOf(matches, order, offset, limit) };
  };
  // Walk the shortest index list and test the other filters on its slots.
  let best = filters[0] as Filter;
  for (const f of filters) if (f.list.length < best.list.length) best = f;
  const others = filters.filter((f) => f !== best);
  let matches: SlotList;
  if (others.length === 0 && best.exact !== false) {
    const lazy = best.list;
    if (lazy instanceof LazyList && !lazy.made() && lazy.length > 0) {
      // A union not made yet: make it, or walk the sort's own list testing it, whichever
      // reads fewer slots (a search that matches most e-mails is walked).
      const n = lazy.length;
      const nearer = Math.min(offset, Math.max(0, n - offset - limit)) + limit;
      if ((nearer * source.size) / n < 2 * n * Math.log2(n + 2)) {
        const list = source.orderList(sort);
        if (nearer > DEEP) return remember(every(list, best.test));
        return { total: n, slots: walk(list, order, offset, limit, n, best.test) };
      }
    }
    matches = best.list;
  } else {
    const found: number[] = [];
    const own = best.exact === false ? best.test : null;
    scanList(best.list, 'asc', (slot) => {
      if ((own === null || own(slot)) && others.every((f) => f.test(slot))) found.push(slot);
      return true;
    });
    matches = found;
  }
  const total = matches.length;
  if ((best.sortedBy ?? CREATED) === sort) {
    // A list scanned for its matches is remembered: the next page would scan it again.
    if (matches !== best.list) return remember(matches as number[]);
    return { total, slots: pageOfList(matches, order, offset, limit) };
  }
  // Sort the matches, or walk the column's list: whichever reads fewer slots.
  const nearer = Math.min(offset, Math.max(0, total - offset - limit)) + limit;
  const walkCost = total === 0 ? 0 : (nearer * source.size) / total;
  // Slots are numbered in creation order, mostly: into creation order is a numeric sort and
  // a pass of the comparator; into a column's order, a comparator sort.
  const sortCost = sort === CREATED ? 4 * total : 2 * total * Math.log2(total + 2);
  if (sortCost <= walkCost) {
    return remember(
      sort === CREATED ? inCreationOrder(matches, source) : sortedBy(matches, source, sort),
    );
  }
  const test = (slot: number): boolean => filters.every((f) => f.test(slot));
  if (nearer > DEEP) return remember(every(source.orderList(sort), test));
  return { total, slots: walk(source.orderList(sort), order, offset, limit, total, test) };
}

/** The slots of `list` that pass `test`, in its order. */
function every(list: SlotList, test: (slot: number) => boolean): number[] {
  const out: number[] = [];
  scanList(list, 'asc', (slot) => {
    if (test(slot)) out.push(slot);
    return true;
  });
  return out;
}

/** The slots of `list` by column `sort`, ties by creation (each value read once). */
function sortedBy(list: SlotList, source: PageSource, sort: string): number[] {
  const slots: number[] = [];
  scanList(list, 'asc', (slot) => slots.push(slot) > 0);
  const of = source.value(sort);
  const values = slots.map(of);
  const created = source.comparator(CREATED);
  const at = slots.map((_, i) => i);
  at.sort(
    (a, b) =>
      compareValues(values[a] as number | string, values[b] as number | string) ||
      created(slots[a] as number, slots[b] as number),
  );
  return at.map((i) => slots[i] as number);
}

/** The slots of `list` in creation order (TimSort takes a near-sorted array in one pass). */
function inCreationOrder(list: SlotList, source: PageSource): number[] {
  const numbers = new Int32Array(list.length);
  let at = 0;
  scanList(list, 'asc', (slot) => {
    numbers[at++] = slot;
    return true;
  });
  return Array.from(numbers.sort()).sort(source.comparator(CREATED));
}

/**
 * The page of the `total` slots of `list` that pass `test`, found by walking `list` from the
 * end nearer to the page.
 */
function walk(
  list: SlotList,
  order: Order,
  offset: number,
  limit: number,
  total: number,
  test: (slot: number) => boolean,
): number[] {
  const n = Math.max(0, Math.min(limit, total - offset));
  if (n === 0) return [];
  // The page starts `offset` matches from one end and `fromEnd` from the other.
  const fromEnd = total - offset - n;
  const reverse = fromEnd < offset;
  const skip = reverse ? fromEnd : offset;
  const found: number[] = [];
  let seen = 0;
  const other: Order = order === 'asc' ? 'desc' : 'asc';
  scanList(list, reverse ? other : order, (slot) => {
    if (!test(slot)) return true;
    if (seen++ >= skip) found.push(slot);
    return found.length < n;
  });
  return reverse ? found.reverse() : found;
}

/**
 * The slots of `creation` (every slot, in creation order) sorted by `column`, ties in
 * creation order: a counting sort by the rank of each slot's value.
 */
export function buildOrder<T>(
  creation: readonly number[],
  column: SortColumn<T>,
  order: SlotOrder,
): SortedSlots {
  let top = -1;
  for (const slot of creation) top = Math.max(top, slot);
  const values: (number | string)[] = new Array(top + 1);
  const distinct = new Set<number | string>();
  for (const slot of creation) {
    const v = column.of(slot);
    values[slot] = v;
    distinct.add(v);
  }
  const ranked = [...distinct].sort(compareValues);
  const rank = new Map(ranked.map((v, i) => [v, i]));
  const groupOf = new Int32Array(top + 1).fill(-1);
  for (const slot of creation) groupOf[slot] = rank.get(values[slot] as number | string) as number;
  const list = new SortedSlots(order);
  list.fill(sortByGroup(ranked.length, groupOf, creation).slots);
  return list;
}

/** A sort column's order, ties by `creation`. */
export function columnOrder<T>(column: SortColumn<T>, creation: SlotOrder): SlotOrder {
  return (a, b) => compareValues(column.of(a), column.of(b)) || creation(a, b);
}

/** The range of `list` (sorted by `column`) whose values lie in [min, max] (either open). */
export function valueRange<T>(
  list: SortedSlots,
  column: SortColumn<T>,
  min: number | string | undefined,
  max: number | string | undefined,
): SortedRange {
  const lo = min === undefined ? 0 : list.countBefore((slot) => column.of(slot) < min);
  const hi = max === undefined ? list.length : list.countBefore((slot) => column.of(slot) <= max);
  return new SortedRange(list, lo, Math.max(lo, hi));
}
