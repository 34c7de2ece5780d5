/**
 * Exactly-once money through the core's public `call`, in one process: the request key bound
 * with the first durable record, refunds as intents, no gateway call the store cannot
 * record, replays that answer the first outcome, reconciliation both ways, and an undo of a
 * run that refunds many at a time and can be resumed. (Killed processes:
 * crash-exactly-once.test.ts; the chaos harness: test/chaos/.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { ledgerEntries, openMockGateway } from '../../src/main/core/gateway/mock-gateway';
import type { CoreOptions } from '../../src/main/core/api';
import { UNDO_BATCH } from '../../src/main/core/commands/run-recurring';
import { pendingPayment } from '../../src/main/core/payment-rules';
import { GatewayError } from '../../src/main/core/ports';
import { must, openTestCore, openTestStore, tempDataDir, testStoreOptions } from '../helpers/core';
import { bound } from '../helpers/gateway-calls';

const visa = { currency: 'USD', customerEmail: 'ann@example.com', paymentMethod: 'pm_card_visa' };

let cores: Core[] = [];
async function open(dir = tempDataDir(), options: Partial<CoreOptions> = {}) {
  const core = await openTestCore(dir, options);
  cores.push(core);
  return core;
}
afterEach(async () => {
  await Promise.all(cores.map((c) => c.close().catch(() => undefined)));
  cores = [];
});

const charges = async (dir: string) =>
  (await ledgerEntries(dir)).filter((e) => e.type === 'charge');
const refunds = async (dir: string) =>
  (await ledgerEntries(dir)).filter((e) => e.type === 'refund');

/**
 * Store options whose journal writes fail with ENOSPC (a full disk) from the `n`-th write
 * after `fillAfter(n)` is called (n = 1: the next one).
 */
function diskThatFills() {
  let writesLeft = Infinity;
  const store = {
    testing: {
      beforeJournalWrite: () => {
        if (--writesLeft > 0) return;
        const error = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
        error.code = 'ENOSPC';
        throw error;
      },
    },
  };
  return { store, fillAfter: (n: number) => void (writesLeft = n) };
}

describe('bad input never reaches the gateway', () => {
  it('refuses an unknown payment method as validation naming the field, storing nothing', async () => {
    const dir = tempDataDir();
    const core = await open(dir);
    const answer = await core.call(
      'payments.process',
      { ...visa, amount: '5.00', paymentMethod: 'pm_card_nonexistent_$$' },
      'api',
      { idempotencyKey: 'bad-method' },
    );
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'paymentMethod' },
    });
    expect((await must(core, 'payments.list', {})).total).toBe(0);
    expect(await charges(dir)).toEqual([]);
  });

  it('refuses an invalid idempotency key, naming it', async () => {
    const core = await open();
    const answer = await core.call('payments.process', { ...visa, amount: '1.00' }, 'api', {
      idempotencyKey: 'has space',
    });
    expect(answer).toMatchObject({ ok: false, error: { field: 'idempotencyKey' } });
    expect((await must(core, 'payments.list', {})).total).toBe(0);
  });
});

describe('a request key', () => {
  it('answers a replay with the first outcome and calls the gateway once', async () => {
    const dir = tempDataDir();
    const core = await open(dir);
    const options = { idempotencyKey: 'order-1' };
    const first = await core.call('payments.process', { ...visa, amount: '12.00' }, 'api', options);
    const again = await core.call('payments.process', { ...visa, amount: '12.00' }, 'api', options);
    expect(first.ok && again.ok).toBe(true);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await charges(dir)).toHaveLength(1);
    // Every gateway key derives from the request's.
    expect((await charges(dir))[0]?.idempotencyKey).toBe('order-1/charge');
  });

  it('answers in_progress to a repeat while the first still runs; one charge in all', async () => {
    const dir = tempDataDir();
    const core = await open(dir, { gateway: { latencyMs: 150, seed: 1 } });
    const options = { idempotencyKey: 'double-click' };
    const input = { ...visa, amount: '30.00' };
    const first = core.call('payments.process', input, 'operator', options);
    await new Promise((r) => setTimeout(r, 20));
    const second = await core.call('payments.process', input, 'operator', options);
    expect(second).toMatchObject({ ok: false, error: { code: 'in_progress' } });
    expect((await first).ok).toBe(true);
    expect(await core.call('payments.process', input, 'operator', options)).toMatchObject({
      ok: true,
      replayed: true,
    });
    expect(await charges(dir)).toHaveLength(1);
  });

  it('is a conflict with another input, and changes nothing', async () => {
    const core = await open();
    const options = { idempotencyKey: 'k' };
    await must(core, 'payments.process', { ...visa, amount: '1.00' });
    await core.call('payments.process', { ...visa, amount: '2.00' }, 'api', options);
    const other = await core.call('payments.process', { ...visa, amount: '3.00' }, 'api', options);
    expect(other).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'idempotencyKey' },
    });
    expect((await must(core, 'payments.list', {})).total).toBe(2);
  });

  it('is written with the PENDING payment: after a failed write, the next start finishes it', async () => {
    const dir = tempDataDir();
    const disk = diskThatFills();
    const core = await open(dir, { store: disk.store });
    // The PENDING payment and the key reach the disk; the gateway charges; the answer cannot.
    disk.fillAfter(2);
    const options = { idempotencyKey: 'crash-1' };
    const answer = await core.call('payments.process', { ...visa, amount: '8.00' }, 'api', options);
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'storage_unavailable', message: expect.stringMatching(/ENOSPC/) },
    });
    await core.close();
    expect(await charges(dir)).toHaveLength(1);

    const reopened = await open(dir);
    const payments = await must(reopened, 'payments.list', {});
    expect(payments.items).toMatchObject([{ status: 'COMPLETED', amount: 800 }]);
    const replay = await reopened.call(
      'payments.process',
      { ...visa, amount: '8.00' },
      'api',
      options,
    );
    expect(replay).toMatchObject({
      ok: true,
      replayed: true,
      data: { id: payments.items[0]?.id, status: 'COMPLETED' },
    });
    expect(await charges(dir)).toHaveLength(1);
    // The charge was finished as the command would have: it can be undone.
    expect((await must(reopened, 'history.get', {})).undo).toHaveLength(1);
  });
});

