/**
 * The benchmarks' generated data in PostgreSQL: `generatePgStore(url, dataDir, options)`
 * writes the very records `generateStore` (fixtures.ts) writes to a data directory, into an
 * empty database, in the rows the PostgreSQL store writes:
 *  - the schema by the store's own migrations (pg-store/schema.ts);
 *  - the payments, subscriptions and audit entries of the "snapshot" by the store's own
 *    commit function, `paydesk_commit`, called with groups of 10,000 records, whose log rows
 *    are then deleted (as if compacted away: the store reads the tables at open, not the
 *    log), so that every column the database guards is derived from the body by the same
 *    code as at run time;
 *  - the fixture's 100 ordinary commits after them through the store itself (openPgStore,
 *    commit), which writes their log rows as any instance does.
 * 1,000,000 payments take a minute or two here (JSON parsed into jsonb and four indexes).
 */
import pg from 'pg';
import type { CommitPayload } from '../src/main/core/pg-store/commit-group';
import type { Change } from '../src/main/core/ports';
import { migrate } from '../src/main/core/pg-store/schema';
import { openPgStore } from '../src/main/core/pg-store/store';
import { CURRENT_FORMAT } from '../src/main/core/store/format';
import { fixtureData, type GenerateOptions } from './fixtures';

/** Records per call of the commit function (about 6 MB of JSON). */
const GROUP = 10_000;

/** Writes the generated store of `o` into the empty database at `url`. */
export async function generatePgStore(
  url: string,
  dataDir: string,
  o: GenerateOptions,
): Promise<void> {
  const data = fixtureData(o);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
      let seq = 0;
      const write = async (changes: Change[], auditFrom = 0): Promise<void> => {
        seq += 1;
        const payload: CommitPayload = {
          v: CURRENT_FORMAT.version,
          instance: 'bench-fixture',
          last: seq,
          commits: [{ seq, changes }],
          auditFrom,
          history: [],
          meta: {},
        };
        await client.query('SELECT paydesk_commit($1::jsonb)', [JSON.stringify(payload)]);
      };
      for (let i = 0; i < data.subscriptions.length; i += GROUP) {
        await write(
          data.subscriptions.slice(i, i + GROUP).map((v) => ({ t: 'subscription' as const, v })),
        );
      }
      for (const group of groups(data.payments())) {
        await write(group.map((v) => ({ t: 'payment' as const, v })));
      }
      let auditFrom = 0;
      for (const group of groups(data.audits())) {
        await write(
          group.map((v) => ({ t: 'audit' as const, v })),
          auditFrom,
        );
        auditFrom += group.length;
      }
      await client.query('DELETE FROM paydesk_commits');
      // The planner's statistics, as autovacuum would gather them soon after.
      await client.query('ANALYZE');
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
  const store = await openPgStore(url, dataDir);
  try {
    for (const changes of data.journal()) await store.commit(changes);
  } finally {
    await store.close();
  }
}

function* groups<T>(items: Iterable<T>): Generator<T[]> {
  let group: T[] = [];
  for (const item of items) {
    group.push(item);
    if (group.length === GROUP) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}
