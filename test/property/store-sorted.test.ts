/**
 * SortedSlots (the blocked sorted lists behind the status indexes) against a plain sorted
 * array, under random inserts, removals, key changes and pages; small blocks so that splits
 * and merges happen.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { insertSorted, removeSorted, SortedSlots } from '../../src/main/core/store/sorted';

type Op =
  | { kind: 'insert'; key: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'page'; offset: number; limit: number; desc: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      key: fc.integer({ min: 0, max: 50 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), key: fc.constant(1000) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('page' as const),
      offset: fc.nat({ max: 300 }),
      limit: fc.nat({ max: 40 }),
      desc: fc.boolean(),
    }),
  },
);

it('keeps the same order as a sorted array', () => {
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 600 }),
      fc.integer({ min: 2, max: 9 }),
      (ops, blockSize) => {
        // Slot i has key keys[i]; ties broken by slot.
        const keys: number[] = [];
        const order = (a: number, b: number) => (keys[a] as number) - (keys[b] as number) || a - b;
        const list = new SortedSlots(order, blockSize);
        const model: number[] = [];
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === 'insert') {
            const slot = keys.length;
            keys.push(o.key);
            list.insert(slot);
            insertSorted(model, slot, order);
            live.push(slot);
          } else if (o.kind === 'remove' && live.length > 0) {
            const [slot] = live.splice(o.pick % live.length, 1) as [number];
            expect(list.remove(slot)).toBe(true);
            expect(list.remove(slot)).toBe(false);
            removeSorted(model, slot, order);
          } else if (o.kind === 'page') {
            const expected = o.desc ? model.slice().reverse() : model;
            expect(list.page(o.desc ? 'desc' : 'asc', o.offset, o.limit)).toEqual(
              expected.slice(o.offset, o.offset + o.limit),
            );
          }
          expect(list.length).toBe(model.length);
        }
        expect([...list]).toEqual(model);
        for (let i = 0; i < model.length; i++) expect(list.at(i)).toBe(model[i]);
        const filled = new SortedSlots(order, blockSize);
        filled.fill(model);
        expect([...filled]).toEqual(model);
      },
    ),
    { numRuns: 300 },
  );
});
