/**
 * The benchmarks' generated data and the recurring path they time: a generated store opens
 * and its indexed queries agree with a scan of every payment; a recurring run over more due
 * subscriptions than one batch charges each exactly once, settles every charge, keeps each
 * batch in charge order, and has all of it on disk when it returns; it reports progress
 * after each batch and lets other work run between them; a batch whose PENDING commit
 * fails reaches the gateway with none of its payments (rule 3), and no gateway call
 * outlives the failed run; background compaction waits for the end of the run.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURE_NOW, generateStore } from '../../bench/fixtures';
import { TestClock } from '../../src/main/core/clock';
import { RECURRING_BATCH_SIZE } from '../../src/main/core/commands/run-recurring';
import { ledgerEntries, openMockGateway } from '../../src/main/core/gateway/mock-gateway';
import { CommandInvoker } from '../../src/main/core/invoker';
import type { Gateway, Store } from '../../src/main/core/ports';
import { internalRequest } from '../../src/main/core/requests';
import { periodChargeKey } from '../../src/main/core/schedule';
import { openStore } from '../../src/main/core/store';
import type { Payment } from '../../src/shared/domain';
import { tempDataDir } from '../helpers/core';

const dirs: string[] = [];
const stores: Store[] = [];

function newDir(): string {
  const dir = tempDataDir('paydesk-bench-fixtures-');
  dirs.push(dir);
  return dir;
}

async function open(dir: string): Promise<Store> {
  const store = await openStore(dir);
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Newest first, as the store orders a descending page: createdAt, then id. */
const newestFirst = (a: Payment, b: Payment): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1;

