/**
 * GroupIndex: lists of slots by key (a customer's e-mail, a subscription), each in creation
 * order. A bulk load puts every list in two typed arrays at once (a counting sort of the
 * slots by group: no per-list allocation for a million slots in fifty thousand lists); a
 * list is copied into a plain array the first time it changes.
 */
import { insertSorted, removeSorted, type SlotList, type SlotOrder } from './sorted';

const NONE: SlotList = [];

export class GroupIndex {
  /** Key to loaded group; group g's slots are slots[offsets[g] .. offsets[g + 1]). */
  private loaded = new Map<string, number>();
  private offsets: Int32Array = new Int32Array(1);
  private slots: Int32Array = new Int32Array(0);
  /**
   * Loaded groups changed since the load, by group number (an array, not a second map keyed
   * by text: the first change of a hundred thousand groups in a scheduler run stays cheap).
   */
  private changedGroups: (number[] | undefined)[] = [];
  /** Lists of keys the load did not have. */
  private readonly added = new Map<string, number[]>();

  /**
   * Replaces the content: `keys[g]` is group g's key (distinct), `groupOf[slot]` the group of
   * each slot (-1 for none), `sorted` every slot in creation order.
   */
  load(keys: readonly string[], groupOf: Int32Array, sorted: readonly number[]): void {
    const { offsets, slots } = sortByGroup(keys.length, groupOf, sorted);
    this.loaded = new Map(keys.map((k, g) => [k, g]));
    this.offsets = offsets;
    this.slots = slots;
    // Pushed one by one: a packed array (new Array(n) of a large n is a slow dictionary).
    this.changedGroups = [];
    for (let g = 0; g < keys.length; g++) this.changedGroups.push(undefined);
    this.added.clear();
  }

  /** How many keys the index has had a list for (grows when a new key comes). */
  get keyCount(): number {
    return this.loaded.size + this.added.size;
  }

  /** Every key the index has had a list for (a list may be empty by now). */
  *keys(): IterableIterator<string> {
    yield* this.loaded.keys();
    yield* this.added.keys();
  }

  /** The length of `key`'s list (without making a view of it). */
  sizeOf(key: string): number {
    const g = this.loaded.get(key);
    if (g === undefined) return this.added.get(key)?.length ?? 0;
    const changed = this.changedGroups[g];
    return changed !== undefined
      ? changed.length
      : (this.offsets[g + 1] as number) - (this.offsets[g] as number);
  }

  get(key: string): SlotList {
    const g = this.loaded.get(key);
    if (g === undefined) return this.added.get(key) ?? NONE;
    return this.changedGroups[g] ?? this.slots.subarray(this.offsets[g], this.offsets[g + 1]);
  }

  insert(key: string, slot: number, order: SlotOrder): void {
    insertSorted(this.list(key), slot, order);
  }

  remove(key: string, slot: number, order: SlotOrder): void {
    removeSorted(this.list(key), slot, order);
  }

  /** The list of `key` as a plain array, to change. */
  private list(key: string): number[] {
    const g = this.loaded.get(key);
    if (g === undefined) {
      let list = this.added.get(key);
      if (list === undefined) {
        list = [];
        this.added.set(key, list);
      }
      return list;
    }
    let list = this.changedGroups[g];
    if (list === undefined) {
      // A loop: Array.from on a typed array goes through its iterator, several times slower.
      list = [];
      const end = this.offsets[g + 1] as number;
      for (let i = this.offsets[g] as number; i < end; i++) list.push(this.slots[i] as number);
      this.changedGroups[g] = list;
    }
    return list;
  }
}

/**
 * A counting sort of `sorted` (slots in order) by group (`groupOf[slot]`, -1 for none, below
 * `groups`): group g's slots, in their order, are slots[offsets[g] .. offsets[g + 1]).
 */
export function sortByGroup(
  groups: number,
  groupOf: Int32Array,
  sorted: readonly number[],
): { offsets: Int32Array; slots: Int32Array } {
  const offsets = new Int32Array(groups + 1);
  for (let slot = 0; slot < groupOf.length; slot++) {
    const g = groupOf[slot] as number;
    if (g >= 0) offsets[g + 1] = (offsets[g + 1] as number) + 1;
  }
  for (let g = 0; g < groups; g++) {
    offsets[g + 1] = (offsets[g + 1] as number) + (offsets[g] as number);
  }
  const next = offsets.slice(0, groups);
  const slots = new Int32Array(offsets[groups] as number);
  for (let i = 0; i < sorted.length; i++) {
    const slot = sorted[i] as number;
    const g = groupOf[slot] as number;
    if (g < 0) continue;
    const at = next[g] as number;
    slots[at] = slot;
    next[g] = at + 1;
  }
  return { offsets, slots };
}

/**
 * Groups for GroupIndex.load from each slot's key (null for none): `keys` and `groupOf`.
 * `keyOf` is called once per slot, so this suits thousands of slots, not millions.
 */
export function groupsOf(
  count: number,
  keyOf: (slot: number) => string | null,
): { keys: string[]; groupOf: Int32Array } {
  const keys: string[] = [];
  const index = new Map<string, number>();
  const groupOf = new Int32Array(count);
  for (let slot = 0; slot < count; slot++) {
    const key = keyOf(slot);
    if (key === null) {
      groupOf[slot] = -1;
      continue;
    }
    let g = index.get(key);
    if (g === undefined) {
      g = keys.length;
      keys.push(key);
      index.set(key, g);
    }
    groupOf[slot] = g;
  }
  return { keys, groupOf };
}
