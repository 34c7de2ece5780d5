/**
 * Ordered lists of slots (positions of records in a table), kept sorted by a comparator that
 * reads the records' current keys.
 *
 * `SortedSlots` is for lists that reach a million entries and lose entries often (a payment
 * leaving COMPLETED for REFUNDED): a list of blocks of at most BLOCK slots, so removing or
 * inserting moves at most one block, and appending in order (the usual case) is a push.
 * Finding the i-th entry walks the block sizes (about a thousand numbers at a million).
 * `insertSorted`/`removeSorted` keep plain arrays sorted, for the small per-customer and
 * per-subscription lists.
 */
export type SlotOrder = (a: number, b: number) => number;

/** Read access shared by arrays and SortedSlots. */
export interface SlotList {
  readonly length: number;
  at(index: number): number | undefined;
}

const BLOCK = 1024;

/** First index in `list` whose slot does not sort before `slot`. */
function lowerBound(list: readonly number[], slot: number, order: SlotOrder): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(list[mid] as number, slot) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertSorted(list: number[], slot: number, order: SlotOrder): void {
  const n = list.length;
  if (n === 0 || order(list[n - 1] as number, slot) < 0) list.push(slot);
  else list.splice(lowerBound(list, slot, order), 0, slot);
}

export function removeSorted(list: number[], slot: number, order: SlotOrder): boolean {
  const i = lowerBound(list, slot, order);
  if (list[i] !== slot) return false;
  list.splice(i, 1);
  return true;
}

export class SortedSlots implements SlotList {
  private readonly blocks: number[][] = [];
  private count = 0;

  constructor(
    private readonly order: SlotOrder,
    /** Slots a block holds at most (small in tests, to exercise splits and merges). */
    private readonly blockSize = BLOCK,
  ) {}

  /** Replaces the content with `slots`, which must already be in order. */
  fill(slots: ArrayLike<number>): void {
    this.blocks.length = 0;
    for (let i = 0; i < slots.length; i += this.blockSize) {
      const block: number[] = new Array(Math.min(this.blockSize, slots.length - i));
      for (let k = 0; k < block.length; k++) block[k] = slots[i + k] as number;
      this.blocks.push(block);
    }
    this.count = slots.length;
  }

  get length(): number {
    return this.count;
  }

  insert(slot: number): void {
    const blocks = this.blocks;
    this.count++;
    const last = blocks[blocks.length - 1];
    if (last === undefined) {
      blocks.push([slot]);
      return;
    }
    if (this.order(last[last.length - 1] as number, slot) < 0) {
      // The append fast path: a full last block starts a new one, so appends fill blocks.
      if (last.length >= this.blockSize) blocks.push([slot]);
      else last.push(slot);
      return;
    }
    const b = this.blockFor(slot);
    const block = blocks[b] as number[];
    block.splice(lowerBound(block, slot, this.order), 0, slot);
    if (block.length > this.blockSize) blocks.splice(b + 1, 0, block.splice(this.blockSize >>> 1));
  }

