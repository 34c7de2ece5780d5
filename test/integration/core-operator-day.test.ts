/**
 * "The operator's day" through the core: the scheduler's Stop and Start are not runs, one
 * meaning of "charged" (attempted, succeeded, failed) in labels and notices, a charge that
 * timed out says so in its timeline, and a past-due period dropped by a resume stays
 * visible until it is retried or forgiven.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { PushEvent } from '../../src/shared/contract';
import { must, openTestCore, tempDataDir } from '../helpers/core';
import { startApi } from './helpers/api-server';

let cores: Core[] = [];
async function open(successRate = 1, extra: Parameters<typeof openTestCore>[1] = {}) {
  const core = await openTestCore(tempDataDir(), {
    gateway: { latencyMs: 0, seed: 7, successRate },
    ...extra,
  });
  cores.push(core);
  return core;
}
afterEach(async () => {
  await Promise.all(cores.map((c) => c.close()));
  cores = [];
});

function subscribe(core: Core, customerEmail: string, extra: Record<string, unknown> = {}) {
  return must(core, 'subscriptions.create', {
    customerEmail,
    amount: '45.00',
    currency: 'USD',
    interval: 'MONTHLY',
    ...extra,
  });
}

describe('the scheduler', () => {
  it('keeps the last run through Stop and Start, and its notice names every failure', async () => {
    const core = await open(0, { scheduler: true, schedulerIntervalSeconds: 3600 });
    const notices: string[] = [];
    core.subscribe((e: PushEvent) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    await subscribe(core, 'ann@example.com');
    await subscribe(core, 'bob@example.com');
    await must(core, 'clock.advance', { seconds: 60 });
    await expect.poll(() => notices.length, { timeout: 5000 }).toBe(1);
    expect(notices[0]).toMatch(/2 scheduled charges failed/);
    expect(notices[0]).toContain('ann@example.com');
    expect(notices[0]).toContain('bob@example.com');
    const after = await must(core, 'scheduler.status', {});
    expect(after.lastRun).toEqual({ charged: 2, succeeded: 0, failed: 2 });
    await must(core, 'scheduler.stop', {});
    await must(core, 'scheduler.start', {});
    await new Promise((r) => setTimeout(r, 50));
    expect((await must(core, 'scheduler.status', {})).lastRun).toEqual(after.lastRun);
  });
});

describe('a charge that timed out', () => {
  it('says so in its timeline, before the outcome learnt by looking it up, across restarts', async () => {
    const dir = tempDataDir();
    let core = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7 } });
    const payment = await must(core, 'payments.process', {
      amount: '7.00',
      currency: 'USD',
      customerEmail: 'tim@example.com',
      paymentMethod: 'pm_card_timeoutAfterCharge',
    });
    const types = ['created', 'charge_attempted', 'timed_out', 'succeeded', 'reconciled'];
    expect(payment.events.map((e) => e.type)).toEqual(types);
    await core.close();
    // Written to the journal, then folded into the snapshot at close: both read it back.
    core = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7 } });
    cores.push(core);
    const again = await must(core, 'payments.get', { id: payment.id });
    expect(again.events).toEqual(payment.events);
  });
});

describe('the money an undo or a redo moves', () => {
  it('is told before, per currency, for one entry or down to one', async () => {
    const core = await open();
    const pay = (amount: string, currency: string) =>
      must(core, 'payments.process', { amount, currency, customerEmail: 'ann@example.com' });
    await pay('20.00', 'USD');
    await pay('10.00', 'EUR');
    await subscribe(core, 'sub@example.com');
    await must(core, 'recurring.run', {});
    const view = await must(core, 'history.get', {});
    const oldest = view.undo.at(-1)!.id;
    expect(await must(core, 'history.preview', { direction: 'undo' })).toEqual({
      entries: [view.undo[0]!.id],
      charges: 1,
      amounts: [{ currency: 'USD', amount: 4500 }],
    });
    const all = await must(core, 'history.preview', { direction: 'undo', toId: oldest });
    expect(all.entries).toEqual(view.undo.map((e) => e.id));
    expect(all.charges).toBe(3);
    expect(all.amounts).toEqual([
      { currency: 'EUR', amount: 1000 },
      { currency: 'USD', amount: 6500 },
    ]);
    await must(core, 'history.undo', { toId: oldest });
    const newest = view.undo[0]!.id;
    const redo = await must(core, 'history.preview', { direction: 'redo', toId: newest });
    expect(redo.amounts).toEqual(all.amounts);
    expect(redo.entries).toEqual([...all.entries].reverse());
  });
});

describe('a past-due subscription resumed', () => {
  const DAY = 86_400;

  /** A subscription whose first period failed, paused, then resumed 40 days later. */
  async function resumedPastDue(dir: string) {
    const core = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7, successRate: 0 } });
    const sub = await subscribe(core, 'late@example.com');
    await must(core, 'recurring.run', {});
    expect(await must(core, 'subscriptions.get', { id: sub.id })).toMatchObject({
      status: 'PAST_DUE',
      nextPeriod: 0,
    });
    await must(core, 'subscriptions.pause', { id: sub.id });
    await must(core, 'clock.advance', { seconds: 40 * DAY });
    const resumed = await must(core, 'subscriptions.resume', { id: sub.id });
    return { core, sub, resumed };
  }

  it('keeps its failed period, unpaid, instead of dropping it', async () => {
    const { core, resumed } = await resumedPastDue(tempDataDir());
    cores.push(core);
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.nextPeriod).toBeGreaterThan(0);
    expect(resumed.unpaidPeriods).toEqual([0]);
  });

  it('"Retry now" charges it (undo refunds it and it is unpaid again); a decline keeps it', async () => {
    const dir = tempDataDir();
    const first = await resumedPastDue(dir);
    const declined = await must(first.core, 'subscriptions.retryFailed', {
      id: first.sub.id,
      period: 0,
    });
    expect(declined).toMatchObject({ status: 'FAILED', period: 0 });
    expect(
      (await must(first.core, 'subscriptions.get', { id: first.sub.id })).unpaidPeriods,
    ).toEqual([0]);
    await first.core.close();

    // The card works again.
    const again = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7, successRate: 1 } });
    cores.push(again);
    const paid = await must(again, 'subscriptions.retryFailed', { id: first.sub.id, period: 0 });
    expect(paid).toMatchObject({ status: 'COMPLETED', period: 0, amount: 4500 });
    const after = await must(again, 'subscriptions.get', { id: first.sub.id });
    expect(after.unpaidPeriods).toEqual([]);
    const history = await must(again, 'history.get', {});
    expect(history.undo[0]).toMatchObject({ kind: 'RetryFailedPeriod', movesMoney: true });
    expect(history.undo[0]!.label).toMatch(/period 1/);

    await must(again, 'history.undo', {});
    expect((await must(again, 'payments.get', { id: paid.id })).status).toBe('REFUNDED');
    expect((await must(again, 'subscriptions.get', { id: first.sub.id })).unpaidPeriods).toEqual([
      0,
    ]);
    await must(again, 'history.redo', {});
    expect((await must(again, 'subscriptions.get', { id: first.sub.id })).unpaidPeriods).toEqual(
      [],
    );
  });

  it('"Forgive" drops it, undoably, and refuses a period that is not unpaid', async () => {
    const { core, sub } = await resumedPastDue(tempDataDir());
    cores.push(core);
    const forgiven = await must(core, 'subscriptions.forgiveFailed', { id: sub.id, period: 0 });
    expect(forgiven.unpaidPeriods).toEqual([]);
    const history = await must(core, 'history.get', {});
    expect(history.undo[0]).toMatchObject({ kind: 'ForgiveFailedPeriod', movesMoney: false });
    await must(core, 'history.undo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).unpaidPeriods).toEqual([0]);
    const refused = await core.call(
      'subscriptions.forgiveFailed',
      { id: sub.id, period: 5 },
      'operator',
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('keeps it across a restart (journal and snapshot)', async () => {
    const dir = tempDataDir();
    const { core, sub } = await resumedPastDue(dir);
    await core.close();
    const again = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7 } });
    cores.push(again);
    expect((await must(again, 'subscriptions.get', { id: sub.id })).unpaidPeriods).toEqual([0]);
  });
});

