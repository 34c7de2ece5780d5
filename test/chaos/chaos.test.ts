/**
 * The short chaos run of `npm test`: the real headless server (out/, built by `npm test`
 * before vitest runs) killed with SIGKILL at 22 random moments under a mixed load, with
 * recurring runs and their undo, checked after every restart and at the end. The full run
 * is `npm run chaos` (300 kill points by default).
 */
import { describe, expect, it } from 'vitest';
import { runChaos, summaryLine } from './harness';

describe('chaos: kill -9 of the headless server under load', () => {
  it('keeps every exactly-once and money invariant over 22 kill points', async () => {
    const report = await runChaos({
      rounds: 22,
      // A seed whose schedule has 5 recurring runs, an undo of a run and a redo of one, kills
      // during graceful stops.
      seed: 54,
      clients: 3,
      latencyMs: 25,
      subscriptions: 250,
      recurringShare: 0.15,
      undoRunShare: 0.07,
      redoRunShare: 0.07,
    });
    console.log(summaryLine(report));
    expect(report.aborted).toBeNull();
    expect(report.killPoints).toBeGreaterThanOrEqual(20);
    expect(
      report.violations.map(
        (v) => `${v.invariant} (after kill point ${v.afterKillPoint}): ${v.message}`,
      ),
    ).toEqual([]);
  }, 240_000);
});