describe('a key whose record has expired (after 7 days)', () => {
  it('still finds its payment by the gateway key: no second charge; other input is a conflict', async () => {
    const dir = tempDataDir();
    const input = { ...visa, amount: '15.00' };
    const first = await open(dir);
    const paid = await first.call('payments.process', input, 'api', { idempotencyKey: 'k1' });
    await first.call('payments.process', input, 'api', { idempotencyKey: 'k2' });
    await first.close();
    // Compaction at close drops records more than 7 days old: a store whose "now" is later.
    const later = new Date(Date.now() + 8 * 24 * 3600_000);
    const expiring = await open(dir, { store: { clockNow: () => later } });
    await expiring.close();
    const again = await open(dir);
    const replay = await again.call('payments.process', input, 'api', { idempotencyKey: 'k1' });
    expect(replay).toMatchObject({ ok: true, data: { id: paid.ok ? paid.data.id : '' } });
    expect(replay.replayed).toBeUndefined();
    const other = await again.call('payments.process', { ...input, amount: '16.00' }, 'api', {
      idempotencyKey: 'k2',
    });
    expect(other).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'idempotencyKey' },
    });
    expect(await charges(dir)).toHaveLength(2);
  });
});

describe('a refund', () => {
  it('is not made when the store cannot record it: no gateway call, storage_unavailable', async () => {
    const dir = tempDataDir();
    const disk = diskThatFills();
    const core = await open(dir, { store: disk.store });
    const paid = await must(core, 'payments.process', { ...visa, amount: '20.00' });
    disk.fillAfter(1);
    for (const options of [{}, { idempotencyKey: 'refund-1' }]) {
      const answer = await core.call(
        'payments.refund',
        { paymentId: paid.id, amount: '5.00' },
        'operator',
        options,
      );
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'storage_unavailable', message: expect.stringMatching(/ENOSPC/) },
      });
    }
    const undo = await core.call('history.undo', {}, 'operator');
    expect(undo).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
    expect(await refunds(dir)).toEqual([]);
    // Reads still work.
    expect((await must(core, 'payments.get', { id: paid.id })).refundedAmount).toBe(0);
  });

  it('is stored PENDING first; a start after a crash settles it with the gateway', async () => {
    const dir = tempDataDir();
    const disk = diskThatFills();
    const core = await open(dir, { store: disk.store });
    const paid = await must(core, 'payments.process', { ...visa, amount: '20.00' });
    disk.fillAfter(2);
    const options = { idempotencyKey: 'partial-refund' };
    const input = { paymentId: paid.id, amount: '5.00' };
    const failed = await core.call('payments.refund', input, 'api', options);
    expect(failed).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
    await core.close();
    expect(await refunds(dir)).toMatchObject([
      { amount: 500, idempotencyKey: 'partial-refund/refund' },
    ]);

    const reopened = await open(dir);
    const payment = await must(reopened, 'payments.get', { id: paid.id });
    expect(payment).toMatchObject({ refundedAmount: 500, status: 'PARTIALLY_REFUNDED' });
    const replay = await reopened.call('payments.refund', input, 'api', options);
    expect(replay).toMatchObject({ ok: true, replayed: true, data: { refundedAmount: 500 } });
    // Another amount is a new request, refunded under its own key.
    await must(reopened, 'payments.refund', { paymentId: paid.id, amount: '3.00' });
    expect((await refunds(dir)).map((r) => r.amount)).toEqual([500, 300]);
  });
});

