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
  type CustomerEvent,
  type CustomerPage,
  type CustomerSummary,
  type CustomerTotals,
  type ParsedInput,
  type Dashboard,
  type HistoryItem,
  type OperationInput,
  type OperationName,
  type OperationOutput,
  type PaydeskApi,
  type PushEvent,
  type SchedulerStatus,
  type SearchResults,
  type GatewaySettings,
  type BackupInfo,
  type OperatorSession,
  type OperatorView,
} from '../../src/shared/contract';
import {
  DEFAULT_BACKUP,
  type AuditEntry,
  type Payment,
  type SettingsView,
  type Subscription,
} from '../../src/shared/domain';
import { amountValue, parseAmount, parseAmountValue } from '../../src/shared/money';
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
  /** The money undoing or redoing each history entry moves, by entry id (history.preview). */
  money?: Record<string, Array<{ currency: string; amount: number }>>;
  dashboard?: Dashboard;
  /** Explicit audit entries, newest first; or a count of generated ones (no filtering then). */
  audit?: AuditEntry[] | number;
  settings?: SettingsView;
  /** The backups listed, newest first. */
  backups?: BackupInfo[];
  /** Whether the app backs up daily (backup.list's dailyRuns; default true, as the desktop). */
  dailyBackups?: boolean;
  /** The operator accounts (operators.list), oldest first. */
  operators?: OperatorView[];
  /** Who the caller is (operators.me; default: the single desk). */
  session?: OperatorSession;
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
    audit: AuditEntry[];
    auditGenerated: number;
    settings: SettingsView;
    gateway: GatewaySettings;
    backups: BackupInfo[];
    operators: OperatorView[];
    session: OperatorSession;
  };
}

/** The backup folder the fake answers when the settings name none. */
export const FAKE_BACKUP_FOLDER = '/home/ann/.config/paydesk/backups';

export function makeBackup(i: number, over: Partial<BackupInfo> = {}): BackupInfo {
  const createdAt = new Date(Date.parse('2026-03-10T03:00:00.000Z') - i * 86_400_000).toISOString();
  const name = `paydesk-backup-${createdAt.replaceAll(':', '-')}`;
  return {
    name,
    path: `${FAKE_BACKUP_FOLDER}/${name}`,
    createdAt,
    kind: 'daily',
    commitSeq: 1000 - i,
    payments: 1200 - i,
    subscriptions: 12,
    ledgerEntries: 1300 - i,
    bytes: 2_500_000 - i,
    ...over,
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
    unpaidPeriods: [],
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
    operator: null,
    ...over,
  };
}

export const EMPTY_DASHBOARD: Dashboard = {
  currencies: [],
  periods: {
    today: '2026-03-10',
    month: { from: '2026-03-01', to: '2026-03-10' },
    chart: { from: '2026-02-09', to: '2026-03-10' },
  },
  successRate: null,
  paymentsCount: 0,
  activeSubscriptions: 0,
  failedSubscriptions: 0,
};

export function makeAuditEntry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `aud_${i}`,
    at: at(i),
    origin: 'operator',
    action: 'execute',
    kind: 'ProcessPayment',
    label: `Charge $${i}.00 to customer${i}@example.com`,
    outcome: 'ok',
    message: null,
    moved: [{ currency: 'USD', charged: i * 100, refunded: 0 }],
    operator: null,
    ...over,
  };
}

export const FAKE_DATA_DIR = '/home/operator/.config/paydesk';

/**
 * The fake's customers, by lower-cased e-mail: the core's rules (customer-rules.ts) written
 * small (monthly subscriptions only), enough for the screens' tests.
 */
