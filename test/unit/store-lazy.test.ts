/**
 * The store with payments read lazily from its snapshot (payment-base.ts, payment-table.ts):
 * idempotency keys in the derived forms and not, commits made while a compaction writes the
 * file, damaged bodies met by a read or by allPayments, reads after close.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, Store } from '../../src/main/core/ports';
import { openStore, StoreError } from '../../src/main/core/store/index';
import type { Payment } from '../../src/shared/domain';
import { at, payment, removeTempDirs, replaceLast, tempDir } from './store-fixtures';

const open: Store[] = [];
async function openTracked(dir: string, options?: Parameters<typeof openStore>[1]) {
  const store = await openStore(dir, options);
  open.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

const put = (store: Store, ...payments: Payment[]) =>
  store.commit(payments.map((v): Change => ({ t: 'payment', v })));
const ids = (items: { id: string }[]) => items.map((i) => i.id);

/** A directory whose snapshot holds `payments` (the store closed, so nothing is in memory). */
async function closedWith(...payments: Payment[]): Promise<string> {
  const dir = await tempDir();
  const store = await openStore(dir);
  await put(store, ...payments);
  await store.close();
  return dir;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('idempotency keys', () => {
  const byKey = [
    payment('p1', { idempotencyKey: 'charge_p1' }),
    payment('p2', { subscriptionId: 's1', period: 3, idempotencyKey: 'sub_s1_p3_a0' }),
    payment('p3', { subscriptionId: 's1', period: 4, idempotencyKey: 'sub_s1_p4_a2' }),
    payment('p4', { idempotencyKey: 'my own key' }),
    // The forms of the core, but not for this payment: kept as they are.
    payment('p5', { idempotencyKey: 'charge_p9' }),
    payment('p6', { subscriptionId: 's1', period: 5, idempotencyKey: 'sub_s1_p6_a0' }),
    payment('p7', { subscriptionId: 's_p1_a1', period: 1, idempotencyKey: 'sub_s_p1_a1_p1_a1' }),
    payment('p8', { subscriptionId: 's1', period: 7, idempotencyKey: 'sub_s1_p07_a0' }),
  ];

  it('finds every payment by its key, in memory and from the snapshot', async () => {
    const dir = await tempDir();
    const live = await openTracked(dir);
    await put(live, ...byKey);
    const check = (store: Store) => {
      for (const p of byKey) expect(store.getPaymentByIdempotencyKey(p.idempotencyKey)).toEqual(p);
      for (const key of [
        'charge_p2',
        'charge_p9x',
        'sub_s1_p3_a1',
        'sub_s1_p9_a0',
        'sub_s2_p3_a0',
      ]) {
        expect(store.getPaymentByIdempotencyKey(key)).toBeUndefined();
      }
    };
    check(live);
    await live.close();
    check(await openTracked(dir));
  });

  it('follows a key that changes, and a subscription charge that moves', async () => {
    const dir = await closedWith(...byKey);
    const store = await openTracked(dir);
    const p4 = store.getPayment('p4')!;
    const p2 = store.getPayment('p2')!;
    await put(
      store,
      { ...p4, idempotencyKey: 'charge_p4' },
      { ...p2, period: 8, idempotencyKey: 'another key' },
    );
    const check = (s: Store) => {
      expect(s.getPaymentByIdempotencyKey('my own key')).toBeUndefined();
      expect(s.getPaymentByIdempotencyKey('charge_p4')?.id).toBe('p4');
      expect(s.getPaymentByIdempotencyKey('sub_s1_p3_a0')).toBeUndefined();
      expect(s.getPaymentByIdempotencyKey('another key')?.id).toBe('p2');
      expect(ids(s.paymentsOfSubscription('s1'))).toEqual(['p2', 'p3', 'p6', 'p8']);
    };
    check(store);
    await store.compact();
    check(store);
    await store.close();
    check(await openTracked(dir));
  });
});

describe('compaction', () => {
  it('keeps what was committed while it wrote the file, and reads from the new file', async () => {
    const dir = await closedWith(
      payment('p1', { createdAt: at(1) }),
      payment('p2', { createdAt: at(2), status: 'PENDING' }),
      payment('p3', { createdAt: at(3) }),
    );
    const live: { store?: Store } = {};
    let done = false;
    const during = async (step: string) => {
      const store = live.store;
      if (step !== 'snapshot-temp-written' || store === undefined || done) return;
      done = true;
      const p1 = store.getPayment('p1')!;
      const p2 = store.getPayment('p2')!;
      await put(
        store,
        { ...p1, status: 'REFUNDED', refundedAmount: p1.amount },
        { ...p2, status: 'COMPLETED', updatedAt: at(10) },
        payment('p4', { createdAt: at(4), status: 'PENDING' }),
      );
    };
    const store = await openTracked(dir, { testing: { onCompactionStep: during } });
    live.store = store;
    // p1 changes before the compaction starts, and again while it writes.
    const p1 = store.getPayment('p1')!;
    await put(store, { ...p1, status: 'PARTIALLY_REFUNDED', refundedAmount: 1 });
    await store.compact();
    const check = (s: Store) => {
      expect(s.getPayment('p1')).toMatchObject({ status: 'REFUNDED', refundedAmount: 1250 });
      expect(s.getPayment('p2')).toMatchObject({ status: 'COMPLETED', updatedAt: at(10) });
      expect(ids(s.pendingPayments())).toEqual(['p4']);
      expect(ids([...s.allPayments()])).toEqual(['p1', 'p2', 'p3', 'p4']);
      expect(
        ids(s.queryPayments({ status: 'COMPLETED', order: 'asc', offset: 0, limit: 9 }).items),
      ).toEqual(['p2', 'p3']);
    };
    check(store);
    // The next compaction copies the bodies from the file the first one wrote.
    await store.compact();
    check(store);
    await store.close();
    check(await openTracked(dir));
  });
});

// A body damaged at rest refuses the open (the snapshot's checksum: store.test.ts); these are
// damaged after it, as a failing disk may do while the store reads the file lazily.
describe('damaged payment bodies', () => {
  it('are reported by allPayments with their line, as by a read of that payment', async () => {
    const payments = Array.from({ length: 40 }, (_, i) =>
      payment(`p${String(i).padStart(2, '0')}`, {
        createdAt: at(i),
        currency: i === 23 ? 'USD' : 'EUR',
      }),
    );
    const dir = await closedWith(...payments);
    const path = join(dir, 'paydesk.json');
    const text = await readFile(path, 'utf8');
    const store = await openTracked(dir);
    await writeFile(path, replaceLast(text, '"USD"', '"U$D"'));
    const line = text.split('\n').findLastIndex((l) => l.includes('"USD"')) + 1;
    expect(store.getPayment('p22')?.currency).toBe('EUR');
    const error = thrown(() => [...store.allPayments()]);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'corrupt', file: path, line });
    expect((error as Error).message).toMatch(/payments\[23\]: currency/);
    expect(thrown(() => store.getPayment('p23'))).toMatchObject({ code: 'corrupt', line });
    expect(store.queryPayments({ order: 'asc', offset: 0, limit: 20 }).items).toHaveLength(20);
  });

  it('that do not parse are named too', async () => {
    const dir = await closedWith(
      payment('p1', { createdAt: at(1) }),
      payment('p2', { createdAt: at(2) }),
    );
    const path = join(dir, 'paydesk.json');
    const lines = (await readFile(path, 'utf8')).split('\n');
    const last = lines.length - 3; // the last body, before "]}" and the final newline
    lines[last] = (lines[last] as string).replace('[', '{');
    const store = await openTracked(dir);
    await writeFile(path, lines.join('\n'));
    expect(store.getPayment('p1')?.id).toBe('p1');
    expect(thrown(() => store.getPayment('p2'))).toMatchObject({ code: 'corrupt', line: last + 1 });
  });
});

it('refuses to read a payment after close', async () => {
  const dir = await closedWith(payment('p1'));
  const store = await openStore(dir);
  await store.close();
  expect(thrown(() => store.getPayment('p1'))).toMatchObject({ code: 'closed' });
});
