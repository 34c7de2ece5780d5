/**
 * The bench's PostgreSQL path (`npm run bench -- --database URL`) at a tiny size: the
 * generated records written into PostgreSQL open in the PostgreSQL store as the very
 * records of the generated data directory; and the part's measurements run end to end in
 * their worker processes (the open, the commands and pages, the recurring runs with one
 * instance and with a second one following) and drop every database they made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_NOW, generateStore } from '../../bench/fixtures';
import { BenchDatabases } from '../../bench/pg-databases';
import { generatePgStore } from '../../bench/pg-fixtures';
import { measurePostgresSize } from '../../bench/postgres';
import { openPgStore } from '../../src/main/core/pg-store/store';
import { openStore } from '../../src/main/core/store';
import { ADMIN_URL, createTestDatabase, dropTestDatabases, query } from '../helpers/postgres';

const work = mkdtempSync(join(tmpdir(), 'paydesk-bench-pg-'));

afterAll(async () => {
  await dropTestDatabases();
  rmSync(work, { recursive: true, force: true });
});

describe("the bench's PostgreSQL path", () => {
  it('writes generated records that the PostgreSQL store opens as the embedded store does', async () => {
    const options = { payments: 600, subscriptions: 30, dueSubscriptions: 12, seed: 8 };
    const dir = join(work, 'embedded');
    await generateStore(dir, options);
    const database = await createTestDatabase();
    await generatePgStore(database, join(work, 'pg'), options);

    const embedded = await openStore(dir);
    const pg = await openPgStore(database, join(work, 'pg'));
    try {
      // The snapshot's payments and the 100 ordinary commits after them, in the same order.
      expect(pg.paymentCount()).toBe(700);
      expect([...pg.allPayments()]).toEqual([...embedded.allPayments()]);
      expect(pg.allSubscriptions()).toEqual(embedded.allSubscriptions());
      expect(pg.dueSubscriptions(FIXTURE_NOW)).toHaveLength(12);
      const page = { status: 'COMPLETED', order: 'desc', offset: 5, limit: 50 } as const;
      expect(pg.queryPayments(page)).toEqual(embedded.queryPayments(page));
      // The last 100 came as commits of the store: their log rows are there to catch up from.
      const log = await query<{ n: string }>(database, 'SELECT count(*) AS n FROM paydesk_commits');
      expect(Number(log[0]?.n)).toBe(100);
    } finally {
      await pg.close();
      await embedded.close();
    }
  });

  it('measures both stores side by side and drops its databases', async () => {
    const databases = new BenchDatabases(ADMIN_URL);
    const figures = await measurePostgresSize(
      {
        root: work,
        databases,
        seed: 11,
        log: () => undefined,
        plan: () => ({
          warmup: 2,
          commands: 10,
          commandsWithoutLedgerFsync: 5,
          queries: 10,
          opens: 1,
          dueSubscriptions: 40,
          recurringRuns: 1,
          followerReadEveryMs: 5,
        }),
      },
      // The core task reads pages among the first ten of COMPLETED: 500 of them at least.
      1000,
    );
    expect(figures.payments).toBe(1000);
    for (const store of [figures.embedded, figures.postgres]) {
      expect(store.store_payments).toBe(1100);
      expect(store.commit_samples).toBe(10);
      expect(store.recurring_charges).toBe(40);
      expect(store.recurring_charges_per_s).toBeGreaterThan(0);
      expect(store.page_query_ms_p99).toBeGreaterThan(0);
    }
    expect(figures.postgres.recurring_two_instances_charges_per_s).toBeGreaterThan(0);
    // The second instance followed the leader's commits to its last.
    expect(figures.postgres.follower_commits).toBeGreaterThan(0);
    const left = await query(
      ADMIN_URL,
      `SELECT datname FROM pg_database WHERE datname LIKE 'paydesk_bench_${process.pid}_%'`,
    );
    expect(left).toEqual([]);
  }, 180_000);
});
