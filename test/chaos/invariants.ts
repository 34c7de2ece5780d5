/**
 * The chaos harness's invariants: pure checks over the mock gateway's own ledger, the app's
 * state as the REST API shows it, and the client's log of acknowledged answers. No I/O here,
 * so that each check can be unit-tested with small hand-made cases (invariants.test.ts).
 *
 * Soundness first: a check must never report a violation that a correct implementation may
 * produce. Every check says below what a correct core may legitimately do and why the
 * check still holds. Money is compared as integers of minor units, parsed exactly from the
 * API's decimal strings.
 */
import { z } from 'zod';
import { canonicalJson } from '../../src/main/core/requests';

// ---------------------------------------------------------------------------------------
// Violations and results

export const INVARIANTS = [
  /** Every successful gateway charge has exactly one (charged) payment. */
  'charge-has-one-payment',
  /** Every COMPLETED, PARTIALLY_REFUNDED or REFUNDED payment has its gateway charge. */
  'payment-has-charge',
  /** No (subscription, period) has two successful charges that are not refunded. */
  'period-charged-once',
  /** No request (one Idempotency-Key) has two successful charges that are not refunded. */
  'request-charged-once',
  /** A payment's refunded amount equals the ledger's refunds and never exceeds its amount. */
  'refunds-match-ledger',
  /** Nothing is PENDING once start-up reconciliation is over. */
  'no-pending-after-start',
  /** What an acknowledged answer showed is still there after a restart. */
  'acknowledged-kept',
  /** Replaying an acknowledged request's key answers the same status and body. */
  'replay-same-answer',
  /** Replaying acknowledged keys creates nothing (no payment, ledger entry, history move). */
  'replay-creates-nothing',
  /** The undo/redo history after a restart is what was acknowledged. */
  'history-kept',
  /** Undo and redo still answer after a restart (200 or 409, never a 5xx). */
  'history-works',
  /** No answer is a 5xx other than 503 storage_unavailable. */
  'server-error',
  /** One keyed subscription request creates at most one subscription. */
  'subscription-once',
  /** A request retried with its key eventually gets a final answer. */
  'retry-answered',
  /** The server process only dies when the harness kills it. */
  'server-alive',
  /** The gateway ledger and the API's answers can be read. */
  'readable',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: InvariantName;
  /** Identifies the problem (invariant and subject): the same problem seen again is one violation. */
  id: string;
  message: string;
  /** How many kill points the run had passed when it was first seen. */
  afterKillPoint?: number;
}

export interface CheckResult {
  /** How many individual facts were checked. */
  checks: number;
  violations: Violation[];
}

const violation = (invariant: InvariantName, subject: string, message: string): Violation => ({
  invariant,
  id: `${invariant}:${subject}`,
  message,
});

class Collector {
  checks = 0;
  readonly violations: Violation[] = [];
  check(ok: boolean, invariant: InvariantName, subject: string, message: () => string): boolean {
    this.checks++;
    if (!ok) this.violations.push(violation(invariant, subject, message()));
    return ok;
  }
  result(): CheckResult {
    return { checks: this.checks, violations: this.violations };
  }
}

// ---------------------------------------------------------------------------------------
// Money

/** Decimal places of the currencies the harness uses. */
const EXPONENTS: Readonly<Record<string, number>> = { USD: 2, EUR: 2, GBP: 2, JPY: 0 };

/**
 * A decimal string ("12.34", "1234") in minor units of `currency`, exactly; null when it is
 * malformed or has more decimals than the currency.
 */
export function toMinor(amount: string, currency: string): number | null {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) return null;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  const digits = `${whole}${fraction.padEnd(exponent, '0')}`;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}

/** Minor units as the API's decimal string ("1234" USD → "12.34"). */
export function fromMinor(minor: number, currency: string): string {
  const exponent = EXPONENTS[currency] ?? 2;
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}

// ---------------------------------------------------------------------------------------
// The gateway's ledger (<data-dir>/gateway-ledger.jsonl)

