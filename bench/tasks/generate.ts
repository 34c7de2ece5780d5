/**
 * Worker task: write a generated data directory (bench/fixtures.ts), or the same records
 * into an empty PostgreSQL database (bench/pg-fixtures.ts).
 */
import { generateStore, type GenerateOptions } from '../fixtures';
import { generatePgStore } from '../pg-fixtures';
import type { ParamsOf, ResultOf } from '../protocol';
import { timed } from '../stats';

export async function generate(p: ParamsOf<'generate'>): Promise<ResultOf<'generate'>> {
  const options: GenerateOptions = {
    payments: p.payments,
    ...(p.subscriptions !== undefined && { subscriptions: p.subscriptions }),
    ...(p.dueSubscriptions !== undefined && { dueSubscriptions: p.dueSubscriptions }),
    seed: p.seed,
  };
  const { database } = p;
  const ms = await timed(() =>
    database === undefined
      ? generateStore(p.dir, options)
      : generatePgStore(database, p.dir, options),
  );
  return { ms };
}