describe('start-up reconciliation', () => {
  async function withLedger(
    dir: string,
    make: (g: Awaited<ReturnType<typeof openMockGateway>>) => Promise<void>,
  ) {
    const gateway = await openMockGateway({ dataDir: dir, latencyMs: 0, seed: 42 });
    await make(gateway);
    await gateway.close();
  }

  it('records a charge and a refund the store does not know, with audit entries', async () => {
    const dir = tempDataDir();
    await withLedger(dir, async (gateway) => {
      const charge = await gateway.charge({
        idempotencyKey: 'lost-1/charge',
        amount: 4200,
        currency: 'USD',
        customerEmail: 'lost@example.com',
        paymentMethod: 'pm_card_visa',
        description: 'lost from the journal',
      });
      if (charge.status !== 'succeeded') throw new Error('the charge must succeed');
      await gateway.refund({
        idempotencyKey: 'lost-2/refund',
        transactionId: charge.transactionId,
        amount: 1000,
      });
    });
    const core = await open(dir);
    const payments = await must(core, 'payments.list', {});
    expect(payments.items).toMatchObject([
      {
        status: 'PARTIALLY_REFUNDED',
        amount: 4200,
        refundedAmount: 1000,
        customerEmail: 'lost@example.com',
      },
    ]);
    const audit = (await must(core, 'audit.list', {})).items.map((a) => a.label);
    expect(audit.some((l) => /charge lost-1\/charge found at the gateway/.test(l))).toBe(true);
    expect(audit.some((l) => /refund lost-2\/refund .*found at the gateway/.test(l))).toBe(true);
    await core.close();
    // Read once: the next start reads nothing again (the cursor moved).
    const again = await open(dir);
    expect((await must(again, 'payments.list', {})).total).toBe(1);
    expect((await must(again, 'audit.list', {})).total).toBe(audit.length);
  });

  it('answers queries while it runs, and a change waits for it', async () => {
    const dir = tempDataDir();
    const store = await openTestStore(dir);
    const now = new Date().toISOString();
    await store.commit(
      Array.from({ length: 150 }, (_, i) => ({
        t: 'payment' as const,
        v: pendingPayment(
          {
            id: `pay_pending_${i}`,
            amount: 100 + i,
            currency: 'USD',
            customerEmail: 'pending@example.com',
            description: null,
            paymentMethod: 'pm_card_visa',
            idempotencyKey: `pending-${i}/charge`,
          },
          now,
        ),
      })),
    );
    await store.close();
    const { openCore } = await import('../../src/main/core');
    const core = await openCore({
      dataDir: dir,
      clock: 'test',
      scheduler: false,
      gateway: { latencyMs: 200, seed: 3 },
      ...(await testStoreOptions(dir)),
    });
    cores.push(core);
    expect(core.reconciling()).toBe(true);
    const list = await core.call('payments.list', { status: 'PENDING', limit: 1 }, 'operator');
    expect(list).toMatchObject({ ok: true, data: { total: 150 } });
    const write = await core.call('payments.process', { ...visa, amount: '1.00' }, 'operator');
    expect(core.reconciling()).toBe(false);
    expect(write.ok).toBe(true);
    expect((await must(core, 'payments.list', { status: 'PENDING' })).total).toBe(0);
    const failed = await must(core, 'payments.list', { status: 'FAILED', limit: 500 });
    expect(failed.total).toBe(150);
    expect(failed.items.every((p) => p.failureCode === 'interrupted')).toBe(true);
  });
});

describe('a subscription charge whose outcome is unknown', () => {
  it('is asked again under its own key by the next run, never charged again under a new one', async () => {
    const dir = tempDataDir();
    // The gateway charges, then the answer is lost and the lookup cannot reach it either.
    let losing = true;
    const core = await open(dir, {
      gateway: { latencyMs: 0, seed: 5, successRate: 1 },
      wrapGateway: (gateway) => ({
        ...bound(gateway),
        charge: async (request) => {
          const result = await gateway.charge(request);
          if (!losing) return result;
          throw new GatewayError('timeout', 'The gateway did not answer in time');
        },
        lookup: (key) =>
          losing
            ? Promise.reject(new GatewayError('timeout', 'The gateway did not answer in time'))
            : gateway.lookup(key),
      }),
    });
    const sub = await must(core, 'subscriptions.create', {
      customerEmail: 'sub@example.com',
      amount: '10.00',
      currency: 'USD',
      interval: 'MONTHLY',
    });
    const first = await must(core, 'recurring.run', {});
    expect(first.payments.map((p) => p.status)).toEqual(['PENDING']);

    losing = false;
    const second = await must(core, 'recurring.run', {});
    // The same attempt, settled: the gateway already had it.
    expect(second.payments.map((p) => [p.id, p.status])).toEqual([
      [first.payments[0]?.id, 'COMPLETED'],
    ]);
    expect(await charges(dir)).toHaveLength(1);
    const after = await must(core, 'subscriptions.get', { id: sub.id });
    expect(after.nextPeriod).toBe(1);
    // And nothing is due any more: a third run charges nothing.
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);
    expect(await charges(dir)).toHaveLength(1);
  });
});

