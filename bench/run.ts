/**
 * `npm run bench [-- --quick] [-- --sizes=1000,100000] [-- --only=exactly-once|sizes|export|customers|lists|backup]`: the
 * benchmarks of Paydesk's core on generated data at 1,000, 100,000 and 1,000,000 payments
 * (`--quick` stops at 100,000), with the two baselines (lowdb rewriting its file per
 * command, better-sqlite3), and, once per run, the exactly-once measurements: the real
 * server's start-up after a kill with payments in flight, and the undo of a large recurring
 * run, and a CSV export of every payment at the largest size (its time and memory, through
 * the REST endpoint and the desktop's file write), and the Customers screen's queries at the
 * largest size (pages sorted by each column, searches, the index's cost to a commit), and the
 * payments list's filters and sorts at the largest size (bench/tasks/lists.ts), and a backup
 * at the largest size (its time, and the commands' latency while backups run).
 * `--only` runs one of the parts. `--database URL` (a PostgreSQL server: the bench makes and
 * drops databases of its own on it) adds the PostgreSQL store, measured side by side with the
 * embedded one at each size (bench/postgres.ts); `--only=postgres` runs that part alone.
 *
 * Each measurement runs in a fresh worker process (bench/worker.ts) so that no heap or
 * garbage of one pollutes another, and the open's memory is that of a process holding just
 * the store. Generated data lives in a temp directory removed at the end (also on Ctrl-C).
 * Prints the tables and writes bench/results.json (a run with `--only` keeps the other
 * part's figures there); BENCHMARKS.md explains the figures.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { backupFiguresOf, backupTable, type BackupFigures } from './backup-figures';
import { customersFiguresOf, customersTable, type CustomersFigures } from './customers-figures';
import { listsFiguresOf, listsTable, type ListsFigures } from './lists-figures';
import { exportFiguresOf, exportTable, type Door, type ExportFigures } from './export-figures';
import { inWorker } from './in-worker';
import { BenchDatabases } from './pg-databases';
import { checkPgTargets, pgTable, type PgSizeFigures } from './pg-figures';
import { measurePostgresSize } from './postgres';
import type { ResultOf } from './protocol';
import {
  checkTargets,
  exactlyOnceFiguresOf,
  exactlyOnceTable,
  figuresOf,
  table,
  type ExactlyOnceFigures,
  type SizeFigures,
} from './report';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);
const RESULTS = join(BENCH_DIR, 'results.json');
const SEED = 20_250_101;
/** RunRecurring is timed this many times per size (the median counts): one run is noisy here. */
const RECURRING_RUNS = 3;

/** The exactly-once measurements: the conditions, each repeated (the median counts). */
const EXACTLY_ONCE = {
  runs: 3,
  restartPayments: 400,
  restartLatencyMs: 300,
  undoCharges: 1000,
  undoLatencyMs: 50,
  /** The mock gateway's seed, as `npm run serve -- --seed 1`. */
  seed: 1,
  /** Pause between two health requests while the restarted server starts. */
  healthPollMs: 20,
  /** Pause between two reads while the undo runs. */
  readEveryMs: 20,
};

/** How much of each measurement a size gets (a lowdb sample at 100,000 takes seconds). */
interface Plan {
  commands: number;
  warmup: number;
  commandsWithoutLedgerFsync: number;
  queries: number;
  opens: number;
  dueSubscriptions: number;
  lowdbSamples: number;
  sqliteSamples: number;
}

function planFor(payments: number): Plan {
  const base = {
    warmup: 100,
    commandsWithoutLedgerFsync: 500,
    queries: 1000,
    opens: 3,
    sqliteSamples: 2000,
  };
  if (payments <= 10_000) {
    return { ...base, commands: 2000, dueSubscriptions: payments, lowdbSamples: 200 };
  }
  if (payments <= 100_000) {
    return { ...base, commands: 2000, dueSubscriptions: 100_000, lowdbSamples: 15 };
  }
  return {
    ...base,
    commands: 1000,
    dueSubscriptions: 100_000,
    lowdbSamples: 3,
    sqliteSamples: 1000,
  };
}

/** The parts of a run: the store sizes, the exactly-once measurements, the CSV export. */
type Part = 'sizes' | 'exactly-once' | 'export' | 'customers' | 'lists' | 'backup' | 'postgres';
const PARTS: readonly Part[] = [
  'sizes',
  'exactly-once',
  'export',
  'customers',
  'lists',
  'backup',
  'postgres',
];
const isPart = (name: string | undefined): name is Part => PARTS.some((p) => p === name);

