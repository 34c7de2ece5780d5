/**
 * An in-memory Transport for component tests: every operation of the contract is a vi.fn
 * over a tiny fake core (payments, subscriptions, undo/redo stacks, scheduler, clock), so
 * tests can assert the exact calls and replace any answer with `reply`. Like the core, it
 * does a call at most once per idempotency key (a repeat gets the first answer); `keys`
 * lists the keys the calls carried, and `loseAnswer` drops an answer on the way back.
 */
import { expect, vi, type Mock } from 'vitest';
import {
  OPERATION_NAMES,
  parseInput,
  type CallOptions,
  type Dashboard,
  type HistoryItem,
  type OperationInput,
  type OperationName,
  type OperationOutput,
  type PaydeskApi,
  type PushEvent,
  type SchedulerStatus,
} from '../../src/shared/contract';
import type { Payment, Subscription } from '../../src/shared/domain';
import { parseAmount } from '../../src/shared/money';
import { fail, ok, type Result } from '../../src/shared/result';
import type { Transport } from '../../src/renderer/src/transport';

type Handler<K extends OperationName> = (
  input: OperationInput<K>,
) => Result<OperationOutput<K>> | Promise<Result<OperationOutput<K>>>;
type Handlers = { [K in OperationName]: Handler<K> };
export type FakeApi = { [K in OperationName]: Mock<PaydeskApi[K]> };

export interface FakeOptions {
  /** Explicit payments, newest first; or a count of generated ones (no filtering then). */
  payments?: Payment[] | number;
  subscriptions?: Subscription[];
  undo?: HistoryItem[];
  redo?: HistoryItem[];
  clock?: 'system' | 'test';
  now?: string;
  dashboard?: Dashboard;
}

export interface FakeTransport extends Transport {
  api: FakeApi;
  emit(event: PushEvent): void;
  reply<K extends OperationName>(name: K, handler: Handler<K>): void;
  /** The idempotency key each call of `name` carried, oldest first (undefined: none). */
  keys(name: OperationName): Array<string | undefined>;
  /** The next call of `name` is done, but its answer is lost: the caller sees `unavailable`. */
  loseAnswer(name: OperationName): void;
  db: {
    payments: Payment[];
    generated: number;
    subscriptions: Subscription[];
    undo: HistoryItem[];
    redo: HistoryItem[];
    scheduler: SchedulerStatus;
    clock: { mode: 'system' | 'test'; now: string };
  };
}

/** The options of a call that carries an idempotency key, for toHaveBeenCalledWith. */
export const withKey = { idempotencyKey: expect.any(String) as string };

export const LOST_ANSWER = 'The connection dropped before the answer came';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');
const at = (minutesAgo: number): string => new Date(T0 - minutesAgo * 60_000).toISOString();

export function makePayment(i: number, over: Partial<Payment> = {}): Payment {
  return {
    id: `pay_${i}`,
    amount: 1000 + i,
    currency: 'USD',
    customerEmail: `customer${i}@example.com`,
    description: null,
    paymentMethod: null,
    status: 'COMPLETED',
    transactionId: `tx_${i}`,
    failureCode: null,
    failureMessage: null,
    refundedAmount: 0,
    idempotencyKey: `key_${i}`,
    subscriptionId: null,
    period: null,
    redoOf: null,
    createdAt: at(i),
    updatedAt: at(i),
    events: [
      { type: 'created', at: at(i) },
      { type: 'charge_attempted', at: at(i) },
      { type: 'succeeded', at: at(i), transactionId: `tx_${i}` },
    ],
    ...over,
  };
}

export function makeSubscription(i: number, over: Partial<Subscription> = {}): Subscription {
  return {
    id: `sub_${i}`,
    customerEmail: `member${i}@example.com`,
    amount: 1999,
    currency: 'EUR',
    interval: 'MONTHLY',
    intervalCount: 1,
    status: 'ACTIVE',
    billingAnchor: at(60 * 24 * 40),
    nextPeriod: 2,
    nextPaymentDate: at(-60 * 24 * 5),
    failedAttempts: 0,
    retryAt: null,
    pausedAt: null,
    pauseReason: null,
    waivedPeriods: [],
    createdAt: at(60 * 24 * 40),
    updatedAt: at(60 * 24 * 40),
    review: null,
    ...over,
  };
}

