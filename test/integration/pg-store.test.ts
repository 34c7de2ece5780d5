/**
 * What the PostgreSQL store adds to the Store port's contract (store-conformance.test.ts
 * runs that against it): the database guards money, statuses and keys by itself, even
 * against a commit the code let through or a hand-written statement; migrations run once;
 * a row that does not read stops the open naming it; instances sharing the database follow
 * each other's commits, take turns, and elect one scheduler leader.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canMove } from '../../src/main/core/payment-rules';
import { openPgStore } from '../../src/main/core/pg-store/store';
import { PAYMENT_STATUSES, type Payment } from '../../src/shared/domain';
import type { Change, Store } from '../../src/main/core/ports';
import {
  createTestDatabase,
  cutClaimsConnections,
  dropTestDatabases,
  query,
} from '../helpers/postgres';
import { auditEntry, payment, refund, subscription } from '../unit/store-fixtures';

afterAll(dropTestDatabases);

const stores: Store[] = [];
// Each store holds a few connections: closed after each test, within the server's limit.
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});

async function open(url: string, log?: (m: string) => void): Promise<Store> {
  const store = await openPgStore(url, '/nonexistent', log ? { log } : {});
  stores.push(store);
  return store;
}

/** A payment stored PENDING, before its gateway call. */
const attempt = (id: string, over: Partial<Payment>): Payment =>
  payment(id, {
    status: 'PENDING',
    transactionId: null,
    events: [{ type: 'created', at: '2025-01-01T00:00:00.000Z' }],
    ...over,
  });

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the database guards the domain rules itself', () => {
  const cases: { rule: string; before: Change[]; bad: Change[]; error: RegExp }[] = [
    {
      rule: 'one payment per idempotency key',
      before: [{ t: 'payment', v: payment('p1', { idempotencyKey: 'same' }) }],
      bad: [{ t: 'payment', v: payment('p2', { idempotencyKey: 'same' }) }],
      error: /idempotency_key/,
    },
    {
      rule: 'refunds never above the amount',
      before: [
        { t: 'payment', v: payment('p1', { amount: 1000 }) },
        { t: 'refund', v: refund('r1', { paymentId: 'p1', amount: 600 }) },
      ],
      bad: [{ t: 'refund', v: refund('r2', { paymentId: 'p1', amount: 500 }) }],
      error: /would add up to 1100 of its 1000/,
    },
    {
      rule: 'statuses only move forward',
      before: [{ t: 'payment', v: payment('p1', { status: 'FAILED' }) }],
      bad: [{ t: 'payment', v: payment('p1', { status: 'COMPLETED' }) }],
      error: /cannot go from FAILED to COMPLETED/,
    },
    {
      rule: 'an amount never changes',
      before: [{ t: 'payment', v: payment('p1', { amount: 1000 }) }],
      bad: [{ t: 'payment', v: payment('p1', { amount: 999 }) }],
      error: /never change/,
    },
    {
      rule: 'one live successful charge per subscription period',
      before: [
        { t: 'subscription', v: subscription('s1') },
        { t: 'payment', v: payment('p1', { subscriptionId: 's1', period: 3 }) },
      ],
      bad: [
        {
          t: 'payment',
          v: payment('p2', { subscriptionId: 's1', period: 3, idempotencyKey: 'again' }),
        },
      ],
      error: /one_live_charge_per_period/,
    },
    {
      rule: 'one attempt in flight per subscription period',
      before: [
        { t: 'subscription', v: subscription('s1') },
        { t: 'payment', v: attempt('p1', { subscriptionId: 's1', period: 3 }) },
      ],
      bad: [
        {
          t: 'payment',
          v: attempt('p2', { subscriptionId: 's1', period: 3, idempotencyKey: 'again' }),
        },
      ],
      error: /one_attempt_in_flight_per_period/,
    },
  ];

  for (const c of cases) {
    it(`${c.rule}: the write fails, and the store takes no more until reopened`, async () => {
      const url = await createTestDatabase();
      const store = await open(url);
      await store.commit(c.before);
      await expect(store.commit(c.bad)).rejects.toThrow(c.error);
      expect(store.writeFailure()?.message).toMatch(/takes no more changes/);
      await expect(store.commit([{ t: 'payment', v: payment('p9') }])).rejects.toThrow();
      const reopened = await open(url);
      expect(reopened.paymentCount()).toBe(c.before.filter((x) => x.t === 'payment').length);
    });
  }

  it('a payment is never deleted, an audit entry never changed, by hand either', async () => {
    const url = await createTestDatabase();
    const store = await open(url);
    await store.commit([
      { t: 'payment', v: payment('p1') },
      { t: 'audit', v: auditEntry('a1') },
    ]);
    await expect(query(url, 'DELETE FROM paydesk_payments')).rejects.toThrow(/never deleted/);
    await expect(query(url, `UPDATE paydesk_audit SET body = '{}'`)).rejects.toThrow(
      /never changed or deleted/,
    );
    await expect(query(url, `UPDATE paydesk_payments SET status = 'PENDING'`)).rejects.toThrow(
      /cannot go from COMPLETED to PENDING/,
    );
  });
});

