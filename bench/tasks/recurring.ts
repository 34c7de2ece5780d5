/**
 * Worker task: one RunRecurring, through the invoker, over a generated store whose due
 * subscriptions are due at FIXTURE_NOW. The clock is a test clock at that instant, so each
 * subscription owes exactly one period (with the system clock they would catch up months).
 * Charges per second = charges made / the command's wall time (every batch committed and
 * fsynced, the gateway ledger too). The event loop's delay meanwhile tells how long other
 * work (an operator's request) waited at worst.
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
  const parts = await openParts(p.dir, p.seed, clock);
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
  };
}
