/**
 * The PostgreSQL part of a run (`npm run bench -- --database URL`): at each size, the
 * embedded store and the PostgreSQL store measured side by side, in turn, on the same
 * generated records (bench/fixtures.ts, bench/pg-fixtures.ts), each measurement in a fresh
 * worker process:
 *  - the open (its time and the memory of a process holding just the store: the PostgreSQL
 *    store loads every record too);
 *  - ProcessPayment one at a time (commit p50 / p99: two commits and the gateway's call) and
 *    pages of 50 (bench/tasks/core.ts);
 *  - RunRecurring over the due subscriptions, each run on a fresh copy (a copied directory,
 *    or a database made from the generated one as a template): the embedded store; the
 *    PostgreSQL store with one instance; and with two instances: the run's instance (which
 *    takes the scheduler's lead: only the leader charges) while a second instance, a
 *    process of its own on the same database, follows its commits and reads pages
 *    (bench/tasks/follow.ts). The gateway is the in-process mock with its durable ledger,
 *    as in the embedded runs.
 * The databases are made on the server of `server` and dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inWorker, startFollower } from './in-worker';
import type { BenchDatabases } from './pg-databases';
import {
  pgFiguresOf,
  storeFiguresOf,
  type PgMeasurements,
  type PgSizeFigures,
  type StoreMeasurements,
} from './pg-figures';
import type { ResultOf } from './protocol';

/** How much of each measurement a size gets. */
export interface PgPlan {
  warmup: number;
  commands: number;
  commandsWithoutLedgerFsync: number;
  queries: number;
  opens: number;
  dueSubscriptions: number;
  /** Recurring runs of each kind (the median counts). */
  recurringRuns: number;
  /** Pause between two page reads of the second instance. */
  followerReadEveryMs: number;
}

/** As the sizes part's plan (bench/run.ts), so that the embedded figures compare. */
export function pgPlanFor(payments: number): PgPlan {
  return {
    warmup: 100,
    commands: payments <= 100_000 ? 2000 : 1000,
    commandsWithoutLedgerFsync: 500,
    queries: 1000,
    opens: 3,
    dueSubscriptions: payments <= 10_000 ? payments : 100_000,
    recurringRuns: 3,
    followerReadEveryMs: 20,
  };
}

export interface PgRun {
  root: string;
  databases: BenchDatabases;
  seed: number;
  log: (message: string) => void;
  plan?: (payments: number) => PgPlan;
}

const label = (n: number): string => n.toLocaleString('en-US');

