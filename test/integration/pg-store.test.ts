/**
 * What the PostgreSQL store adds to the Store port's contract (store-conformance.test.ts
 * runs that against it): the database guards money, statuses and keys by itself, even
 * against a commit the code let through or a hand-written statement; migrations run once;
 * a row that does not read stops the open naming it; instances sharing the database follow
 * each other's commits, take turns, and elect one scheduler leader.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canMove } from '../../src/main/core/payment-rules';
import { openPgStore } from '../../src/main/core/pg-store/store';
import { PAYMENT_STATUSES, type Payment } from '../../src/shared/domain';
import type { Change, Store } from '../../src/main/core/ports';
import { createTestDatabase, dropTestDatabases, query } from '../helpers/postgres';
import { auditEntry, payment, refund, subscription } from '../unit/store-fixtures';

afterAll(dropTestDatabases);

const stores: Store[] = [];
afterAll(async () => {
  for (const store of stores) await store.close().catch(() => undefined);
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
    expect(logs.filter((m) => /migrations 1, 2, 3 applied/.test(m))).toHaveLength(1);
    expect(await query(url, 'SELECT version FROM paydesk_schema ORDER BY version')).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
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
