/**
 * The command layer through the core's public `call`: payments, refunds, undo/redo as
 * compensation, barriers, conflicts, and history that survives a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { must, openTestCore, tempDataDir } from '../helpers/core';

const visa = { currency: 'USD', customerEmail: 'ann@example.com', paymentMethod: 'pm_card_visa' };
let cores: Core[] = [];
async function open(dir?: string) {
  const core = await openTestCore(dir);
  cores.push(core);
  return core;
}
afterEach(async () => {
  await Promise.all(cores.map((c) => c.close()));
  cores = [];
});

describe('processing a payment', () => {
  it('stores integer minor units and completes with a transaction id', async () => {
    const core = await open();
    const payment = await must(core, 'payments.process', { ...visa, amount: '99.99' });
    expect(payment).toMatchObject({
      amount: 9999,
      currency: 'USD',
      status: 'COMPLETED',
      refundedAmount: 0,
    });
    expect(payment.transactionId).toMatch(/^txn_/);
    expect(payment.events.map((e) => e.type)).toEqual(['created', 'charge_attempted', 'succeeded']);
  });

  it('rejects bad input naming the field and changes nothing', async () => {
    const core = await open();
    const bad = await core.call('payments.process', { ...visa, amount: '99.999' }, 'operator');
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'amount' } });
    const email = await core.call(
      'payments.process',
      { ...visa, amount: '1', customerEmail: 'x' },
      'operator',
    );
    expect(email).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'customerEmail' },
    });
    const extra = await core.call(
      'payments.process',
      { ...visa, amount: '1', surprise: 1 },
      'operator',
    );
    expect(extra).toMatchObject({ ok: false, error: { code: 'validation' } });
    const list = await must(core, 'payments.list', {});
    expect(list.total).toBe(0);
    expect((await must(core, 'history.get', {})).undo).toHaveLength(0);
  });

  it('records a declined charge as FAILED but not on the undo stack', async () => {
    const core = await open();
    const payment = await must(core, 'payments.process', {
      ...visa,
      amount: '5.00',
      paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    });
    expect(payment).toMatchObject({ status: 'FAILED', failureCode: 'insufficient_funds' });
    expect((await must(core, 'history.get', {})).undo).toHaveLength(0);
    const audit = await must(core, 'audit.list', {});
    expect(audit.items[0]).toMatchObject({
      action: 'execute',
      outcome: 'declined',
      origin: 'operator',
    });
  });

  it('learns the outcome of a charge that timed out by looking it up', async () => {
    const core = await open();
    const payment = await must(core, 'payments.process', {
      ...visa,
      amount: '7.00',
      paymentMethod: 'pm_card_timeoutAfterCharge',
    });
    expect(payment.status).toBe('COMPLETED');
    expect(payment.events.map((e) => e.type)).toContain('reconciled');
  });
});

describe('undo and redo', () => {
  it('undoes a payment with a refund and redoes it as a new linked charge', async () => {
    const core = await open();
    const first = await must(core, 'payments.process', { ...visa, amount: '20.00' });
    const history = await must(core, 'history.get', {});
    expect(history.nextUndo).toBe('Charge $20.00 to ann@example.com');
    expect(history.undo[0]).toMatchObject({
      origin: 'operator',
      outcome: 'Completed',
      movesMoney: true,
    });

    const afterUndo = await must(core, 'history.undo', {});
    expect(afterUndo.undo).toHaveLength(0);
    expect(afterUndo.nextRedo).toBe('Charge $20.00 to ann@example.com');
    const refunded = await must(core, 'payments.get', { id: first.id });
    expect(refunded).toMatchObject({ status: 'REFUNDED', refundedAmount: 2000 });

    const afterRedo = await must(core, 'history.redo', {});
    expect(afterRedo.redo).toHaveLength(0);
    const list = await must(core, 'payments.list', { order: 'desc' });
    expect(list.total).toBe(2);
    expect(list.items[0]).toMatchObject({ status: 'COMPLETED', redoOf: first.id, amount: 2000 });
  });

  it('makes an explicit refund a barrier that undo does not cross', async () => {
    const core = await open();
    const p = await must(core, 'payments.process', { ...visa, amount: '30.00' });
    await must(core, 'payments.refund', { paymentId: p.id, amount: '10.00' });
    const history = await must(core, 'history.get', {});
    expect(history.undo[0]).toMatchObject({ barrier: true, kind: 'RefundPayment' });
    expect(history.nextUndo).toBeNull();
    const undo = await core.call('history.undo', {}, 'operator');
    expect(undo).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const deep = await core.call('history.undo', { toId: history.undo[1]!.id }, 'operator');
    expect(deep).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await must(core, 'payments.get', { id: p.id })).toMatchObject({ refundedAmount: 1000 });
  });

  it('allows several partial refunds but never more than the amount', async () => {
    const core = await open();
    const p = await must(core, 'payments.process', { ...visa, amount: '10.00' });
    await must(core, 'payments.refund', { paymentId: p.id, amount: '4.00' });
    expect(await must(core, 'payments.get', { id: p.id })).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
    });
    const tooMuch = await core.call(
      'payments.refund',
      { paymentId: p.id, amount: '6.01' },
      'operator',
    );
    expect(tooMuch).toMatchObject({ ok: false, error: { code: 'conflict', field: 'amount' } });
    const rest = await must(core, 'payments.refund', { paymentId: p.id });
    expect(rest).toMatchObject({ status: 'REFUNDED', refundedAmount: 1000 });
    const none = await core.call('payments.refund', { paymentId: p.id }, 'operator');
    expect(none).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const unknown = await core.call('payments.refund', { paymentId: 'pay_nope' }, 'operator');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('clears the redo stack when a new command runs', async () => {
    const core = await open();
    await must(core, 'payments.process', { ...visa, amount: '1.00' });
    await must(core, 'history.undo', {});
    expect((await must(core, 'history.get', {})).redo).toHaveLength(1);
    await must(core, 'payments.process', { ...visa, amount: '2.00' });
    expect((await must(core, 'history.get', {})).redo).toHaveLength(0);
  });

  it('undoes everything down to a chosen entry', async () => {
    const core = await open();
    for (const amount of ['1.00', '2.00', '3.00'])
      await must(core, 'payments.process', { ...visa, amount });
    const { undo } = await must(core, 'history.get', {});
    const view = await must(core, 'history.undo', { toId: undo[2]!.id });
    expect(view.undo).toHaveLength(0);
    expect(view.redo.map((e) => e.label)).toEqual([
      'Charge $1.00 to ann@example.com',
      'Charge $2.00 to ann@example.com',
      'Charge $3.00 to ann@example.com',
    ]);
    const redone = await must(core, 'history.redo', { toId: view.redo[1]!.id });
    expect(redone.undo.map((e) => e.label)).toEqual([
      'Charge $2.00 to ann@example.com',
      'Charge $1.00 to ann@example.com',
    ]);
  });

  it('says so when there is nothing to undo or redo', async () => {
    const core = await open();
    expect(await core.call('history.undo', {}, 'operator')).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await core.call('history.redo', {}, 'operator')).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('keeps history, audit and data across a restart', async () => {
    const dir = tempDataDir();
    const core = await open(dir);
    const p = await must(core, 'payments.process', { ...visa, amount: '12.34' });
    const before = await must(core, 'history.get', {});
    await core.close();
    const again = await open(dir);
    expect(await must(again, 'history.get', {})).toEqual(before);
    await must(again, 'history.undo', {});
    expect(await must(again, 'payments.get', { id: p.id })).toMatchObject({ status: 'REFUNDED' });
    const audit = await must(again, 'audit.list', {});
    expect(audit.items.map((a) => a.action)).toEqual(['undo', 'execute']);
  });
});
