/**
 * Worker task: one RunRecurring, through the invoker, over a generated store whose due
 * subscriptions are due at FIXTURE_NOW. The clock is a test clock at that instant, so each
 * subscription owes exactly one period (with the system clock they would catch up months).
 * Charges per second = charges made / the command's wall time (every batch committed and
 * fsynced, the gateway ledger too). The event loop's delay meanwhile tells how long other
 * work (an operator's request) waited at worst.
 *
 * On PostgreSQL (`database`) the instance first takes the scheduler's lead, as a scheduled
 * run does; the whole run is one turn of the store (Store.exclusive), so another instance
 * attached to the database (bench/tasks/follow.ts) only follows its commits.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TestClock } from '../../src/main/core/clock';
import { internalRequest } from '../../src/main/core/requests';
import { FIXTURE_NOW } from '../fixtures';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage } from '../stats';
import { closeParts, openParts } from './assemble';

export async function recurring(p: ParamsOf<'recurring'>): Promise<ResultOf<'recurring'>> {
  const clock = new TestClock(new Date(FIXTURE_NOW));
  const parts = await openParts(p.dir, p.seed, clock, p.database);
  if (p.database !== undefined && !(await parts.store.leadScheduler())) {
    throw new Error('another instance leads the scheduler of this database');
  }
  const payments = parts.store.paymentCount();
  const due = parts.store.dueSubscriptions(FIXTURE_NOW).length;
  collectGarbage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  const summary = await parts.invoker.execute(
    'RunRecurring',
    {},
    internalRequest('scheduler.run', 'scheduler'),
  );
  const ms = performance.now() - start;
  const endedAt = Date.now();
  const lastSeq = parts.store.commitSeq();
  loop.disable();
  await closeParts(parts);
  return {
    payments,
    due,
    charged: summary.charged,
    succeeded: summary.succeeded,
    failed: summary.failed,
    ms,
    chargesPerSecond: summary.charged / (ms / 1000),
    loopDelayMsP99: loop.percentile(99) / 1e6,
    loopDelayMsMax: loop.max / 1e6,
    ...(p.database !== undefined && { lastSeq, endedAt }),
  };
}
