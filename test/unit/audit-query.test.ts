/**
 * Pages of the audit log (store/audit-query.ts): the same answers as filtering a copy of the
 * whole log, in both orders, as the log grows; times of any ISO form; and one scan of the
 * log per filter, not per page.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditQueries } from '../../src/main/core/store/audit-query';
import type { AuditQuery } from '../../src/main/core/ports';
import { AUDIT_OUTCOMES, ORIGINS, type AuditEntry } from '../../src/shared/domain';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `aud_${i}`,
    at: new Date(T0 + i * 60_000).toISOString(),
    origin: ORIGINS[i % ORIGINS.length] ?? 'operator',
    action: 'execute',
    kind: 'ProcessPayment',
    label: `entry ${i}`,
    outcome: AUDIT_OUTCOMES[(i >> 2) % AUDIT_OUTCOMES.length] ?? 'ok',
    message: null,
    moved: [],
    operator: null,
    ...over,
  };
}

/** What a page must be: the log copied, filtered, ordered and sliced. */
function expected(log: AuditEntry[], offset: number, limit: number, q: AuditQuery) {
  const from = q.from === undefined ? -Infinity : Date.parse(q.from);
  const to = q.to === undefined ? Infinity : Date.parse(q.to);
  const matching = log.filter(
    (e) =>
      (q.origin === undefined || e.origin === q.origin) &&
      (q.outcome === undefined || e.outcome === q.outcome) &&
      Date.parse(e.at) >= from &&
      Date.parse(e.at) < to,
  );
  if ((q.order ?? 'desc') === 'desc') matching.reverse();
  return { total: matching.length, items: matching.slice(offset, offset + limit) };
}

const instantArb = fc
  .integer({ min: -5, max: 200 })
  .map((m) => new Date(T0 + m * 60_000).toISOString());
const queryArb = fc.record(
  {
    origin: fc.constantFrom(...ORIGINS),
    outcome: fc.constantFrom(...AUDIT_OUTCOMES),
    from: instantArb,
    to: instantArb,
    order: fc.constantFrom('asc' as const, 'desc' as const),
  },
  { requiredKeys: [] },
);

describe('audit log pages', () => {
  it('equal filtering a copy of the log, however the log grows between pages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(queryArb, fc.nat(30), fc.integer({ min: 1, max: 20 }), fc.nat(40)), {
          minLength: 1,
          maxLength: 8,
        }),
        (steps) => {
          const log: AuditEntry[] = [];
          const queries = new AuditQueries(() => log);
          for (const [query, offset, limit, grow] of steps) {
            for (let i = 0; i < grow; i++) log.push(entry(log.length));
            const page = queries.page(offset, limit, query);
            const want = expected(log, offset, limit, query);
            expect(page.total).toBe(want.total);
            expect(page.items.map((e) => e.id)).toEqual(want.items.map((e) => e.id));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('compares times that are not in the canonical form by their instant', () => {
    const log = [
      entry(0, { at: '2026-03-01T00:00:00Z' }),
      entry(1, { at: '2026-03-01T00:30:00.5Z' }),
      entry(2, { at: '2026-03-01T01:00:00.000Z' }),
    ];
    const queries = new AuditQueries(() => log);
    const page = queries.page(0, 10, {
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-01T01:00:00.000Z',
    });
    expect(page.items.map((e) => e.id)).toEqual(['aud_1', 'aud_0']);
  });

  it('scans the log once per filter, not once per page', () => {
    const log = Array.from({ length: 30_000 }, (_, i) => entry(i));
    let reads = 0;
    const counted = new Proxy(log, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const queries = new AuditQueries(() => counted);
    const query: AuditQuery = { origin: 'api', outcome: 'declined' };
    queries.page(0, 100, query);
    expect(reads).toBeGreaterThanOrEqual(30_000);
    reads = 0;
    const second = queries.page(100, 100, query);
    expect(reads).toBe(100);
    expect(second.total).toBe(2_500);
    // Entries appended since are scanned, and only they.
    for (let i = 0; i < 50; i++) log.push(entry(log.length));
    reads = 0;
    queries.page(0, 10, query);
    expect(reads).toBe(50 + 10);
    // The unfiltered log is read by position.
    reads = 0;
    queries.page(15_000, 100);
    expect(reads).toBe(100);
  });
});
