/**
 * The payments list's filters and sorts (store/query.ts) against a plain filter and sort of
 * every payment: random puts (new payments, and new versions that change the status, the
 * amount, the currency, the e-mail or the date), queries with every filter and sort, and
 * reopens (the payments then come from the snapshot's columns). Sort lists built by an early
 * query must follow every put after it. Also SortedSlots' scan and binary search with small
 * blocks, against a plain array.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYMENT_SORTS, type PaymentSort } from '../../src/shared/contract';
import { PAYMENT_STATUSES, type Payment } from '../../src/shared/domain';
import { amountValue } from '../../src/shared/money';
import type { PaymentQuery, Store } from '../../src/main/core/ports';
import { openStore } from '../../src/main/core/store/index';
import { SortedSlots } from '../../src/main/core/store/sorted';
import { at, payment, removeTempDirs, tempDir } from '../unit/store-fixtures';

afterAll(removeTempDirs);

const EMAILS = [
  'ada@example.com',
  'Ada@Example.com',
  'bob@shop.io',
  'carol@example.org',
  'dan@x.co',
];
const CURRENCIES = ['USD', 'EUR', 'JPY', 'KWD'];
const AMOUNTS = [1, 5, 100, 1000, 1250, 100000];

const fields = fc.record({
  status: fc.constantFrom(...PAYMENT_STATUSES),
  customerEmail: fc.constantFrom(...EMAILS),
  currency: fc.constantFrom(...CURRENCIES),
  amount: fc.constantFrom(...AMOUNTS),
  minute: fc.integer({ min: 0, max: 12 }),
});

type Fields = typeof fields extends fc.Arbitrary<infer T> ? T : never;

type Op =
  { kind: 'put'; id: number; f: Fields } | { kind: 'query'; q: PaymentQuery } | { kind: 'reopen' };

const value = fc.constantFrom(...AMOUNTS.flatMap((a) => [a * 100, a * 10_000, a]));
const query: fc.Arbitrary<PaymentQuery> = fc.record(
  {
    status: fc.constantFrom(...PAYMENT_STATUSES),
    customerEmail: fc.constantFrom(...EMAILS),
    search: fc.constantFrom('ada', 'EXAMPLE', '.io', 'x', 'zzz', '@'),
    currency: fc.constantFrom(...CURRENCIES),
    minAmount: value,
    maxAmount: value,
    from: fc.integer({ min: 0, max: 13 }).map(at),
    to: fc.integer({ min: 0, max: 13 }).map(at),
    sort: fc.constantFrom(...PAYMENT_SORTS),
    order: fc.constantFrom('asc' as const, 'desc' as const),
    offset: fc.integer({ min: 0, max: 30 }),
    limit: fc.integer({ min: 1, max: 25 }),
  },
  { requiredKeys: ['order', 'offset', 'limit'] },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('put' as const), id: fc.nat(40), f: fields }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('query' as const), q: query }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

const createdMs = (p: Payment): number => Date.parse(p.createdAt);
const byCreation = (a: Payment, b: Payment): number =>
  createdMs(a) - createdMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const COLUMN: Record<PaymentSort, (p: Payment) => number | string> = {
  createdAt: createdMs,
  amount: (p) => amountValue(p.amount, p.currency),
  status: (p) => p.status,
  customerEmail: (p) => p.customerEmail.toLowerCase(),
  currency: (p) => p.currency,
};

/** The query answered the plain way: every payment filtered, sorted, sliced. */
function reference(all: Iterable<Payment>, q: PaymentQuery): { total: number; ids: string[] } {
  const value = (p: Payment): number => amountValue(p.amount, p.currency);
  const rows = [...all].filter(
    (p) =>
      (q.status === undefined || p.status === q.status) &&
      (q.customerEmail === undefined ||
        p.customerEmail.toLowerCase() === q.customerEmail.toLowerCase()) &&
      (q.search === undefined || p.customerEmail.toLowerCase().includes(q.search.toLowerCase())) &&
      (q.currency === undefined || p.currency === q.currency) &&
      (q.minAmount === undefined || value(p) >= q.minAmount) &&
      (q.maxAmount === undefined || value(p) <= q.maxAmount) &&
      (q.from === undefined || createdMs(p) >= Date.parse(q.from)) &&
      (q.to === undefined || createdMs(p) < Date.parse(q.to)),
  );
  const column = COLUMN[q.sort ?? 'createdAt'];
  rows.sort((a, b) => {
    const x = column(a);
    const y = column(b);
    return (x < y ? -1 : x > y ? 1 : 0) || byCreation(a, b);
  });
  if (q.order === 'desc') rows.reverse();
  return { total: rows.length, ids: rows.slice(q.offset, q.offset + q.limit).map((p) => p.id) };
}

