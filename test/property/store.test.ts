/**
 * Random sequences of commits, with closes and reopens, forced compactions and simulated
 * crashes (copies of the files of the live store) at random points: every query of the
 * store answers what a plain reference model answers, before and after each reopen. The
 * customers' totals and pages (kept up to date put by put from the first query after each
 * open) equal their plain computation from every payment and subscription
 * (customer-rules.ts).
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import type { Page } from '../../src/shared/contract';
import type {
  AuditEntry,
  HistoryEntry,
  IdempotencyRecord,
  Payment,
  Refund,
  Settings,
  Subscription,
} from '../../src/shared/domain';
import { DEFAULT_SETTINGS } from '../../src/shared/domain';
import type {
  Change,
  CustomerQuery,
  PaymentQuery,
  Store,
  SubscriptionQuery,
} from '../../src/main/core/ports';
import { pageOfCustomers, summarizeCustomers } from '../../src/main/core/customer-rules';
import { wasCharged } from '../../src/main/core/payment-rules';
import { openStore } from '../../src/main/core/store/index';
import {
  at,
  auditEntry,
  dumpStore,
  historyEntry,
  idempotency,
  payment,
  refund,
  removeTempDirs,
  subscription,
  tempDir,
  type StoreReads,
} from '../unit/store-fixtures';

afterAll(removeTempDirs);

const byCreation = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
  (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function pageOf<T>(all: T[], order: 'asc' | 'desc', offset: number, limit: number): Page<T> {
  const sorted = order === 'asc' ? all : all.slice().reverse();
  return { total: all.length, offset, limit, items: sorted.slice(offset, offset + limit) };
}

/** The store's semantics, written the plain way: arrays, filters and sorts. */
class Model implements StoreReads {
  payments = new Map<string, Payment>();
  subs = new Map<string, Subscription>();
  undo: HistoryEntry[] = [];
  redo: HistoryEntry[] = [];
  log: AuditEntry[] = [];
  idem = new Map<string, IdempotencyRecord>();
  refunds = new Map<string, Refund>();
  set: Settings = DEFAULT_SETTINGS;
  clock: string | null = null;
  cursor: string | null = null;

  apply(changes: Change[]): void {
    for (const c of changes) {
      if (c.t === 'payment') this.payments.set(c.v.id, c.v);
      else if (c.t === 'subscription') this.subs.set(c.v.id, c.v);
      else if (c.t === 'audit') this.log.push(c.v);
      else if (c.t === 'undo.push') this.undo.push(c.v);
      else if (c.t === 'undo.pop') this.undo.pop();
      else if (c.t === 'redo.push') this.redo.push(c.v);
      else if (c.t === 'redo.pop') this.redo.pop();
      else if (c.t === 'redo.clear') this.redo = [];
      else if (c.t === 'undo.remove') this.undo = this.undo.filter((e) => e.id !== c.v);
      else if (c.t === 'redo.remove') this.redo = this.redo.filter((e) => e.id !== c.v);
      else if (c.t === 'idempotency') this.idem.set(c.v.key, c.v);
      else if (c.t === 'refund') this.refunds.set(c.v.id, c.v);
      else if (c.t === 'settings') this.set = c.v;
      else if (c.t === 'gatewayCursor') this.cursor = c.v;
      else this.clock = c.v;
    }
  }

