/**
 * Databases of their own for tests of the PostgreSQL store: made on the server named by
 * $PAYDESK_TEST_DATABASE_URL (default: the machine's, 127.0.0.1:5432, database `test`) and
 * dropped by `dropTestDatabases` (afterAll), whatever connections are left open.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL =
  process.env.PAYDESK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const made: string[] = [];

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new empty database; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `paydesk_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  made.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabases(): Promise<void> {
  const names = made.splice(0);
  await admin(async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/** Runs one query on `url` (to look at what the store wrote, or to break a rule by hand). */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Ends the sessions holding a recurring run's claims (a lock on paydesk_subscription_claims,
 * taken only by a run's claims' connection): as if that connection were cut.
 */
export async function cutClaimsConnections(url: string): Promise<void> {
  await query(
    url,
    `SELECT pg_terminate_backend(pid) FROM pg_locks
      WHERE locktype = 'relation' AND pid <> pg_backend_pid() AND relation = (
        SELECT oid FROM pg_class WHERE relname = 'paydesk_subscription_claims')`,
  );
}
