/**
 * The audit log through the core's `call`: every command, undo, redo and reconciliation with
 * the money it moved (a declined charge too, which never reaches the history), its filters
 * (origin, outcome, time) and order, and that both survive a restart. Also the settings the
 * Settings screen changes: business details, the mock gateway's behaviour, the data directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { openMockGateway } from '../../src/main/core/gateway/mock-gateway';
import { pendingPayment } from '../../src/main/core/payment-rules';
import { openStore } from '../../src/main/core/store';
import { must, openTestCore, tempDataDir } from '../helpers/core';

const visa = { currency: 'USD', customerEmail: 'ann@example.com', paymentMethod: 'pm_card_visa' };
const declined = { ...visa, paymentMethod: 'pm_card_chargeDeclined' };

let cores: Core[] = [];
async function open(dir?: string, options: Parameters<typeof openTestCore>[1] = {}) {
  const core = await openTestCore(dir, options);
  cores.push(core);
  return core;
}
afterEach(async () => {
  await Promise.all(cores.map((c) => c.close()));
  cores = [];
});

describe('the amount each audited action moved', () => {
  it('a declined charge is audited as declined, moving nothing, and is not in the history', async () => {
    const core = await open();
    const payment = await must(core, 'payments.process', { ...declined, amount: '12.00' });
    expect(payment.status).toBe('FAILED');
    const audit = await must(core, 'audit.list', {});
    expect(audit.total).toBe(1);
    expect(audit.items[0]).toMatchObject({
      action: 'execute',
      kind: 'ProcessPayment',
      origin: 'operator',
      outcome: 'declined',
      moved: [],
    });
    expect(audit.items[0]?.message).toMatch(/card_declined/);
    expect((await must(core, 'history.get', {})).undo).toHaveLength(0);
  });

  it('a charge, its undo and its redo record the amount charged, refunded, charged again', async () => {
    const core = await open();
    await must(core, 'payments.process', { ...visa, amount: '25.50' });
    await must(core, 'history.undo', {});
    await must(core, 'history.redo', {});
    const audit = await must(core, 'audit.list', { order: 'asc' });
    expect(audit.items.map((e) => [e.action, e.outcome, e.moved])).toEqual([
      ['execute', 'ok', [{ currency: 'USD', charged: 2550, refunded: 0 }]],
      ['undo', 'ok', [{ currency: 'USD', charged: 0, refunded: 2550 }]],
      ['redo', 'ok', [{ currency: 'USD', charged: 2550, refunded: 0 }]],
    ]);
  });

  it('an explicit partial refund records what it refunded; a subscription change moves nothing', async () => {
    const core = await open();
    const payment = await must(core, 'payments.process', { ...visa, amount: '40.00' });
    await must(core, 'payments.refund', { paymentId: payment.id, amount: '15.00' });
    await must(core, 'subscriptions.create', {
      customerEmail: 'bo@example.com',
      amount: '9.99',
      currency: 'EUR',
      interval: 'MONTHLY',
    });
    const [sub, refund] = (await must(core, 'audit.list', {})).items;
    expect(refund).toMatchObject({
      kind: 'RefundPayment',
      moved: [{ currency: 'USD', charged: 0, refunded: 1500 }],
    });
    expect(sub).toMatchObject({ kind: 'CreateSubscription', moved: [] });
  });

  it('a recurring run over two currencies records each, and its undo refunds each', async () => {
    const core = await open(undefined, { gateway: { latencyMs: 0, seed: 42, successRate: 1 } });
    for (const [currency, amount] of [
      ['EUR', '10.00'],
      ['USD', '5.00'],
      ['USD', '7.00'],
    ]) {
      await must(core, 'subscriptions.create', {
        customerEmail: `${currency}${amount}@example.com`,
        amount,
        currency,
        interval: 'MONTHLY',
      });
    }
    const run = await must(core, 'recurring.run', {});
    expect(run.succeeded).toBe(3);
    await must(core, 'history.undo', {});
    const [undo, execute] = (await must(core, 'audit.list', {})).items;
    expect(execute).toMatchObject({
      kind: 'RunRecurring',
      moved: [
        { currency: 'EUR', charged: 1000, refunded: 0 },
        { currency: 'USD', charged: 1200, refunded: 0 },
      ],
    });
    expect(undo).toMatchObject({
      action: 'undo',
      moved: [
        { currency: 'EUR', charged: 0, refunded: 1000 },
        { currency: 'USD', charged: 0, refunded: 1200 },
      ],
    });
  });

  it('start-up reconciliation records what it settled, and amounts survive a restart', async () => {
    const dataDir = tempDataDir();
    const store = await openStore(dataDir);
    const payment = pendingPayment(
      {
        id: 'pay_crashed',
        amount: 1500,
        currency: 'EUR',
        customerEmail: 'crash@example.com',
        description: null,
        paymentMethod: 'pm_card_visa',
        idempotencyKey: 'charge_pay_crashed',
      },
      '2030-01-01T00:00:00.000Z',
    );
    await store.commit([{ t: 'payment', v: payment }]);
    const gateway = await openMockGateway({ dataDir, latencyMs: 0, seed: 1 });
    await gateway.charge(payment);
    await gateway.close();
    await store.close(); // The process "dies" before recording the charge's outcome.

    const core = await open(dataDir);
    const settled = (await must(core, 'audit.list', { origin: 'system' })).items;
    expect(settled).toEqual([
      expect.objectContaining({
        action: 'reconcile',
        outcome: 'ok',
        moved: [{ currency: 'EUR', charged: 1500, refunded: 0 }],
      }),
    ]);
    await must(core, 'payments.process', { ...visa, amount: '1.00' });
    await core.close();
    cores = [];
    const again = await open(dataDir);
    const all = await must(again, 'audit.list', { order: 'asc' });
    expect(all.items.map((e) => e.moved)).toEqual([
      [{ currency: 'EUR', charged: 1500, refunded: 0 }],
      [{ currency: 'USD', charged: 100, refunded: 0 }],
    ]);
  });
});

describe('filtering the audit log', () => {
  async function seeded() {
    const core = await open();
    const start = (await must(core, 'clock.get', {})).now;
    await must(core, 'payments.process', { ...visa, amount: '1.00' }); // operator ok
    await must(core, 'clock.advance', { seconds: 86_400 });
    const day2 = (await must(core, 'clock.get', {})).now;
    await core.call('payments.process', { ...declined, amount: '2.00' }, 'api'); // api declined
    await core.call('payments.process', { ...visa, amount: '3.00' }, 'api'); // api ok
    await must(core, 'clock.advance', { seconds: 86_400 });
    await must(core, 'payments.process', { ...declined, amount: '4.00' }); // operator declined
    return { core, start, day2 };
  }
  const amounts = (items: { label: string }[]) =>
    items.map((e) => /\$(\d)/.exec(e.label)?.[1]).join('');

  it('by origin, by outcome and both, with the total of what matches', async () => {
    const { core } = await seeded();
    const api = await must(core, 'audit.list', { origin: 'api' });
    expect([api.total, amounts(api.items)]).toEqual([2, '32']);
    const declinedOnes = await must(core, 'audit.list', { outcome: 'declined' });
    expect([declinedOnes.total, amounts(declinedOnes.items)]).toEqual([2, '42']);
    const both = await must(core, 'audit.list', { origin: 'api', outcome: 'declined' });
    expect([both.total, amounts(both.items)]).toEqual([1, '2']);
    const none = await must(core, 'audit.list', { origin: 'scheduler' });
    expect(none).toMatchObject({ total: 0, items: [] });
  });

  it('by time: from inclusive, to exclusive; a date stands for its whole UTC day', async () => {
    const { core, start, day2 } = await seeded();
    const fromDay2 = await must(core, 'audit.list', { from: day2 });
    expect(amounts(fromDay2.items)).toBe('432');
    const beforeDay2 = await must(core, 'audit.list', { to: day2 });
    expect(amounts(beforeDay2.items)).toBe('1');
    const onDay2 = await must(core, 'audit.list', {
      from: day2.slice(0, 10),
      to: day2.slice(0, 10),
    });
    expect(amounts(onDay2.items)).toBe('32');
    const withOffset = await must(core, 'audit.list', {
      from: start.replace('Z', '+00:00'),
      origin: 'operator',
    });
    expect(amounts(withOffset.items)).toBe('41');
  });

  it('pages and orders what matches, and sees entries written after the first page', async () => {
    const { core } = await seeded();
    const first = await must(core, 'audit.list', { outcome: 'ok', limit: 1 });
    expect([first.total, amounts(first.items)]).toEqual([2, '3']);
    const second = await must(core, 'audit.list', { outcome: 'ok', limit: 1, offset: 1 });
    expect(amounts(second.items)).toBe('1');
    const oldest = await must(core, 'audit.list', { outcome: 'ok', order: 'asc' });
    expect(amounts(oldest.items)).toBe('13');
    await must(core, 'payments.process', { ...visa, amount: '5.00' });
    const after = await must(core, 'audit.list', { outcome: 'ok' });
    expect([after.total, amounts(after.items)]).toEqual([3, '531']);
  });

  it('refuses bad filters naming the field', async () => {
    const core = await open();
    for (const [input, field] of [
      [{ origin: 'robot' }, 'origin'],
      [{ outcome: 'maybe' }, 'outcome'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: '2026-03-02', to: '2026-03-01' }, 'to'],
      [{ level: 'x' }, 'level'],
    ] as const) {
      const result = await core.call('audit.list', input, 'operator');
      expect(result).toMatchObject({ ok: false, error: { code: 'validation', field } });
    }
  });
});

describe('settings', () => {
  it('keeps the business details for receipts, field by field, across a restart', async () => {
    const dataDir = tempDataDir();
    const core = await open(dataDir);
    expect((await must(core, 'settings.get', {})).business).toBeUndefined();
    await must(core, 'settings.set', {
      business: { name: ' Ann’s Bakery ', address: '1 Main St\nSpringfield', taxId: 'US-123' },
    });
    const saved = await must(core, 'settings.set', { business: { taxId: 'US-456' } });
    expect(saved.business).toEqual({
      name: 'Ann’s Bakery',
      address: '1 Main St\nSpringfield',
      taxId: 'US-456',
    });
    await core.close();
    cores = [];
    const again = await open(dataDir);
    expect(await must(again, 'settings.get', {})).toEqual({
      schedulerIntervalSeconds: 60,
      schedulerEnabled: true,
      business: saved.business,
    });
    const tooLong = await again.call(
      'settings.set',
      { business: { name: 'x'.repeat(201) } },
      'operator',
    );
    expect(tooLong).toMatchObject({ ok: false, error: { field: 'business.name' } });
  });

  it('sets the scheduler interval and on/off', async () => {
    const core = await open();
    await must(core, 'settings.set', { schedulerIntervalSeconds: 300, schedulerEnabled: false });
    expect(await must(core, 'scheduler.status', {})).toMatchObject({
      running: false,
      intervalSeconds: 300,
    });
    const zero = await core.call('settings.set', { schedulerIntervalSeconds: 0 }, 'operator');
    expect(zero).toMatchObject({ ok: false, error: { field: 'schedulerIntervalSeconds' } });
  });

  it('audits each change: who changed what, from what; a refused change leaves none', async () => {
    const core = await open();
    await must(core, 'settings.set', { schedulerIntervalSeconds: 30 });
    await must(core, 'scheduler.stop', {});
    await must(core, 'settings.set', { business: { name: 'Bakery', taxId: 'US-1' } });
    await must(core, 'settings.set', { backup: { keep: 10, daily: false } });
    await core.call('settings.set', { schedulerIntervalSeconds: 0 }, 'api');
    const audit = await must(core, 'audit.list', { order: 'asc' });
    expect(audit.items.map((e) => [e.kind, e.origin, e.outcome, e.label])).toEqual([
      ['ChangeSettings', 'operator', 'ok', 'Settings: scheduler every 30 s (was 60 s)'],
      ['ChangeSettings', 'operator', 'ok', 'Settings: scheduler stopped'],
      ['ChangeSettings', 'operator', 'ok', 'Settings: business name, tax ID changed'],
      [
        'ChangeSettings',
        'operator',
        'ok',
        'Settings: daily backups off; keeping 10 daily backups (was 7)',
      ],
    ]);
    // Settings are not commands: nothing to undo.
    expect((await must(core, 'history.get', {})).undo).toHaveLength(0);
  });

  it('answers a replayed change as the first, never with the operator accounts', async () => {
    const core = await open();
    await must(core, 'operators.create', { name: 'Ann', role: 'admin' });
    const change = { schedulerIntervalSeconds: 30 };
    const key = { idempotencyKey: 'settings-1' };
    const first = await core.call('settings.set', change, 'api', key);
    const again = await core.call('settings.set', change, 'api', key);
    expect(again).toEqual({ ...first, replayed: true });
    expect(JSON.stringify(again)).not.toMatch(/operators|tokenHash/);
  });

  it('shows the data directory and changes the mock gateway only with the test clock', async () => {
    const dataDir = tempDataDir();
    const core = await open(dataDir, { gateway: { successRate: 1, latencyMs: 0 } });
    const info = await must(core, 'system.info', {});
    expect(info).toEqual({
      dataDir,
      clock: 'test',
      gateway: { kind: 'mock', successRate: 1, latencyMs: 0, configurable: true },
      storage: { writes: 'ok', cause: null, repaired: null },
    });
    // No test payment method: the gateway draws the outcome from its success rate.
    const plain = { currency: 'USD', customerEmail: 'c@example.com' };
    expect((await must(core, 'payments.process', { ...plain, amount: '1' })).status).toBe(
      'COMPLETED',
    );
    expect(await must(core, 'gateway.configure', { successRate: 0 })).toEqual({
      successRate: 0,
      latencyMs: 0,
    });
    expect((await must(core, 'payments.process', { ...plain, amount: '2' })).status).toBe('FAILED');
    const bad = await core.call('gateway.configure', { successRate: 1.5 }, 'operator');
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'successRate' } });
    await core.close();
    cores = [];

    // Not stored: the next start takes the options it is given again.
    const system = await open(dataDir, {
      clock: 'system',
      gateway: { successRate: 1, latencyMs: 0 },
    });
    expect((await must(system, 'system.info', {})).gateway).toEqual({
      kind: 'mock',
      successRate: 1,
      latencyMs: 0,
      configurable: false,
    });
    const refused = await system.call('gateway.configure', { latencyMs: 10 }, 'operator');
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