describe('the status triggers', () => {
  it('allow exactly the moves payment-rules.ts allows (or none), for every pair', async () => {
    const url = await createTestDatabase();
    const store = await open(url);
    const pairs = PAYMENT_STATUSES.flatMap((from) =>
      PAYMENT_STATUSES.map((to) => [from, to] as const),
    );
    await store.commit(
      pairs.map(([from], i) => ({ t: 'payment', v: payment(`p${i}`, { status: from }) })),
    );
    for (const [i, [from, to]] of pairs.entries()) {
      const moved = query(url, 'UPDATE paydesk_payments SET status = $1 WHERE id = $2', [
        to,
        `p${i}`,
      ]).then(
        () => true,
        () => false,
      );
      expect(await moved, `${from} → ${to}`).toBe(from === to || canMove(from, to));
    }
  });
});

describe('opening', () => {
  it('applies each migration once, whoever starts first', async () => {
    const url = await createTestDatabase();
    const logs: string[] = [];
    await Promise.all([open(url, (m) => logs.push(m)), open(url, (m) => logs.push(m))]);
    expect(logs.filter((m) => /migrations 1, 2, 3, 4, 5 applied/.test(m))).toHaveLength(1);
    expect(await query(url, 'SELECT version FROM paydesk_schema ORDER BY version')).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
    ]);
  });

  it('gives the subscriptions of a database made before the claims (schema 4) a claim row each', async () => {
    const url = await createTestDatabase();
    const first = await open(url);
    await first.commit([{ t: 'subscription', v: subscription('s1') }]);
    await first.close();
    // Back to schema 4, as an older Paydesk left it.
    await query(
      url,
      `DROP TABLE paydesk_subscription_claims; DROP FUNCTION paydesk_claim_row CASCADE;
       DELETE FROM paydesk_schema WHERE version = 5`,
    );
    const logs: string[] = [];
    const store = await open(url, (m) => logs.push(m));
    expect(logs).toContain('PostgreSQL: schema migrations 5 applied');
    const run = store.claimSubscriptions();
    expect([...(await run.claim(['s1']))]).toEqual(['s1']);
    await run.release();
  });

  it('refuses a database of a newer schema, changing nothing', async () => {
    const url = await createTestDatabase();
    await open(url);
    await query(url, `INSERT INTO paydesk_schema (version, name) VALUES (99, 'future')`);
    await expect(openPgStore(url, '/nonexistent')).rejects.toThrow(/newer Paydesk/);
  });

  it('refuses a row that does not read, naming it', async () => {
    const url = await createTestDatabase();
    const store = await open(url);
    await store.commit([{ t: 'payment', v: payment('p1') }]);
    await query(
      url,
      `ALTER TABLE paydesk_payments DISABLE TRIGGER USER;
       UPDATE paydesk_payments SET body = body - 'events'`,
    );
    await expect(openPgStore(url, '/nonexistent')).rejects.toThrow(/payment p1 cannot be read/);
  });
});