/** Measures both stores at `payments`; removes what it made. */
export async function measurePostgresSize(run: PgRun, payments: number): Promise<PgSizeFigures> {
  const { databases, seed, log } = run;
  const plan = (run.plan ?? pgPlanFor)(payments);
  const dir = join(run.root, `pg-${payments}`);
  const at = `[postgres ${label(payments)}]`;
  await mkdir(dir, { recursive: true });
  const fresh = async (name: string): Promise<string> => {
    const path = join(dir, name);
    await mkdir(path, { recursive: true });
    return path;
  };
  const storeOptions = { payments, seed };
  const dueOptions = {
    payments,
    subscriptions: plan.dueSubscriptions,
    dueSubscriptions: plan.dueSubscriptions,
    seed: seed + 1,
  };
  try {
    const embeddedStore = join(dir, 'store');
    const embeddedDue = join(dir, 'due');
    log(
      `${at} generating the embedded stores (${label(payments)} payments; and with due subscriptions)`,
    );
    const eGen = await inWorker('generate', { dir: embeddedStore, ...storeOptions }, dir);
    await inWorker('generate', { dir: embeddedDue, ...dueOptions }, dir);
    const pgStore = await databases.create(`store_${payments}`);
    const pgDue = await databases.create(`due_${payments}`);
    log(`${at} generating the same records in PostgreSQL`);
    const pGen = await inWorker(
      'generate',
      { dir: await fresh('pg-gen'), database: pgStore, ...storeOptions },
      dir,
    );
    log(`${at} ${(pGen.ms / 1000).toFixed(1)} s (embedded: ${(eGen.ms / 1000).toFixed(1)} s)`);
    await inWorker(
      'generate',
      { dir: await fresh('pg-gen-due'), database: pgDue, ...dueOptions },
      dir,
    );

    const open = { embedded: [] as ResultOf<'open'>[], postgres: [] as ResultOf<'open'>[] };
    for (let i = 0; i < plan.opens; i++) {
      open.embedded.push(await inWorker('open', { dir: embeddedStore }, dir));
      const o = await inWorker(
        'open',
        { dir: await fresh(`pg-open-${i}`), database: pgStore },
        dir,
      );
      open.postgres.push(o);
      log(
        `${at} open ${i + 1}/${plan.opens}: embedded ${open.embedded[i]?.openMs.toFixed(0)} ms, ` +
          `PostgreSQL ${o.openMs.toFixed(0)} ms (RSS ${o.rssMb.toFixed(0)} MB)`,
      );
    }

    const coreParams = {
      warmup: plan.warmup,
      commands: plan.commands,
      commandsWithoutLedgerFsync: plan.commandsWithoutLedgerFsync,
      queries: plan.queries,
      seed,
    };
    log(`${at} ${plan.commands} ProcessPayment commands and ${plan.queries} pages, each store`);
    const eCore = await inWorker('core', { dir: embeddedStore, ...coreParams }, dir);
    const pCore = await inWorker(
      'core',
      { dir: await fresh('pg-core'), database: pgStore, ...coreParams },
      dir,
    );
    log(
      `${at} commit p50/p99: embedded ${eCore.commit.p50.toFixed(3)}/${eCore.commit.p99.toFixed(3)} ms, ` +
        `PostgreSQL ${pCore.commit.p50.toFixed(3)}/${pCore.commit.p99.toFixed(3)} ms`,
    );

    const recurring = {
      embedded: [] as ResultOf<'recurring'>[],
      postgres: [] as ResultOf<'recurring'>[],
    };
    const twoInstances: PgMeasurements['twoInstances'] = [];
    for (let i = 0; i < plan.recurringRuns; i++) {
      const n = `(${i + 1}/${plan.recurringRuns})`;
      const copy = join(dir, `due-${i}`);
      await cp(embeddedDue, copy, { recursive: true });
      spawnSync('sync');
      const e = await inWorker('recurring', { dir: copy, seed }, dir);
      await rm(copy, { recursive: true, force: true });
      recurring.embedded.push(e);
      log(`${at} embedded: ${label(e.charged)} charges, ${e.chargesPerSecond.toFixed(0)}/s ${n}`);

      const one = await databases.create(`run_${payments}_${i}_one`, pgDue);
      spawnSync('sync');
      const p = await inWorker(
        'recurring',
        { dir: await fresh(`run-${i}-one`), database: one, seed },
        dir,
      );
      await databases.drop(one);
      recurring.postgres.push(p);
      log(`${at} PostgreSQL, one instance: ${p.chargesPerSecond.toFixed(0)}/s ${n}`);

      const two = await databases.create(`run_${payments}_${i}_two`, pgDue);
      spawnSync('sync');
      const follower = await startFollower(
        {
          dir: await fresh(`run-${i}-follower`),
          database: two,
          readEveryMs: plan.followerReadEveryMs,
          seed,
        },
        dir,
      );
      let leader: ResultOf<'recurring'>;
      try {
        leader = await inWorker(
          'recurring',
          { dir: await fresh(`run-${i}-leader`), database: two, seed },
          dir,
        );
      } catch (error) {
        follower.kill();
        throw error;
      }
      const followed = await follower.finish({
        lastSeq: leader.lastSeq ?? 0,
        endedAt: leader.endedAt ?? Date.now(),
      });
      await databases.drop(two);
      twoInstances.push({ leader, follower: followed });
      log(
        `${at} PostgreSQL, two instances: ${leader.chargesPerSecond.toFixed(0)}/s; the second ` +
          `held the last commit ${followed.lagMs.toFixed(0)} ms after ${n}`,
      );
    }
    const embedded: StoreMeasurements = {
      generateMs: eGen.ms,
      open: open.embedded,
      core: eCore,
      recurring: recurring.embedded,
    };
    return {
      payments,
      embedded: storeFiguresOf(embedded),
      postgres: pgFiguresOf({
        generateMs: pGen.ms,
        open: open.postgres,
        core: pCore,
        recurring: recurring.postgres,
        twoInstances,
      }),
    };
  } finally {
    await databases.dropAll();
    await rm(dir, { recursive: true, force: true });
  }
}