export function fakeCustomers(
  payments: readonly Payment[],
  subscriptions: readonly Subscription[],
): Map<string, CustomerSummary> {
  const out = new Map<string, CustomerSummary>();
  const customer = (email: string): CustomerSummary => {
    const key = email.toLowerCase();
    const known = out.get(key);
    if (known) return known;
    const made: CustomerSummary = {
      email: key,
      payments: 0,
      failedPayments: 0,
      activeSubscriptions: 0,
      lastPaymentAt: null,
      totals: [],
    };
    out.set(key, made);
    return made;
  };
  const totals = (c: CustomerSummary, currency: string): CustomerTotals => {
    let t = c.totals.find((x) => x.currency === currency);
    if (!t) {
      t = { currency, charged: 0, refunded: 0, net: 0, monthlyRecurringRevenue: 0 };
      c.totals.push(t);
      c.totals.sort((a, b) => a.currency.localeCompare(b.currency));
    }
    return t;
  };
  for (const p of payments) {
    const c = customer(p.customerEmail);
    const t = totals(c, p.currency);
    c.payments++;
    if (p.status === 'FAILED') c.failedPayments++;
    if (p.status === 'COMPLETED' || p.status.includes('REFUNDED')) {
      t.charged += p.amount;
      t.refunded += p.refundedAmount;
      t.net = t.charged - t.refunded;
      if (c.lastPaymentAt === null || p.createdAt > c.lastPaymentAt) c.lastPaymentAt = p.createdAt;
    }
  }
  for (const s of subscriptions) {
    const c = customer(s.customerEmail);
    const t = totals(c, s.currency);
    if (s.status === 'ACTIVE' || s.status === 'PAST_DUE') {
      c.activeSubscriptions++;
      t.monthlyRecurringRevenue += s.amount;
    }
  }
  return out;
}

/** A page of the fake's customers (search, sort in one currency, order), as the core pages. */
export function fakeCustomerPage(
  payments: readonly Payment[],
  subscriptions: readonly Subscription[],
  q: ParsedInput<'customers.list'>,
): CustomerPage {
  const uses = new Map<string, number>();
  for (const r of [...payments, ...subscriptions])
    uses.set(r.currency, (uses.get(r.currency) ?? 0) + 1);
  const currencies = [...uses].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const currency = q.currency ?? currencies[0] ?? null;
  const value = (c: CustomerSummary): number | string => {
    if (q.sort === 'email') return c.email;
    if (q.sort === 'lastPaymentAt') return c.lastPaymentAt ?? '';
    if (q.sort === 'activeSubscriptions' || q.sort === 'failedPayments') return c[q.sort];
    return c.totals.find((t) => t.currency === currency)?.[q.sort] ?? 0;
  };
  const search = (q.search ?? '').trim().toLowerCase();
  const all = [...fakeCustomers(payments, subscriptions).values()]
    .filter((c) => c.email.includes(search))
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      return va < vb ? -1 : va > vb ? 1 : a.email.localeCompare(b.email);
    });
  if (q.order === 'desc') all.reverse();
  return {
    total: all.length,
    offset: q.offset,
    limit: q.limit,
    items: all.slice(q.offset, q.offset + q.limit),
    currency,
    currencies,
  };
}

const compare = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fake's payments filtered and sorted as the core does (newest first is the list's own
 * order; other sorts ascending with ties oldest first, descending the exact reverse).
 */
export function fakePaymentRows(
  payments: readonly Payment[],
  q: ParsedInput<'payments.list'>,
): Payment[] {
  const value = (p: Payment): number => amountValue(p.amount, p.currency);
  const search = q.search?.toLowerCase() ?? '';
  const rows = payments.filter(
    (p) =>
      (!q.status || p.status === q.status) &&
      (!q.customerEmail || p.customerEmail.toLowerCase() === q.customerEmail.toLowerCase()) &&
      p.customerEmail.toLowerCase().includes(search) &&
      (!q.currency || p.currency === q.currency) &&
      (!q.minAmount || value(p) >= parseAmountValue(q.minAmount)) &&
      (!q.maxAmount || value(p) <= parseAmountValue(q.maxAmount)) &&
      (!q.from || p.createdAt >= q.from) &&
      (!q.to || p.createdAt < q.to),
  );
  const column = (p: Payment): number | string =>
    q.sort === 'amount'
      ? value(p)
      : q.sort === 'createdAt'
        ? p.createdAt
        : q.sort === 'customerEmail'
          ? p.customerEmail.toLowerCase()
          : p[q.sort];
  // Oldest first, then by the column (a stable sort keeps ties oldest first).
  const asc = rows.reverse().sort((a, b) => compare(column(a), column(b)));
  return q.order === 'asc' ? asc : asc.reverse();
}