describe('generated benchmark data', () => {
  it('opens as a store whose indexed queries agree with a scan of every payment', async () => {
    const dir = newDir();
    await generateStore(dir, { payments: 1000, subscriptions: 40, dueSubscriptions: 10, seed: 3 });
    const store = await open(dir);
    const all = [...store.allPayments()];
    // The snapshot's payments and the fixture's journal of 100 commits after it.
    expect(all).toHaveLength(1100);
    expect(store.paymentCount()).toBe(1100);

    const completed = all.filter((p) => p.status === 'COMPLETED').sort(newestFirst);
    expect(completed.length).toBeGreaterThan(500);
    const page = store.queryPayments({ status: 'COMPLETED', order: 'desc', offset: 7, limit: 50 });
    expect(page.total).toBe(completed.length);
    expect(page.items.map((p) => p.id)).toEqual(completed.slice(7, 57).map((p) => p.id));

    const customer = all[500]?.customerEmail ?? '';
    const mine = all.filter((p) => p.customerEmail === customer);
    const byCustomer = store.queryPayments({
      customerEmail: customer.toUpperCase(),
      order: 'asc',
      offset: 0,
      limit: 1000,
    });
    expect(byCustomer.items.map((p) => p.id).sort()).toEqual(mine.map((p) => p.id).sort());

    for (const sub of store.allSubscriptions()) {
      const charges = all.filter((p) => p.subscriptionId === sub.id).map((p) => p.id);
      expect(store.paymentsOfSubscription(sub.id).map((p) => p.id)).toEqual(charges);
    }
    for (const p of all.slice(0, 50)) {
      expect(store.getPaymentByIdempotencyKey(p.idempotencyKey)?.id).toBe(p.id);
    }
    expect(store.pendingPayments().map((p) => p.id)).toEqual(
      all.filter((p) => p.status === 'PENDING').map((p) => p.id),
    );
    expect(store.dueSubscriptions(FIXTURE_NOW)).toHaveLength(10);
  });

  it('a recurring run over several batches charges each due subscription once, durably', async () => {
    const dir = newDir();
    const due = 2 * RECURRING_BATCH_SIZE + 200;
    await generateStore(dir, {
      payments: 500,
      subscriptions: due + 20,
      dueSubscriptions: due,
      seed: 4,
    });
    const store = await open(dir);
    const gateway = await openMockGateway({ dataDir: dir, latencyMs: 0, seed: 9 });
    const invoker = new CommandInvoker({
      store,
      gateway,
      clock: new TestClock(new Date(FIXTURE_NOW)),
    });
    const before = store.paymentCount();
    const dueSubs = store.dueSubscriptions(FIXTURE_NOW);
    expect(dueSubs).toHaveLength(due);

    const run = await invoker.execute(
      'RunRecurring',
      {},
      internalRequest('scheduler.run', 'scheduler'),
    );
    expect(run.charged).toBe(due);
    expect(run.succeeded + run.failed).toBe(due);
    expect(run.succeeded).toBeGreaterThan(0);
    expect(run.failed).toBeGreaterThan(0);
    // One charge per subscription, for its next period, under the key of its first attempt.
    expect(new Set(run.payments.map((p) => p.subscriptionId)).size).toBe(due);
    for (const p of run.payments) {
      const sub = dueSubs.find((s) => s.id === p.subscriptionId);
      expect(p.period).toBe(sub?.nextPeriod);
      expect(p.idempotencyKey).toBe(periodChargeKey(p.subscriptionId ?? '', p.period ?? -1, 1));
    }
    // Nothing is due any more at that instant: paid periods moved on, failed ones retry later.
    expect(store.dueSubscriptions(FIXTURE_NOW)).toHaveLength(0);
    await gateway.close();
    const charges = (await ledgerEntries(dir)).filter((e) => e.type === 'charge');
    expect(charges).toHaveLength(due);

    // Every commit, the last batch's included, is on disk once the run has returned.
    await store.close();
    const reopened = await open(dir);
    expect(reopened.paymentCount()).toBe(before + due);
    expect(reopened.pendingPayments()).toHaveLength(0);
    for (const p of run.payments) expect(reopened.getPayment(p.id)).toEqual(p);
    // A batch's payments share one instant; their ids keep the order they were charged in.
    for (let from = 0; from < due; from += RECURRING_BATCH_SIZE) {
      const batch = run.payments.slice(from, from + RECURRING_BATCH_SIZE);
      expect(new Set(batch.map((p) => p.createdAt)).size).toBe(1);
      const ids = batch.map((p) => p.id);
      expect(ids).toEqual([...ids].sort());
    }
    expect(reopened.dueSubscriptions(FIXTURE_NOW)).toHaveLength(0);
  });

  it('reports progress after each batch and lets other work run between batches', async () => {
    const dir = newDir();
    const due = 2 * RECURRING_BATCH_SIZE + 200;
    await generateStore(dir, { payments: 100, subscriptions: due, dueSubscriptions: due, seed: 6 });
    const store = await open(dir);
    const gateway = await openMockGateway({ dataDir: dir, latencyMs: 0, seed: 9 });
    const progress: Array<[number, number]> = [];
    const invoker = new CommandInvoker({
      store,
      gateway,
      clock: new TestClock(new Date(FIXTURE_NOW)),
      onProgress: (done, total) => progress.push([done, total]),
    });
    // Count the turns of the event loop while the run goes on.
    let running = true;
    let turns = 0;
    const turn = (): void => {
      turns++;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    await invoker.execute('RunRecurring', {}, internalRequest('scheduler.run', 'scheduler'));
    running = false;
    expect(progress).toEqual([
      [RECURRING_BATCH_SIZE, due],
      [2 * RECURRING_BATCH_SIZE, due],
      [due, due],
    ]);
    // The loop turned at least once per batch: an operator's request is served between
    // batches, not after the whole run.
    expect(turns).toBeGreaterThanOrEqual(progress.length);
    await gateway.close();
  });

  it('compacts once after a run that passes the threshold, never in the middle of it', async () => {
    const dir = newDir();
    const due = 2 * RECURRING_BATCH_SIZE + 200;
    await generateStore(dir, { payments: 100, subscriptions: due, dueSubscriptions: due, seed: 7 });
    /** The last commit each compaction's snapshot holds. */
    const compactedAt: number[] = [];
    const snapshotSeq = async () =>
      (JSON.parse(await readFile(join(dir, 'paydesk.json'), 'utf8')) as { journalSeq: number })
        .journalSeq;
    const store = await openStore(dir, {
      compactThresholdBytes: 4096,
      testing: {
        onCompactionStep: async (step) => {
          if (step === 'snapshot-renamed') compactedAt.push(await snapshotSeq());
        },
      },
    });
    stores.push(store);
    const gateway = await openMockGateway({ dataDir: dir, latencyMs: 0, seed: 9 });
    const invoker = new CommandInvoker({
      store,
      gateway,
      clock: new TestClock(new Date(FIXTURE_NOW)),
    });
    const run = await invoker.execute(
      'RunRecurring',
      {},
      internalRequest('scheduler.run', 'scheduler'),
    );
    expect(run.charged).toBe(due);
    // Each batch's commits are far past 4 KiB: without the hold, one would start mid-run.
    await vi.waitFor(() => expect(compactedAt).toHaveLength(1));
    await store.close(); // compacts again, at the last commit
    const last = await snapshotSeq();
    expect(compactedAt).toHaveLength(2);
    // The one after the run holds its last batch (the very last commit is the run's history
    // entry, made once the run has returned).
    expect(compactedAt[0]).toBeGreaterThanOrEqual(last - 1);
    const reopened = await open(dir);
    for (const p of run.payments) expect(reopened.getPayment(p.id)).toEqual(p);
    await gateway.close();
  });

  it('calls the gateway for no payment of a batch whose PENDING commit failed, and leaves no call running', async () => {
    const dir = newDir();
    const due = 2 * RECURRING_BATCH_SIZE;
    await generateStore(dir, { payments: 100, subscriptions: due, dueSubscriptions: due, seed: 5 });
    let writes = 0;
    const store = await openStore(dir, {
      testing: {
        // Write 1: the first batch's PENDING payments; 2: their results together with the
        // second batch's PENDING payments, which fails.
        beforeJournalWrite: () => {
          if (++writes === 2) throw new Error('disk full');
        },
      },
    });
    stores.push(store);
    const gateway = await openMockGateway({ dataDir: dir, latencyMs: 0, seed: 9 });
    let started = 0;
    let finished = 0;
    const counting: Gateway = {
      charge: async (request) => {
        started++;
        try {
          return await gateway.charge(request);
        } finally {
          finished++;
        }
      },
      refund: (request) => gateway.refund(request),
      lookup: (key) => gateway.lookup(key),
      lookupRefund: (key) => gateway.lookupRefund(key),
      records: (after, limit) => gateway.records(after, limit),
      findCharge: (transactionId) => gateway.findCharge(transactionId),
      close: () => gateway.close(),
    };
    const invoker = new CommandInvoker({
      store,
      gateway: counting,
      clock: new TestClock(new Date(FIXTURE_NOW)),
    });
    await expect(
      invoker.execute('RunRecurring', {}, internalRequest('scheduler.run', 'scheduler')),
    ).rejects.toThrow(/disk full/);
    // The first batch was charged, and every call to the gateway had returned.
    expect(started).toBe(RECURRING_BATCH_SIZE);
    expect(finished).toBe(started);
    await gateway.close();
    const charged = (await ledgerEntries(dir)).filter((e) => e.type === 'charge');
    expect(charged).toHaveLength(RECURRING_BATCH_SIZE);
  });
});
