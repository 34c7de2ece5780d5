/**
 * Generates a large, valid data directory for benchmarks: `generateStore(dir, { payments })`
 * writes paydesk.json in the store's current snapshot format (through the store's own
 * snapshot writer) and a short paydesk.journal of ordinary commits after it, without going
 * through commands or the gateway: 1,000,000 payments take about 12 s on the project's
 * machines (bound by allocation: each payment is made as an object, then encoded).
 *
 * The data looks like a few years of use: payments created every ~30 s up to FIXTURE_NOW
 * (mostly COMPLETED, some FAILED, refunded or partially refunded, a handful PENDING), from a
 * pool of customers; a fifth of them are subscription charges (idempotency keys as the
 * scheduler makes them). `dueSubscriptions` of the subscriptions are due at FIXTURE_NOW
 * (and under any later clock); the others are due far in the future (after 2030) or are
 * paused or cancelled. Everything derives from `seed`: the same options give the same files.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS,
  type AuditEntry,
  type Payment,
  type PaymentStatus,
  type Subscription,
} from '../src/shared/domain';
import type { Change } from '../src/main/core/ports';
import { periodChargeKey } from '../src/main/core/schedule';
import { writeStoreFiles } from '../src/main/core/store/index';
import { seededRandom } from './stats';

/** The "now" of generated data: every payment is created before it. */
export const FIXTURE_NOW = '2025-01-01T00:00:00.000Z';

export interface GenerateOptions {
  payments: number;
  /** Default: payments / 100, at most 10,000. */
  subscriptions?: number;
  /** How many subscriptions are due at FIXTURE_NOW (default 0). */
  dueSubscriptions?: number;
  seed?: number;
  /** Commits in the journal after the snapshot, each a new payment and its audit entry (default 100). */
  journalCommits?: number;
  /** Audit entries in the snapshot (default 0). */
  auditEntries?: number;
}

const CUSTOMERS = 50_000;
const STEP_MS = 30_000;
const DAY_MS = 86_400_000;
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'] as const;
const METHODS = ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', null] as const;
const DECLINES = [
  ['card_declined', 'Your card was declined.'],
  ['insufficient_funds', 'Your card has insufficient funds.'],
  ['expired_card', 'Your card has expired.'],
] as const;

const hex = (rnd: () => number, n: number): string => {
  let s = '';
  while (s.length < n)
    s += Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
};

const iso = (ms: number): string => new Date(ms).toISOString();

function makeSubscriptions(count: number, due: number, rnd: () => number): Subscription[] {
  const now = Date.parse(FIXTURE_NOW);
  const start = now - 2 * 365 * DAY_MS;
  const out: Subscription[] = [];
  for (let i = 0; i < count; i++) {
    const createdMs = start + Math.floor((i / Math.max(1, count)) * 365 * DAY_MS);
    const created = iso(createdMs);
    const isDue = i < due;
    const roll = rnd();
    const status: Subscription['status'] = isDue
      ? 'ACTIVE'
      : roll < 0.85
        ? 'ACTIVE'
        : roll < 0.95
          ? 'PAUSED'
          : 'CANCELLED';
    const next = isDue
      ? iso(now - Math.floor(rnd() * 30 * DAY_MS))
      : status === 'CANCELLED'
        ? null
        : iso(Date.parse('2030-01-01T00:00:00.000Z') + Math.floor(rnd() * 365 * DAY_MS));
    out.push({
      id: `sub_${createdMs.toString(36)}${hex(rnd, 10)}`,
      customerEmail: customer(rnd),
      amount: 500 + Math.floor(rnd() * 100) * 100,
      currency: 'USD',
      interval: 'MONTHLY',
      intervalCount: 1,
      status,
      billingAnchor: created,
      nextPeriod: 24,
      nextPaymentDate: next,
      failedAttempts: 0,
      retryAt: null,
      pausedAt: status === 'PAUSED' ? created : null,
      pauseReason: null,
      waivedPeriods: [],
      createdAt: created,
      updatedAt: created,
      review: null,
      unpaidPeriods: [],
    });
  }
  return out;
}

interface PaymentMaker {
  next(createdMs: number): Payment;
}

/** customer0@example.com ...: made once, so that payments share them as real ones do. */
const customers = Array.from({ length: CUSTOMERS }, (_, i) => `customer${i}@example.com`);
const customer = (rnd: () => number): string => customers[Math.floor(rnd() * CUSTOMERS)] as string;