  getPayment = (id: string) => this.payments.get(id);
  getPaymentByIdempotencyKey = (key: string) =>
    [...this.payments.values()].find((p) => p.idempotencyKey === key);
  queryPayments(q: PaymentQuery): Page<Payment> {
    const all = [...this.payments.values()]
      .filter((p) => q.status === undefined || p.status === q.status)
      .filter(
        (p) =>
          q.customerEmail === undefined ||
          p.customerEmail.toLowerCase() === q.customerEmail.toLowerCase(),
      )
      .filter((p) => q.subscriptionId === undefined || p.subscriptionId === q.subscriptionId)
      .sort(byCreation);
    return pageOf(all, q.order, q.offset, q.limit);
  }
  pendingPayments = () =>
    [...this.payments.values()].filter((p) => p.status === 'PENDING').sort(byCreation);
  allPayments = () => [...this.payments.values()];
  paymentCount = () => this.payments.size;
  getSubscription = (id: string) => this.subs.get(id);
  querySubscriptions(q: SubscriptionQuery): Page<Subscription> {
    const all = [...this.subs.values()]
      .filter((s) => q.status === undefined || s.status === q.status)
      .filter(
        (s) =>
          q.customerEmail === undefined ||
          s.customerEmail.toLowerCase() === q.customerEmail.toLowerCase(),
      )
      .sort(byCreation);
    return pageOf(all, q.order, q.offset, q.limit);
  }
  paymentsOfSubscription = (id: string) =>
    [...this.payments.values()].filter((p) => p.subscriptionId === id).sort(byCreation);
  refundsSince(instant: string) {
    return [...this.payments.values()].flatMap((p) =>
      p.status === 'PARTIALLY_REFUNDED' || p.status === 'REFUNDED'
        ? p.events.flatMap((e) =>
            e.type === 'refunded' && Date.parse(e.at) >= Date.parse(instant)
              ? [{ paymentId: p.id, currency: p.currency, amount: e.amount, at: e.at }]
              : [],
          )
        : [],
    );
  }
  periodCharges(id: string, period: number) {
    const charges = this.paymentsOfSubscription(id).filter((p) => p.period === period);
    return {
      attempts: charges.length,
      paid: charges.some((p) => wasCharged(p.status)),
      pending: charges.findLast((p) => p.status === 'PENDING')?.id ?? null,
    };
  }
  dueSubscriptions(now: string, limit = Infinity): Subscription[] {
    return [...this.subs.values()]
      .filter(
        (s) => (s.status === 'ACTIVE' || s.status === 'PAST_DUE') && s.nextPaymentDate !== null,
      )
      .filter((s) => Date.parse(s.nextPaymentDate as string) <= Date.parse(now))
      .sort(
        (a, b) =>
          Date.parse(a.nextPaymentDate as string) - Date.parse(b.nextPaymentDate as string) ||
          byCreation(
            { createdAt: a.nextPaymentDate as string, id: a.id },
            { createdAt: b.nextPaymentDate as string, id: b.id },
          ),
      )
      .slice(0, limit);
  }
  allSubscriptions = () => [...this.subs.values()];
  undoStack = () => this.undo.slice();
  redoStack = () => this.redo.slice();
  audit = (offset: number, limit: number): Page<AuditEntry> =>
    pageOf(this.log, 'desc', offset, limit);
  getIdempotencyRecord = (key: string) => this.idem.get(key);
  unfinishedRequests = () => [...this.idem.values()].filter((r) => r.answer === null);
  getRefund = (id: string) => this.refunds.get(id);
  getRefundByIdempotencyKey = (key: string) =>
    [...this.refunds.values()].find((r) => r.idempotencyKey === key);
  refundsOfPayment = (paymentId: string) =>
    [...this.refunds.values()].filter((r) => r.paymentId === paymentId);
  pendingRefunds = () => [...this.refunds.values()].filter((r) => r.status === 'PENDING');
  settings = () => this.set;
  testClock = () => this.clock;
  gatewayCursor = () => this.cursor;
  queryCustomers = (q: CustomerQuery) =>
    pageOfCustomers([...this.payments.values()], [...this.subs.values()], q);
  getCustomer = (email: string) =>
    summarizeCustomers(this.payments.values(), this.subs.values()).get(email.toLowerCase());
}

const EMAILS = ['ada@example.com', 'ADA@example.com', 'bob@example.com'];
const SUBS = ['s0', 's1', 's2'];
const KEYS = ['k0', 'k1', 'k2'];
/** Refund r<n> is always of payment p<n> (a refund never changes payment). */
const REFUND_IDS = ['r0', 'r1', 'r2'];
const minute = fc.integer({ min: 0, max: 40 });
let serial = 0;

/** A change to make, given the state so far (so updates can keep most of a record). */
type Template = (model: Model) => Change;