/** What search.find answers over the fake's records. */
export function fakeSearch(
  payments: readonly Payment[],
  subscriptions: readonly Subscription[],
  text: string,
  limit: number,
): SearchResults {
  const needle = text.toLowerCase();
  const exact = payments.filter((p) => p.id === text || p.transactionId === text);
  const byEmail = payments.filter((p) => p.customerEmail.toLowerCase().includes(needle));
  const amount = /^\d{1,12}(\.\d{1,4})?$/.test(text) ? parseAmountValue(text) : null;
  const byAmount = payments.filter((p) => amountValue(p.amount, p.currency) === amount);
  const found = [...new Set([...exact, ...byAmount, ...byEmail])].slice(0, limit);
  const customers = [...fakeCustomers(payments, subscriptions).values()]
    .filter((c) => c.email.includes(needle))
    .slice(0, limit);
  const subs = subscriptions
    .filter((s) => s.id === text || s.customerEmail.toLowerCase().includes(needle))
    .slice(0, limit);
  return { payments: found, paymentsTotal: byEmail.length, customers, subscriptions: subs };
}

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
    audit: Array.isArray(options.audit) ? [...options.audit] : [],
    auditGenerated: typeof options.audit === 'number' ? options.audit : 0,
    settings: options.settings ?? { schedulerIntervalSeconds: 60, schedulerEnabled: true },
    gateway: { successRate: 0.9, latencyMs: 300 },
    backups: [...(options.backups ?? [])],
    operators: [...(options.operators ?? [])],
    session: options.session ?? { operator: null, role: 'admin', accounts: false },
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

  /** An unpaid period retried (and paid) or forgiven: it is no longer unpaid. */
  const settleUnpaid = (
    id: string,
    period: number,
    kind: HistoryItem['kind'],
  ): Result<Subscription> => {
    const index = db.subscriptions.findIndex((s) => s.id === id);
    const current = db.subscriptions[index];
    if (!current) return fail('not_found', `No subscription ${id}`, 'id');
    if (!current.unpaidPeriods.includes(period)) {
      return fail('conflict', `Period ${period + 1} is not unpaid`, 'period');
    }
    const next = { ...current, unpaidPeriods: current.unpaidPeriods.filter((k) => k !== period) };
    db.subscriptions[index] = next;
    record({
      kind,
      label: `${kind} ${current.customerEmail}`,
      movesMoney: kind === 'RetryFailedPeriod',
    });
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
      const parsed = parseInput('payments.list', input);
      if (!parsed.ok) return parsed;
      const rows = fakePaymentRows(db.payments, parsed.data);
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
      const search = input.search?.trim().toLowerCase() ?? '';
      const column = (s: Subscription): number | string =>
        input.sort === 'amount'
          ? amountValue(s.amount, s.currency)
          : input.sort === 'customerEmail'
            ? s.customerEmail.toLowerCase()
            : input.sort === 'status'
              ? s.status
              : input.sort === 'nextPaymentDate'
                ? (s.nextPaymentDate ?? '~')
                : s.createdAt;
      const rows = db.subscriptions
        .filter(
          (s) =>
            (!input.status || s.status === input.status) &&
            (input.review === undefined || (s.review !== null) === input.review) &&
            (s.customerEmail.toLowerCase().includes(search) || s.id.includes(search)),
        )
        .reverse()
        .sort((a, b) => compare(column(a), column(b)));
      if (input.order !== 'asc') rows.reverse();
      const items = rows.slice(offset, offset + limit);
      return ok({ total: rows.length, offset, limit, items });
    },
    'subscriptions.pause': setSubStatus('PAUSED', 'PauseSubscription'),
    'subscriptions.resume': setSubStatus('ACTIVE', 'ResumeSubscription'),
    'subscriptions.cancel': setSubStatus('CANCELLED', 'CancelSubscription'),
    'subscriptions.chargeMissed': (input) => {
      const decided = decideMissed(input.id, 'ChargeMissedPeriods');
      return decided.ok ? ok({ charged: 0, succeeded: 0, failed: 0, payments: [] }) : decided;
    },
    'subscriptions.skipMissed': (input) => decideMissed(input.id, 'SkipMissedPeriods'),
    'subscriptions.retryFailed': (input) => {
      const settled = settleUnpaid(input.id, input.period, 'RetryFailedPeriod');
      if (!settled.ok) return settled;
      const sub = settled.data;
      const payment = makePayment(db.payments.length + db.generated + 2000, {
        amount: sub.amount,
        currency: sub.currency,
        customerEmail: sub.customerEmail,
        subscriptionId: sub.id,
        period: input.period,
      });
      db.payments.unshift(payment);
      return ok(payment);
    },
    'subscriptions.forgiveFailed': (input) =>
      settleUnpaid(input.id, input.period, 'ForgiveFailedPeriod'),
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
    'history.preview': (input) => {
      const stack = input.direction === 'undo' ? db.undo : db.redo;
      const index = input.toId ? stack.findIndex((e) => e.id === input.toId) : 0;
      if (index === -1 || stack.length === 0) return fail('not_found', 'No such entry', 'toId');
      const entries = stack.slice(0, index + 1);
      const totals = new Map<string, number>();
      let charges = 0;
      for (const m of entries.flatMap((e) => options.money?.[e.id] ?? [])) {
        charges += 1;
        totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amount);
      }
      return ok({
        entries: entries.map((e) => e.id),
        charges,
        amounts: [...totals].map(([currency, amount]) => ({ currency, amount })),
      });
    },
    'audit.list': (input) => {
      const parsed = parseInput('audit.list', input);
      if (!parsed.ok) return parsed;
      const { offset, limit, order, origin, outcome, from, to } = parsed.data;
      if (db.auditGenerated > 0) {
        const items: AuditEntry[] = [];
        for (let i = offset; i < Math.min(offset + limit, db.auditGenerated); i++) {
          items.push(makeAuditEntry(order === 'asc' ? db.auditGenerated - 1 - i : i));
        }
        return ok({ total: db.auditGenerated, offset, limit, items });
      }
      let rows = db.audit.filter(
        (e) =>
          (!origin || e.origin === origin) &&
          (!outcome || e.outcome === outcome) &&
          (!from || e.at >= from) &&
          (!to || e.at < to),
      );
      if (order === 'asc') rows = [...rows].reverse();
      return ok({ total: rows.length, offset, limit, items: rows.slice(offset, offset + limit) });
    },
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
    'settings.get': () => ok({ ...db.settings }),
    'settings.set': (input) => {
      const parsed = parseInput('settings.set', input);
      if (!parsed.ok) return parsed;
      const { business, backup, ...rest } = parsed.data;
      const before = db.settings.business ?? { name: '', address: '', taxId: '' };
      const backupBefore = db.settings.backup ?? DEFAULT_BACKUP;
      const backupGiven = Object.entries(backup ?? {}).filter(([, v]) => v !== undefined);
      db.settings = {
        ...db.settings,
        ...rest,
        ...(business ? { business: { ...before, ...business } } : {}),
        ...(backup ? { backup: { ...backupBefore, ...Object.fromEntries(backupGiven) } } : {}),
      };
      db.scheduler = {
        ...db.scheduler,
        intervalSeconds: db.settings.schedulerIntervalSeconds,
        running: db.settings.schedulerEnabled,
      };
      return ok({ ...db.settings });
    },
    'operators.me': () => ok({ ...db.session }),
    'operators.list': () => ok(db.operators.map((o) => ({ ...o }))),
    'operators.create': (input) => {
      const parsed = parseInput('operators.create', input);
      if (!parsed.ok) return parsed;
      const { name, role } = parsed.data;
      const taken = db.operators.some(
        (o) => o.revokedAt === null && o.name.toLowerCase() === name.toLowerCase(),
      );
      if (taken) return fail('conflict', `An operator named ${name} already exists`, 'name');
      const n = db.operators.length + 1;
      const operator: OperatorView = {
        id: `opr_${n}`,
        name,
        role,
        createdAt: db.clock.now,
        revokedAt: null,
      };
      db.operators.push(operator);
      return ok({ operator: { ...operator }, token: `pdo_fake_token_${n}` });
    },
    'operators.revoke': (input) => {
      const index = db.operators.findIndex((o) => o.id === input.id);
      const current = db.operators[index];
      if (!current) return fail('not_found', `No operator ${input.id}`, 'id');
      if (current.revokedAt !== null)
        return fail('conflict', `${current.name} was already revoked`);
      const admins = db.operators.filter((o) => o.revokedAt === null && o.role === 'admin');
      if (current.role === 'admin' && admins.length === 1) {
        return fail('conflict', `${current.name} is the last admin: add another admin first`);
      }
      const next = { ...current, revokedAt: db.clock.now };
      db.operators[index] = next;
      return ok({ ...next });
    },
    'system.info': () =>
      ok({
        dataDir: FAKE_DATA_DIR,
        clock: db.clock.mode,
        gateway: { kind: 'mock', ...db.gateway, configurable: db.clock.mode === 'test' },
        storage: { writes: 'ok', cause: null, repaired: null },
      }),
    'gateway.configure': (input) => {
      const parsed = parseInput('gateway.configure', input);
      if (!parsed.ok) return parsed;
      if (db.clock.mode !== 'test') return fail('unavailable', 'Only with the test clock');
      db.gateway = { ...db.gateway, ...parsed.data };
      return ok({ ...db.gateway });
    },
    'backup.create': () => {
      const made = makeBackup(0, {
        createdAt: new Date(Date.parse(db.backups[0]?.createdAt ?? at(0)) + 60_000).toISOString(),
        kind: 'manual',
        payments: db.payments.length + db.generated,
        subscriptions: db.subscriptions.length,
      });
      const name = `paydesk-backup-${made.createdAt.replaceAll(':', '-')}`;
      const folder = db.settings.backup?.folder ?? FAKE_BACKUP_FOLDER;
      const backup = { ...made, name, path: `${folder}/${name}` };
      db.backups.unshift(backup);
      return ok(backup);
    },
    'backup.list': () => {
      const { keep, daily, folder } = db.settings.backup ?? DEFAULT_BACKUP;
      return ok({
        folder: folder ?? FAKE_BACKUP_FOLDER,
        keep,
        daily,
        dailyRuns: options.dailyBackups ?? true,
        backups: [...db.backups],
      });
    },
    'dashboard.get': () => ok(options.dashboard ?? EMPTY_DASHBOARD),
    'search.find': (input) =>
      ok(fakeSearch(db.payments, db.subscriptions, input.text.trim(), input.limit ?? 5)),
    'customers.list': (input) => {
      const parsed = parseInput('customers.list', input);
      if (!parsed.ok) return parsed;
      return ok(fakeCustomerPage(db.payments, db.subscriptions, parsed.data));
    },
    'customers.get': (input) => {
      const key = input.email.trim().toLowerCase();
      const summary = fakeCustomers(db.payments, db.subscriptions).get(key);
      if (!summary) return fail('not_found', `No payments or subscriptions for ${key}`, 'email');
      const payments = db.payments.filter((p) => p.customerEmail.toLowerCase() === key);
      const subscriptions = db.subscriptions.filter((s) => s.customerEmail.toLowerCase() === key);
      const timeline: CustomerEvent[] = [
        ...payments.map((payment) => ({
          type: 'payment' as const,
          at: payment.createdAt,
          payment,
        })),
        ...subscriptions.map((subscription) => ({
          type: 'subscription' as const,
          at: subscription.createdAt,
          subscription,
        })),
      ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
      return ok({ ...summary, subscriptions, timeline, paymentsShown: payments.length });
    },
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
