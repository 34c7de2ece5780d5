/**
 * Worker task: backups of a generated store through the real core path (backup.ts over the
 * store and the durable mock gateway). First the backup of the idle store, timed whole
 * (capture, snapshot written and synced, ledger prefix copied, checksums, the copy opened
 * read-only and counted), and the check a restore makes of it; then ProcessPayment commands
 * timed one at a time without a backup, then the same while backups run back to back (each
 * starting when the previous ends, as many as it takes for that many commands; the commands
 * go on until the last backup ends, so that every step of each meets commands): what a
 * backup costs the operator's commands. The event loop's delay during the backups says how long other work
 * waited at worst.
 */
import { rm } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBackup, verifyBackup } from '../../src/main/core/backup';
import { SystemClock } from '../../src/main/core/clock';
import type { CommandInvoker } from '../../src/main/core/invoker';
import { internalRequest } from '../../src/main/core/requests';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, seededRandom, summarize } from '../stats';
import { closeParts, openParts, type Parts } from './assemble';

/** Timed commands, `count` of them or, with `until`, for as long as it answers false. */
async function processPayments(
  invoker: CommandInvoker,
  count: number,
  rnd: () => number,
  until?: () => boolean,
  ms: number[] = [],
): Promise<number[]> {
  for (let i = 0; until ? !until() : i < count; i++) {
    const params = {
      amount: 100 + Math.floor(rnd() * 50_000),
      currency: 'USD',
      customerEmail: `customer${Math.floor(rnd() * 50_000)}@example.com`,
      description: 'Bench order',
      paymentMethod: null,
    };
    const start = performance.now();
    await invoker.execute(
      'ProcessPayment',
      params,
      internalRequest('payments.process', 'operator'),
    );
    ms.push(performance.now() - start);
    // Each command from an event of its own, as requests come: with the gateway's latency at
    // 0 a command is promises only, and back to back they would never let the backup's I/O
    // callbacks run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ms;
}

const backUp = (parts: Parts, folder: string) =>
  createBackup(
    parts.store,
    { path: parts.gateway.ledgerPath, bytes: () => parts.gateway.ledgerBytes() },
    folder,
    'manual',
    new Date(),
  );

export async function backup(p: ParamsOf<'backup'>): Promise<ResultOf<'backup'>> {
  const rnd = seededRandom(p.seed);
  const parts = await openParts(p.dir, p.seed, new SystemClock());
  const payments = parts.store.paymentCount();
  try {
    await processPayments(parts.invoker, p.warmup, rnd);
    collectGarbage();

    let start = performance.now();
    const first = await backUp(parts, p.folder);
    const backupMs = performance.now() - start;
    start = performance.now();
    await verifyBackup(first.path, { checksums: true });
    const verifyMs = performance.now() - start;
    await rm(first.path, { recursive: true, force: true });
    collectGarbage();

    const commit = summarize(await processPayments(parts.invoker, p.commands, rnd));
    collectGarbage();

    const loop = monitorEventLoopDelay({ resolution: 5 });
    const samples: number[] = [];
    const during: number[] = [];
    let backingUp = true;
    const backups = (async () => {
      loop.enable();
      try {
        do {
          const t = performance.now();
          const made = await backUp(parts, p.folder);
          during.push(performance.now() - t);
          await rm(made.path, { recursive: true, force: true });
        } while (samples.length < p.commands);
      } finally {
        loop.disable();
        backingUp = false;
      }
    })();
    await processPayments(parts.invoker, 0, rnd, () => !backingUp, samples);
    await backups;
    const commitDuringBackup = summarize(samples);
    return {
      payments,
      backupMs,
      bytes: first.bytes,
      verifyMs,
      commit,
      commitDuringBackup,
      backupsDuring: during.length,
      backupDuringMsMean: during.reduce((a, b) => a + b, 0) / Math.max(1, during.length),
      loopDelayMsP99: loop.percentile(99) / 1e6,
      loopDelayMsMax: loop.max / 1e6,
    };
  } finally {
    await closeParts(parts);
  }
}