const chargeEntry = z.object({
  type: z.literal('charge'),
  idempotencyKey: z.string(),
  amount: z.number().int().positive(),
  currency: z.string(),
  customerEmail: z.string(),
  paymentMethod: z.string().nullable(),
  description: z.string().nullable(),
  result: z.discriminatedUnion('status', [
    z.object({ status: z.literal('succeeded'), transactionId: z.string() }),
    z.object({ status: z.literal('failed'), code: z.string(), message: z.string() }),
  ]),
  timedOut: z.boolean(),
  at: z.string(),
});
const refundEntry = z.object({
  type: z.literal('refund'),
  idempotencyKey: z.string(),
  transactionId: z.string(),
  amount: z.number().int().positive(),
  refundId: z.string(),
  at: z.string(),
});
const ledgerEntry = z.discriminatedUnion('type', [chargeEntry, refundEntry]);
export type ChargeEntry = z.infer<typeof chargeEntry>;
export type RefundEntry = z.infer<typeof refundEntry>;
export type LedgerEntry = z.infer<typeof ledgerEntry>;

export interface ParsedLedger {
  entries: LedgerEntry[];
  /** Lines that are not a valid entry (a torn last line is not one of them). */
  problems: string[];
}

/**
 * The ledger's entries, oldest first. A last line that does not parse is a torn append (the
 * process was killed while writing it) and is ignored; any other bad line is a problem.
 */
export function parseLedger(text: string): ParsedLedger {
  const lines = text.split('\n');
  const entries: LedgerEntry[] = [];
  const problems: string[] = [];
  lines.forEach((line, index) => {
    if (line === '') return;
    const last = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (!last) problems.push(`line ${index + 1} is not JSON`);
      return;
    }
    const parsed = ledgerEntry.safeParse(value);
    if (parsed.success) entries.push(parsed.data);
    else if (!last) problems.push(`line ${index + 1}: ${parsed.error.issues[0]?.message ?? ''}`);
  });
  return { entries, problems };
}

/** (subscription id, period) of a recurring charge's gateway key `sub_<id>_p<n>_a<m>`. */
export function periodOfKey(key: string): { subscriptionId: string; period: number } | null {
  const match = /^sub_(.+)_p(\d+)_a(\d+)$/.exec(key);
  if (!match) return null;
  return { subscriptionId: match[1] ?? '', period: Number(match[2]) };
}

// ---------------------------------------------------------------------------------------
// The app's state, as the REST API shows it

export const apiPayment = z.looseObject({
  id: z.string(),
  amount: z.string(),
  currency: z.string(),
  status: z.enum(['PENDING', 'COMPLETED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED']),
  transaction_id: z.string().nullable(),
  customer_email: z.string(),
  description: z.string().nullable(),
  failure_code: z.string().nullable().optional(),
  refunded_amount: z.string(),
  subscription_id: z.string().nullable().optional(),
});
export type ApiPayment = z.infer<typeof apiPayment>;

export const apiSubscription = z.looseObject({
  id: z.string(),
  customer_email: z.string(),
  amount: z.string(),
  currency: z.string(),
  interval: z.string(),
  status: z.string(),
});
export type ApiSubscription = z.infer<typeof apiSubscription>;

export const apiRun = z.looseObject({
  charged: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  payments: z.array(apiPayment),
});

export const historyItem = z.looseObject({ id: z.string(), kind: z.string(), label: z.string() });
export const historyView = z.looseObject({
  undo: z.array(historyItem),
  redo: z.array(historyItem),
  undo_total: z.number(),
  redo_total: z.number(),
});
export type HistoryView = z.infer<typeof historyView>;

export const clockView = z.looseObject({ now: z.string() });

const CHARGED = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
export const isCharged = (status: string): boolean => CHARGED.has(status);

/** The tag the harness puts in a payment's description: the request's Idempotency-Key. */
export const requestTag = (key: string): string => `chaos:${key}`;
export function keyOfTag(description: string | null): string | null {
  const match = description === null ? null : /^chaos:(\S+)$/.exec(description);
  return match ? (match[1] ?? null) : null;
}

/** The e-mail the harness gives a subscription: its request's key at chaos.test. */
export const subscriptionEmail = (key: string): string => `${key}@chaos.test`;
export function keyOfEmail(email: string): string | null {
  const match = /^(.+)@chaos\.test$/.exec(email);
  return match ? (match[1] ?? null) : null;
}

// ---------------------------------------------------------------------------------------
// Ledger against payments