describe('instances sharing the database', () => {
  it('follow each other’s commits, and take turns on the latest state', async () => {
    const url = await createTestDatabase();
    const a = await open(url);
    const b = await open(url);
    await a.commit([{ t: 'payment', v: payment('p1') }]);
    await until(() => b.getPayment('p1') !== undefined);
    // B's turn starts from what A committed: its commit comes after A's in the log.
    await b.exclusive(async () => {
      await b.commit([{ t: 'payment', v: payment('p2') }]);
    });
    await until(() => a.getPayment('p2') !== undefined);
    expect(a.commitSeq()).toBe(b.commitSeq());
    const log = await query<{ seq: string }>(url, 'SELECT seq FROM paydesk_commits ORDER BY seq');
    expect(log.map((r) => Number(r.seq))).toEqual([1, 2]);
  });

  it('never run two turns at once, across instances', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)];
    let inside = 0;
    let most = 0;
    const turn = (store: Store) =>
      store.exclusive(async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => turn(i % 2 ? a : b)));
    expect(most).toBe(1);
  });

  it('keep the turn a moment after a task unless another asks for it; each waiting one gets it', async () => {
    const url = await createTestDatabase();
    const [a, b, c] = [await open(url), await open(url), await open(url)];
    // Which backend holds the writers' lock, if any (the store's session keeps it while idle).
    const holders = async () =>
      (
        await query<{ pid: number }>(
          url,
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [0x7061_7965],
        )
      ).map((r) => r.pid);
    expect(await holders()).toEqual([]);
    await a.commit([{ t: 'payment', v: payment('p1') }]);
    const [aHolds] = await holders();
    expect(aHolds).toBeDefined();
    await a.commit([{ t: 'payment', v: payment('p2') }]);
    expect(await holders()).toEqual([aHolds]);
    // B and C ask at once while A sits idle holding it: both are let in, one after the other,
    // on the latest state, and A gets it back after them.
    await Promise.all([
      b.commit([{ t: 'payment', v: payment('p3') }]),
      c.commit([{ t: 'payment', v: payment('p4') }]),
    ]);
    await a.commit([{ t: 'payment', v: payment('p5') }]);
    const log = await query<{ seq: string }>(url, 'SELECT seq FROM paydesk_commits ORDER BY seq');
    expect(log.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    for (const store of [a, b, c]) await until(() => store.paymentCount() === 5);
    // A store that stops writing lets the turn go at once: the others go on.
    await a.commit([
      { t: 'subscription', v: subscription('s1') },
      { t: 'payment', v: attempt('p6', { subscriptionId: 's1', period: 3 }) },
    ]);
    await expect(
      a.commit([
        {
          t: 'payment',
          v: attempt('p8', { subscriptionId: 's1', period: 3, idempotencyKey: 'again' }),
        },
      ]),
    ).rejects.toThrow(/one_attempt_in_flight/);
    expect(a.writeFailure()).not.toBeNull();
    await b.commit([{ t: 'payment', v: payment('p7') }]);
    await until(() => c.getPayment('p7') !== undefined);
    // Unused, the turn is let go after a moment even when nobody asks.
    for (let tick = 0; tick < 100 && (await holders()).length > 0; tick++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await holders()).toEqual([]);
  });

  it('claim subscriptions for a run: another run skips those held, until they are let go', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)];
    await a.commit(['s1', 's2', 's3'].map((id) => ({ t: 'subscription', v: subscription(id) })));
    const runA = a.claimSubscriptions();
    expect([...(await runA.claim(['s1', 's2']))].sort()).toEqual(['s1', 's2']);
    // Skipped, not waited for.
    const runB = b.claimSubscriptions();
    expect([...(await runB.claim(['s1', 's2', 's3']))]).toEqual(['s3']);
    // A claim never holds up the commits that move its subscriptions on (its rows are apart).
    await a.commit([{ t: 'subscription', v: subscription('s1', { nextPeriod: 2 }) }]);
    await b.commit([{ t: 'subscription', v: subscription('s2', { nextPeriod: 2 }) }]);
    await runA.release();
    expect([...(await runB.claim(['s1', 's2']))].sort()).toEqual(['s1', 's2']);
    // A subscription made after the migration has its claim row too.
    await b.commit([{ t: 'subscription', v: subscription('s4') }]);
    const runA2 = a.claimSubscriptions();
    expect([...(await runA2.claim(['s3', 's4']))]).toEqual(['s4']);
    await Promise.all([runA2.release(), runB.release()]);
    // A run's claims go with its connection (an instance killed mid-run).
    const runC = a.claimSubscriptions();
    await runC.claim(['s1']);
    await cutClaimsConnections(url);
    let free = new Set<string>();
    for (let tick = 0; tick < 50 && !free.has('s1'); tick++) {
      const again = b.claimSubscriptions();
      free = new Set(await again.claim(['s1']));
      await again.release();
      if (!free.has('s1')) await new Promise((r) => setTimeout(r, 20));
    }
    expect(free.has('s1')).toBe(true);
    await expect(runC.claim(['s2'])).rejects.toThrow(/claiming subscriptions to charge failed/);
    await runC.release();
  });

  it('elect one scheduler leader; another takes over when it goes', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)];
    expect(await a.leadScheduler()).toBe(true);
    expect(await b.leadScheduler()).toBe(false);
    await a.close();
    // The server ends A's session (and its lock) a moment after A has gone: B's next ticks.
    let led = false;
    for (let tick = 0; tick < 50 && !led; tick++) {
      led = await b.leadScheduler();
      if (!led) await new Promise((r) => setTimeout(r, 20));
    }
    expect(led).toBe(true);
  });
});