describe('payments.list filters and sorts', () => {
  it('answer what a plain filter and sort of every payment answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        const dir = await tempDir();
        let store: Store = await openStore(dir);
        const model = new Map<string, Payment>();
        try {
          for (const o of ops) {
            if (o.kind === 'put') {
              const id = `p${o.id}`;
              const { minute, ...rest } = o.f;
              const p = payment(id, { ...rest, createdAt: at(minute), updatedAt: at(minute) });
              model.set(id, p);
              await store.commit([{ t: 'payment', v: p }]);
            } else if (o.kind === 'reopen') {
              await store.close();
              store = await openStore(dir);
            } else {
              const page = store.queryPayments(o.q);
              const want = reference(model.values(), o.q);
              expect({ total: page.total, ids: page.items.map((p) => p.id) }).toEqual(want);
            }
          }
          // Every sort once more, after all the puts (each list built above followed them).
          for (const sort of PAYMENT_SORTS) {
            for (const order of ['asc', 'desc'] as const) {
              const q: PaymentQuery = { sort, order, offset: 0, limit: 100 };
              const page = store.queryPayments(q);
              expect(page.items.map((p) => p.id)).toEqual(reference(model.values(), q).ids);
            }
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('pages deep into a large filtered sort from either end, as the plain sort does', async () => {
    const dir = await tempDir();
    const store = await openStore(dir);
    const model: Payment[] = [];
    const changes = [];
    for (let i = 0; i < 3000; i++) {
      const p = payment(`q${String(i).padStart(5, '0')}`, {
        amount: 100 + ((i * 7919) % 500),
        currency: CURRENCIES[i % 4] as string,
        status: PAYMENT_STATUSES[i % 5] as Payment['status'],
        customerEmail: EMAILS[i % 5] as string,
        createdAt: at(i % 700),
        updatedAt: at(i % 700),
      });
      model.push(p);
      changes.push({ t: 'payment' as const, v: p });
    }
    // A rare customer: few matches in a large list are sorted rather than walked to.
    for (let i = 0; i < 7; i++) {
      const p = payment(`zed${i}`, {
        amount: 900 - i * 100,
        currency: CURRENCIES[i % 4] as string,
        status: PAYMENT_STATUSES[i % 5] as Payment['status'],
        customerEmail: i % 2 === 0 ? 'Zed@rare.net' : 'zed@rare.net',
        createdAt: at(i * 50),
        updatedAt: at(i * 50),
      });
      model.push(p);
      changes.push({ t: 'payment' as const, v: p });
    }
    await store.commit(changes);
    try {
      for (const q of [
        { sort: 'amount', status: 'COMPLETED' },
        { sort: 'amount', search: 'example' },
        { sort: 'customerEmail', currency: 'EUR' },
        { sort: 'status', minAmount: 3_000_000 },
        { sort: 'createdAt', minAmount: 2_000_000, maxAmount: 4_000_000 },
        { sort: 'currency', from: at(100), to: at(600) },
        { sort: 'amount', search: 'zed' },
        { sort: 'status', customerEmail: 'ZED@rare.net' },
        { sort: 'customerEmail', search: 'rare', minAmount: 3_000_000 },
      ] as const) {
        for (const offset of [0, 10, 150, 290, 590, 1180, 2900]) {
          for (const order of ['asc', 'desc'] as const) {
            const full: PaymentQuery = { ...q, order, offset, limit: 20 };
            const page = store.queryPayments(full);
            expect({ total: page.total, ids: page.items.map((p) => p.id) }).toEqual(
              reference(model, full),
            );
          }
        }
      }
    } finally {
      await store.close();
    }
  });
});

describe('SortedSlots scan and countBefore', () => {
  it('visit and count as a plain sorted array does, across small blocks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 61 }),
        fc.boolean(),
        (keys, a, b, bound, desc) => {
          // Slot i has key keys[i]; ties by slot.
          const order = (x: number, y: number) =>
            (keys[x] as number) - (keys[y] as number) || x - y;
          const list = new SortedSlots(order, 4);
          const slots = keys.map((_, i) => i);
          for (const s of [...slots].reverse()) list.insert(s);
          const plain = slots.sort(order);
          const [from, to] = a <= b ? [a, b] : [b, a];
          const seen: number[] = [];
          list.scan(from, to, desc ? 'desc' : 'asc', (s) => seen.push(s) > 0);
          const want = plain.slice(from, to);
          expect(seen).toEqual(desc ? want.reverse() : want);
          expect(list.countBefore((s) => (keys[s] as number) < bound)).toBe(
            plain.filter((s) => (keys[s] as number) < bound).length,
          );
        },
      ),
    );
  });
});
