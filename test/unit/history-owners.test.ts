/**
 * Undo per operator, as pure functions over the shared stacks (core/history-owners.ts):
 * each operator's entries, taking one off (a pop on top, else by id), clearing only one
 * operator's redo entries, and the colleague who changed an entry's record since.
 */
import { describe, expect, it } from 'vitest';
import {
  changedSince,
  changedSinceMessage,
  clearRedo,
  entriesOf,
  recordsOf,
  takeOff,
} from '../../src/main/core/history-owners';
import type { HistoryEntry, OperatorRef } from '../../src/shared/domain';
import { historyEntry } from './store-fixtures';

const OTTO: OperatorRef = { id: 'opr_otto', name: 'Otto' };
const VERA: OperatorRef = { id: 'opr_vera', name: 'Vera' };

const charge = (id: string, operator: OperatorRef | null, payment = `pay_${id}`): HistoryEntry =>
  historyEntry(id, {
    operator,
    label: `Charge ${id}`,
    memo: { paymentId: payment, firstPaymentId: payment },
  });

describe('each operator’s stacks', () => {
  const stack = [charge('a', OTTO), charge('b', VERA), charge('c', OTTO), charge('d', null)];

  it('are their entries in the shared stack, in order; the desk’s are the unnamed ones', () => {
    expect(entriesOf(stack, OTTO.id).map((e) => e.id)).toEqual(['a', 'c']);
    expect(entriesOf(stack, VERA.id).map((e) => e.id)).toEqual(['b']);
    expect(entriesOf(stack, null).map((e) => e.id)).toEqual(['d']);
    // The single desk: every entry is its own, and it gets the stack itself.
    const desk = [charge('x', null), charge('y', null)];
    expect(entriesOf(desk, null)).toBe(desk);
  });

  it('take an entry off by a pop when it is on top, else by its id', () => {
    expect(takeOff('undo', stack, stack[3]!)).toEqual({ t: 'undo.pop' });
    expect(takeOff('undo', stack, stack[2]!)).toEqual({ t: 'undo.remove', v: 'c' });
    expect(takeOff('redo', stack, stack[0]!)).toEqual({ t: 'redo.remove', v: 'a' });
  });

  it('clear only the operator’s redo entries (all of them at once when all are theirs)', () => {
    expect(clearRedo(stack, OTTO.id)).toEqual([
      { t: 'redo.remove', v: 'a' },
      { t: 'redo.remove', v: 'c' },
    ]);
    expect(clearRedo([charge('x', null)], null)).toEqual([{ t: 'redo.clear' }]);
    expect(clearRedo(stack, 'opr_nobody')).toEqual([]);
  });
});

describe('a colleague’s change since', () => {
  const mine = charge('a', OTTO, 'pay_1');
  const records = (e: HistoryEntry) => recordsOf(e);

  it('names the records of an entry from its parameters and memo', () => {
    const run = historyEntry('run', {
      kind: 'RunRecurring',
      params: {},
      memo: { charges: [{ paymentId: 'pay_9', subscriptionId: 'sub_9', period: 0 }] },
    });
    expect([...recordsOf(run)].sort()).toEqual(['pay_9', 'sub_9']);
    const pause = historyEntry('p', {
      params: { subscriptionId: 'sub_1' },
      memo: { subscriptionId: 'sub_1', previousStatus: 'ACTIVE' },
    });
    expect([...recordsOf(pause)]).toEqual(['sub_1']);
  });

  it('is the newest entry of another operator above it that names one of its records', () => {
    const refund = historyEntry('r', {
      kind: 'RefundPayment',
      operator: VERA,
      label: 'Refund $5.00 to ann@example.com',
      createdAt: '2026-03-10T12:34:56.000Z',
      params: { paymentId: 'pay_1', amount: 500 },
      memo: { paymentId: 'pay_1', amount: 500 },
    });
    const stack = [mine, charge('b', VERA, 'pay_2'), refund, charge('c', OTTO, 'pay_1')];
    const changed = changedSince(stack, mine, records);
    expect(changed).toMatchObject({ by: { id: 'r' }, record: 'pay_1' });
    expect(changedSinceMessage(mine, changed!)).toBe(
      'Cannot undo "Charge a": Vera changed payment pay_1 since ("Refund $5.00 to ann@example.com", 2026-03-10 12:34 UTC). Nothing was changed.',
    );
    // Below it, their own, Paydesk's (no operator) or other records: no colleague's change.
    expect(changedSince([refund, mine], mine, records)).toBeNull();
    expect(changedSince([mine, charge('c', OTTO, 'pay_1')], mine, records)).toBeNull();
    expect(changedSince([mine, charge('d', null, 'pay_1')], mine, records)).toBeNull();
    expect(changedSince([mine, charge('b', VERA, 'pay_2')], mine, records)).toBeNull();
  });
});