function paymentMaker(subs: readonly Subscription[], rnd: () => number): PaymentMaker {
  const periods = new Map<string, number>();
  return {
    next(createdMs) {
      const created = iso(createdMs);
      const id = `pay_${createdMs.toString(36)}${hex(rnd, 10)}`;
      const sub = subs.length > 0 && rnd() < 0.2 ? subs[Math.floor(rnd() * subs.length)] : null;
      let period: number | null = null;
      let key = `charge_${id}`;
      if (sub) {
        period = periods.get(sub.id) ?? 0;
        periods.set(sub.id, period + 1);
        key = periodChargeKey(sub.id, period, 0);
      }
      const amount = sub ? sub.amount : 100 + Math.floor(rnd() * 50_000);
      const roll = rnd();
      const status: PaymentStatus =
        roll < 0.0001
          ? 'PENDING'
          : roll < 0.08
            ? 'FAILED'
            : roll < 0.12
              ? 'REFUNDED'
              : roll < 0.14
                ? 'PARTIALLY_REFUNDED'
                : 'COMPLETED';
      const settled = iso(createdMs + 400 + Math.floor(rnd() * 1500));
      const txn = status === 'PENDING' || status === 'FAILED' ? null : `txn_${hex(rnd, 24)}`;
      const decline = DECLINES[Math.floor(rnd() * DECLINES.length)] ?? DECLINES[0];
      const events: Payment['events'] = [
        { type: 'created', at: created },
        { type: 'charge_attempted', at: created },
      ];
      if (status === 'FAILED') {
        events.push({ type: 'failed', at: settled, code: decline[0], message: decline[1] });
      } else if (txn !== null) {
        events.push({ type: 'succeeded', at: settled, transactionId: txn });
      }
      let refundedAmount = 0;
      let updated = status === 'PENDING' ? created : settled;
      if (status === 'REFUNDED' || status === 'PARTIALLY_REFUNDED') {
        refundedAmount = status === 'REFUNDED' ? amount : Math.max(1, Math.floor(amount / 3));
        updated = iso(createdMs + DAY_MS);
        events.push({
          type: 'refunded',
          at: updated,
          amount: refundedAmount,
          refundId: `re_${hex(rnd, 24)}`,
        });
      }
      const currency = sub ? sub.currency : (CURRENCIES[Math.floor(rnd() * 7)] ?? 'USD');
      return {
        id,
        amount,
        currency,
        customerEmail: sub
          ? sub.customerEmail
          : `customer${Math.floor(rnd() * CUSTOMERS)}@example.com`,
        description: sub ? `Subscription ${sub.id} period ${period}` : rnd() < 0.5 ? 'Order' : null,
        paymentMethod: METHODS[Math.floor(rnd() * METHODS.length)] ?? null,
        status,
        transactionId: txn,
        failureCode: status === 'FAILED' ? decline[0] : null,
        failureMessage: status === 'FAILED' ? decline[1] : null,
        refundedAmount,
        idempotencyKey: key,
        subscriptionId: sub ? sub.id : null,
        period,
        redoOf: null,
        createdAt: created,
        updatedAt: updated,
        events,
      };
    },
  };
}

function audit(id: string, atMs: number, label: string): AuditEntry {
  return {
    id,
    at: iso(atMs),
    origin: 'operator',
    action: 'execute',
    kind: 'ProcessPayment',
    label,
    outcome: 'ok',
    message: null,
    operator: null,
  };
}

/** The generated records of `o`, in the order they are written (each generator once, in order). */
export interface FixtureData {
  subscriptions: Subscription[];
  /** The payments before the first commit (the snapshot's). */
  payments: () => Generator<Payment>;
  audits: () => Generator<AuditEntry>;
  /** The ordinary commits after them, each a new payment and its audit entry. */
  journal: () => Generator<Change[]>;
}

/**
 * The records of a generated store. They draw on one seeded generator: read `payments`,
 * then `audits`, then `journal` (as the writers do) to get the same records every time.
 */
export function fixtureData(o: GenerateOptions): FixtureData {
  const rnd = seededRandom(o.seed ?? 1);
  const subCount = o.subscriptions ?? Math.min(10_000, Math.floor(o.payments / 100));
  const subs = makeSubscriptions(subCount, Math.min(subCount, o.dueSubscriptions ?? 0), rnd);
  const journalCommits = o.journalCommits ?? 100;
  const total = o.payments + journalCommits;
  const firstMs = Date.parse(FIXTURE_NOW) - (total + 1) * STEP_MS;
  const maker = paymentMaker(subs, rnd);

  function* payments(): Generator<Payment> {
    for (let i = 0; i < o.payments; i++) yield maker.next(firstMs + i * STEP_MS);
  }
  const auditCount = o.auditEntries ?? 0;
  function* audits(): Generator<AuditEntry> {
    for (let i = 0; i < auditCount; i++) {
      yield audit(`aud_${i.toString(36)}${hex(rnd, 10)}`, firstMs + i * STEP_MS, `Charge ${i}`);
    }
  }
  function* journal(): Generator<Change[]> {
    for (let c = 0; c < journalCommits; c++) {
      const ms = firstMs + (o.payments + c) * STEP_MS;
      const p = maker.next(ms);
      yield [
        { t: 'payment', v: p },
        { t: 'audit', v: audit(`aud_j${c}`, ms, `Charge ${p.id}`) },
      ];
    }
  }
  return { subscriptions: subs, payments, audits, journal };
}

/**
 * Writes a data directory of `o.payments` payments (replacing its store files). The
 * directory must not be open in a store.
 */
export async function generateStore(dataDir: string, o: GenerateOptions): Promise<void> {
  const data = fixtureData(o);
  await mkdir(dataDir, { recursive: true });
  for (const f of ['paydesk.json', 'paydesk.journal', 'paydesk.json.tmp', 'paydesk.journal.tmp']) {
    await rm(join(dataDir, f), { force: true });
  }
  await writeStoreFiles(dataDir, {
    journalSeq: o.payments,
    settings: DEFAULT_SETTINGS,
    payments: data.payments(),
    subscriptions: data.subscriptions,
    audit: data.audits(),
    journal: data.journal(),
  });
}