interface Options {
  sizes: number[];
  quick: boolean;
  /** Run one part only (`--only=...`); null runs them all. */
  only: Part | null;
  /** A PostgreSQL server's URL (`--database`): the postgres part runs only with one. */
  database: string | null;
}

const USAGE =
  'use --quick, --sizes=N,M, --database URL, --only=exactly-once, --only=sizes, --only=export, --only=customers, --only=lists, --only=backup or --only=postgres';

function parseArgs(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  let sizes = quick ? [1000, 100_000] : [1000, 100_000, 1_000_000];
  let only: Part | null = null;
  let sizesGiven = false;
  let database: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--quick') continue;
    if (arg === '--database' || arg.startsWith('--database=')) {
      const url = arg === '--database' ? argv[++i] : arg.slice('--database='.length);
      if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) {
        throw new Error(`--database takes a postgres:// URL (${USAGE})`);
      }
      database = url;
      continue;
    }
    const part = /^--only=(.*)$/.exec(arg)?.[1];
    if (isPart(part)) {
      only = part;
      continue;
    }
    const m = /^--sizes=(\d+(?:,\d+)*)$/.exec(arg);
    if (m?.[1] === undefined) throw new Error(`unknown argument ${arg} (${USAGE})`);
    sizes = m[1].split(',').map(Number);
    sizesGiven = true;
  }
  if (only === 'exactly-once' && sizesGiven) {
    throw new Error('--only=exactly-once measures no store size: drop --sizes');
  }
  if (only === 'postgres' && database === null) {
    throw new Error('--only=postgres needs --database URL (a PostgreSQL server)');
  }
  return { sizes, quick, only, database };
}

