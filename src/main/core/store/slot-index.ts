/**
 * IdIndex: from a record's id to its slot, for a million ids. A JavaScript Map takes about a
 * second to fill with a million string keys on the project's machines (it rehashes as it
 * grows, and allocates per entry); this is an open-addressing table of (slot, hash of its
 * id) pairs in one Int32Array, sized once for a bulk load, that compares ids (`idOf(slot)`,
 * the table's own list: they are not stored again) only when their hashes are equal. Ids
 * are never removed.
 */
const EMPTY = -1;

/** FNV-1a over the UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

export class IdIndex {
  /** Pairs: entries[2i] a slot (or EMPTY), entries[2i + 1] the hash of its id. */
  private entries: Int32Array;
  private mask: number;
  private count = 0;

  constructor(
    private readonly idOf: (slot: number) => string,
    expected = 0,
  ) {
    const capacity = capacityFor(expected);
    this.entries = new Int32Array(2 * capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  get(id: string): number | undefined {
    const h = hash(id);
    const e = this.entries;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const slot = e[2 * i] as number;
      if (slot === EMPTY) return undefined;
      if (e[2 * i + 1] === h && this.idOf(slot) === id) return slot;
    }
  }

  /** Adds `slot` under its id; returns the slot that already has that id, or -1. */
  add(slot: number): number {
    if ((this.count + 1) * 4 > this.entries.length) this.grow();
    const id = this.idOf(slot);
    const h = hash(id);
    const e = this.entries;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const other = e[2 * i] as number;
      if (other === EMPTY) {
        e[2 * i] = slot;
        e[2 * i + 1] = h;
        this.count++;
        return -1;
      }
      if (e[2 * i + 1] === h && this.idOf(other) === id) return other;
    }
  }

  /**
   * Adds slots 0 to count - 1 to an empty index; returns a slot whose id an earlier slot
   * has, or -1. (Hashing every id first, then placing them, is twice as fast as adding them
   * one by one: the table's cache misses no longer wait on the hashing.)
   */
  addAll(count: number): number {
    if (this.count !== 0) throw new Error('IdIndex.addAll needs an empty index');
    while (count * 4 > this.entries.length) this.grow();
    const hashes = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) hashes[slot] = hash(this.idOf(slot));
    const e = this.entries;
    const mask = this.mask;
    for (let slot = 0; slot < count; slot++) {
      const h = hashes[slot] as number;
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const other = e[2 * i] as number;
        if (other === EMPTY) {
          e[2 * i] = slot;
          e[2 * i + 1] = h;
          break;
        }
        if (e[2 * i + 1] === h && this.idOf(other) === this.idOf(slot)) return slot;
      }
    }
    this.count = count;
    return -1;
  }

  private grow(): void {
    const old = this.entries;
    const capacity = old.length; // twice the old capacity
    const e = new Int32Array(2 * capacity).fill(EMPTY);
    const mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      const slot = old[j] as number;
      if (slot === EMPTY) continue;
      const h = old[j + 1] as number;
      let i = h & mask;
      while (e[2 * i] !== EMPTY) i = (i + 1) & mask;
      e[2 * i] = slot;
      e[2 * i + 1] = h;
    }
    this.entries = e;
    this.mask = mask;
  }
}

/** A power of two at least twice `n` (the table stays at most half full). */
function capacityFor(n: number): number {
  let c = 16;
  while (c < n * 2) c *= 2;
  return c;
}