/** Each field given, or (often) left out: an update then keeps the record's current value. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

// An instant as toISOString writes it, or the same written otherwise (sorted by instant, then text).
const createdAt = fc.oneof(
  minute.map(at),
  minute.map((m) => at(m).replace('.000Z', 'Z')),
);

const paymentChange = fc
  .record({
    id: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'),
    createdAt: maybe(createdAt),
    status: fc.constantFrom(
      'PENDING',
      'COMPLETED',
      'FAILED',
      'PARTIALLY_REFUNDED',
      'REFUNDED' as const,
    ),
    customerEmail: maybe(fc.constantFrom(...EMAILS)),
    subscriptionId: maybe(fc.constantFrom(null, ...SUBS)),
    period: maybe(fc.option(fc.nat(3), { nil: null })),
    amount: fc.nat({ max: 100_000 }),
    currency: maybe(fc.constantFrom('USD', 'EUR', 'GBP')),
    refundedAmount: maybe(fc.nat({ max: 100_000 })),
    // The key: the payment's own, or in a form the snapshot derives from the id or period.
    keyForm: maybe(fc.constantFrom('own', 'charge', 'period', 'stray')),
    // A refund recorded with this version, at this minute (refundsSince reads them).
    refundedAt: maybe(minute),
  })
  .map((f): Template => (model) => {
    const { id, keyForm, refundedAt, ...fields } = f;
    const current = model.payments.get(id);
    const base = current ? { ...current, ...defined(fields) } : payment(id, defined(fields));
    const refund = { type: 'refunded' as const, amount: 100, refundId: `re_${id}` };
    const v =
      refundedAt === undefined
        ? base
        : { ...base, events: [...base.events, { ...refund, at: at(refundedAt) }] };
    const n = id.slice(1);
    const keys = {
      own: `key-${id}`,
      charge: `charge_${id}`,
      period: `sub_${v.subscriptionId}_p${v.period}_a${n}`,
      stray: `charge_x${id}`,
    };
    return {
      t: 'payment',
      v: { ...v, idempotencyKey: keyForm ? keys[keyForm] : v.idempotencyKey },
    };
  });

const subscriptionChange = fc
  .record({
    id: fc.constantFrom(...SUBS),
    createdAt: maybe(minute.map(at)),
    status: fc.constantFrom('ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED' as const),
    customerEmail: maybe(fc.constantFrom(...EMAILS)),
    nextPaymentDate: maybe(fc.option(minute.map(at), { nil: null })),
    currency: maybe(fc.constantFrom('USD', 'EUR')),
    amount: maybe(fc.nat({ max: 100_000 })),
    interval: maybe(fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY' as const)),
  })
  .map((f): Template => (model) => {
    const { id, ...fields } = f;
    const current = model.subs.get(id);
    return {
      t: 'subscription',
      v: current ? { ...current, ...defined(fields) } : subscription(id, defined(fields)),
    };
  });

const fixed = (c: fc.Arbitrary<Change>): fc.Arbitrary<Template> => c.map((v) => () => v);

const change: fc.Arbitrary<Template> = fc.oneof(
  { weight: 5, arbitrary: paymentChange },
  { weight: 3, arbitrary: subscriptionChange },
  {
    weight: 2,
    arbitrary: fixed(
      fc.constant(null).map((): Change => ({ t: 'audit', v: auditEntry(`a${serial++}`) })),
    ),
  },
  {
    weight: 1,
    arbitrary: fixed(
      fc.constant(null).map((): Change => ({ t: 'undo.push', v: historyEntry(`h${serial++}`) })),
    ),
  },
  { weight: 1, arbitrary: fixed(fc.constant<Change>({ t: 'undo.pop' })) },
  {
    weight: 1,
    arbitrary: fixed(
      fc.constant(null).map((): Change => ({ t: 'redo.push', v: historyEntry(`h${serial++}`) })),
    ),
  },
  { weight: 1, arbitrary: fixed(fc.constantFrom<Change>({ t: 'redo.pop' }, { t: 'redo.clear' })) },
  // An entry taken off by its id (an operator's own undo or redo): one on the stack, or not.
  {
    weight: 1,
    arbitrary: fc
      .record({ redo: fc.boolean(), pick: fc.nat(), missing: fc.boolean() })
      .map(({ redo, pick, missing }): Template => (model) => {
        const stack = redo ? model.redo : model.undo;
        const entry = stack[pick % Math.max(1, stack.length)];
        const v = missing || entry === undefined ? 'h-missing' : entry.id;
        return { t: redo ? 'redo.remove' : 'undo.remove', v };
      }),
  },
  {
    weight: 1,
    arbitrary: fixed(
      fc
        .record({ key: fc.constantFrom(...KEYS), finished: fc.boolean(), n: fc.nat(9) })
        .map((f): Change => ({
          t: 'idempotency',
          v: idempotency(
            f.key,
            f.finished ? { answer: { ok: true, data: f.n } } : { answer: null, finishedAt: null },
          ),
        })),
    ),
  },
  {
    weight: 1,
    arbitrary: fixed(
      fc
        .record({
          id: fc.constantFrom(...REFUND_IDS),
          status: fc.constantFrom('PENDING' as const, 'SUCCEEDED' as const, 'FAILED' as const),
          amount: fc.integer({ min: 1, max: 900 }),
        })
        .map((f): Change => ({
          t: 'refund',
          v: refund(f.id, { ...f, paymentId: `p${f.id.slice(1)}` }),
        })),
    ),
  },
  {
    weight: 1,
    arbitrary: fixed(fc.nat(99).map((n): Change => ({ t: 'gatewayCursor', v: String(n) }))),
  },
  {
    weight: 1,
    arbitrary: fixed(
      fc
        .record({
          schedulerIntervalSeconds: fc.integer({ min: 1, max: 600 }),
          schedulerEnabled: fc.boolean(),
        })
        .map((v): Change => ({ t: 'settings', v: { ...v, operators: [] } })),
    ),
  },
  {
    weight: 1,
    arbitrary: fixed(
      fc.option(minute.map(at), { nil: null }).map((v): Change => ({ t: 'clock', v })),
    ),
  },
);

type Step =
  | { kind: 'commits'; commits: Template[][] }
  | { kind: 'reopen' }
  | { kind: 'compact' }
  | { kind: 'crash' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 })
      .map((commits) => ({ kind: 'commits' as const, commits })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const keys = {
  emails: EMAILS,
  subscriptionIds: SUBS,
  idempotencyKeys: KEYS,
  refundIds: REFUND_IDS,
  now: at(20),
};
// Nothing here is older than 7 days at this "now": compaction keeps every idempotency record.
const clockNow = () => new Date(at(60));

/**
 * A pop of an empty stack, or the removal of an entry neither on the stack nor pushed by the
 * commit, is refused by the store; the model mirrors what is applicable.
 */