describe('the undo of a recurring run', () => {
  async function runOf(core: Core, subscriptions: number) {
    for (let i = 0; i < subscriptions; i++) {
      await must(core, 'subscriptions.create', {
        customerEmail: `sub${i}@example.com`,
        amount: '10.00',
        currency: 'USD',
        interval: 'MONTHLY',
      });
    }
    return must(core, 'recurring.run', {});
  }

  it('refunds every charge, recorded one by one, and waives their periods', async () => {
    const dir = tempDataDir();
    const core = await open(dir, { gateway: { latencyMs: 0, seed: 5, successRate: 1 } });
    const run = await runOf(core, 60);
    expect(run.succeeded).toBe(60);
    await must(core, 'history.undo', {});
    const ledgerRefunds = await refunds(dir);
    expect(ledgerRefunds).toHaveLength(60);
    for (const p of run.payments) {
      expect((await must(core, 'payments.get', { id: p.id })).status).toBe('REFUNDED');
    }
    expect((await must(core, 'history.get', {})).redo[0]?.kind).toBe('RunRecurring');
  });

  it('stops when the gateway refuses a refund, keeps what it refunded, and finishes when undone again', async () => {
    const dir = tempDataDir();
    let refuse: string | null = null;
    const core = await open(dir, {
      gateway: { latencyMs: 0, seed: 5, successRate: 1 },
      wrapGateway: (gateway) => ({
        ...bound(gateway),
        refund: (request) =>
          request.idempotencyKey.endsWith(`/refund/${refuse}`)
            ? Promise.reject(new GatewayError('invalid_request', 'The card was closed'))
            : gateway.refund(request),
      }),
    });
    const run = await runOf(core, 40);
    refuse = run.payments[7]?.id ?? null;
    const first = await core.call('history.undo', {}, 'operator');
    expect(first).toMatchObject({ ok: false, error: { code: 'gateway' } });
    if (!first.ok) expect(first.error.message).toMatch(/Undo stopped: 39 of 40 .*Undo again/);
    expect(await refunds(dir)).toHaveLength(39);
    expect((await must(core, 'history.get', {})).undo[0]?.kind).toBe('RunRecurring');
    refuse = null;
    await must(core, 'history.undo', {});
    expect(await refunds(dir)).toHaveLength(40);
    const refundedOnce = new Set((await refunds(dir)).map((r) => r.transactionId));
    expect(refundedOnce.size).toBe(40);
    expect((await must(core, 'history.get', {})).redo[0]?.kind).toBe('RunRecurring');
  });

  it('resumes after a crash midway: what was refunded is recorded, undo again refunds the rest', async () => {
    const dir = tempDataDir();
    const disk = diskThatFills();
    const core = await open(dir, {
      gateway: { latencyMs: 0, seed: 5, successRate: 1 },
      store: disk.store,
    });
    const run = await runOf(core, UNDO_BATCH + 50);
    // The first batch's refunds are stored PENDING and made; the write of their outcomes fails.
    disk.fillAfter(2);
    const undo = await core.call('history.undo', {}, 'operator');
    expect(undo).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
    await core.close();
    expect(await refunds(dir)).toHaveLength(UNDO_BATCH);

    const reopened = await open(dir, { gateway: { latencyMs: 0, seed: 5, successRate: 1 } });
    const refunded = async () => {
      let sum = 0;
      for (const p of run.payments) {
        sum += (await must(reopened, 'payments.get', { id: p.id })).refundedAmount;
      }
      return sum;
    };
    // The store agrees with the gateway: every refund made is recorded.
    expect(await refunded()).toBe(UNDO_BATCH * 1000);
    expect((await must(reopened, 'history.get', {})).undo[0]?.kind).toBe('RunRecurring');
    await must(reopened, 'history.undo', {});
    expect(await refunds(dir)).toHaveLength(UNDO_BATCH + 50);
    expect(await refunded()).toBe((UNDO_BATCH + 50) * 1000);
  });
});
