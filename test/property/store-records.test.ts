/**
 * The store's record checks (derived from the layouts, used instead of zod, which only words
 * the errors) accept exactly what the zod schemas of src/shared/domain.ts accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAST, isAuditEntry, isPayment, isSubscription } from '../../src/main/core/store/records';
import { LAYOUTS } from '../../src/main/core/store/layout';
import { auditEntry, payment, subscription } from '../../src/shared/domain';
import type { z } from 'zod';

// The base records are valid; `mutated` then breaks (or not) one field with a `weird` value.
const instant = fc.oneof(
  fc
    .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom('2025-01-01T00:00:00Z', '2024-02-29T23:59:59.123456Z'),
);
const weird = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    0,
    -1,
    1.5,
    2 ** 53,
    Number.NaN,
    Infinity,
    true,
    '',
    'x',
    'USD',
    'usd',
    'US',
    'EURO',
    'COMPLETED',
    'ACTIVE',
    'HOURLY',
    'robot',
    'created',
    'failed',
    {},
    [],
    [1],
    ['x'],
    '2025-02-29T00:00:00Z',
    '2025-01-01T00:00Z',
    '2025-01-01T00:00:00+01:00',
    '2025-01-01 00:00:00Z',
    '2025-13-01T00:00:00.000Z',
  ),
  instant,
  fc.integer(),
  fc.string(),
);
const str = fc.string({ maxLength: 12 });
const strOrNull = fc.option(str, { nil: null });
const minor = fc.oneof(fc.nat(), fc.constant(0));
const currency = fc.constantFrom('USD', 'EUR', 'JPY');

const event = fc.oneof(
  fc.record({ type: fc.constantFrom('created', 'charge_attempted', 'timed_out'), at: instant }),
  fc.record({ type: fc.constant('succeeded'), at: instant, transactionId: str }),
  fc.record({ type: fc.constant('failed'), at: instant, code: str, message: str }),
  fc.record({ type: fc.constant('refunded'), at: instant, amount: minor, refundId: str }),
  fc.record({
    type: fc.constant('reconciled'),
    at: instant,
    outcome: fc.constantFrom('COMPLETED', 'FAILED'),
  }),
);

const paymentArb = fc
  .record({
    id: str,
    amount: minor,
    currency,
    customerEmail: str,
    description: strOrNull,
    paymentMethod: strOrNull,
    status: fc.constantFrom('PENDING', 'COMPLETED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'),
    transactionId: strOrNull,
    failureCode: strOrNull,
    failureMessage: strOrNull,
    refundedAmount: minor,
    idempotencyKey: str,
    subscriptionId: strOrNull,
    period: fc.option(fc.nat(), { nil: null }),
    redoOf: strOrNull,
    createdAt: instant,
    updatedAt: instant,
    events: fc.array(event, { maxLength: 4 }),
  })
  // Events often repeat the payment's own instants (a shortcut of the fast check).
  .chain((p) =>
    fc.constantFrom(0, 1, 2).map((k) => ({
      ...p,
      events: p.events.map((e, i) =>
        i === k ? { ...e, at: k === 1 ? p.updatedAt : p.createdAt } : e,
      ),
    })),
  );

const subscriptionArb = fc.record({
  id: str,
  customerEmail: str,
  amount: minor,
  currency,
  interval: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
  intervalCount: fc.integer({ min: 1, max: 3 }),
  status: fc.constantFrom('ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED'),
  billingAnchor: instant,
  nextPeriod: fc.nat(),
  nextPaymentDate: fc.option(instant, { nil: null }),
  failedAttempts: fc.nat(),
  retryAt: fc.option(instant, { nil: null }),
  pausedAt: fc.option(instant, { nil: null }),
  pauseReason: strOrNull,
  waivedPeriods: fc.array(fc.nat(), { maxLength: 3 }),
  createdAt: instant,
  updatedAt: instant,
  review: fc.option(fc.record({ fromPeriod: minor, toPeriod: minor, markedAt: instant }), {
    nil: null,
  }),
  unpaidPeriods: fc.array(fc.nat(), { maxLength: 3 }),
});

const auditArb = fc.record(
  {
    id: str,
    at: instant,
    origin: fc.constantFrom('operator', 'api', 'scheduler', 'system'),
    action: fc.constantFrom('execute', 'undo', 'redo', 'reconcile'),
    kind: str,
    label: str,
    outcome: fc.constantFrom('ok', 'declined', 'error'),
    message: strOrNull,
    // Optional: entries written before amounts were recorded have none.
    moved: fc.array(fc.record({ currency, charged: minor, refunded: minor }), { maxLength: 3 }),
    operator: fc.option(fc.record({ id: str, name: str }), { nil: null }),
  },
  {
    requiredKeys: [
      'id',
      'at',
      'origin',
      'action',
      'kind',
      'label',
      'outcome',
      'message',
      'operator',
    ],
  },
);

/** A value close to `v` that may or may not still fit (a case change, a fraction, ...). */
function nearMiss(v: unknown, r: number): unknown {
  if (typeof v === 'string') {
    const options = [
      v.toLowerCase(),
      v.toUpperCase(),
      `${v}x`,
      v.slice(1),
      v.replace('Z', '+00:00'),
      v.replace('T', ' '),
    ];
    return options[r % options.length];
  }
  if (typeof v === 'number') return [-1, v + 0.5, 2 ** 53, -v - 1, `${v}`][r % 5];
  if (v === null) return ['', 0, undefined, false][r % 4];
  if (Array.isArray(v)) return [{}, ['x'], [-1], null][r % 4];
  return [null, [], 'x'][r % 3];
}