export function makeEntry(id: string, over: Partial<HistoryItem> = {}): HistoryItem {
  return {
    id,
    kind: 'ProcessPayment',
    label: `Command ${id}`,
    origin: 'operator',
    createdAt: at(1),
    barrier: false,
    movesMoney: false,
    ...over,
  };
}

const EMPTY_DASHBOARD: Dashboard = {
  currencies: [],
  successRate: null,
  paymentsCount: 0,
  activeSubscriptions: 0,
  failedSubscriptions: 0,
};

export function createFakeTransport(options: FakeOptions = {}): FakeTransport {
  const listeners = new Set<(e: PushEvent) => void>();
  const db: FakeTransport['db'] = {
    payments: Array.isArray(options.payments) ? [...options.payments] : [],
    generated: typeof options.payments === 'number' ? options.payments : 0,
    subscriptions: [...(options.subscriptions ?? [])],
    undo: [...(options.undo ?? [])],
    redo: [...(options.redo ?? [])],
    scheduler: {
      running: true,
      intervalSeconds: 60,
      lastRunAt: null,
      nextRunAt: at(-1),
      inFlight: null,
      lastRun: null,
    },
    clock: { mode: options.clock ?? 'system', now: options.now ?? new Date(T0).toISOString() },
  };
  let seq = 1;
  const record = (entry: Partial<HistoryItem> & Pick<HistoryItem, 'kind' | 'label'>): void => {
    db.undo.unshift(makeEntry(`h_${seq++}`, entry));
    db.redo = [];
  };
  const view = (limit = Infinity): OperationOutput<'history.get'> => ({
    undo: db.undo.slice(0, limit),
    redo: db.redo.slice(0, limit),
    undoTotal: db.undo.length,
    redoTotal: db.redo.length,
    nextUndo: db.undo[0] && !db.undo[0].barrier ? db.undo[0].label : null,
    nextRedo: db.redo[0]?.label ?? null,
  });
  const findPayment = (id: string): Payment | undefined =>
    db.payments.find((p) => p.id === id) ??
    (id.startsWith('pay_') && Number(id.slice(4)) < db.generated
      ? makePayment(Number(id.slice(4)))
      : undefined);
  const setSubStatus =
    (status: Subscription['status'], kind: HistoryItem['kind']) =>
    (input: { id: string }): Result<Subscription> => {
      const index = db.subscriptions.findIndex((s) => s.id === input.id);
      const current = db.subscriptions[index];
      if (!current) return fail('not_found', `No subscription ${input.id}`, 'id');
      const next = { ...current, status };
      db.subscriptions[index] = next;
      record({ kind, label: `${kind} ${current.customerEmail}` });
      return ok(next);
    };

  /** The missed periods of a subscription held for review, decided: the review is over. */
  const decideMissed = (id: string, kind: HistoryItem['kind']): Result<Subscription> => {
    const index = db.subscriptions.findIndex((s) => s.id === id);
    const current = db.subscriptions[index];
    if (!current) return fail('not_found', `No subscription ${id}`, 'id');
    if (current.review === null)
      return fail('conflict', `Subscription ${id} has no missed periods`);
    const next = { ...current, review: null };
    db.subscriptions[index] = next;
    record({ kind, label: `${kind} ${current.customerEmail}` });
    return ok(next);
  };

  const handlers: Handlers = {
    'payments.process': (input) => {
      const parsed = parseInput('payments.process', input);
      if (!parsed.ok) return parsed;
      const { amount, currency, customerEmail, description, paymentMethod } = parsed.data;
      const declined = paymentMethod?.startsWith('pm_card_chargeDeclined') ?? false;
      const payment = makePayment(db.payments.length + db.generated + 1000, {
        amount: parseAmount(amount, currency),
        currency,
        customerEmail,
        description: description ?? null,
        paymentMethod: paymentMethod ?? null,
        status: declined ? 'FAILED' : 'COMPLETED',
        failureCode: declined ? 'card_declined' : null,
        failureMessage: declined ? 'Your card was declined.' : null,
      });
      db.payments.unshift(payment);
      record({ kind: 'ProcessPayment', label: `Charge ${amount} ${currency}`, movesMoney: true });
      return ok(payment);
    },
    'payments.refund': (input) => {
      const payment = findPayment(input.paymentId);
      if (!payment) return fail('not_found', 'No such payment', 'paymentId');
      const amount = input.amount
        ? parseAmount(input.amount, payment.currency)
        : payment.amount - payment.refundedAmount;
      const refunded = payment.refundedAmount + amount;
      const next: Payment = {
        ...payment,
        refundedAmount: refunded,
        status: refunded === payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
      };
      db.payments = [next, ...db.payments.filter((p) => p.id !== next.id)];
      record({ kind: 'RefundPayment', label: `Refund ${payment.id}`, barrier: true });
      return ok(next);
    },
    'payments.get': (input) => {
      const payment = findPayment(input.id);
      return payment
        ? ok({ ...payment, refunds: [] })
        : fail('not_found', `No payment ${input.id}`, 'id');
    },
    'payments.list': (input) => {
      const offset = input.offset ?? 0;
      const limit = input.limit ?? 50;
      if (db.generated > 0) {
        const items: Payment[] = [];
        for (let i = offset; i < Math.min(offset + limit, db.generated); i++) {
          items.push(makePayment(input.order === 'asc' ? db.generated - 1 - i : i));
        }
        return ok({ total: db.generated, offset, limit, items });
      }
      let rows = db.payments.filter(
        (p) =>
          (!input.status || p.status === input.status) &&
          (!input.customerEmail || p.customerEmail.includes(input.customerEmail)),
      );
      if (input.order === 'asc') rows = [...rows].reverse();
      return ok({ total: rows.length, offset, limit, items: rows.slice(offset, offset + limit) });
    },
    'subscriptions.create': (input) => {
      const parsed = parseInput('subscriptions.create', input);
      if (!parsed.ok) return parsed;
      const sub = makeSubscription(db.subscriptions.length + 100, {
        customerEmail: parsed.data.customerEmail,
        amount: parseAmount(parsed.data.amount, parsed.data.currency),
        currency: parsed.data.currency,
        interval: parsed.data.interval,
        intervalCount: parsed.data.intervalCount,
      });
      db.subscriptions.unshift(sub);
      record({ kind: 'CreateSubscription', label: `Subscribe ${sub.customerEmail}` });
      return ok(sub);
    },
    'subscriptions.get': (input) => {
      const sub = db.subscriptions.find((s) => s.id === input.id);
      if (!sub) return fail('not_found', `No subscription ${input.id}`, 'id');
      return ok({ ...sub, charges: db.payments.filter((p) => p.subscriptionId === sub.id) });
    },
    'subscriptions.list': (input) => {
      const offset = input.offset ?? 0;
      const limit = input.limit ?? 50;
      const items = db.subscriptions.slice(offset, offset + limit);
      return ok({ total: db.subscriptions.length, offset, limit, items });
    },
    'subscriptions.pause': setSubStatus('PAUSED', 'PauseSubscription'),
    'subscriptions.resume': setSubStatus('ACTIVE', 'ResumeSubscription'),
    'subscriptions.cancel': setSubStatus('CANCELLED', 'CancelSubscription'),
    'subscriptions.chargeMissed': (input) => {
      const decided = decideMissed(input.id, 'ChargeMissedPeriods');
      return decided.ok ? ok({ charged: 0, succeeded: 0, failed: 0, payments: [] }) : decided;
    },
    'subscriptions.skipMissed': (input) => decideMissed(input.id, 'SkipMissedPeriods'),
    'recurring.run': () => ok({ charged: 0, succeeded: 0, failed: 0, payments: [] }),
    'history.get': (input) => ok(view(input.limit)),
    'history.undo': (input) => {
      const index = input.toId ? db.undo.findIndex((e) => e.id === input.toId) : 0;
      const moved = index === -1 ? [] : db.undo.slice(0, index + 1);
      if (moved.length === 0) return fail('conflict', 'Nothing to undo');
      if (moved.some((e) => e.barrier)) {
        return fail('conflict', 'A refund cannot be undone: the history stops there');
      }
      db.undo = db.undo.slice(index + 1);
      db.redo = [...moved.reverse(), ...db.redo];
      return ok(view(input.limit));
    },
    'history.redo': (input) => {
      const index = input.toId ? db.redo.findIndex((e) => e.id === input.toId) : 0;
      const moved = index === -1 ? [] : db.redo.slice(0, index + 1);
      if (moved.length === 0) return fail('conflict', 'Nothing to redo');
      db.redo = db.redo.slice(index + 1);
      db.undo = [...moved.reverse(), ...db.undo];
      return ok(view(input.limit));
    },
    'audit.list': (input) =>
      ok({ total: 0, offset: input.offset ?? 0, limit: input.limit ?? 50, items: [] }),
    'scheduler.status': () => ok({ ...db.scheduler }),
    'scheduler.start': () => ok((db.scheduler = { ...db.scheduler, running: true })),
    'scheduler.stop': () => ok((db.scheduler = { ...db.scheduler, running: false })),
    'scheduler.run': () => ok({ charged: 0, succeeded: 0, failed: 0, payments: [] }),
    'clock.get': () => ok({ ...db.clock }),
    'clock.advance': (input) => {
      if (db.clock.mode !== 'test') return fail('unavailable', 'The test clock is off');
      const next =
        input.to ?? new Date(Date.parse(db.clock.now) + (input.seconds ?? 0) * 1000).toISOString();
      db.clock = { ...db.clock, now: new Date(next).toISOString() };
      return ok({ ...db.clock });
    },
    'settings.get': () => ok({ schedulerIntervalSeconds: 60, schedulerEnabled: true }),
    'settings.set': () => ok({ schedulerIntervalSeconds: 60, schedulerEnabled: true }),
    'dashboard.get': () => ok(options.dashboard ?? EMPTY_DASHBOARD),
  };

  const overrides: Partial<Record<OperationName, unknown>> = {};
  /** Successful answers by idempotency key, with the call they answered. */
  const done = new Map<string, { call: string; answer: unknown }>();
  const lost = new Set<OperationName>();
  const run = async (name: OperationName, input: unknown, key?: string): Promise<unknown> => {
    const call = JSON.stringify([name, input]);
    const stored = key === undefined ? undefined : done.get(key);
    if (stored) {
      return stored.call === call
        ? stored.answer
        : fail('conflict', 'This idempotency key was used with another request');
    }
    const handler = (overrides[name] ?? handlers[name]) as (i: unknown) => unknown;
    const answer = (await handler(input)) as Result<unknown>;
    if (key !== undefined && answer.ok) done.set(key, { call, answer });
    return answer;
  };
  const api = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      vi.fn(async (input: unknown, options?: CallOptions) => {
        const answer = await run(name, input, options?.idempotencyKey);
        return lost.delete(name) ? fail('unavailable', LOST_ANSWER) : answer;
      }),
    ]),
  ) as unknown as FakeApi; // One vi.fn per operation name, each typed by its key.

  return {
    api,
    db,
    keys: (name) =>
      api[name].mock.calls.map(
        (args: unknown[]) => (args[1] as CallOptions | undefined)?.idempotencyKey,
      ),
    loseAnswer(name) {
      lost.add(name);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const l of [...listeners]) l(event);
    },
    reply(name, handler) {
      overrides[name] = handler;
    },
  };
}