/**
 * The money invariants between the ledger and the payments, after start-up reconciliation:
 *
 * - every successful gateway charge has exactly one payment with its transaction id, and
 *   that payment is charged (a correct core stores a payment before calling the gateway and
 *   settles it at start-up, so no charge can stay without one);
 * - every charged payment (COMPLETED, PARTIALLY_REFUNDED, REFUNDED) has its successful
 *   charge in the ledger, with the same amount, currency and customer;
 * - each payment's refunded amount equals the sum of the ledger's refunds of its
 *   transaction, never exceeds its amount, and its status says the same (a correct core
 *   that was killed mid-refund settles the refund at start-up, from the gateway);
 * - no payment is PENDING (start-up reconciliation settles every one: a charge the gateway
 *   never saw ends FAILED `interrupted`).
 */
export function checkMoney(ledger: readonly LedgerEntry[], payments: readonly ApiPayment[]) {
  const c = new Collector();
  const charges = new Map<string, ChargeEntry>();
  const refunded = new Map<string, number>();
  for (const entry of ledger) {
    if (entry.type === 'charge') {
      if (entry.result.status === 'succeeded') charges.set(entry.result.transactionId, entry);
    } else {
      refunded.set(entry.transactionId, (refunded.get(entry.transactionId) ?? 0) + entry.amount);
    }
  }
  const chargedPayments = new Map<string, ApiPayment[]>();
  for (const p of payments) {
    c.check(p.status !== 'PENDING', 'no-pending-after-start', p.id, () => {
      return `payment ${p.id} (${p.description ?? ''}) is still PENDING after start-up`;
    });
    const amount = toMinor(p.amount, p.currency);
    const refundedAmount = toMinor(p.refunded_amount, p.currency);
    if (
      !c.check(amount !== null && refundedAmount !== null, 'readable', `amount:${p.id}`, () => {
        return `payment ${p.id} has an unreadable amount ${p.amount} / ${p.refunded_amount} ${p.currency}`;
      }) ||
      amount === null ||
      refundedAmount === null
    ) {
      continue;
    }
    c.check(refundedAmount <= amount, 'refunds-match-ledger', `exceeds:${p.id}`, () => {
      return `payment ${p.id} has ${p.refunded_amount} refunded of ${p.amount} ${p.currency}`;
    });
    if (!isCharged(p.status)) {
      c.check(refundedAmount === 0, 'refunds-match-ledger', p.id, () => {
        return `payment ${p.id} is ${p.status} but shows ${p.refunded_amount} refunded`;
      });
      continue;
    }
    const txn = p.transaction_id;
    const charge = txn === null ? undefined : charges.get(txn);
    if (
      !c.check(charge !== undefined, 'payment-has-charge', p.id, () => {
        return `payment ${p.id} is ${p.status} (${p.amount} ${p.currency}) but the gateway has no successful charge with transaction ${txn}`;
      }) ||
      charge === undefined ||
      txn === null
    ) {
      continue;
    }
    const list = chargedPayments.get(txn) ?? [];
    list.push(p);
    chargedPayments.set(txn, list);
    c.check(
      charge.amount === amount &&
        charge.currency === p.currency &&
        charge.customerEmail === p.customer_email,
      'payment-has-charge',
      `fields:${p.id}`,
      () =>
        `payment ${p.id} (${p.amount} ${p.currency}, ${p.customer_email}) differs from its gateway charge ${charge.idempotencyKey} (${charge.amount} ${charge.currency}, ${charge.customerEmail})`,
    );
    const ledgerRefunded = refunded.get(txn) ?? 0;
    c.check(ledgerRefunded === refundedAmount, 'refunds-match-ledger', p.id, () => {
      return `payment ${p.id} shows ${p.refunded_amount} ${p.currency} refunded but the gateway refunded ${fromMinor(ledgerRefunded, p.currency)} of ${txn}`;
    });
    const expected =
      refundedAmount === 0
        ? 'COMPLETED'
        : refundedAmount < amount
          ? 'PARTIALLY_REFUNDED'
          : 'REFUNDED';
    c.check(p.status === expected, 'refunds-match-ledger', `status:${p.id}`, () => {
      return `payment ${p.id} is ${p.status} with ${p.refunded_amount} of ${p.amount} refunded (expected ${expected})`;
    });
  }
  for (const [txn, charge] of charges) {
    const count = chargedPayments.get(txn)?.length ?? 0;
    c.check(count === 1, 'charge-has-one-payment', txn, () => {
      const who = keyOfTag(charge.description) ?? charge.description ?? '';
      return count === 0
        ? `gateway charge ${charge.idempotencyKey} (${txn}, ${charge.amount} ${charge.currency}, ${who}) has no charged payment`
        : `gateway charge ${charge.idempotencyKey} (${txn}) has ${count} payments: ${chargedPayments
            .get(txn)
            ?.map((p) => p.id)
            .join(', ')}`;
    });
  }
  return c.result();
}

