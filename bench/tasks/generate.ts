/** Worker task: write a generated data directory (bench/fixtures.ts). */
import { generateStore } from '../fixtures';
import type { ParamsOf, ResultOf } from '../protocol';
import { timed } from '../stats';

export async function generate(p: ParamsOf<'generate'>): Promise<ResultOf<'generate'>> {
  const ms = await timed(() =>
    generateStore(p.dir, {
      payments: p.payments,
      ...(p.subscriptions !== undefined && { subscriptions: p.subscriptions }),
      ...(p.dueSubscriptions !== undefined && { dueSubscriptions: p.dueSubscriptions }),
      seed: p.seed,
    }),
  );
  return { ms };
}
