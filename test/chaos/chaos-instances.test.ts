/**
 * The short chaos run of two instances on one PostgreSQL database (`npm run chaos --
 * --instances 2` is the long one): the real headless server twice (out/, built by `npm
 * test` before vitest runs; $PAYDESK_CHAOS_OUT_DIR names another build), on a PostgreSQL
 * cluster of the harness's own and one gateway service; either instance or both SIGKILLed
 * at random moments, retries moved to the other instance, PostgreSQL itself crashed in the
 * second round; the invariants checked after every restart and at the end.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChaos, summaryLine } from './harness';
import { PG_BIN } from './postgres';

describe('chaos: kill -9 of two instances sharing PostgreSQL, and of PostgreSQL', () => {
  it.skipIf(!existsSync(join(PG_BIN, 'initdb')))(
    'keeps every exactly-once and money invariant over 8 kill points and a crash of PostgreSQL',
    async () => {
      const report = await runChaos({
        instances: 2,
        rounds: 8,
        seed: 7,
        clients: 3,
        latencyMs: 25,
        subscriptions: 150,
        outDir: process.env.PAYDESK_CHAOS_OUT_DIR ?? null,
      });
      console.log(summaryLine(report));
      expect(report.aborted).toBeNull();
      expect(report.killPoints).toBeGreaterThanOrEqual(8);
      expect(report.pgRestarts).toBeGreaterThanOrEqual(1);
      expect(
        report.violations.map(
          (v) => `${v.invariant} (after kill point ${v.afterKillPoint}): ${v.message}`,
        ),
      ).toEqual([]);
    },
    240_000,
  );
});