/**
 * At most one live successful charge per group, walking the ledger in order: a successful
 * charge of a group whose earlier successful charge is not yet fully refunded is a double
 * charge. (A correct core does charge a group twice in one case: undo refunds a charge in
 * full, then redo charges again; the refund is then in the ledger before the new charge.)
 */
function atMostOneLiveCharge(
  ledger: readonly LedgerEntry[],
  groupOf: (charge: ChargeEntry) => string | null,
  invariant: InvariantName,
  what: string,
): CheckResult {
  const c = new Collector();
  const groupOfTxn = new Map<string, string>();
  /** Per group, the unrefunded amount of each of its successful charges. */
  const live = new Map<string, Map<string, number>>();
  for (const entry of ledger) {
    if (entry.type === 'refund') {
      const group = groupOfTxn.get(entry.transactionId);
      const charges = group === undefined ? undefined : live.get(group);
      const left = charges?.get(entry.transactionId);
      if (charges && left !== undefined) {
        if (left - entry.amount <= 0) charges.delete(entry.transactionId);
        else charges.set(entry.transactionId, left - entry.amount);
      }
      continue;
    }
    if (entry.result.status !== 'succeeded') continue;
    const group = groupOf(entry);
    if (group === null) continue;
    const txn = entry.result.transactionId;
    const charges = live.get(group) ?? new Map<string, number>();
    c.check(charges.size === 0, invariant, `${group}:${txn}`, () => {
      return `${what} ${group} is charged again (${entry.idempotencyKey}, ${txn}) while its charge ${[
        ...charges.keys(),
      ].join(', ')} is not refunded`;
    });
    charges.set(txn, entry.amount);
    live.set(group, charges);
    groupOfTxn.set(txn, group);
  }
  return c.result();
}

/** No (subscription, period) is charged successfully twice at the gateway (see above). */
export function checkPeriodsChargedOnce(ledger: readonly LedgerEntry[]): CheckResult {
  return atMostOneLiveCharge(
    ledger,
    (charge) => {
      const period = periodOfKey(charge.idempotencyKey);
      return period === null ? null : `${period.subscriptionId} period ${period.period}`;
    },
    'period-charged-once',
    'subscription',
  );
}

/**
 * One payment request (one Idempotency-Key of the harness, carried in the description) is
 * charged successfully at most once: a retry of a request whose first attempt charged must
 * not charge again. A correct core may retry a charge the gateway never saw (a kill before
 * the call), which cannot succeed twice, and a redo charges again only after the undo
 * refunded the first charge.
 */
export function checkRequestsChargedOnce(ledger: readonly LedgerEntry[]): CheckResult {
  return atMostOneLiveCharge(
    ledger,
    (charge) => keyOfTag(charge.description),
    'request-charged-once',
    'request',
  );
}

/**
 * Each subscription request of the harness (its key is the e-mail's local part) created at
 * most one subscription, however often it was retried.
 */
export function checkSubscriptionsOnce(subscriptions: readonly ApiSubscription[]): CheckResult {
  const c = new Collector();
  const byKey = new Map<string, string[]>();
  for (const s of subscriptions) {
    const key = keyOfEmail(s.customer_email);
    if (key === null) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), s.id]);
  }
  for (const [key, ids] of byKey) {
    c.check(ids.length === 1, 'subscription-once', key, () => {
      return `the request with key ${key} created ${ids.length} subscriptions: ${ids.join(', ')}`;
    });
  }
  return c.result();
}

// ---------------------------------------------------------------------------------------
// Acknowledged answers

