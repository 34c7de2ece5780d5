/**
 * How a commit's changes are written in a journal line. Part of the file format: it changes
 * only with the schema version (migrations.ts).
 *
 * Since schema version 3, a payment's or a subscription's record is written as a positional
 * tuple instead of an object: `{"t":"payment","v":[...]}` in the layout of codec.ts's payment
 * tuples, `{"t":"subscription","v":[...]}` in the order of SUBSCRIPTION_TUPLE. They are most
 * of what a scheduler run journals (two versions of each payment and one of each
 * subscription a charge), and a tuple is about half the bytes of the object, to encode,
 * checksum, write and flush. Every other change is written as it is. Lines written before
 * version 3 hold objects; decoding reads both. Idempotency records written before version 4
 * are dropped (see migrations.ts).
 *
 * Decoding never throws: a malformed tuple decodes to something the record checks refuse.
 */
import type { Subscription } from '../../../shared/domain';
import type { Change } from '../ports';
import { encodePaymentTuple, paymentDecoder } from './codec';

/** A subscription's fields in the order its tuple holds them. */
export const SUBSCRIPTION_TUPLE = [
  'id',
  'customerEmail',
  'amount',
  'currency',
  'interval',
  'intervalCount',
  'status',
  'billingAnchor',
  'nextPeriod',
  'nextPaymentDate',
  'failedAttempts',
  'retryAt',
  'pausedAt',
  'pauseReason',
  'waivedPeriods',
  'createdAt',
  'updatedAt',
  'review',
  'unpaidPeriods',
] as const satisfies readonly (keyof Subscription)[];

/** Fields added after version 3, with the value a record written before them has. */
const SUBSCRIPTION_DEFAULTS: Partial<Subscription> = { review: null, unpaidPeriods: [] };
/**
 * The lengths of the subscription tuples written before the last field was added: schema
 * version 3 (before `review`), and version 4 before `unpaidPeriods`.
 */
const OLDER_SUBSCRIPTION_TUPLES: ReadonlySet<number> = new Set([17, 18]);

/**
 * Fails to compile when Subscription has a field the tuple lacks (it would be lost). A new
 * field goes at the end of the tuple: positions are part of the format, and decoding takes
 * a tuple of another length for damage.
 */
export type SubscriptionTupleIsComplete = Assert<
  Exclude<keyof Subscription, (typeof SUBSCRIPTION_TUPLE)[number]>
>;
type Assert<Unlisted extends never> = Unlisted;

/** The changes as they are written (to be passed to JSON.stringify). */
export function encodeChanges(changes: readonly Change[]): unknown[] {
  const out: unknown[] = new Array(changes.length);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as Change;
    if (change.t === 'payment') out[i] = { t: 'payment', v: encodePaymentTuple(change.v) };
    else if (change.t === 'subscription') {
      const sub = change.v;
      out[i] = { t: 'subscription', v: SUBSCRIPTION_TUPLE.map((field) => sub[field]) };
    } else out[i] = change;
  }
  return out;
}

/**
 * A decoder of parsed journal lines' changes (one per replay: it shares equal strings
 * among the payments it decodes). Records in either form come out as objects, to check.
 */
export function changesDecoder(): (changes: unknown[]) => unknown[] {
  const payment = paymentDecoder();
  return (changes) =>
    changes.filter((change) => !isLegacyIdempotency(change)).map((c) => decodeChange(c, payment));
}

/**
 * An idempotency record as lines before schema 4 wrote it (an HTTP response, without
 * `answer`): such records are dropped by the migration to version 4, and so are they when a
 * crash left them in the journal.
 */
function isLegacyIdempotency(change: unknown): boolean {
  if (typeof change !== 'object' || change === null) return false;
  const { t, v } = change as { t?: unknown; v?: unknown };
  return t === 'idempotency' && typeof v === 'object' && v !== null && !('answer' in v);
}

function decodeChange(change: unknown, payment: (raw: unknown) => unknown): unknown {
  if (typeof change !== 'object' || change === null) return change;
  const { t, v } = change as { t?: unknown; v?: unknown };
  if (t === 'subscription' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
    // An object written before version 3: fields added since take their defaults.
    return { t, v: { ...SUBSCRIPTION_DEFAULTS, ...v } };
  }
  if (!Array.isArray(v)) return change;
  if (t === 'payment') return { t, v: payment(v) };
  if (t === 'subscription') return { t, v: subscriptionOf(v) };
  return change;
}

function subscriptionOf(tuple: unknown[]): unknown {
  if (tuple.length !== SUBSCRIPTION_TUPLE.length && !OLDER_SUBSCRIPTION_TUPLES.has(tuple.length)) {
    return tuple;
  }
  const sub: Record<string, unknown> = { ...SUBSCRIPTION_DEFAULTS };
  tuple.forEach((value, i) => (sub[SUBSCRIPTION_TUPLE[i] as string] = value));
  return sub;
}
