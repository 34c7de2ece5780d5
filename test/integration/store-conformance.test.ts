/**
 * The Store port's contract, run against the store under test: the embedded one in the
 * `embedded` project, PostgreSQL in the `postgres` one (vitest.config.ts). Commits are seen
 * by reads at once and survive a reopen; a commit that cannot apply is refused whole; the
 * history stacks, audit log, idempotency records, settings, clock and cursor keep what was
 * committed; expired keys go at compaction.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/domain';
import type { Change, Store } from '../../src/main/core/ports';
import { openTestStore, tempDataDir, TEST_STORE } from '../helpers/core';
import {
  at,
  auditEntry,
  dumpStore,
  historyEntry,
  idempotency,
  payment,
  refund,
  removeTempDirs,
  subscription,
} from '../unit/store-fixtures';

afterAll(removeTempDirs);

const keys = {
  emails: ['ada@example.com', 'bob@example.com'],
  subscriptionIds: ['s1', 's2'],
  // 'old' is left out: the compaction at close drops it (the last test shows it).
  idempotencyKeys: ['k1', 'k2'],
  refundIds: ['r1', 'r2'],
  now: at(120),
};

/** Made now: kept by compactions for 7 days. */
const RECENT = new Date().toISOString();

/** A day of commits: payments charged and refunded, a subscription, history and audit. */
const DAY: Change[][] = [
  [
    { t: 'payment', v: payment('p1', { amount: 1000, status: 'PENDING' }) },
    {
      t: 'idempotency',
      v: idempotency('k1', { createdAt: RECENT, answer: null, finishedAt: null }),
    },
  ],
  [
    { t: 'payment', v: payment('p1', { amount: 1000, status: 'COMPLETED' }) },
    { t: 'undo.push', v: historyEntry('h1') },
    { t: 'audit', v: auditEntry('a1') },
    { t: 'idempotency', v: idempotency('k1', { createdAt: RECENT }) },
  ],
  [
    { t: 'subscription', v: subscription('s1', { customerEmail: 'bob@example.com' }) },
    {
      t: 'payment',
      v: payment('p2', {
        customerEmail: 'bob@example.com',
        subscriptionId: 's1',
        period: 0,
        currency: 'EUR',
        idempotencyKey: 'sub_s1_p0_a0',
      }),
    },
    { t: 'undo.push', v: historyEntry('h2') },
    { t: 'audit', v: auditEntry('a2', { origin: 'scheduler' }) },
  ],
  [
    { t: 'refund', v: refund('r1', { paymentId: 'p1', amount: 400, status: 'PENDING' }) },
    { t: 'undo.pop' },
    { t: 'redo.push', v: historyEntry('h2') },
  ],
  [
    { t: 'refund', v: refund('r1', { paymentId: 'p1', amount: 400, status: 'SUCCEEDED' }) },
    {
      t: 'payment',
      v: payment('p1', { amount: 1000, status: 'PARTIALLY_REFUNDED', refundedAmount: 400 }),
    },
    { t: 'audit', v: auditEntry('a3', { action: 'undo', outcome: 'ok' }) },
    { t: 'settings', v: { ...DEFAULT_SETTINGS, schedulerIntervalSeconds: 90 } },
    { t: 'clock', v: at(100) },
    { t: 'gatewayCursor', v: '17' },
    { t: 'idempotency', v: idempotency('old', { clientKey: false }) },
  ],
];

async function withStore<T>(dir: string, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openTestStore(dir);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

describe(`the ${TEST_STORE} store`, () => {
  it('shows each commit at once, and the same after a reopen', async () => {
    const dir = tempDataDir();
    const seen = await withStore(dir, async (store) => {
      for (const changes of DAY) await store.commit(changes);
      expect(store.getPayment('p1')).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        refundedAmount: 400,
      });
      expect(store.undoStack().map((e) => e.id)).toEqual(['h1']);
      expect(store.redoStack().map((e) => e.id)).toEqual(['h2']);
      expect(store.audit(0, 10, { origin: 'scheduler' }).items.map((e) => e.id)).toEqual(['a2']);
      expect(store.periodCharges('s1', 0)).toEqual({ attempts: 1, paid: true, pending: null });
      expect(store.settings().schedulerIntervalSeconds).toBe(90);
      expect(store.testClock()).toBe(at(100));
      expect(store.gatewayCursor()).toBe('17');
      return dumpStore(store, keys);
    });
    const reopened = await withStore(dir, async (store) => dumpStore(store, keys));
    expect(reopened).toEqual(seen);
  });

  it('refuses a commit that cannot apply as a whole, and keeps nothing of it', async () => {
    const dir = tempDataDir();
    await withStore(dir, async (store) => {
      await store.commit([{ t: 'payment', v: payment('p1') }]);
      await expect(
        store.commit([{ t: 'payment', v: payment('p2') }, { t: 'undo.pop' }]),
      ).rejects.toThrow(/empty undo stack/);
      expect(store.getPayment('p2')).toBeUndefined();
      expect(store.writeFailure()).toBeNull();
      await store.commit([{ t: 'payment', v: payment('p3') }]);
    });
    await withStore(dir, async (store) => {
      expect(store.getPayment('p2')).toBeUndefined();
      expect(store.paymentCount()).toBe(2);
    });
  });

  it('keeps a stack moved many times in one burst of commits as its last state', async () => {
    const dir = tempDataDir();
    await withStore(dir, async (store) => {
      const burst: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) {
        burst.push(store.commit([{ t: 'undo.push', v: historyEntry(`h${i}`) }]));
        if (i % 3 === 2) burst.push(store.commit([{ t: 'undo.pop' }, { t: 'redo.clear' }]));
      }
      await Promise.all(burst);
    });
    const ids = await withStore(dir, async (store) => store.undoStack().map((e) => e.id));
    expect(ids).toEqual(
      Array.from({ length: 30 }, (_, i) => `h${i}`).filter((_, i) => i % 3 !== 2),
    );
  });

  it('drops finished keys Paydesk made, and callers’ keys after 7 days, at compaction', async () => {
    const dir = tempDataDir();
    await withStore(dir, async (store) => {
      for (const changes of DAY) await store.commit(changes);
      await store.compact();
      expect(store.getIdempotencyRecord('old')).toBeUndefined();
      expect(store.getIdempotencyRecord('k1')).toBeDefined();
    });
    await withStore(dir, async (store) => {
      expect(store.getIdempotencyRecord('old')).toBeUndefined();
      expect(store.getIdempotencyRecord('k1')?.answer).not.toBeNull();
    });
  });
});