const started = performance.now();
const log = (msg: string): void => {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${s}s] ${msg}\n`);
};

const label = (n: number): string => n.toLocaleString('en-US');

async function measureSize(root: string, payments: number, previous: readonly SizeFigures[]) {
  const plan = planFor(payments);
  const dir = join(root, String(payments));
  const store = join(dir, 'store');
  const due = join(dir, 'due');
  const work = join(dir, 'baselines');
  await mkdir(work, { recursive: true });
  const at = `[${label(payments)}]`;

  log(`${at} generating a store of ${label(payments)} payments`);
  await inWorker('generate', { dir: store, payments, seed: SEED }, dir);
  log(`${at} generating a store with ${label(plan.dueSubscriptions)} due subscriptions`);
  await inWorker(
    'generate',
    {
      dir: due,
      payments,
      subscriptions: plan.dueSubscriptions,
      dueSubscriptions: plan.dueSubscriptions,
      seed: SEED + 1,
    },
    dir,
  );

  const open: ResultOf<'open'>[] = [];
  for (let i = 0; i < plan.opens; i++) {
    open.push(await inWorker('open', { dir: store }, dir));
    log(`${at} open ${i + 1}/${plan.opens}: ${open[i]?.openMs.toFixed(0)} ms`);
  }
  // The baselines first: they start from the generated payments, before the commands add any.
  log(`${at} baselines: sqlite ${plan.sqliteSamples} payments, lowdb ${plan.lowdbSamples}`);
  const baselines = await inWorker(
    'baselines',
    {
      dir: store,
      workDir: work,
      lowdbSamples: plan.lowdbSamples,
      sqliteSamples: plan.sqliteSamples,
      seed: SEED,
    },
    dir,
  );
  const lowdb = baselines.lowdb.ok ? `${baselines.lowdb.process.p50.toFixed(1)} ms` : 'failed';
  log(`${at} lowdb p50 ${lowdb}, sqlite p50 ${baselines.sqlite.process.p50.toFixed(3)} ms`);
  log(`${at} ${plan.commands} ProcessPayment commands, then ${plan.queries} page queries`);
  const core = await inWorker(
    'core',
    {
      dir: store,
      warmup: plan.warmup,
      commands: plan.commands,
      commandsWithoutLedgerFsync: plan.commandsWithoutLedgerFsync,
      queries: plan.queries,
      seed: SEED,
    },
    dir,
  );
  log(`${at} commit p50 ${core.commit.p50.toFixed(3)} ms, p99 ${core.commit.p99.toFixed(3)} ms`);
  const recurring: ResultOf<'recurring'>[] = [];
  for (let i = 0; i < RECURRING_RUNS; i++) {
    // Each run charges a fresh copy, written out before it starts (no writeback meanwhile).
    const copy = join(dir, `due-${i}`);
    await cp(due, copy, { recursive: true });
    spawnSync('sync');
    log(
      `${at} RunRecurring over ${label(plan.dueSubscriptions)} due subscriptions (${i + 1}/${RECURRING_RUNS})`,
    );
    const run = await inWorker('recurring', { dir: copy, seed: SEED }, dir);
    log(`${at} ${label(run.charged)} charges in ${run.ms.toFixed(0)} ms`);
    recurring.push(run);
    await rm(copy, { recursive: true, force: true });
  }
  await rm(dir, { recursive: true, force: true });
  return figuresOf({ payments, open, core, recurring, baselines }, previous);
}

/** Sources of the server bundle (out/main/server.js): a file newer than it makes it stale. */
const SERVER_SOURCES = ['src/main', 'src/server', 'src/shared'].map((d) => join(REPO, d));

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The restart is timed on the built server (`npm run serve` builds it first when it is
 * missing, which must not fall inside the timing): build it now if it is missing or older
 * than its sources.
 */
function ensureServerBuilt(): void {
  const bundle = join(REPO, 'out', 'main', 'server.js');
  const ui = join(REPO, 'out', 'renderer', 'index.html');
  const fresh =
    existsSync(bundle) &&
    existsSync(ui) &&
    statSync(bundle).mtimeMs >= Math.max(...SERVER_SOURCES.map(newestFile));
  if (fresh) return;
  log('[exactly-once] building the server first (npx electron-vite build)');
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: REPO,
    stdio: ['ignore', 2, 2],
    shell: process.platform === 'win32',
  });
  if (build.status !== 0)
    throw new Error(`the build failed (exit ${build.status ?? build.signal})`);
}

async function measureExactlyOnce(root: string): Promise<ExactlyOnceFigures> {
  const e = EXACTLY_ONCE;
  const dir = join(root, 'exactly-once');
  await mkdir(dir, { recursive: true });
  ensureServerBuilt();
  const at = '[exactly-once]';
  const restart: ResultOf<'restart'>[] = [];
  for (let i = 0; i < e.runs; i++) {
    log(
      `${at} kill with ${label(e.restartPayments)} payments in flight, restart (${i + 1}/${e.runs})`,
    );
    const r = await inWorker(
      'restart',
      {
        dir: join(dir, `restart-${i}`),
        payments: e.restartPayments,
        latencyMs: e.restartLatencyMs,
        seed: e.seed,
        pollMs: e.healthPollMs,
      },
      dir,
    );
    log(
      `${at} READY ${r.readyMs.toFixed(0)} ms, health ${r.healthMs.toFixed(0)} ms, reconciled ` +
        `${r.reconciledMs.toFixed(0)} ms; ${r.pendingAtKill} PENDING at the kill, then ` +
        `${r.completedAfter} COMPLETED, ${r.failedAfter} FAILED (${r.ledgerCharges} charges)`,
    );
    restart.push(r);
  }
  const undo: ResultOf<'undo'>[] = [];
  for (let i = 0; i < e.runs; i++) {
    log(`${at} undo of a run of ${label(e.undoCharges)} charges (${i + 1}/${e.runs})`);
    const u = await inWorker(
      'undo',
      {
        dir: join(dir, `undo-${i}`),
        subscriptions: e.undoCharges,
        latencyMs: e.undoLatencyMs,
        seed: e.seed,
        queryEveryMs: e.readEveryMs,
      },
      dir,
    );
    log(
      `${at} undo ${u.undoMs.toFixed(0)} ms (${u.ledgerRefunds} refunds); reads meanwhile ` +
        `p50 ${u.queryFromDue.p50.toFixed(1)} ms, max ${u.queryFromDue.max.toFixed(1)} ms; ` +
        `a flush just before: p50 ${u.flush.p50.toFixed(2)} ms, p90 ${u.flush.p90.toFixed(2)} ms`,
    );
    undo.push(u);
  }
  await rm(dir, { recursive: true, force: true });
  return exactlyOnceFiguresOf({ ...e, restart, undo }, new Date().toISOString());
}

/**
 * The Customers screen's queries on a generated store of `payments` payments (its 50,000
 * customers and payments / 100 subscriptions, at most 10,000), in a process of their own.
 */
async function measureCustomers(root: string, payments: number): Promise<CustomersFigures> {
  const dir = join(root, 'customers');
  const store = join(dir, 'store');
  const at = `[customers ${label(payments)}]`;
  await mkdir(dir, { recursive: true });
  log(`${at} generating a store of ${label(payments)} payments`);
  await inWorker('generate', { dir: store, payments, seed: SEED }, dir);
  log(`${at} pages by each column, searches, commits with and without the index`);
  const r = await inWorker(
    'customers',
    { dir: store, queries: 1000, searches: 200, commits: 1000, seed: SEED },
    dir,
  );
  log(
    `${at} ${label(r.customers)} customers: first page ${r.firstPageMs.toFixed(0)} ms, page by ` +
      `net p99 ${r.page.p99.toFixed(3)} ms, search p99 ${r.search.p99.toFixed(2)} ms`,
  );
  await rm(dir, { recursive: true, force: true });
  return customersFiguresOf(r, new Date().toISOString());
}

/**
 * The payments list's filters and sorts on a generated store of `payments` payments, in a
 * process of their own (a fresh open: each sort list is built by its first query).
 */
async function measureLists(root: string, payments: number): Promise<ListsFigures> {
  const dir = join(root, 'lists');
  const store = join(dir, 'store');
  const at = `[lists ${label(payments)}]`;
  await mkdir(dir, { recursive: true });
  log(`${at} generating a store of ${label(payments)} payments`);
  await inWorker('generate', { dir: store, payments, subscriptions: 0, seed: SEED }, dir);
  log(`${at} every filter and sort: first query, then pages of 50`);
  const r = await inWorker('lists', { dir: store, warmup: 20, queries: 300, seed: SEED }, dir);
  await rm(dir, { recursive: true, force: true });
  return listsFiguresOf(r, new Date().toISOString());
}

/**
 * A backup of a generated store of `payments` payments (and payments / 100 subscriptions,
 * at most 10,000): alone, then backups back to back while commands are timed.
 */
async function measureBackup(root: string, payments: number): Promise<BackupFigures> {
  const dir = join(root, 'backup');
  const store = join(dir, 'store');
  const at = `[backup ${label(payments)}]`;
  await mkdir(dir, { recursive: true });
  log(`${at} generating a store of ${label(payments)} payments`);
  await inWorker('generate', { dir: store, payments, seed: SEED }, dir);
  log(`${at} a backup alone, then commands without and during backups`);
  const r = await inWorker(
    'backup',
    { dir: store, folder: join(dir, 'backups'), warmup: 100, commands: 1000, seed: SEED },
    dir,
  );
  log(
    `${at} backup ${(r.backupMs / 1000).toFixed(1)} s, ${(r.bytes / 2 ** 20).toFixed(0)} MB; ` +
      `command p99 ${r.commit.p99.toFixed(1)} ms without, ${r.commitDuringBackup.p99.toFixed(1)} ms during`,
  );
  await rm(dir, { recursive: true, force: true });
  return backupFiguresOf(r, new Date().toISOString());
}

/** Exports timed per door at a size: each run in its own process (the median counts). */
const EXPORT_RUNS = 3;

/**
 * A CSV export of every payment of a generated store, through the REST endpoint and the
 * desktop's file write. The store has no subscriptions: the export reads payments only.
 */
async function measureExport(root: string, payments: number): Promise<ExportFigures> {
  const dir = join(root, 'export');
  const store = join(dir, 'store');
  const at = `[export ${label(payments)}]`;
  await mkdir(dir, { recursive: true });
  log(`${at} generating a store of ${label(payments)} payments`);
  await inWorker('generate', { dir: store, payments, subscriptions: 0, seed: SEED }, dir);
  const runs: Record<Door, ResultOf<'export'>[]> = { rest: [], file: [] };
  for (let i = 0; i < EXPORT_RUNS; i++) {
    for (const door of ['rest', 'file'] as const) {
      const out = join(dir, 'payments.csv');
      const r = await inWorker('export', { dir: store, door, out }, dir);
      log(
        `${at} ${door} ${i + 1}/${EXPORT_RUNS}: ${label(r.rows)} rows, ` +
          `${(r.bytes / 2 ** 20).toFixed(0)} MB in ${(r.ms / 1000).toFixed(1)} s; RSS ` +
          `${r.rssBeforeMb.toFixed(0)} MB before, ${r.rssPeakMb.toFixed(0)} MB at most`,
      );
      runs[door].push(r);
    }
  }
  await rm(dir, { recursive: true, force: true });
  return exportFiguresOf(payments, runs);
}

/** The figures of the last run (read back to keep the part a run with --only leaves out). */
async function previousResults(): Promise<Record<string, unknown>> {
  try {
    return z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(RESULTS, 'utf8')));
  } catch (error) {
    log(`cannot read the previous ${RESULTS} (${(error as Error).message}): starting afresh`);
    return {};
  }
}

function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
    os: `${process.platform} ${release()}`,
    memory_gb: Math.round(totalmem() / 2 ** 30),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), 'paydesk-bench-'));
  const cleanUp = () => rmSync(root, { recursive: true, force: true });
  const databases = options.database === null ? null : new BenchDatabases(options.database);
  process.once('SIGINT', () => {
    cleanUp();
    // The bench's databases go too (a few seconds at most), then the exit.
    const dropped = databases?.dropAll() ?? Promise.resolve();
    const wait = new Promise((resolve) => setTimeout(resolve, 10_000));
    void Promise.race([dropped, wait])
      .catch(() => undefined)
      .finally(() => process.exit(130));
  });
  const sizes: Array<{ payments: number; figures: SizeFigures }> = [];
  let exactlyOnce: ExactlyOnceFigures | null = null;
  let csvExport: ExportFigures | null = null;
  let customers: CustomersFigures | null = null;
  let lists: ListsFigures | null = null;
  let backup: BackupFigures | null = null;
  const postgres: PgSizeFigures[] = [];
  let postgresServer: Record<string, string> | null = null;
  const runs = (part: Part): boolean =>
    (options.only === null || options.only === part) && (part !== 'postgres' || databases !== null);
  try {
    // First: they are quick, and need no generated data.
    if (runs('exactly-once')) exactlyOnce = await measureExactlyOnce(root);
    if (runs('sizes')) {
      for (const payments of options.sizes) {
        const figures = await measureSize(
          root,
          payments,
          sizes.map((s) => s.figures),
        );
        sizes.push({ payments, figures });
      }
    }
    if (runs('export')) csvExport = await measureExport(root, Math.max(...options.sizes));
    if (runs('customers')) customers = await measureCustomers(root, Math.max(...options.sizes));
    if (runs('lists')) lists = await measureLists(root, Math.max(...options.sizes));
    if (runs('backup')) backup = await measureBackup(root, Math.max(...options.sizes));
    if (runs('postgres') && databases !== null) {
      postgresServer = await databases.describe();
      const run = { root, databases, seed: SEED, log };
      for (const payments of options.sizes) postgres.push(await measurePostgresSize(run, payments));
    }
  } finally {
    cleanUp();
    await databases?.dropAll();
  }
  const largest = sizes.find((s) => s.payments === 1_000_000);
  const measured: Record<string, unknown> = {};
  if (runs('sizes')) {
    measured.mode = options.quick ? 'quick' : 'full';
    measured.machine = machine();
    measured.sizes = Object.fromEntries(sizes.map((s) => [String(s.payments), s.figures]));
    measured.targets_at_1m = largest === undefined ? null : checkTargets(largest.figures);
  }
  if (exactlyOnce !== null) measured.exactly_once = exactlyOnce;
  if (csvExport !== null) measured.csv_export = csvExport;
  if (customers !== null) measured.customers = customers;
  if (lists !== null) measured.payments_list = lists;
  if (backup !== null) measured.backup = backup;
  if (postgresServer !== null) {
    const largestPg = postgres.find((s) => s.payments === 1_000_000);
    measured.postgres = {
      date: new Date().toISOString(),
      machine: machine(),
      server: postgresServer,
      sizes: Object.fromEntries(postgres.map((s) => [String(s.payments), s])),
      targets_at_1m: largestPg === undefined ? null : checkPgTargets(largestPg.postgres),
    };
  }
  // A run of one part keeps the other part's figures (each says when it was measured).
  const results = options.only === null ? measured : { ...(await previousResults()), ...measured };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  if (runs('sizes')) {
    console.log(table(sizes));
    if (largest === undefined) console.log('(targets are set at 1M payments: run without --quick)');
  }
  if (exactlyOnce !== null) console.log(`\n${exactlyOnceTable(exactlyOnce)}`);
  if (csvExport !== null) console.log(`\n${exportTable(csvExport)}`);
  if (customers !== null) console.log(`\n${customersTable(customers)}`);
  if (lists !== null) console.log(`\n${listsTable(lists)}`);
  if (backup !== null) console.log(`\n${backupTable(backup)}`);
  if (postgresServer !== null) console.log(`\n${pgTable(postgres)}`);
  console.log(`\nwritten: ${RESULTS} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