function applicable(model: Model, changes: Change[]): boolean {
  let undo = model.undo.length;
  let redo = model.redo.length;
  const undoIds = new Set(model.undo.map((e) => e.id));
  const redoIds = new Set(model.redo.map((e) => e.id));
  for (const c of changes) {
    if (c.t === 'undo.push') {
      undo++;
      undoIds.add(c.v.id);
    }
    if (c.t === 'redo.push') {
      redo++;
      redoIds.add(c.v.id);
    }
    if (c.t === 'redo.clear') redo = 0;
    if (c.t === 'undo.pop' && undo-- === 0) return false;
    if (c.t === 'redo.pop' && redo-- === 0) return false;
    if (c.t === 'undo.remove') {
      if (!undoIds.has(c.v)) return false;
      undo--;
    }
    if (c.t === 'redo.remove') {
      if (!redoIds.has(c.v)) return false;
      redo--;
    }
  }
  return true;
}

it('answers like the reference model across commits, reopens, compactions and crashes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      let dir = await tempDir();
      let store: Store = await openStore(dir, { clockNow, compactThresholdBytes: 4096 });
      const model = new Model();
      try {
        for (const s of steps) {
          if (s.kind === 'commits') {
            const pending: Promise<void>[] = [];
            for (const templates of s.commits) {
              const changes = templates.map((make) => make(model));
              if (applicable(model, changes)) {
                model.apply(changes);
                pending.push(store.commit(changes));
              } else {
                await expect(store.commit(changes)).rejects.toThrow(/empty|not on the stack/);
              }
            }
            await Promise.all(pending);
          } else if (s.kind === 'compact') {
            await store.compact();
          } else if (s.kind === 'reopen') {
            await store.close();
            store = await openStore(dir, { clockNow, compactThresholdBytes: 4096 });
          } else {
            // The files as a killed process leaves them (every commit acknowledged).
            const copy = await tempDir();
            for (const f of ['paydesk.json', 'paydesk.journal'])
              await copyFile(join(dir, f), join(copy, f));
            await store.close();
            dir = copy;
            store = await openStore(dir, { clockNow, compactThresholdBytes: 4096 });
          }
          expect(dumpStore(store, keys)).toEqual(dumpStore(model, keys));
        }
      } finally {
        await store.close();
      }
    }),
    { numRuns: 60 },
  );
}, 120_000);