/** What the client received for a keyed request (a final answer). */
export interface Ack {
  key: string;
  /** What the request did: it says how to read its body. */
  kind: 'pay' | 'refund' | 'subscribe' | 'run' | 'undo' | 'redo' | 'advance';
  method: 'POST';
  path: string;
  body: unknown;
  status: number;
  text: string;
  replayed: boolean;
  /** The round it was received in. */
  round: number;
  /** The test clock when it was received (ms). */
  clockMs: number;
}

/** The statuses a payment may have moved to from `then` (statuses only move forward). */
const LATER: Readonly<Record<ApiPayment['status'], readonly string[]>> = {
  PENDING: ['PENDING', 'COMPLETED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  COMPLETED: ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  REFUNDED: ['REFUNDED'],
  FAILED: ['FAILED'],
};

/** A payment an answer showed (`then`) against the same payment now. */
function paymentKept(c: Collector, ack: Ack, then: ApiPayment, now: ApiPayment | undefined): void {
  const subject = `${then.id}:${ack.key}`;
  if (
    !c.check(now !== undefined, 'acknowledged-kept', subject, () => {
      return `payment ${then.id} (${then.status}, answered to ${ack.key}) is gone`;
    }) ||
    now === undefined
  ) {
    return;
  }
  c.check(
    now.amount === then.amount &&
      now.currency === then.currency &&
      now.customer_email === then.customer_email,
    'acknowledged-kept',
    `fields:${subject}`,
    () => `payment ${then.id} changed amount or customer since the answer to ${ack.key}`,
  );
  c.check(LATER[then.status].includes(now.status), 'acknowledged-kept', `status:${subject}`, () => {
    return `payment ${then.id} was ${then.status} in the answer to ${ack.key} and is ${now.status} now`;
  });
  c.check(
    then.transaction_id === null || then.transaction_id === now.transaction_id,
    'acknowledged-kept',
    `txn:${subject}`,
    () =>
      `payment ${then.id} had transaction ${then.transaction_id} in the answer to ${ack.key}, now ${now.transaction_id}`,
  );
  const refundedThen = toMinor(then.refunded_amount, then.currency);
  const refundedNow = toMinor(now.refunded_amount, now.currency);
  c.check(
    refundedThen !== null && refundedNow !== null && refundedNow >= refundedThen,
    'acknowledged-kept',
    `refund:${subject}`,
    () =>
      `payment ${then.id} had ${then.refunded_amount} refunded in the answer to ${ack.key}, now ${now.refunded_amount}`,
  );
}

export interface AppState {
  payments: readonly ApiPayment[];
  subscriptions: readonly ApiSubscription[];
  /** The test clock's time (ms). */
  clockMs: number;
}

/**
 * Every acknowledged 2xx answer is still true after a restart: the payments it showed exist
 * with the same amount and transaction, their status only moved forward and their refunded
 * amount only grew; subscriptions it created exist; the test clock is not behind an
 * acknowledged advance. (History answers are checked by HistoryModel.) Error answers are not
 * checked: a correct core may or may not keep an error for a key.
 */
export function checkAcknowledged(acks: readonly Ack[], state: AppState): CheckResult {
  const c = new Collector();
  const payments = new Map(state.payments.map((p) => [p.id, p]));
  const subscriptions = new Map(state.subscriptions.map((s) => [s.id, s]));
  for (const ack of acks) {
    if (ack.status < 200 || ack.status >= 300) continue;
    const read = readAck(ack);
    switch (read.t) {
      case 'unreadable':
        c.check(false, 'readable', `ack:${ack.key}`, () => `the answer to ${ack.key} ${read.why}`);
        break;
      case 'payments':
        for (const p of read.payments) paymentKept(c, ack, p, payments.get(p.id));
        break;
      case 'subscription': {
        const then = read.subscription;
        const now = subscriptions.get(then.id);
        c.check(
          now !== undefined &&
            now.amount === then.amount &&
            now.currency === then.currency &&
            now.customer_email === then.customer_email,
          'acknowledged-kept',
          `${then.id}:${ack.key}`,
          () => `subscription ${then.id} (answered to ${ack.key}) is ${now ? 'changed' : 'gone'}`,
        );
        break;
      }
      case 'clock':
        c.check(read.ms <= state.clockMs, 'acknowledged-kept', `clock:${ack.key}`, () => {
          return `the test clock is at ${new Date(state.clockMs).toISOString()}, behind the acknowledged advance ${ack.key} to ${new Date(read.ms).toISOString()}`;
        });
        break;
      default:
        break;
    }
  }
  return c.result();
}

type ReadAck =
  | { t: 'payments'; payments: ApiPayment[] }
  | { t: 'subscription'; subscription: ApiSubscription }
  | { t: 'clock'; ms: number }
  | { t: 'unreadable'; why: string }
  | { t: 'other' };

/** Acknowledged answers never change: each is read once (runs have a thousand payments). */
const readAcks = new WeakMap<Ack, ReadAck>();

function readAck(ack: Ack): ReadAck {
  let read = readAcks.get(ack);
  if (read === undefined) {
    read = readAckOnce(ack);
    readAcks.set(ack, read);
  }
  return read;
}

function readAckOnce(ack: Ack): ReadAck {
  let json: unknown;
  try {
    json = JSON.parse(ack.text);
  } catch {
    return { t: 'unreadable', why: 'is not JSON' };
  }
  switch (ack.kind) {
    case 'pay':
    case 'refund': {
      const then = apiPayment.safeParse(json);
      return then.success
        ? { t: 'payments', payments: [then.data] }
        : { t: 'unreadable', why: 'is no payment' };
    }
    case 'run': {
      const run = apiRun.safeParse(json);
      return run.success
        ? { t: 'payments', payments: run.data.payments }
        : { t: 'unreadable', why: 'is no run' };
    }
    case 'subscribe': {
      const then = apiSubscription.safeParse(json);
      return then.success
        ? { t: 'subscription', subscription: then.data }
        : { t: 'unreadable', why: 'is no subscription' };
    }
    case 'advance': {
      const then = clockView.safeParse(json);
      const ms = then.success ? Date.parse(then.data.now) : Number.NaN;
      return Number.isNaN(ms) ? { t: 'unreadable', why: 'is no clock' } : { t: 'clock', ms };
    }
    default:
      return { t: 'other' };
  }
}

/**
 * What a replay must answer the same of a first answer at `path`. Paydesk keeps the answer,
 * not the state (README, "REST API"): the history and scheduler answers are views, read
 * again when replayed (only the status must match); a recurring run is kept as its counts
 * and its payments by id (their states may have moved on since: refunded by an undo). Every
 * other answer is compared whole.
 */
export function replayedPart(path: string, text: string): string {
  if (/^(history\/(undo|redo)|scheduler\/(start|stop))\/?$/.test(path)) return '';
  try {
    const body: unknown = JSON.parse(text);
    if (/(process-recurring|scheduler\/run|charge-missed)\/?$/.test(path)) {
      const run = body as {
        charged?: unknown;
        succeeded?: unknown;
        failed?: unknown;
        payments?: { id?: unknown }[];
      };
      return canonicalJson({
        charged: run.charged,
        succeeded: run.succeeded,
        failed: run.failed,
        payments: Array.isArray(run.payments) ? run.payments.map((p) => p.id) : null,
      });
    }
    return canonicalJson(body);
  } catch {
    return text;
  }
}

/**
 * A replay of an acknowledged 2xx answer's key (same method, path and body): the same
 * status and the same answer (replayedPart), marked `idempotent-replayed: true`. (Only 2xx
 * answers are compared: a correct core may decline to store an error answer and run the
 * request again.)
 */
export function compareReplay(
  ack: Ack,
  replay: { status: number; text: string; replayed: boolean },
): CheckResult {
  const c = new Collector();
  c.check(
    replay.status === ack.status &&
      replayedPart(ack.path, replay.text) === replayedPart(ack.path, ack.text),
    'replay-same-answer',
    ack.key,
    () =>
      `replaying ${ack.key} (${ack.path}) answered ${replay.status} ${replay.text.slice(0, 300)} instead of ${ack.status} ${ack.text.slice(0, 300)}`,
  );
  c.check(replay.replayed, 'replay-same-answer', `header:${ack.key}`, () => {
    return `replaying ${ack.key} (${ack.path}) answered without idempotent-replayed: true`;
  });
  return c.result();
}

/** What a sweep of replays must leave unchanged. */
export interface Counts {
  ledgerEntries: number;
  payments: number;
  subscriptions: number;
  undoTotal: number;
  redoTotal: number;
  undoTop: string | null;
  redoTop: string | null;
}

/** Replays only answer what is stored: nothing new in the ledger, the store or the history. */
export function checkNothingCreated(before: Counts, after: Counts): CheckResult {
  const c = new Collector();
  for (const field of Object.keys(before) as (keyof Counts)[]) {
    c.check(before[field] === after[field], 'replay-creates-nothing', field, () => {
      return `replaying acknowledged keys changed ${field} from ${before[field]} to ${after[field]}`;
    });
  }
  return c.result();
}

/**
 * A 5xx other than 503 (storage_unavailable, to be retried) is a server error: a violation
 * whatever the request.
 */
export function checkStatus(key: string, path: string, status: number, text: string): CheckResult {
  const c = new Collector();
  c.check(status < 500 || status === 503, 'server-error', `${key}:${status}`, () => {
    return `${path} (key ${key}) answered ${status}: ${text.slice(0, 300)}`;
  });
  return c.result();
}

// ---------------------------------------------------------------------------------------
// The undo/redo history

type Location = 'undo' | 'redo' | 'gone';

/**
 * What one client, the only one that undoes and redoes, knows of the history, and the check
 * that a restart kept it. Other clients only push new entries on the undo stack and clear
 * the redo stack (any new command does), so:
 *
 * - an entry the client saw on the undo stack leaves it only through an undo of this
 *   client; one it saw on the redo stack returns to the undo stack only through its redo;
 * - an entry gone from the redo stack (cleared) never comes back, and no id is listed twice.
 *
 * Acknowledged undos and redos are known (an undo's answer shows the entry it moved on top
 * of the redo stack; a redo moves the top of the redo stack as last seen). The only moves
 * that may be unexplained after a restart are those of the one request of this client whose
 * answer was lost (at most one move, of its kind, over all its retries). And if that
 * request did move an entry before the kill, its retry with the same key must answer the
 * stored answer (`idempotent-replayed`) instead of running again.
 */
export class HistoryModel {
  private readonly location = new Map<string, Location>();
  /** The redo stack, newest first, as last seen in a fresh view. */
  private redoSeen: string[] = [];
  private pending: { kind: 'undo' | 'redo'; key: string; moves: number } | null = null;
  /** Acknowledged moves whose entry the answer did not show (excused at the next restart). */
  private excused = { undo: 0, redo: 0 };

  /** The client sends a new undo or redo (it stays pending until a final answer). */
  begin(kind: 'undo' | 'redo', key: string): void {
    this.pending = { kind, key, moves: 0 };
  }

  /** The client gave up on its pending request (reported elsewhere). */
  abandon(key: string): void {
    if (this.pending?.key === key) this.pending = null;
  }

  get pendingKey(): string | null {
    return this.pending?.key ?? null;
  }

  /** What the client expects on top of the redo stack (the entry a redo would move). */
  get redoTop(): string | null {
    return this.redoSeen[0] ?? null;
  }

  /** A final answer to the pending request. */
  answered(
    kind: 'undo' | 'redo',
    key: string,
    status: number,
    view: HistoryView | null,
    replayed: boolean,
  ): CheckResult {
    const c = new Collector();
    const pending = this.pending?.key === key ? this.pending : null;
    this.pending = null;
    const movedBefore = pending?.moves ?? 0;
    if (status !== 200 || view === null) {
      // A first attempt that moved an entry stored its answer with that move (the key is
      // kept with the work's first durable record): a retry must get it, not an error.
      c.check(replayed || movedBefore === 0, 'history-kept', `answer:${key}`, () => {
        return `${kind} ${key} moved an entry before a kill, but its retry answered ${status} instead of the stored answer`;
      });
      return c.result();
    }
    if (replayed) {
      // The stored answer of a first attempt: its move was seen at a restart (movedBefore) or
      // happened in this server's life; its view is old, so only its move is learnt.
      if (movedBefore === 0) {
        const moved = kind === 'undo' ? view.redo[0]?.id : view.undo[0]?.id;
        if (moved !== undefined) this.location.set(moved, kind === 'undo' ? 'redo' : 'undo');
        if (kind === 'undo' && moved !== undefined) this.redoSeen.unshift(moved);
        if (kind === 'undo' && moved === undefined) this.excused.undo++;
        if (kind === 'redo') this.redoSeen.shift();
      }
      return c.result();
    }
    c.check(movedBefore === 0, 'history-kept', `twice:${key}`, () => {
      return `${kind} ${key} took effect before a kill and ran again when retried with its key`;
    });
    if (kind === 'undo' && view.redo.length === 0) {
      // The view does not show what was undone (a core may take it after other commands
      // cleared the redo stack): one unexplained undo is excused at the next restart.
      this.excused.undo++;
    }
    if (kind === 'redo') {
      const moved = this.redoSeen[0];
      if (moved === undefined) this.excused.redo++;
      else if (!view.undo.some((e) => e.id === moved)) {
        // A redo whose execution made no history entry (a run that charged nothing).
        this.location.set(moved, 'gone');
      }
    }
    this.learn(view);
    return c.result();
  }

  /** Learn from a fresh view (possibly limited: only the entries shown are learnt). */
  private learn(view: HistoryView): void {
    for (const e of view.undo) this.location.set(e.id, 'undo');
    for (const e of view.redo) this.location.set(e.id, 'redo');
    this.redoSeen = view.redo.map((e) => e.id);
  }

  /**
   * After a restart (nothing else running): the whole history (GET history/) against what
   * the client knows. Adopts the view afterwards.
   */
  afterRestart(view: HistoryView): CheckResult {
    const c = new Collector();
    const undoIds = view.undo.map((e) => e.id);
    const redoIds = view.redo.map((e) => e.id);
    const all = [...undoIds, ...redoIds];
    const counts = new Map<string, number>();
    for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, n] of counts) {
      c.check(
        n === 1,
        'history-kept',
        `duplicate:${id}`,
        () => `history entry ${id} is listed ${n} times`,
      );
    }
    const onUndo = new Set(undoIds);
    const onRedo = new Set(redoIds);
    const undoComplete = view.undo.length >= view.undo_total;
    const redoComplete = view.redo.length >= view.redo_total;
    const undone: string[] = [];
    const redone: string[] = [];
    for (const [id, where] of this.location) {
      if (where === 'undo') {
        if (onRedo.has(id) || (undoComplete && !onUndo.has(id))) undone.push(id);
      } else if (where === 'redo') {
        if (onUndo.has(id)) redone.push(id);
      } else {
        c.check(!onUndo.has(id) && !onRedo.has(id), 'history-kept', `back:${id}`, () => {
          return `history entry ${id}, cleared from the redo stack, is back on the ${onUndo.has(id) ? 'undo' : 'redo'} stack`;
        });
      }
    }
    for (const id of redoIds) if (!this.location.has(id)) undone.push(id);
    const pending = this.pending;
    const allowUndo = (pending?.kind === 'undo' ? 1 - pending.moves : 0) + this.excused.undo;
    const allowRedo = (pending?.kind === 'redo' ? 1 - pending.moves : 0) + this.excused.redo;
    const lost = pending ? ` (the lost request: ${pending.kind} ${pending.key})` : '';
    c.check(undone.length <= allowUndo, 'history-kept', `undone:${undone.join(',')}`, () => {
      return `after the restart, entries ${undone.join(', ')} left the undo stack with no acknowledged undo${lost}`;
    });
    c.check(redone.length <= allowRedo, 'history-kept', `redone:${redone.join(',')}`, () => {
      return `after the restart, entries ${redone.join(', ')} are back on the undo stack with no acknowledged redo${lost}`;
    });
    if (pending) {
      const moves = pending.kind === 'undo' ? undone.length : redone.length;
      pending.moves += Math.max(0, moves - this.excused[pending.kind]);
    }
    this.excused = { undo: 0, redo: 0 };
    // Adopt the view: it is the truth from now on.
    for (const [id, where] of this.location) {
      if (where === 'gone' || onUndo.has(id) || onRedo.has(id)) continue;
      if (where === 'undo' ? undoComplete : redoComplete) this.location.set(id, 'gone');
    }
    this.learn(view);
    return c.result();
  }
}

/** Add a result's violations to `into`, keeping the first sighting of each (by id). */
export function mergeViolations(
  into: Map<string, Violation>,
  result: CheckResult,
  afterKillPoint: number,
): void {
  for (const v of result.violations) {
    if (!into.has(v.id)) into.set(v.id, { ...v, afterKillPoint });
  }
}
