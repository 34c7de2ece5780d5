/**
 * The store through its public interface, on real files in fresh temp directories: queries
 * and indexes, commits, the lock, schema versions, damaged snapshots, idempotency records,
 * settings and the test clock.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, StoreError } from '../../src/main/core/store/index';
import { migrate, SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import type { Change, Store } from '../../src/main/core/ports';
import { DEFAULT_SETTINGS } from '../../src/shared/domain';
import {
  at,
  auditEntry,
  dataFileNames,
  historyEntry,
  idempotency,
  lockOf,
  payment,
  removeTempDirs,
  replaceLast,
  subscription,
  tempDir,
} from './store-fixtures';
import { withoutChecksum } from '../helpers/snapshot-checksum';

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

const put = (store: Store, ...changes: Change[]) => store.commit(changes);
const ids = (items: { id: string }[]) => items.map((i) => i.id);

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  return error as StoreError;
}

describe('a new store', () => {
  it('creates the directory and starts empty with the default settings', async () => {
    const dir = join(await tempDir(), 'nested', 'data');
    const store = await openTracked(dir);
    expect(store.dataDir).toBe(dir);
    expect(store.paymentCount()).toBe(0);
    expect(store.settings()).toEqual(DEFAULT_SETTINGS);
    expect(store.testClock()).toBeNull();
    expect(store.queryPayments({ order: 'asc', offset: 0, limit: 10 })).toEqual({
      total: 0,
      offset: 0,
      limit: 10,
      items: [],
    });
    expect((await readdir(dir)).sort()).toEqual([
      'paydesk.journal',
      'paydesk.json',
      'paydesk.lock.1',
      'paydesk.mark',
    ]);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: String(process.pid) });
  });
});

describe('payment queries', () => {
  async function seeded(): Promise<Store> {
    const store = await openTracked(await tempDir());
    // Created out of order on purpose, with two sharing one instant (ordered by id then).
    await put(
      store,
      { t: 'payment', v: payment('p3', { createdAt: at(3), customerEmail: 'Bob@Example.com' }) },
      { t: 'payment', v: payment('p1', { createdAt: at(1), status: 'PENDING' }) },
      { t: 'payment', v: payment('p2b', { createdAt: at(2), subscriptionId: 's1', period: 0 }) },
      { t: 'payment', v: payment('p2a', { createdAt: at(2), status: 'FAILED' }) },
      {
        t: 'payment',
        v: payment('p5', {
          createdAt: at(5),
          subscriptionId: 's1',
          period: 1,
          customerEmail: 'bob@example.com',
        }),
      },
      {
        t: 'payment',
        v: payment('p4', {
          createdAt: at(4),
          status: 'PENDING',
          customerEmail: 'carol@example.com',
        }),
      },
    );
    return store;
  }

  it('orders by createdAt then id, both ways, with offset and limit', async () => {
    const store = await seeded();
    const asc = store.queryPayments({ order: 'asc', offset: 0, limit: 100 });
    expect(asc.total).toBe(6);
    expect(ids(asc.items)).toEqual(['p1', 'p2a', 'p2b', 'p3', 'p4', 'p5']);
    const desc = store.queryPayments({ order: 'desc', offset: 1, limit: 3 });
    expect(desc).toMatchObject({ total: 6, offset: 1, limit: 3 });
    expect(ids(desc.items)).toEqual(['p4', 'p3', 'p2b']);
    expect(store.queryPayments({ order: 'asc', offset: 6, limit: 3 }).items).toEqual([]);
  });

  it('keeps all payments in creation order and finds them by id and idempotency key', async () => {
    const store = await seeded();
    expect(ids([...store.allPayments()])).toEqual(['p3', 'p1', 'p2b', 'p2a', 'p5', 'p4']);
    expect(store.paymentCount()).toBe(6);
    expect(store.getPayment('p4')?.customerEmail).toBe('carol@example.com');
    expect(store.getPayment('nope')).toBeUndefined();
    expect(store.getPaymentByIdempotencyKey('key-p2a')?.id).toBe('p2a');
    expect(store.getPaymentByIdempotencyKey('key-none')).toBeUndefined();
  });

  it('filters by status, by e-mail (exact, any case), by subscription, and all combined', async () => {
    const store = await seeded();
    const q = (f: object, order: 'asc' | 'desc' = 'asc') =>
      ids(store.queryPayments({ ...f, order, offset: 0, limit: 100 }).items);
    expect(q({ status: 'PENDING' })).toEqual(['p1', 'p4']);
    expect(q({ status: 'COMPLETED' }, 'desc')).toEqual(['p5', 'p3', 'p2b']);
    expect(q({ status: 'REFUNDED' })).toEqual([]);
    expect(q({ customerEmail: 'BOB@example.COM' })).toEqual(['p3', 'p5']);
    expect(q({ customerEmail: 'bob@example' })).toEqual([]);
    expect(q({ subscriptionId: 's1' })).toEqual(['p2b', 'p5']);
    expect(q({ subscriptionId: 's1', customerEmail: 'bob@example.com' })).toEqual(['p5']);
    expect(
      q({ status: 'COMPLETED', customerEmail: 'ada@example.com', subscriptionId: 's1' }),
    ).toEqual(['p2b']);
    expect(q({ status: 'FAILED', subscriptionId: 's1' })).toEqual([]);
    const page = store.queryPayments({ status: 'COMPLETED', order: 'asc', offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(ids(page.items)).toEqual(['p3']);
  });

  it('moves a payment between status lists when it is put again', async () => {
    const store = await seeded();
    const p1 = store.getPayment('p1')!;
    await put(store, { t: 'payment', v: { ...p1, status: 'COMPLETED', updatedAt: at(10) } });
    const p3 = store.getPayment('p3')!;
    await put(store, { t: 'payment', v: { ...p3, status: 'REFUNDED', refundedAmount: p3.amount } });
    const q = (status: string) =>
      ids(
        store.queryPayments({ status: status as 'PENDING', order: 'asc', offset: 0, limit: 100 })
          .items,
      );
    expect(q('PENDING')).toEqual(['p4']);
    expect(q('COMPLETED')).toEqual(['p1', 'p2b', 'p5']);
    expect(q('REFUNDED')).toEqual(['p3']);
    expect(ids(store.pendingPayments())).toEqual(['p4']);
    // The payment keeps its place in creation order.
    expect(ids([...store.allPayments()])).toEqual(['p3', 'p1', 'p2b', 'p2a', 'p5', 'p4']);
    expect(store.getPayment('p3')?.status).toBe('REFUNDED');
  });

  it("lists a subscription's charges oldest first", async () => {
    const store = await seeded();
    expect(ids(store.paymentsOfSubscription('s1'))).toEqual(['p2b', 'p5']);
    expect(store.paymentsOfSubscription('s9')).toEqual([]);
  });

  it('pages through many payments appended in order, also after some leave a status', async () => {
    const store = await openTracked(await tempDir());
    const n = 5000;
    const changes: Change[] = [];
    for (let i = 0; i < n; i++) {
      changes.push({
        t: 'payment',
        v: payment(`p${String(i).padStart(5, '0')}`, { createdAt: at(i) }),
      });
    }
    await store.commit(changes);
    const refunds: Change[] = [];
    for (let i = 0; i < n; i += 3) {
      const p = store.getPayment(`p${String(i).padStart(5, '0')}`)!;
      refunds.push({ t: 'payment', v: { ...p, status: 'REFUNDED' } });
    }
    await store.commit(refunds);
    const completed = Array.from({ length: n }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .map((i) => `p${String(i).padStart(5, '0')}`);
    const page = store.queryPayments({
      status: 'COMPLETED',
      order: 'desc',
      offset: 1234,
      limit: 50,
    });
    expect(page.total).toBe(completed.length);
    expect(ids(page.items)).toEqual(completed.slice().reverse().slice(1234, 1284));
    const refunded = store.queryPayments({
      status: 'REFUNDED',
      order: 'asc',
      offset: 1000,
      limit: 50,
    });
    expect(refunded.total).toBe(Math.ceil(n / 3));
    expect(refunded.items[0]?.id).toBe(`p${String(3000).padStart(5, '0')}`);
  });
});

describe('subscription queries', () => {
  it('filters, orders and lists due subscriptions soonest first', async () => {
    const store = await openTracked(await tempDir());
    await put(
      store,
      { t: 'subscription', v: subscription('s1', { createdAt: at(1), nextPaymentDate: at(100) }) },
      {
        t: 'subscription',
        v: subscription('s2', { createdAt: at(2), nextPaymentDate: at(50), status: 'PAST_DUE' }),
      },
      {
        t: 'subscription',
        v: subscription('s3', { createdAt: at(3), nextPaymentDate: at(10), status: 'PAUSED' }),
      },
      {
        t: 'subscription',
        v: subscription('s4', { createdAt: at(4), nextPaymentDate: null, status: 'CANCELLED' }),
      },
      {
        t: 'subscription',
        v: subscription('s5', {
          createdAt: at(5),
          nextPaymentDate: at(50),
          customerEmail: 'Zed@x.io',
        }),
      },
    );
    expect(ids(store.dueSubscriptions(at(100)))).toEqual(['s2', 's5', 's1']);
    expect(ids(store.dueSubscriptions(at(99)))).toEqual(['s2', 's5']);
    expect(ids(store.dueSubscriptions(at(100), 1))).toEqual(['s2']);
    expect(store.dueSubscriptions(at(49))).toEqual([]);
    const q = (f: object, order: 'asc' | 'desc' = 'asc') =>
      ids(store.querySubscriptions({ ...f, order, offset: 0, limit: 10 }).items);
    expect(q({}, 'desc')).toEqual(['s5', 's4', 's3', 's2', 's1']);
    expect(q({ status: 'ACTIVE' })).toEqual(['s1', 's5']);
    expect(q({ customerEmail: 'zed@X.IO' })).toEqual(['s5']);
    expect(q({ customerEmail: 'ada@example.com', status: 'PAUSED' })).toEqual(['s3']);
    expect(store.querySubscriptions({ order: 'asc', offset: 3, limit: 10 }).total).toBe(5);
    expect(ids([...store.allSubscriptions()])).toEqual(['s1', 's2', 's3', 's4', 's5']);

    // A charge moves the date on; a pause takes it off the due list; a resume puts it back.
    await put(store, {
      t: 'subscription',
      v: { ...store.getSubscription('s2')!, status: 'ACTIVE', nextPaymentDate: at(200) },
    });
    await put(store, {
      t: 'subscription',
      v: { ...store.getSubscription('s5')!, status: 'PAUSED' },
    });
    await put(store, {
      t: 'subscription',
      v: { ...store.getSubscription('s3')!, status: 'ACTIVE' },
    });
    expect(ids(store.dueSubscriptions(at(1000)))).toEqual(['s3', 's1', 's2']);
    expect(q({ status: 'PAUSED' })).toEqual(['s5']);
  });
});

describe('history, audit, idempotency, settings and clock', () => {
  it('pushes, pops and clears the stacks and pages the audit log newest first', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    await put(
      store,
      { t: 'undo.push', v: historyEntry('h1') },
      { t: 'undo.push', v: historyEntry('h2') },
    );
    await put(store, { t: 'undo.pop' }, { t: 'redo.push', v: historyEntry('h2') });
    await put(store, { t: 'redo.push', v: historyEntry('h3') }, { t: 'redo.pop' });
    expect(ids([...store.undoStack()])).toEqual(['h1']);
    expect(ids([...store.redoStack()])).toEqual(['h2']);
    await put(store, { t: 'redo.clear' });
    expect(store.redoStack()).toEqual([]);
    for (let i = 1; i <= 5; i++) await put(store, { t: 'audit', v: auditEntry(`a${i}`) });
    const page = store.audit(1, 2);
    expect(page).toMatchObject({ total: 5, offset: 1, limit: 2 });
    expect(ids(page.items)).toEqual(['a4', 'a3']);
    expect(ids(store.audit(4, 10).items)).toEqual(['a1']);
    await store.close();
    const again = await openTracked(dir);
    expect(ids([...again.undoStack()])).toEqual(['h1']);
    expect(ids(again.audit(0, 10).items)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
  });

  it('takes an entry off a stack by its id, from the journal and the snapshot alike', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    await put(
      store,
      ...['h1', 'h2', 'h3'].map((id): Change => ({ t: 'undo.push', v: historyEntry(id) })),
      { t: 'redo.push', v: historyEntry('r1') },
      { t: 'redo.push', v: historyEntry('r2') },
    );
    await put(store, { t: 'undo.remove', v: 'h2' }, { t: 'redo.remove', v: 'r1' });
    // Pushed and taken off in one commit.
    await put(store, { t: 'undo.push', v: historyEntry('h4') }, { t: 'undo.remove', v: 'h4' });
    expect(ids([...store.undoStack()])).toEqual(['h1', 'h3']);
    expect(ids([...store.redoStack()])).toEqual(['r2']);
    // A copy of the files as they are now: its open replays the journal.
    const copy = await tempDir();
    for (const f of ['paydesk.json', 'paydesk.journal'])
      await copyFile(join(dir, f), join(copy, f));
    const replayed = await openTracked(copy);
    expect(ids([...replayed.undoStack()])).toEqual(['h1', 'h3']);
    expect(ids([...replayed.redoStack()])).toEqual(['r2']);
    await store.close();
    const again = await openTracked(dir);
    expect(ids([...again.undoStack()])).toEqual(['h1', 'h3']);
  });

  it('refuses taking off an entry that is not on the stack, and applies nothing', async () => {
    const store = await openTracked(await tempDir());
    await put(store, { t: 'undo.push', v: historyEntry('h1') });
    await expect(
      put(store, { t: 'audit', v: auditEntry('a1') }, { t: 'undo.remove', v: 'h9' }),
    ).rejects.toThrow(/undo.remove of h9, which is not on the stack/);
    await expect(put(store, { t: 'redo.remove', v: 'h1' })).rejects.toThrow(/redo.remove/);
    expect(store.audit(0, 10).total).toBe(0);
    expect(ids([...store.undoStack()])).toEqual(['h1']);
  });

  it('refuses a pop of an empty stack and applies nothing of that commit', async () => {
    const store = await openTracked(await tempDir());
    await expect(
      put(store, { t: 'audit', v: auditEntry('a1') }, { t: 'undo.pop' }),
    ).rejects.toThrow(/undo.pop/);
    expect(store.audit(0, 10).total).toBe(0);
  });

  it('refuses an invalid record, naming the field, and applies nothing', async () => {
    const store = await openTracked(await tempDir());
    const bad = { ...payment('p1'), amount: 12.5 };
    await expect(
      put(store, { t: 'payment', v: payment('p0') }, { t: 'payment', v: bad }),
    ).rejects.toThrow(/change 1: payment: amount/);
    expect(store.paymentCount()).toBe(0);
    await put(store, { t: 'payment', v: payment('p0') });
    expect(store.paymentCount()).toBe(1);
  });

  it('keeps idempotency records, settings and the test clock across a reopen', async () => {
    const dir = await tempDir();
    const clockNow = () => new Date(at(60));
    const store = await openTracked(dir, { clockNow });
    await put(
      store,
      { t: 'idempotency', v: idempotency('k1') },
      { t: 'settings', v: { schedulerIntervalSeconds: 5, schedulerEnabled: false, operators: [] } },
      { t: 'clock', v: at(42) },
    );
    const refused = { ok: false as const, error: { code: 'conflict' as const, message: 'no' } };
    await put(store, { t: 'idempotency', v: idempotency('k1', { answer: refused }) });
    expect(store.getIdempotencyRecord('k1')?.answer).toEqual(refused);
    expect(store.getIdempotencyRecord('k2')).toBeUndefined();
    await store.close();
    const again = await openTracked(dir, { clockNow });
    expect(again.getIdempotencyRecord('k1')?.answer).toEqual(refused);
    expect(again.settings()).toEqual({
      schedulerIntervalSeconds: 5,
      schedulerEnabled: false,
      operators: [],
    });
    expect(again.testClock()).toBe(at(42));
    await put(again, { t: 'clock', v: null });
    expect(again.testClock()).toBeNull();
  });

  it('drops at compaction finished requests older than 7 days and those of keys Paydesk made', async () => {
    const dir = await tempDir();
    const now = new Date(Date.parse(at(0)) + 8 * 24 * 3600_000);
    const store = await openTracked(dir, { clockNow: () => now });
    const day = 24 * 60;
    const unfinished = { answer: null, finishedAt: null };
    await put(
      store,
      { t: 'idempotency', v: idempotency('old', { createdAt: at(0) }) },
      { t: 'idempotency', v: idempotency('young', { createdAt: at(2 * day) }) },
      { t: 'idempotency', v: idempotency('made', { createdAt: at(2 * day), clientKey: false }) },
      { t: 'idempotency', v: idempotency('old-unfinished', { createdAt: at(0), ...unfinished }) },
    );
    expect(store.getIdempotencyRecord('old')).toBeDefined();
    await store.compact();
    expect(store.getIdempotencyRecord('old')).toBeUndefined();
    expect(store.getIdempotencyRecord('made')).toBeUndefined();
    expect(store.getIdempotencyRecord('young')).toBeDefined();
    expect(store.unfinishedRequests().map((r) => r.key)).toEqual(['old-unfinished']);
    await store.close();
    const again = await openTracked(dir, { clockNow: () => now });
    expect(again.getIdempotencyRecord('old')).toBeUndefined();
    expect(again.getIdempotencyRecord('young')?.createdAt).toBe(at(2 * day));
    expect(again.unfinishedRequests().map((r) => r.key)).toEqual(['old-unfinished']);
  });
});

describe('durability and closing', () => {
  it('sees a commit in memory as soon as commit returns, and on disk after it resolves', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    const done = put(store, { t: 'payment', v: payment('p1') });
    expect(store.getPayment('p1')?.id).toBe('p1');
    await done;
    const journal = await readFile(join(dir, 'paydesk.journal'), 'utf8');
    expect(journal).toMatch(
      new RegExp(`^\\{"seq":1,"crc":\\d+,"v":${SCHEMA_VERSION},"changes":\\[\\{"t":"payment"`),
    );
    expect(journal.endsWith('\n')).toBe(true);
  });

  it('groups commits made while a flush runs, in order, all durable', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    const all = Array.from({ length: 200 }, (_, i) =>
      put(store, { t: 'audit', v: auditEntry(`a${i}`) }),
    );
    await Promise.all(all);
    const lines = (await readFile(join(dir, 'paydesk.journal'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    await store.close();
    const again = await openTracked(dir);
    expect(again.audit(0, 1000).total).toBe(200);
  });

  it('compacts at close: the snapshot holds everything and the journal is empty', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    await put(store, { t: 'payment', v: payment('p1') });
    await store.close();
    expect(await readFile(join(dir, 'paydesk.journal'), 'utf8')).toBe('');
    const snapshot = await readFile(join(dir, 'paydesk.json'), 'utf8');
    const doc = JSON.parse(snapshot) as Record<string, unknown>;
    expect(doc).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      journalSeq: 1,
      testClock: null,
      settings: DEFAULT_SETTINGS,
    });
    expect(Object.keys(doc).sort()).toEqual([
      'audit',
      'crc32',
      'gatewayCursor',
      'idempotency',
      'journalSeq',
      'paymentColumns',
      'payments',
      'redo',
      'refunds',
      'schemaVersion',
      'settings',
      'subscriptions',
      'testClock',
      'undo',
    ]);
    expect((await lockOf(dir))?.text).toBe('released');
  });

  it('compacts in the background once the journal passes the threshold', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir, { compactThresholdBytes: 2000 });
    for (let i = 0; i < 10; i++) await put(store, { t: 'payment', v: payment(`p${i}`) });
    await store.compact(); // waits for a background one too
    const doc = JSON.parse(await readFile(join(dir, 'paydesk.json'), 'utf8')) as {
      journalSeq: number;
    };
    expect(doc.journalSeq).toBe(10);
    expect(await readFile(join(dir, 'paydesk.journal'), 'utf8')).toBe('');
  });

  it('holds background compaction back until every hold is released', async () => {
    const dir = await tempDir();
    let compactions = 0;
    const store = await openTracked(dir, {
      compactThresholdBytes: 2000,
      testing: {
        onCompactionStep: (step) => {
          if (step === 'snapshot-renamed') compactions++;
        },
      },
    });
    const journalBytes = async () => (await stat(join(dir, 'paydesk.journal'))).size;
    const atOpen = compactions; // a new store's first snapshot is written the same way
    const first = store.holdCompaction();
    const second = store.holdCompaction();
    for (let i = 0; i < 30; i++) await put(store, { t: 'payment', v: payment(`p${i}`) });
    first();
    first(); // a second call of the same release does nothing
    await put(store, { t: 'payment', v: payment('p30') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(compactions).toBe(atOpen);
    expect(await journalBytes()).toBeGreaterThan(2000 * 2);

    second();
    await vi.waitFor(() => expect(compactions).toBe(atOpen + 1));
    await vi.waitFor(async () => expect(await journalBytes()).toBe(0));
    expect(store.paymentCount()).toBe(31);
  });

  it('lets the journal grow to the size of a larger snapshot before compacting it', async () => {
    const dir = await tempDir();
    const first = await openTracked(dir);
    for (let i = 0; i < 60; i++) await put(first, { t: 'payment', v: payment(`p${i}`) });
    await first.close();
    const snapshotBytes = (await stat(join(dir, 'paydesk.json'))).size;
    const journalBytes = async () => (await stat(join(dir, 'paydesk.journal'))).size;
    let journalAtCompaction: number | null = null;
    const store = await openTracked(dir, {
      compactThresholdBytes: 2000,
      testing: {
        onCompactionStep: async () => {
          journalAtCompaction ??= await journalBytes();
        },
      },
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
    let i = 60;
    while ((await journalBytes()) < snapshotBytes - 1000) {
      await put(store, { t: 'payment', v: payment(`p${i++}`) });
      await settle();
    }
    // Far past the 2000 bytes asked, but smaller than the snapshot: no compaction yet.
    expect(journalAtCompaction).toBeNull();
    while (journalAtCompaction === null && i < 1000) {
      await put(store, { t: 'payment', v: payment(`p${i++}`) });
      await settle();
    }
    expect(journalAtCompaction).toBeGreaterThanOrEqual(snapshotBytes);
    await store.compact();
    expect(await journalBytes()).toBe(0);
  });

  it('rejects commits and compaction after close, and close is idempotent', async () => {
    const store = await openTracked(await tempDir());
    await store.close();
    await store.close();
    await expectStoreError(put(store, { t: 'payment', v: payment('p1') }), 'closed');
    await expectStoreError(store.compact(), 'closed');
  });

  it('rejects every commit of a failed write, then refuses more; disk keeps what was acknowledged', async () => {
    const dir = await tempDir();
    let failing = false;
    const logs: string[] = [];
    const store = await openTracked(dir, {
      log: (m) => logs.push(m),
      testing: {
        beforeJournalWrite: () => {
          if (failing) throw new Error('ENOSPC: no space left on device');
        },
      },
    });
    await put(store, { t: 'payment', v: payment('kept') });
    failing = true;
    const group = ['g1', 'g2', 'g3'].map((id) => put(store, { t: 'payment', v: payment(id) }));
    for (const commit of group) {
      const error = await expectStoreError(commit, 'write_failed');
      expect(error.message).toContain('ENOSPC');
      expect(error.message).toContain(join(dir, 'paydesk.journal'));
    }
    failing = false;
    await expectStoreError(put(store, { t: 'payment', v: payment('after') }), 'write_failed');
    expect(store.getPayment('after')).toBeUndefined();
    expect(logs.join('\n')).toContain('accepts no more');
    await store.close(); // releases the lock without writing the failed commits anywhere
    const again = await openTracked(dir);
    expect(ids([...again.allPayments()])).toEqual(['kept']);
  });

  it('waits for pending commits before closing', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    const pending = put(store, { t: 'payment', v: payment('p1') });
    await store.close();
    await pending;
    const again = await openTracked(dir);
    expect(again.getPayment('p1')).toBeDefined();
  });
});

describe('the directory lock', () => {
  it('refuses a second open of the same directory, naming it', async () => {
    const dir = await tempDir();
    await openTracked(dir);
    const error = await expectStoreError(openStore(dir), 'locked');
    expect(error.message).toContain(
      `another Paydesk process (pid ${process.pid}) is using ${dir}; close it first ` +
        `(if none is running, delete ${join(dir, 'paydesk.lock.1')})`,
    );
  });

  it('frees the directory at close, for a reopen in the same process', async () => {
    const dir = await tempDir();
    const store = await openTracked(dir);
    await store.close();
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: 'released' });
    const again = await openTracked(dir);
    expect(again.paymentCount()).toBe(0);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.2', text: String(process.pid) });
    expect(await readdir(dir)).not.toContain('paydesk.lock.1');
  });

  it('takes over the stale lock of a process that is gone, and says so', async () => {
    const dir = await tempDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(gone).toBeGreaterThan(0);
    await writeFile(join(dir, 'paydesk.lock'), `${gone}\n`);
    const logs: string[] = [];
    const store = await openTracked(dir, { log: (m) => logs.push(m) });
    expect(store.paymentCount()).toBe(0);
    expect(logs.join('\n')).toContain(`lock of pid ${gone}`);
    // An earlier version's lock file is gone; the lock is the first generation, ours.
    expect(await readdir(dir)).not.toContain('paydesk.lock');
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: String(process.pid) });
  });
});

describe('schema versions and damaged files', () => {
  async function closedStoreWithData(): Promise<string> {
    const dir = await tempDir();
    const store = await openStore(dir);
    await put(store, { t: 'payment', v: payment('p1') }, { t: 'audit', v: auditEntry('a1') });
    await store.close();
    return dir;
  }

  it('refuses a snapshot of a newer schema and leaves every file as it was', async () => {
    const dir = await closedStoreWithData();
    const path = join(dir, 'paydesk.json');
    const text = (await readFile(path, 'utf8')).replace(
      `"schemaVersion":${SCHEMA_VERSION}`,
      `"schemaVersion":${SCHEMA_VERSION + 1}`,
    );
    await writeFile(path, text);
    await writeFile(join(dir, 'paydesk.journal'), 'untouched');
    const error = await expectStoreError(openStore(dir), 'newer_schema');
    expect(error.message).toContain(path);
    expect(error.message).toContain('newer Paydesk');
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readFile(join(dir, 'paydesk.journal'), 'utf8')).toBe('untouched');
    expect((await lockOf(dir))?.text).toBe('released');
  });

  it.each([
    ['not JSON at all', (t: string) => t.slice(0, t.length / 2)],
    ['a payment whose status is unknown', (t: string) => t.replace('"status":"1"', '"status":"7"')],
    ['a record that fails its schema', (t: string) => t.replace('"label":"audit a1"', '"label":1')],
    ['a bad header', (t: string) => t.replace('"journalSeq":1', '"journalSeq":-1')],
    ['an empty file', () => ''],
    ['a payment cut short', (t: string) => replaceLast(t, '"USD"', '"US"')],
    ['a payment made longer', (t: string) => replaceLast(t, '"USD"', '"USD" ')],
  ])('refuses a snapshot with %s, names the file, and touches nothing', async (_, damage) => {
    const dir = await closedStoreWithData();
    const path = join(dir, 'paydesk.json');
    const bytes = Buffer.from(damage(await readFile(path, 'utf8')));
    await writeFile(path, bytes);
    const error = await expectStoreError(openStore(dir), 'corrupt');
    expect(error.message).toContain(path);
    expect(error.message).toContain('Nothing was changed');
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await dataFileNames(dir)).toEqual(['paydesk.journal', 'paydesk.json', 'paydesk.mark']);
    expect((await lockOf(dir))?.text).toBe('released');
  });

  it('names the line of a bad indexed field at open', async () => {
    const dir = await closedStoreWithData();
    const path = join(dir, 'paydesk.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/"createdAt":\[\d+\]/, '"createdAt":["yesterday"]'));
    const line = text.split('\n').findIndex((l) => l.startsWith('"createdAt":[')) + 1;
    const error = await expectStoreError(openStore(dir), 'corrupt');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(/payments\[0\]: createdAt: "yesterday" is no instant/);
  });

  /** A closed store holding p1 (USD) and p2 (EUR), and its snapshot's text. */
  async function closedStoreWithTwoPayments() {
    const dir = await tempDir();
    const first = await openStore(dir);
    await put(
      first,
      { t: 'payment', v: payment('p1', { createdAt: at(1) }) },
      { t: 'payment', v: payment('p2', { createdAt: at(2), currency: 'EUR' }) },
    );
    await first.close();
    const path = join(dir, 'paydesk.json');
    return { dir, path, text: await readFile(path, 'utf8') };
  }

  it('refuses at open a payment body changed at rest (the checksum); changed after the open, refuses that payment when it is read, naming its line', async () => {
    const { dir, path, text } = await closedStoreWithTwoPayments();
    const damaged = replaceLast(text, '"USD"', '"usd"'); // same size: only reading finds it
    await writeFile(path, damaged);
    const refused = await expectStoreError(openStore(dir), 'corrupt');
    expect(refused.message).toContain(path);
    expect(refused.message).toMatch(/does not match its checksum/);
    expect(await readFile(path, 'utf8')).toBe(damaged);
    await writeFile(path, text);
    const line = text.split('\n').findLastIndex((l) => l.includes('"USD"')) + 1;
    const store = await openTracked(dir);
    // What the disk may do to the file while it is open (the bodies are read from it lazily).
    await writeFile(path, damaged);
    expect(store.paymentCount()).toBe(2);
    expect(store.getPayment('p2')?.currency).toBe('EUR');
    const read = (): unknown => store.getPayment('p1');
    expect(read).toThrow(StoreError);
    let error: StoreError | undefined;
    try {
      read();
    } catch (e) {
      error = e as StoreError;
    }
    expect(error?.code).toBe('corrupt');
    expect(error?.file).toBe(path);
    expect(error?.line).toBe(line);
    expect(error?.message).toMatch(/payments\[0\]: currency: Use a three-letter ISO-4217 code/);
    expect(() => store.queryPayments({ order: 'asc', offset: 0, limit: 10 })).toThrow(/line/);
    // The rest of the store works; compaction keeps the damaged body as it is.
    await put(store, { t: 'payment', v: payment('p3', { createdAt: at(3) }) });
    await store.compact();
    expect(store.getPayment('p3')?.id).toBe('p3');
    expect(() => store.getPayment('p1')).toThrow(/currency/);
    await store.close();
    const again = await openTracked(dir);
    expect(again.getPaymentByIdempotencyKey('key-p2')?.id).toBe('p2');
    expect(() => again.getPayment('p1')).toThrow(/currency/);
  });

  it('reads a snapshot in another JSON layout (written by hand, records as objects)', async () => {
    const dir = await tempDir();
    const doc = {
      schemaVersion: 1,
      journalSeq: 0,
      settings: DEFAULT_SETTINGS,
      testClock: null,
      payments: [payment('p1')],
      subscriptions: [subscription('s1')],
      undo: [],
      redo: [],
      audit: [auditEntry('a1')],
      idempotency: [],
    };
    await writeFile(join(dir, 'paydesk.json'), JSON.stringify(doc, null, 2));
    const store = await openTracked(dir);
    expect(store.getPayment('p1')).toEqual(payment('p1'));
    expect(store.getSubscription('s1')).toEqual(subscription('s1'));
  });

  it('migrates an older schema at open, then rewrites the snapshot in the current one', async () => {
    const dir = await closedStoreWithData(); // a file of the current version
    const next = SCHEMA_VERSION + 1;
    const testing = {
      schemaVersion: next,
      migrations: {
        // A made-up next version in which customer e-mails are upper-cased.
        [SCHEMA_VERSION]: (doc: Record<string, unknown>) => ({
          ...doc,
          payments: (doc.payments as { customerEmail: string }[]).map((p) => ({
            ...p,
            customerEmail: p.customerEmail.toUpperCase(),
          })),
        }),
      },
    };
    const store = await openTracked(dir, { testing });
    expect(store.getPayment('p1')?.customerEmail).toBe('ADA@EXAMPLE.COM');
    const doc = JSON.parse(await readFile(join(dir, 'paydesk.json'), 'utf8')) as {
      schemaVersion: number;
    };
    expect(doc.schemaVersion).toBe(next);
    await store.close();
    // That version is now newer than what the real code knows.
    await expectStoreError(openStore(dir), 'newer_schema');
  });

  /** A snapshot as schema `version` (2 or 3) wrote it: no refunds, no cursor, HTTP responses. */
  function olderSnapshot(text: string, version: 2 | 3): string {
    const response = { key: 'k1', fingerprint: 'f', status: 201, body: '{}', createdAt: at(0) };
    return withoutChecksum(text)
      .replace(`"schemaVersion":${SCHEMA_VERSION},`, `"schemaVersion":${version},`)
      .replace('"gatewayCursor":null,', '')
      .replace('"refunds":[\n],\n', '')
      .replace('"idempotency":[\n]', `"idempotency":[\n${JSON.stringify(response)}\n]`);
  }

  it.each([2, 3] as const)(
    'moves a schema %i snapshot to 6 without reading its payments, dropping its HTTP responses',
    async (version) => {
      const { dir, path, text } = await closedStoreWithTwoPayments();
      expect(SCHEMA_VERSION).toBe(6);
      // A damaged body (same size): reading every payment would refuse the open.
      await writeFile(path, replaceLast(olderSnapshot(text, version), '"USD"', '"usd"'));
      const store = await openTracked(dir);
      expect(store.getPayment('p2')?.currency).toBe('EUR');
      expect(() => store.getPayment('p1')).toThrow(/currency/);
      expect(store.getIdempotencyRecord('k1')).toBeUndefined();
      expect(store.gatewayCursor()).toBeNull();
      expect(store.pendingRefunds()).toEqual([]);
      const migrated = await readFile(path, 'utf8');
      expect(migrated).toContain('"schemaVersion":6,');
      expect(migrated).toContain('"refunds":[');
    },
  );

  it('reads a schema 1 snapshot (payments whole, as tuples) and rewrites it', async () => {
    const dir = await tempDir();
    const t0 = at(0);
    const t1 = at(1);
    const v1 = [
      `{"schemaVersion":1,"journalSeq":0,"settings":${JSON.stringify(DEFAULT_SETTINGS)},"testClock":null,`,
      '"payments":[',
      `["p1",1250,"USD","ada@example.com",null,"pm_card_visa","COMPLETED","txn_p1",null,null,0,"key-p1",null,null,null,"${t0}",0,[["created",0],["succeeded",0,0]]],`,
      `["p2",700,"EUR","bob@example.com","Gift",null,"REFUNDED","txn_p2",null,null,700,"charge_p2",null,null,null,"${t0}","${t1}",[["created",0],["succeeded",0,0],["refunded",1,700,"re_1"]]]`,
      '],',
      '"subscriptions":[',
      '],',
      '"undo":[',
      '],',
      '"redo":[',
      '],',
      '"audit":[',
      '],',
      '"idempotency":[',
      ']}',
      '',
    ].join('\n');
    await writeFile(join(dir, 'paydesk.json'), v1);
    const store = await openTracked(dir);
    expect(store.getPayment('p1')).toEqual(payment('p1'));
    expect(store.getPaymentByIdempotencyKey('charge_p2')).toEqual(
      payment('p2', {
        amount: 700,
        currency: 'EUR',
        customerEmail: 'bob@example.com',
        description: 'Gift',
        paymentMethod: null,
        status: 'REFUNDED',
        refundedAmount: 700,
        idempotencyKey: 'charge_p2',
        updatedAt: t1,
        events: [
          { type: 'created', at: t0 },
          { type: 'succeeded', at: t0, transactionId: 'txn_p2' },
          { type: 'refunded', at: t1, amount: 700, refundId: 're_1' },
        ],
      }),
    );
    const doc = JSON.parse(await readFile(join(dir, 'paydesk.json'), 'utf8')) as {
      schemaVersion: number;
    };
    expect(doc.schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('runs migrations in a row and refuses a version with no path', () => {
    const table = {
      0: (d: Record<string, unknown>) => ({ ...d, a: 1 }),
      1: (d: Record<string, unknown>) => ({ ...d, b: (d.a as number) + 1 }),
    };
    expect(migrate({ schemaVersion: 0 }, 2, table)).toEqual({
      ok: true,
      migrated: true,
      doc: { schemaVersion: 2, a: 1, b: 2 },
    });
    expect(migrate({ schemaVersion: 2 }, 2, table)).toMatchObject({ ok: true, migrated: false });
    expect(migrate({ schemaVersion: 3 }, 2, table)).toMatchObject({ ok: false, reason: 'newer' });
    expect(migrate({ schemaVersion: 0 }, 2, {})).toMatchObject({ ok: false, reason: 'unknown' });
    expect(migrate({ schemaVersion: 'one' }, 2, table)).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
  });
});