/** Sets (or deletes) one field, at the top or inside one nested object or array. */
function mutated(base: fc.Arbitrary<Record<string, unknown>>) {
  const change = fc.oneof(
    fc.record({ near: fc.constant(true), r: fc.nat(), value: fc.constant<unknown>(null) }),
    fc.record({ near: fc.constant(false), r: fc.nat(), value: weird }),
  );
  return fc.tuple(base, fc.nat(), fc.nat(), change, fc.boolean()).map(([rec, k, j, c, del]) => {
    const pick = (current: unknown) => (c.near ? nearMiss(current, c.r) : c.value);
    const copy: Record<string, unknown> = structuredClone(rec);
    const keys = [...Object.keys(copy), 'extra'];
    const key = keys[k % keys.length] as string;
    const inner = copy[key];
    if (Array.isArray(inner) && inner.length > 0) {
      const i = j % inner.length;
      const item: unknown = inner[i];
      if (typeof item === 'object' && item !== null) {
        const itemKeys = Object.keys(item);
        const ik = itemKeys[j % itemKeys.length] as string;
        if (del) delete (item as Record<string, unknown>)[ik];
        else (item as Record<string, unknown>)[ik] = pick((item as Record<string, unknown>)[ik]);
      } else {
        inner[i] = pick(item);
      }
    } else if (del) {
      delete copy[key];
    } else {
      copy[key] = pick(inner);
    }
    return copy;
  });
}

function agrees(
  schema: z.ZodType,
  check: (v: unknown) => boolean,
  arb: fc.Arbitrary<Record<string, unknown>>,
) {
  let valid = 0;
  const runs = 6000;
  fc.assert(
    fc.property(fc.oneof(arb, mutated(arb), mutated(mutated(arb))), (value) => {
      const expected = schema.safeParse(value).success;
      if (expected) valid++;
      expect(check(value)).toBe(expected);
    }),
    { numRuns: runs },
  );
  // Both sides of the question were asked often.
  expect(valid).toBeGreaterThan(runs * 0.2);
  expect(valid).toBeLessThan(runs * 0.8);
}

describe('the fast record checks agree with zod', () => {
  it('for payments', () => agrees(payment, isPayment, paymentArb));
  it('for subscriptions', () => agrees(subscription, isSubscription, subscriptionArb));
  it('for audit entries', () => agrees(auditEntry, isAuditEntry, auditArb));
  it('which every kind has, from a layout that covers the whole shape of its schema', () => {
    expect(Object.keys(FAST).sort()).toEqual(Object.keys(LAYOUTS).sort());
    for (const layout of Object.values(LAYOUTS)) {
      const shape = (layout.schema as z.ZodObject).shape;
      expect(layout.fields.map((f) => f.name).sort()).toEqual(Object.keys(shape).sort());
    }
  });
  it('for values that are not records at all', () => {
    for (const v of [null, undefined, 1, 'x', [], [payment]]) {
      expect(isPayment(v)).toBe(false);
      expect(isSubscription(v)).toBe(false);
      expect(isAuditEntry(v)).toBe(false);
    }
  });
});
