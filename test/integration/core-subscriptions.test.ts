/**
 * Subscriptions through the core: creation, the schedule, recurring runs with catch-up,
 * retries and automatic pause, pause/resume/cancel with undo, and rule 4 (one successful
 * charge per period) under overlapping runs and restarts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { must, openTestCore, tempDataDir } from '../helpers/core';

const DAY = 86_400;
let cores: Core[] = [];
async function open(dir?: string, successRate = 1) {
  const core = await openTestCore(dir, { gateway: { latencyMs: 0, seed: 7, successRate } });
  cores.push(core);
  return core;
}
afterEach(async () => {
  await Promise.all(cores.map((c) => c.close()));
  cores = [];
});

async function now(core: Core) {
  return new Date((await must(core, 'clock.get', {})).now);
}

async function subscribe(core: Core, extra: Record<string, unknown> = {}) {
  return must(core, 'subscriptions.create', {
    customerEmail: 'sub@example.com',
    amount: '29.99',
    currency: 'USD',
    interval: 'MONTHLY',
    ...extra,
  });
}

describe('subscriptions', () => {
  it('starts now by default and is charged when the scheduler runs at or after the start', async () => {
    const core = await open();
    const sub = await subscribe(core);
    expect(sub).toMatchObject({ status: 'ACTIVE', amount: 2999, intervalCount: 1, nextPeriod: 0 });
    expect(sub.nextPaymentDate).toBe((await now(core)).toISOString());
    const run = await must(core, 'recurring.run', {});
    expect(run).toMatchObject({ charged: 1, succeeded: 1, failed: 0 });
    const after = await must(core, 'subscriptions.get', { id: sub.id });
    expect(after.nextPeriod).toBe(1);
    expect(after.charges).toHaveLength(1);
    expect(after.charges[0]).toMatchObject({ amount: 2999, period: 0, subscriptionId: sub.id });
    expect(new Date(after.nextPaymentDate!).getUTCMonth()).toBe(
      ((await now(core)).getUTCMonth() + 1) % 12,
    );
  });

  it('catches up missed periods with one charge each, anchored on the start date', async () => {
    const core = await open();
    const start = new Date((await now(core)).getTime());
    await must(core, 'clock.advance', { to: new Date(Date.UTC(2031, 0, 31, 9)).toISOString() });
    const sub = await subscribe(core, { startDate: '2031-01-31T09:00:00Z' });
    expect(start.getTime()).toBeLessThan(Date.parse(sub.nextPaymentDate!));
    await must(core, 'clock.advance', { to: '2031-04-01T00:00:00Z' });
    const run = await must(core, 'recurring.run', {});
    expect(run.succeeded).toBe(3); // Jan 31, Feb 28, Mar 31
    const detail = await must(core, 'subscriptions.get', { id: sub.id });
    expect(detail.charges.map((c) => c.period)).toEqual([0, 1, 2]);
    expect(detail.nextPaymentDate).toBe('2031-04-30T09:00:00.000Z');
    // Nothing more is due: a second run charges nothing.
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);
  });

  it.each([
    ['monthly from 2000', 'MONTHLY', '2000-01-01T00:00:00Z'],
    ['daily from 1990', 'DAILY', '1990-01-01T00:00:00Z'],
  ])(
    'back-dated (%s): the start sets the anchor only; no period before the creation is charged',
    async (_name, interval, startDate) => {
      const core = await open();
      // Far ahead of the test clock, which starts at the real time (a fixed date near today
      // would one day lie behind it, and the clock only moves forward).
      await must(core, 'clock.advance', { to: '2040-12-01T10:00:00Z' });
      const sub = await subscribe(core, { interval, startDate });
      expect(Date.parse(sub.nextPaymentDate!)).toBeGreaterThanOrEqual(Date.parse(sub.createdAt));
      expect(sub.billingAnchor).toBe(new Date(startDate).toISOString());
      expect((await must(core, 'recurring.run', {})).charged).toBe(0);
      await must(core, 'clock.advance', { to: sub.nextPaymentDate! });
      const run = await must(core, 'recurring.run', {});
      expect(run.charged).toBe(1);
      expect(run.payments[0]?.period).toBe(sub.nextPeriod);
    },
  );

  it('holds a subscription with more than 3 periods to catch up for review, charging none', async () => {
    const core = await open();
    const sub = await subscribe(core, { interval: 'WEEKLY' });
    expect((await must(core, 'recurring.run', {})).charged).toBe(1);
    // The app was closed for five weeks.
    await must(core, 'clock.advance', { seconds: 5 * 7 * DAY + 60 });
    const run = await must(core, 'recurring.run', {});
    expect(run.charged).toBe(0);
    const held = await must(core, 'subscriptions.get', { id: sub.id });
    expect(held.review).toMatchObject({ fromPeriod: 1, toPeriod: 5 });
    expect(held.nextPaymentDate).toBeNull();
    const audit = (await must(core, 'audit.list', {})).items[0];
    expect(audit).toMatchObject({
      kind: 'RunRecurring',
      label: expect.stringMatching(/1 held for review/),
    });
    // Still held: the next run charges nothing either.
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);

    const charged = await must(core, 'subscriptions.chargeMissed', { id: sub.id });
    expect(charged.payments.map((p) => [p.period, p.status])).toEqual([
      [1, 'COMPLETED'],
      [2, 'COMPLETED'],
      [3, 'COMPLETED'],
      [4, 'COMPLETED'],
      [5, 'COMPLETED'],
    ]);
    const after = await must(core, 'subscriptions.get', { id: sub.id });
    expect(after).toMatchObject({ review: null, nextPeriod: 6 });
    // Its undo refunds them all; its redo charges them again.
    await must(core, 'history.undo', {});
    for (const p of charged.payments) {
      expect((await must(core, 'payments.get', { id: p.id })).status).toBe('REFUNDED');
    }
  });

  it("skips the missed periods at the operator's word, and its undo holds them again", async () => {
    const core = await open();
    const sub = await subscribe(core, { interval: 'DAILY' });
    await must(core, 'recurring.run', {});
    await must(core, 'clock.advance', { seconds: 10 * DAY + 60 });
    await must(core, 'recurring.run', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).review).not.toBeNull();
    const skipped = await must(core, 'subscriptions.skipMissed', { id: sub.id });
    expect(skipped).toMatchObject({ review: null, nextPeriod: 11 });
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);
    await must(core, 'history.undo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).review).toMatchObject({
      fromPeriod: 1,
      toPeriod: 10,
    });
    const refused = await core.call('subscriptions.skipMissed', { id: 'sub_nope' }, 'operator');
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('rejects interval counts beyond three years, naming the field', async () => {
    const core = await open();
    const r = await core.call(
      'subscriptions.create',
      {
        customerEmail: 'a@b.co',
        amount: '1',
        currency: 'USD',
        interval: 'MONTHLY',
        intervalCount: 37,
      },
      'operator',
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'validation', field: 'intervalCount' } });
  });

  it('retries a failed period after 1, 3 and 5 days, then pauses with the reason', async () => {
    const core = await open(undefined, 0);
    const sub = await subscribe(core);
    await must(core, 'recurring.run', {});
    let s = await must(core, 'subscriptions.get', { id: sub.id });
    expect(s).toMatchObject({ status: 'PAST_DUE', failedAttempts: 1 });
    const retries = [1, 3, 5];
    for (const [i, days] of retries.entries()) {
      const due = Date.parse(s.nextPaymentDate!);
      const delay = s.charges.at(-1)!.failureCode === 'processing_error' ? 3600 : DAY;
      expect(due - Date.parse(s.charges.at(-1)!.createdAt)).toBe(days * delay * 1000);
      await must(core, 'clock.advance', { to: new Date(due).toISOString() });
      await must(core, 'recurring.run', {});
      s = await must(core, 'subscriptions.get', { id: sub.id });
      expect(s.failedAttempts).toBe(i + 2);
    }
    expect(s.status).toBe('PAUSED');
    expect(s.pauseReason).toMatch(/4 failed charges/);
    expect(s.charges).toHaveLength(4);
    expect(new Set(s.charges.map((c) => c.idempotencyKey)).size).toBe(4);
  });

  it('skips periods that fall due while paused, and undo of pause resumes', async () => {
    const core = await open();
    const sub = await subscribe(core, { interval: 'DAILY' });
    await must(core, 'recurring.run', {});
    await must(core, 'subscriptions.pause', { id: sub.id });
    await must(core, 'clock.advance', { seconds: 5 * DAY + 60 });
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);
    const resumed = await must(core, 'subscriptions.resume', { id: sub.id });
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.nextPeriod).toBe(6);
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);

    // Undo the resume (back to paused), then undo the pause (active again).
    await must(core, 'history.undo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).status).toBe('PAUSED');
  });

  it('undoes a cancellation back to the previous status, and undoes creation by cancelling', async () => {
    const core = await open();
    const sub = await subscribe(core);
    await must(core, 'subscriptions.cancel', { id: sub.id });
    expect((await must(core, 'subscriptions.get', { id: sub.id })).status).toBe('CANCELLED');
    await must(core, 'history.undo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).status).toBe('ACTIVE');
    await must(core, 'history.undo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).status).toBe('CANCELLED');
    await must(core, 'history.redo', {});
    expect((await must(core, 'subscriptions.get', { id: sub.id })).status).toBe('ACTIVE');
    const list = await must(core, 'subscriptions.list', {});
    expect(list.total).toBe(1);
  });

  it('undoes a recurring run by refunding and waiving its periods; redo charges them again', async () => {
    const core = await open();
    const sub = await subscribe(core, { interval: 'WEEKLY' });
    await must(core, 'clock.advance', { seconds: 14 * DAY });
    const run = await must(core, 'recurring.run', {});
    expect(run.succeeded).toBe(3);
    await must(core, 'history.undo', {});
    let s = await must(core, 'subscriptions.get', { id: sub.id });
    expect(s.waivedPeriods).toEqual([0, 1, 2]);
    expect(s.charges.every((c) => c.status === 'REFUNDED')).toBe(true);
    // The timer never charges waived periods by itself.
    expect((await must(core, 'recurring.run', {})).charged).toBe(0);
    await must(core, 'history.redo', {});
    s = await must(core, 'subscriptions.get', { id: sub.id });
    expect(s.waivedPeriods).toEqual([]);
    const live = s.charges.filter((c) => c.status === 'COMPLETED');
    expect(live.map((c) => c.period).sort()).toEqual([0, 1, 2]);
    expect(new Set(s.charges.map((c) => c.idempotencyKey)).size).toBe(6);
  });

  it('never charges a period twice, whatever overlapping runs and restarts do', async () => {
    const dir = tempDataDir();
    const core = await open(dir);
    const subs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        subscribe(core, { customerEmail: `s${i}@example.com`, interval: 'DAILY' }),
      ),
    );
    // Three periods each to catch up (0, 1 and 2): the most a run charges by itself.
    await must(core, 'clock.advance', { seconds: 2 * DAY });
    const runs = await Promise.all([
      core.call('recurring.run', {}, 'operator'),
      core.call('recurring.run', {}, 'api'),
      core.call('scheduler.run', {}, 'scheduler'),
    ]);
    expect(runs.every((r) => r.ok)).toBe(true);
    await core.close();
    const again = await open(dir);
    await must(again, 'recurring.run', {});
    for (const sub of subs) {
      const detail = await must(again, 'subscriptions.get', { id: sub.id });
      const periods = detail.charges.filter((c) => c.status === 'COMPLETED').map((c) => c.period);
      expect(periods).toEqual([0, 1, 2]);
    }
  });
});