  /** Removes `slot`, which must still have the key it was inserted with. */
  remove(slot: number): boolean {
    const blocks = this.blocks;
    const b = this.blockFor(slot);
    const block = blocks[b];
    if (block === undefined) return false;
    const i = lowerBound(block, slot, this.order);
    if (block[i] !== slot) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      blocks.splice(b, 1);
    } else if (block.length < this.blockSize >>> 2) {
      const next = blocks[b + 1];
      if (next !== undefined && block.length + next.length <= this.blockSize) {
        for (const s of next) block.push(s);
        blocks.splice(b + 1, 1);
      }
    }
    return true;
  }

  at(index: number): number | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const blocks = this.blocks;
    if (index < this.count >>> 1) {
      for (let b = 0; b < blocks.length; b++) {
        const block = blocks[b] as number[];
        if (index < block.length) return block[index];
        index -= block.length;
      }
    } else {
      let fromEnd = this.count - 1 - index;
      for (let b = blocks.length - 1; b >= 0; b--) {
        const block = blocks[b] as number[];
        if (fromEnd < block.length) return block[block.length - 1 - fromEnd];
        fromEnd -= block.length;
      }
    }
    return undefined;
  }

  /** `limit` slots from `offset`, counted from the start (asc) or from the end (desc). */
  page(order: 'asc' | 'desc', offset: number, limit: number): number[] {
    const out: number[] = [];
    if (limit <= 0 || offset >= this.count) return out;
    const blocks = this.blocks;
    let skip = offset;
    if (order === 'asc') {
      for (let b = 0; b < blocks.length && out.length < limit; b++) {
        const block = blocks[b] as number[];
        if (skip >= block.length) {
          skip -= block.length;
          continue;
        }
        for (let i = skip; i < block.length && out.length < limit; i++)
          out.push(block[i] as number);
        skip = 0;
      }
    } else {
      for (let b = blocks.length - 1; b >= 0 && out.length < limit; b--) {
        const block = blocks[b] as number[];
        if (skip >= block.length) {
          skip -= block.length;
          continue;
        }
        for (let i = block.length - 1 - skip; i >= 0 && out.length < limit; i--) {
          out.push(block[i] as number);
        }
        skip = 0;
      }
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (const block of this.blocks) yield* block;
  }

  /**
   * The number of slots for which `before` holds, when it holds for a prefix of the list
   * (a binary search: `before` must be monotonic in the list's order).
   */
  countBefore(before: (slot: number) => boolean): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid] as number[];
      if (before(block[block.length - 1] as number)) lo = mid + 1;
      else hi = mid;
    }
    let index = 0;
    for (let b = 0; b < lo; b++) index += (blocks[b] as number[]).length;
    const block = blocks[lo];
    if (block === undefined) return index;
    let i = 0;
    let j = block.length;
    while (i < j) {
      const mid = (i + j) >>> 1;
      if (before(block[mid] as number)) i = mid + 1;
      else j = mid;
    }
    return index + i;
  }

  /**
   * Visits the slots of indexes [from, to), in that order (asc) or from `to` - 1 down (desc),
   * until `visit` returns false.
   */
  scan(from: number, to: number, order: 'asc' | 'desc', visit: (slot: number) => boolean): void {
    from = Math.max(0, from);
    to = Math.min(this.count, to);
    if (from >= to) return;
    const blocks = this.blocks;
    if (order === 'asc') {
      let b = 0;
      let start = from;
      while (start >= (blocks[b] as number[]).length) start -= (blocks[b++] as number[]).length;
      let left = to - from;
      for (; b < blocks.length && left > 0; b++, start = 0) {
        const block = blocks[b] as number[];
        for (let i = start; i < block.length && left > 0; i++, left--) {
          if (!visit(block[i] as number)) return;
        }
      }
    } else {
      let b = blocks.length - 1;
      let skip = this.count - to;
      while (skip >= (blocks[b] as number[]).length) skip -= (blocks[b--] as number[]).length;
      let left = to - from;
      for (; b >= 0 && left > 0; b--, skip = 0) {
        const block = blocks[b] as number[];
        for (let i = block.length - 1 - skip; i >= 0 && left > 0; i--, left--) {
          if (!visit(block[i] as number)) return;
        }
      }
    }
  }

  /** The block that holds (or would hold) `slot`: the first whose last slot is not before it. */
  private blockFor(slot: number): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid] as number[];
      if (this.order(block[block.length - 1] as number, slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** `limit` slots of `list` from `offset`, oldest first or newest first. */
export function pageOf(
  list: SlotList,
  order: 'asc' | 'desc',
  offset: number,
  limit: number,
): number[] {
  if (list instanceof SortedSlots) return list.page(order, offset, limit);
  const out: number[] = [];
  const n = list.length;
  for (let i = offset; i < n && out.length < limit; i++) {
    out.push(list.at(order === 'asc' ? i : n - 1 - i) as number);
  }
  return out;
}