describe('REST: an unpaid period', () => {
  it('is listed as unpaid_periods, and retry-failed/ and forgive-failed/ answer it', async () => {
    const api = await startApi({ core: { gateway: { latencyMs: 0, seed: 7, successRate: 0 } } });
    try {
      const created = await api.post('subscriptions/', {
        customer_email: 'rest@example.com',
        amount: '45.00',
        currency: 'USD',
        interval: 'MONTHLY',
      });
      const id = created.json.id as string;
      await api.post('payments/process-recurring/', {});
      await api.post(`subscriptions/${id}/pause/`, {});
      await api.post('clock/advance/', { seconds: 40 * 86_400 });
      const resumed = await api.post(`subscriptions/${id}/resume/`, {});
      expect(resumed.json.unpaid_periods).toEqual([0]);
      const retried = await api.post(`subscriptions/${id}/retry-failed/`, { period: 0 });
      expect(retried.status).toBe(200);
      expect(retried.json).toMatchObject({ status: 'FAILED', subscription_id: id });
      const forgiven = await api.post(`subscriptions/${id}/forgive-failed/`, { period: 0 });
      expect(forgiven.json.unpaid_periods).toEqual([]);
      const again = await api.post(`subscriptions/${id}/forgive-failed/`, { period: 0 });
      expect(again.status).toBe(409);
    } finally {
      await api.dispose();
    }
  });
});
