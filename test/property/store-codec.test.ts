/**
 * The snapshot's payment encodings (codec.ts, columns.ts) give back exactly what they were
 * given: instants, keys, bodies, and whole payments written to a data directory and read
 * back lazily through the store (odd ids and e-mails, instants out of order or written in
 * other forms, keys in the derived forms and not). So do the journal's (journal-codec.ts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalMs,
  chargeKey,
  decodeBody,
  encodeBody,
  encodeKey,
  Interner,
  isoOf,
  keyOwner,
  periodKey,
} from '../../src/main/core/store/codec';
import { openStore, writeStoreFiles } from '../../src/main/core/store/index';
import { changesDecoder, encodeChanges } from '../../src/main/core/store/journal-codec';
import type { Change } from '../../src/main/core/ports';
import {
  payment as paymentSchema,
  subscription as subscriptionSchema,
  type Payment,
} from '../../src/shared/domain';
import { removeTempDirs, tempDir } from '../unit/store-fixtures';

afterAll(removeTempDirs);

const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;
const canonical = fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => new Date(ms).toISOString());
// The same instants written otherwise: without milliseconds, or with more digits.
const instant = fc.oneof(
  canonical,
  fc
    .integer({ min: 0, max: 4_102_444_800 })
    .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z')),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => {
    const t = new Date(ms).toISOString();
    return `${t.slice(0, 23)}456Z`;
  }),
);
const text = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', 'a"b', 'back\\slash', 'new\nline', 'é', '😀', '\u2028'),
);
const orNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const minor = fc.oneof(fc.nat(), fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER));

/** A valid payment; its key in one of the derived forms, a near miss, or anything. */
const paymentArb: fc.Arbitrary<Payment> = fc
  .record({
    id: text,
    amount: minor,
    currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    customerEmail: text,
    description: orNull(text),
    paymentMethod: orNull(text),
    status: fc.constantFrom('PENDING', 'COMPLETED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'),
    transactionId: orNull(text),
    failureCode: orNull(text),
    failureMessage: orNull(text),
    refundedAmount: minor,
    subscriptionId: orNull(text),
    period: orNull(fc.oneof(fc.nat(30), fc.constant(Number.MAX_SAFE_INTEGER))),
    redoOf: orNull(text),
    createdAt: instant,
    updatedAtSame: fc.boolean(),
    updatedAt: instant,
    keyForm: fc.constantFrom('charge', 'period', 'other', 'near'),
    attempt: fc.oneof(fc.nat(5), fc.constant(2 ** 31), fc.constant(7)),
    key: text,
    events: fc.array(
      fc.record({
        type: fc.constantFrom(
          'created',
          'charge_attempted',
          'timed_out',
          'succeeded',
          'failed',
          'refunded',
          'reconciled',
        ),
        at: fc.oneof(instant, fc.constantFrom('created', 'updated')),
        other: text,
        n: minor,
        sameTransaction: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
  })
  .map((r): Payment => {
    const updatedAt = r.updatedAtSame ? r.createdAt : r.updatedAt;
    const sub = r.subscriptionId;
    const key =
      r.keyForm === 'charge'
        ? chargeKey(r.id)
        : r.keyForm === 'period' && sub !== null && r.period !== null
          ? periodKey(sub, r.period, r.attempt)
          : r.keyForm === 'near'
            ? `sub_${sub ?? 'x'}_p0${r.period ?? 1}_a${r.attempt}`
            : r.key;
    const events = r.events.map((e) => {
      const at = e.at === 'created' ? r.createdAt : e.at === 'updated' ? updatedAt : e.at;
      switch (e.type) {
        case 'succeeded':
          return {
            type: e.type,
            at,
            transactionId:
              e.sameTransaction && r.transactionId !== null ? r.transactionId : e.other,
          };
        case 'failed':
          return { type: e.type, at, code: e.other, message: e.other };
        case 'refunded':
          return { type: e.type, at, amount: e.n, refundId: e.other };
        case 'reconciled':
          return {
            type: e.type,
            at,
            outcome: e.n % 2 ? ('COMPLETED' as const) : ('FAILED' as const),
          };
        default:
          return { type: e.type, at };
      }
    });
    return {
      id: r.id,
      amount: r.amount,
      currency: r.currency,
      customerEmail: r.customerEmail,
      description: r.description,
      paymentMethod: r.paymentMethod,
      status: r.status,
      transactionId: r.transactionId,
      failureCode: r.failureCode,
      failureMessage: r.failureMessage,
      refundedAmount: r.refundedAmount,
      idempotencyKey: key,
      subscriptionId: sub,
      period: r.period,
      redoOf: r.redoOf,
      createdAt: r.createdAt,
      updatedAt,
      events,
    };
  });

describe('instants', () => {
  it('canonicalMs reads exactly the texts toISOString writes', () => {
    fc.assert(
      fc.property(fc.oneof(canonical, instant, fc.string()), (t) => {
        const ms = Date.parse(t);
        const expected = !Number.isNaN(ms) && new Date(ms).toISOString() === t ? ms : null;
        expect(canonicalMs(t)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('isoOf writes what toISOString writes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: MIN_MS, max: MAX_MS }), { maxLength: 20 }), (all) => {
        // In a row, as columns are read (the day is kept from one call to the next).
        for (const ms of all.sort((a, b) => a - b))
          expect(isoOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 500 },
    );
  });
});

describe('payment encodings', () => {
  it('encodes a key as a number only when the number gives it back', () => {
    fc.assert(
      fc.property(paymentArb, (p) => {
        const code = encodeKey(p);
        if (typeof code === 'string') {
          expect(code).toBe(p.idempotencyKey);
          return;
        }
        const back =
          code === 0 ? chargeKey(p.id) : periodKey(p.subscriptionId!, p.period!, code - 1);
        expect(back).toBe(p.idempotencyKey);
        const owner = keyOwner(p.idempotencyKey);
        expect(owner).toEqual(
          code === 0 ? { id: p.id } : { subscriptionId: p.subscriptionId, period: p.period },
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a period key as the regular expression of its form reads it', () => {
    const PERIOD_KEY = /^sub_(.*)_p(\d+)_a(\d+)$/s;
    const byRegex = (key: string) => {
      if (key.startsWith('charge_')) return { id: key.slice(7) };
      const m = PERIOD_KEY.exec(key);
      return m === null ? null : { subscriptionId: m[1], period: Number(m[2]) };
    };
    const piece = fc.oneof(
      text,
      fc.constantFrom('sub_', '_p', '_a', '_p1', '_a0', '_p_a', '12', 'charge_', '_'),
      fc.nat().map(String),
    );
    const keyLike = fc.array(piece, { maxLength: 7 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          keyLike,
          keyLike.map((k) => `sub_${k}`),
        ),
        (key) => {
          expect(keyOwner(key)).toEqual(byRegex(key));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('decodes a body back into the payment, which stays valid', () => {
    fc.assert(
      fc.property(paymentArb, (p) => {
        expect(paymentSchema.safeParse(p).success).toBe(true);
        const fields = {
          id: p.id,
          status: p.status,
          createdAt: p.createdAt,
          customerEmail: p.customerEmail,
          subscriptionId: p.subscriptionId,
          period: p.period,
          idempotencyKey: p.idempotencyKey,
        };
        const back = decodeBody(JSON.parse(encodeBody(p)), fields, new Interner(10));
        expect(back).toEqual(p);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('journal encodings', () => {
  // The codec does not judge records (replay checks them after): any JSON values will do.
  const anyValue = fc.oneof(text, minor, fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }));
  // Every field the domain's schema has (not the tuple's list): one added to the schema and
  // not to the tuple would be lost on the way, and this test would say so.
  const subscriptionArb = fc.record(
    Object.fromEntries(Object.keys(subscriptionSchema.shape).map((field) => [field, anyValue])),
  ) as unknown as fc.Arbitrary<Extract<Change, { t: 'subscription' }>['v']>;
  const changeArb: fc.Arbitrary<Change> = fc.oneof(
    paymentArb.map((v) => ({ t: 'payment' as const, v })),
    subscriptionArb.map((v) => ({ t: 'subscription' as const, v })),
    fc.constant({ t: 'undo.pop' as const }),
    fc.option(canonical, { nil: null }).map((v) => ({ t: 'clock' as const, v })),
  );

  it('decodes what a line holds back into the very changes committed', () => {
    fc.assert(
      fc.property(fc.array(changeArb, { maxLength: 6 }), (changes) => {
        const written = JSON.parse(JSON.stringify(encodeChanges(changes))) as unknown[];
        expect(changesDecoder()(written)).toEqual(changes);
      }),
    );
  });
});

describe('a data directory written in the current format', () => {
  it('reads back every payment, and finds each by id, key, e-mail, status and subscription', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(paymentArb, {
            maxLength: 12,
            selector: (p) => p.id,
          })
          .filter((ps) => new Set(ps.map((p) => p.idempotencyKey)).size === ps.length),
        async (payments) => {
          const dir = await tempDir();
          await writeStoreFiles(dir, { journalSeq: 0, payments });
          const store = await openStore(dir);
          try {
            expect(store.paymentCount()).toBe(payments.length);
            expect([...store.allPayments()]).toEqual(payments);
            for (const p of payments) {
              expect(store.getPayment(p.id)).toEqual(p);
              expect(store.getPaymentByIdempotencyKey(p.idempotencyKey)?.id).toBe(p.id);
              const q = { order: 'asc' as const, offset: 0, limit: 100 };
              const ids = (items: Payment[]) => items.map((x) => x.id);
              expect(
                ids(store.queryPayments({ ...q, customerEmail: p.customerEmail }).items),
              ).toContain(p.id);
              expect(ids(store.queryPayments({ ...q, status: p.status }).items)).toContain(p.id);
              if (p.subscriptionId !== null) {
                expect(ids(store.paymentsOfSubscription(p.subscriptionId))).toContain(p.id);
              }
            }
          } finally {
            await store.close();
          }
          // And once more after the close's compaction rewrote the file.
          const again = await openStore(dir);
          try {
            expect([...again.allPayments()]).toEqual(payments);
          } finally {
            await again.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
