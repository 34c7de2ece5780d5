/**
 * The chaos harness's invariants on small hand-made ledgers, states and answer logs: each
 * holds on a consistent case, and each reports the violation it exists for.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerReader } from './harness';
import {
  HistoryModel,
  checkAcknowledged,
  checkMoney,
  checkNothingCreated,
  checkPeriodsChargedOnce,
  checkRequestsChargedOnce,
  checkStatus,
  checkSubscriptionsOnce,
  compareReplay,
  fromMinor,
  parseLedger,
  toMinor,
  type Ack,
  type ApiPayment,
  type ApiSubscription,
  type ChargeEntry,
  type CheckResult,
  type Counts,
  type HistoryView,
  type LedgerEntry,
  type RefundEntry,
} from './invariants';

const AT = '2026-01-01T00:00:00.000Z';

function charge(
  key: string,
  txn: string | null,
  amount = 1000,
  description: string | null = null,
): ChargeEntry {
  return {
    type: 'charge',
    idempotencyKey: key,
    amount,
    currency: 'USD',
    customerEmail: 'a@example.com',
    paymentMethod: null,
    description,
    result:
      txn === null
        ? { status: 'failed', code: 'card_declined', message: 'Your card was declined.' }
        : { status: 'succeeded', transactionId: txn },
    timedOut: false,
    at: AT,
  };
}

function refund(key: string, txn: string, amount: number): RefundEntry {
  return {
    type: 'refund',
    idempotencyKey: key,
    transactionId: txn,
    amount,
    refundId: `re_${key}`,
    at: AT,
  };
}

function payment(id: string, fields: Partial<ApiPayment> = {}): ApiPayment {
  return {
    id,
    amount: '10.00',
    currency: 'USD',
    status: 'COMPLETED',
    transaction_id: `txn_${id}`,
    customer_email: 'a@example.com',
    description: null,
    failure_code: null,
    refunded_amount: '0.00',
    subscription_id: null,
    ...fields,
  };
}

const invariantsOf = (r: CheckResult) => r.violations.map((v) => v.invariant);

describe('money parsing', () => {
  it('reads decimal strings exactly in minor units', () => {
    expect(toMinor('12.34', 'USD')).toBe(1234);
    expect(toMinor('0.07', 'USD')).toBe(7);
    expect(toMinor('12.3', 'USD')).toBe(1230);
    expect(toMinor('12', 'USD')).toBe(1200);
    expect(toMinor('1234', 'JPY')).toBe(1234);
    expect(toMinor('12.345', 'USD')).toBeNull();
    expect(toMinor('12.5', 'JPY')).toBeNull();
    expect(toMinor('-1.00', 'USD')).toBeNull();
    expect(toMinor('1e3', 'USD')).toBeNull();
    expect(fromMinor(1234, 'USD')).toBe('12.34');
    expect(fromMinor(7, 'USD')).toBe('0.07');
    expect(fromMinor(1234, 'JPY')).toBe('1234');
  });
});

describe('parseLedger', () => {
  const line = (e: LedgerEntry) => JSON.stringify(e);

  it('ignores a torn last line', () => {
    const text = `${line(charge('k1', 'txn_1'))}\n${line(charge('k2', 'txn_2')).slice(0, 40)}`;
    const parsed = parseLedger(text);
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.problems).toEqual([]);
  });

  it('reports a bad line that is not the last', () => {
    const text = `{"type":"charge"\n${line(charge('k2', 'txn_2'))}\n`;
    const parsed = parseLedger(text);
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.problems).toHaveLength(1);
  });
});

describe('LedgerReader', () => {
  it('reads what was appended since, and a torn tail only once it is whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-ledger-'));
    try {
      const file = join(dir, 'gateway-ledger.jsonl');
      const reader = new LedgerReader(file);
      expect(reader.read().entries).toEqual([]);
      const second = JSON.stringify(charge('k2', 'txn_2'));
      writeFileSync(file, `${JSON.stringify(charge('k1', 'txn_1'))}\n${second.slice(0, 30)}`);
      expect(reader.read().entries.map((e) => e.idempotencyKey)).toEqual(['k1']);
      appendFileSync(file, `${second.slice(30)}`);
      expect(reader.read().entries.map((e) => e.idempotencyKey)).toEqual(['k1', 'k2']);
      appendFileSync(file, `\n${JSON.stringify(refund('r1', 'txn_1', 5))}\n`);
      const all = reader.read();
      expect(all.entries.map((e) => e.idempotencyKey)).toEqual(['k1', 'k2', 'r1']);
      expect(all.problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkMoney', () => {
  const ledger = [
    charge('charge_a', 'txn_a'),
    charge('charge_b', 'txn_b'),
    refund('refund_b_1', 'txn_b', 400),
    charge('charge_c', null),
  ];
  const payments = [
    payment('a'),
    payment('b', { status: 'PARTIALLY_REFUNDED', refunded_amount: '4.00' }),
    payment('c', { status: 'FAILED', transaction_id: null, failure_code: 'card_declined' }),
  ];

  it('holds when every charge has its payment and the refunds agree', () => {
    const result = checkMoney(ledger, payments);
    expect(result.violations).toEqual([]);
    expect(result.checks).toBeGreaterThan(5);
  });

  it('reports a successful charge without a payment (a charge the app lost)', () => {
    const result = checkMoney([...ledger, charge('charge_d', 'txn_d')], payments);
    expect(invariantsOf(result)).toEqual(['charge-has-one-payment']);
  });

  it('reports a charge with two payments', () => {
    const twin = payment('a2', { transaction_id: 'txn_a' });
    expect(invariantsOf(checkMoney(ledger, [...payments, twin]))).toEqual([
      'charge-has-one-payment',
    ]);
  });

  it('reports a charged payment that the gateway never charged', () => {
    const ghost = payment('e');
    expect(invariantsOf(checkMoney(ledger, [...payments, ghost]))).toEqual(['payment-has-charge']);
  });

  it('reports a payment whose amount differs from its charge', () => {
    const wrong = [payment('a', { amount: '11.00' }), ...payments.slice(1)];
    expect(invariantsOf(checkMoney(ledger, wrong))).toContain('payment-has-charge');
  });

  it('reports a refund made at the gateway that the app does not show (a lost refund)', () => {
    const result = checkMoney([...ledger, refund('refund_a_1', 'txn_a', 250)], payments);
    expect(invariantsOf(result)).toEqual(['refunds-match-ledger']);
  });

  it('reports a refund the app shows but the gateway never made', () => {
    const shown = [
      payment('a', { status: 'PARTIALLY_REFUNDED', refunded_amount: '1.00' }),
      ...payments.slice(1),
    ];
    expect(invariantsOf(checkMoney(ledger, shown))).toEqual(['refunds-match-ledger']);
  });

  it('reports more refunded than the amount, and a status that contradicts the refunds', () => {
    const over = [
      payment('a', { status: 'REFUNDED', refunded_amount: '12.00' }),
      ...payments.slice(1),
    ];
    expect(invariantsOf(checkMoney(ledger, over))).toContain('refunds-match-ledger');
    const status = [payment('a', { status: 'REFUNDED' }), ...payments.slice(1)];
    expect(invariantsOf(checkMoney(ledger, status))).toEqual(['refunds-match-ledger']);
  });

  it('reports a payment still PENDING after start-up', () => {
    const pending = payment('p', { status: 'PENDING', transaction_id: null });
    expect(invariantsOf(checkMoney(ledger, [...payments, pending]))).toEqual([
      'no-pending-after-start',
    ]);
  });

  it('accepts a FAILED interrupted payment the gateway never saw', () => {
    const interrupted = payment('i', {
      status: 'FAILED',
      transaction_id: null,
      failure_code: 'interrupted',
    });
    expect(checkMoney(ledger, [...payments, interrupted]).violations).toEqual([]);
  });
});

describe('checkPeriodsChargedOnce', () => {
  it('reports a period charged twice', () => {
    const ledger = [charge('sub_sub_1_p3_a1', 'txn_1'), charge('sub_sub_1_p3_a2', 'txn_2')];
    const result = checkPeriodsChargedOnce(ledger);
    expect(invariantsOf(result)).toEqual(['period-charged-once']);
    expect(result.violations[0]?.message).toContain('sub_1 period 3');
  });

  it('parses the subscription id up to the last _p<n>_a<m>', () => {
    const ledger = [charge('sub_a_p1_x_p3_a1', 'txn_1'), charge('sub_a_p1_x_p4_a1', 'txn_2')];
    expect(checkPeriodsChargedOnce(ledger).violations).toEqual([]);
  });

  it('accepts a declined attempt followed by a successful one, and other periods', () => {
    const ledger = [
      charge('sub_s_p0_a1', null),
      charge('sub_s_p0_a2', 'txn_1'),
      charge('sub_s_p1_a1', 'txn_2'),
      charge('sub_t_p0_a1', 'txn_3'),
    ];
    expect(checkPeriodsChargedOnce(ledger).violations).toEqual([]);
  });

  it('accepts a charge again after a full refund (undo, then redo)', () => {
    const ledger = [
      charge('sub_s_p0_a1', 'txn_1'),
      refund('r1', 'txn_1', 1000),
      charge('sub_s_p0_a2', 'txn_2'),
    ];
    expect(checkPeriodsChargedOnce(ledger).violations).toEqual([]);
  });

  it('reports a charge again after a partial refund, or before the refund', () => {
    const partial = [
      charge('sub_s_p0_a1', 'txn_1'),
      refund('r1', 'txn_1', 999),
      charge('sub_s_p0_a2', 'txn_2'),
    ];
    expect(invariantsOf(checkPeriodsChargedOnce(partial))).toEqual(['period-charged-once']);
    const late = [
      charge('sub_s_p0_a1', 'txn_1'),
      charge('sub_s_p0_a2', 'txn_2'),
      refund('r1', 'txn_1', 1000),
    ];
    expect(invariantsOf(checkPeriodsChargedOnce(late))).toEqual(['period-charged-once']);
  });
});

describe('checkRequestsChargedOnce', () => {
  it('reports one request charged twice (a retry after a kill charged again)', () => {
    const ledger = [
      charge('charge_pay_1', 'txn_1', 1000, 'chaos:p0-r1-3'),
      charge('charge_pay_2', 'txn_2', 1000, 'chaos:p0-r1-3'),
    ];
    expect(invariantsOf(checkRequestsChargedOnce(ledger))).toEqual(['request-charged-once']);
  });

  it('accepts an interrupted attempt followed by a charge, a redo after an undo, other requests', () => {
    const ledger = [
      charge('charge_pay_1', null, 1000, 'chaos:k1'),
      charge('charge_pay_2', 'txn_2', 1000, 'chaos:k1'),
      charge('charge_pay_3', 'txn_3', 1000, 'chaos:k2'),
      refund('refund_pay_3_1', 'txn_3', 1000),
      charge('charge_pay_4', 'txn_4', 1000, 'chaos:k2'),
      charge('charge_pay_5', 'txn_5', 1000, 'someone else'),
      charge('charge_pay_6', 'txn_6', 1000, 'someone else'),
    ];
    expect(checkRequestsChargedOnce(ledger).violations).toEqual([]);
  });
});

describe('checkSubscriptionsOnce', () => {
  const sub = (id: string, email: string): ApiSubscription => ({
    id,
    customer_email: email,
    amount: '5.00',
    currency: 'USD',
    interval: 'DAILY',
    status: 'ACTIVE',
  });

  it('reports one request that created two subscriptions', () => {
    const subs = [
      sub('sub_1', 'sub7@chaos.test'),
      sub('sub_2', 'sub7@chaos.test'),
      sub('sub_3', 'sub8@chaos.test'),
    ];
    expect(invariantsOf(checkSubscriptionsOnce(subs))).toEqual(['subscription-once']);
  });

  it('holds with one subscription per key', () => {
    const subs = [
      sub('sub_1', 'sub7@chaos.test'),
      sub('sub_3', 'sub8@chaos.test'),
      sub('x', 'a@b.example'),
    ];
    expect(checkSubscriptionsOnce(subs).violations).toEqual([]);
  });
});

function ack(kind: Ack['kind'], body: unknown, fields: Partial<Ack> = {}): Ack {
  return {
    key: 'k1',
    kind,
    method: 'POST',
    path: 'payments/process/',
    body: {},
    status: 201,
    text: JSON.stringify(body),
    replayed: false,
    round: 0,
    clockMs: 0,
    ...fields,
  };
}

describe('checkAcknowledged', () => {
  const state = (payments: ApiPayment[], subscriptions: ApiSubscription[] = [], clockMs = 0) => ({
    payments,
    subscriptions,
    clockMs,
  });

  it('accepts payments that moved forward (refunded since, PENDING settled)', () => {
    const acks = [
      ack('pay', payment('a')),
      ack('pay', payment('b', { status: 'PENDING', transaction_id: null }), { key: 'k2' }),
      ack(
        'run',
        { charged: 1, succeeded: 1, failed: 0, payments: [payment('c')] },
        { key: 'k3', status: 200 },
      ),
    ];
    const now = [
      payment('a', { status: 'REFUNDED', refunded_amount: '10.00' }),
      payment('b', { status: 'FAILED', transaction_id: null, failure_code: 'interrupted' }),
      payment('c', { status: 'PARTIALLY_REFUNDED', refunded_amount: '1.00' }),
    ];
    expect(checkAcknowledged(acks, state(now)).violations).toEqual([]);
  });

  it('reports an acknowledged payment that is gone after the restart', () => {
    expect(invariantsOf(checkAcknowledged([ack('pay', payment('a'))], state([])))).toEqual([
      'acknowledged-kept',
    ]);
  });

  it('reports an acknowledged charge that went back (COMPLETED to FAILED, less refunded)', () => {
    const back = payment('a', { status: 'FAILED', transaction_id: null });
    expect(invariantsOf(checkAcknowledged([ack('pay', payment('a'))], state([back])))).toContain(
      'acknowledged-kept',
    );
    const refunded = ack(
      'refund',
      payment('a', { status: 'PARTIALLY_REFUNDED', refunded_amount: '3.00' }),
      {
        status: 200,
      },
    );
    const lost = payment('a', { status: 'COMPLETED', refunded_amount: '0.00' });
    expect(invariantsOf(checkAcknowledged([refunded], state([lost])))).toContain(
      'acknowledged-kept',
    );
  });

  it('reports an acknowledged subscription that is gone, and a clock that went back', () => {
    const s: ApiSubscription = {
      id: 'sub_1',
      customer_email: 'sub1@chaos.test',
      amount: '5.00',
      currency: 'USD',
      interval: 'DAILY',
      status: 'ACTIVE',
    };
    expect(invariantsOf(checkAcknowledged([ack('subscribe', s)], state([])))).toEqual([
      'acknowledged-kept',
    ]);
    expect(checkAcknowledged([ack('subscribe', s)], state([], [s])).violations).toEqual([]);
    const advance = ack(
      'advance',
      { mode: 'test', now: '2026-01-02T00:00:00.000Z' },
      { status: 200 },
    );
    expect(invariantsOf(checkAcknowledged([advance], state([], [], Date.parse(AT))))).toEqual([
      'acknowledged-kept',
    ]);
    expect(
      checkAcknowledged([advance], state([], [], Date.parse('2026-01-02T00:00:00.000Z')))
        .violations,
    ).toEqual([]);
  });

  it('does not check error answers', () => {
    const refused = ack('refund', { error: { code: 'conflict', message: 'no' } }, { status: 409 });
    expect(checkAcknowledged([refused], state([])).violations).toEqual([]);
  });
});

describe('replays', () => {
  const first = ack('pay', { id: 'a', status: 'COMPLETED', amount: '1.00' });

  it('accepts the same status and body, in any key order, marked replayed', () => {
    const text = JSON.stringify({ amount: '1.00', status: 'COMPLETED', id: 'a' });
    expect(compareReplay(first, { status: 201, text, replayed: true }).violations).toEqual([]);
  });

  it('reports another body, another status, or a missing replay header', () => {
    const other = JSON.stringify({ id: 'b', status: 'COMPLETED', amount: '1.00' });
    expect(
      invariantsOf(compareReplay(first, { status: 201, text: other, replayed: true })),
    ).toEqual(['replay-same-answer']);
    expect(
      invariantsOf(compareReplay(first, { status: 200, text: first.text, replayed: true })),
    ).toEqual(['replay-same-answer']);
    expect(
      invariantsOf(compareReplay(first, { status: 201, text: first.text, replayed: false })),
    ).toEqual(['replay-same-answer']);
  });

  it('reads history answers again, and compares a run by its counts and payment ids', () => {
    const view = (top: string) => JSON.stringify({ undo: [{ id: top }], redo: [] });
    const undone = ack('undo', {}, { path: 'history/undo/', status: 200, text: view('a') });
    expect(
      compareReplay(undone, { status: 200, text: view('b'), replayed: true }).violations,
    ).toEqual([]);
    expect(
      invariantsOf(compareReplay(undone, { status: 409, text: view('a'), replayed: true })),
    ).toEqual(['replay-same-answer']);
    const run = (status: string, id = 'p1') =>
      JSON.stringify({ charged: 1, succeeded: 1, failed: 0, payments: [{ id, status }] });
    const ran = ack(
      'run',
      {},
      { path: 'payments/process-recurring/', status: 200, text: run('COMPLETED') },
    );
    expect(
      compareReplay(ran, { status: 200, text: run('REFUNDED'), replayed: true }).violations,
    ).toEqual([]);
    expect(
      invariantsOf(
        compareReplay(ran, { status: 200, text: run('COMPLETED', 'p2'), replayed: true }),
      ),
    ).toEqual(['replay-same-answer']);
  });

  it('reports replays that created something', () => {
    const before: Counts = {
      ledgerEntries: 10,
      payments: 5,
      subscriptions: 2,
      undoTotal: 4,
      redoTotal: 1,
      undoTop: 'cmd_4',
      redoTop: 'cmd_5',
    };
    expect(checkNothingCreated(before, { ...before }).violations).toEqual([]);
    const result = checkNothingCreated(before, { ...before, ledgerEntries: 11, payments: 6 });
    expect(invariantsOf(result)).toEqual(['replay-creates-nothing', 'replay-creates-nothing']);
  });
});

describe('checkStatus', () => {
  it('reports a 5xx other than 503', () => {
    expect(invariantsOf(checkStatus('k', 'payments/process/', 500, '{}'))).toEqual([
      'server-error',
    ]);
    expect(invariantsOf(checkStatus('k', 'payments/x/refund/', 502, '{}'))).toEqual([
      'server-error',
    ]);
    expect(checkStatus('k', 'payments/process/', 503, '{}').violations).toEqual([]);
    expect(checkStatus('k', 'history/undo/', 409, '{}').violations).toEqual([]);
  });
});

describe('HistoryModel', () => {
  const item = (id: string) => ({ id, kind: 'ProcessPayment', label: id });
  const view = (undo: string[], redo: string[] = []): HistoryView => ({
    undo: undo.map(item),
    redo: redo.map(item),
    undo_total: undo.length,
    redo_total: redo.length,
  });

  /** A model that has seen c3 c2 c1 on the undo stack (newest first). */
  function seeded(): HistoryModel {
    const model = new HistoryModel();
    expect(model.afterRestart(view(['c3', 'c2', 'c1'])).violations).toEqual([]);
    return model;
  }

  it('accepts a restart that kept the stacks, with new entries pushed by others', () => {
    const model = seeded();
    model.begin('undo', 'u1');
    expect(model.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), false).violations).toEqual(
      [],
    );
    expect(model.afterRestart(view(['c9', 'c2', 'c1'], [])).violations).toEqual([]);
  });

  it('reports an entry that left the undo stack with no undo (lost history)', () => {
    const model = seeded();
    expect(invariantsOf(model.afterRestart(view(['c3', 'c1'])))).toEqual(['history-kept']);
  });

  it('reports an acknowledged undo that the restart lost (the entry is back on the undo stack)', () => {
    const model = seeded();
    model.begin('undo', 'u1');
    model.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), false);
    expect(invariantsOf(model.afterRestart(view(['c3', 'c2', 'c1'])))).toEqual(['history-kept']);
  });

  it('allows the lost undo one move; its retry must then be answered from the stored answer', () => {
    const replayed = seeded();
    replayed.begin('undo', 'u1');
    expect(replayed.afterRestart(view(['c2', 'c1'], ['c3'])).violations).toEqual([]);
    expect(
      replayed.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), true).violations,
    ).toEqual([]);

    const twice = seeded();
    twice.begin('undo', 'u1');
    expect(twice.afterRestart(view(['c2', 'c1'], ['c3'])).violations).toEqual([]);
    // The retry ran again (not a replay): keyed undo ran twice.
    expect(
      invariantsOf(twice.answered('undo', 'u1', 200, view(['c1'], ['c2', 'c3']), false)),
    ).toEqual(['history-kept']);
  });

  it('reports a lost undo that moved two entries', () => {
    const model = seeded();
    model.begin('undo', 'u1');
    expect(invariantsOf(model.afterRestart(view(['c1'], ['c2', 'c3'])))).toEqual(['history-kept']);
  });

  it('reports an entry redone with no redo, and a cleared entry coming back', () => {
    const model = seeded();
    model.begin('undo', 'u1');
    model.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), false);
    expect(invariantsOf(model.afterRestart(view(['c3', 'c2', 'c1'], [])))).toEqual([
      'history-kept',
    ]);

    const cleared = seeded();
    cleared.begin('undo', 'u1');
    cleared.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), false);
    expect(cleared.afterRestart(view(['c4', 'c2', 'c1'], [])).violations).toEqual([]);
    expect(invariantsOf(cleared.afterRestart(view(['c4', 'c2', 'c1'], ['c3'])))).toEqual([
      'history-kept',
    ]);
  });

  it('follows acknowledged redos', () => {
    const model = seeded();
    model.begin('undo', 'u1');
    model.answered('undo', 'u1', 200, view(['c2', 'c1'], ['c3']), false);
    model.begin('redo', 'r1');
    expect(
      model.answered('redo', 'r1', 200, view(['c3', 'c2', 'c1'], []), false).violations,
    ).toEqual([]);
    expect(model.afterRestart(view(['c3', 'c2', 'c1'])).violations).toEqual([]);
  });

  it('reports an entry listed twice', () => {
    const model = new HistoryModel();
    expect(invariantsOf(model.afterRestart(view(['c1'], ['c1'])))).toContain('history-kept');
  });
});
