/**
 * `npm run bench [-- --quick] [-- --sizes=1000,100000]`: the benchmarks of Paydesk's core on
 * generated data at 1,000, 100,000 and 1,000,000 payments (`--quick` stops at 100,000), with
 * the two baselines (lowdb rewriting its file per command, better-sqlite3), in one run.
 *
 * Each measurement runs in a fresh worker process (bench/worker.ts) so that no heap or
 * garbage of one pollutes another, and the open's memory is that of a process holding just
 * the store. Generated data lives in a temp directory removed at the end (also on Ctrl-C).
 * Prints a table and writes bench/results.json; BENCHMARKS.md explains the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tasks, type ParamsOf, type ResultOf, type TaskName } from './protocol';
import { checkTargets, figuresOf, table, type SizeFigures } from './report';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);
const RESULTS = join(BENCH_DIR, 'results.json');
const SEED = 20_250_101;
/** RunRecurring is timed this many times per size (the median counts): one run is noisy here. */
const RECURRING_RUNS = 3;

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

interface Options {
  sizes: number[];
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  let sizes = quick ? [1000, 100_000] : [1000, 100_000, 1_000_000];
  for (const arg of argv) {
    if (arg === '--quick') continue;
    const m = /^--sizes=(\d+(?:,\d+)*)$/.exec(arg);
    if (m?.[1] === undefined) throw new Error(`unknown argument ${arg} (use --quick, --sizes=N,M)`);
    sizes = m[1].split(',').map(Number);
  }
  return { sizes, quick };
}

const started = performance.now();
const log = (msg: string): void => {
  const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${s}s] ${msg}\n`);
};

/** Node options of the workers: the measured processes keep node's default heap limit. */
const BIG_HEAP: Partial<Record<TaskName, string>> = {
  generate: '--max-old-space-size=8192',
  baselines: '--max-old-space-size=12288',
};

/** Run one task in a fresh node process and read back its result. */
async function inWorker<T extends TaskName>(
  name: T,
  params: ParamsOf<T>,
  resultDir: string,
): Promise<ResultOf<T>> {
  const resultFile = join(resultDir, `${name}-${Date.now()}.json`);
  const heap = BIG_HEAP[name];
  const args = [
    '--expose-gc',
    ...(heap === undefined ? [] : [heap]),
    '--import',
    'tsx',
    join(BENCH_DIR, 'worker.ts'),
    name,
    JSON.stringify(params),
    resultFile,
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(signal === null ? exitCode : 128));
  });
  if (code !== 0) throw new Error(`the ${name} worker failed (exit ${code})`);
  return tasks[name].result.parse(JSON.parse(await readFile(resultFile, 'utf8'))) as ResultOf<T>;
}

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
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  const sizes: Array<{ payments: number; figures: SizeFigures }> = [];
  try {
    for (const payments of options.sizes) {
      const figures = await measureSize(
        root,
        payments,
        sizes.map((s) => s.figures),
      );
      sizes.push({ payments, figures });
    }
  } finally {
    cleanUp();
  }
  const largest = sizes.find((s) => s.payments === 1_000_000);
  const results = {
    mode: options.quick ? 'quick' : 'full',
    machine: machine(),
    sizes: Object.fromEntries(sizes.map((s) => [String(s.payments), s.figures])),
    targets_at_1m: largest === undefined ? null : checkTargets(largest.figures),
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(sizes));
  if (largest === undefined) console.log('(targets are set at 1M payments: run without --quick)');
  console.log(`\nwritten: ${RESULTS} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
