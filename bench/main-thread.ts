/**
 * `node --expose-gc --import tsx bench/main-thread.ts [--runs=3] [--charges=100000]
 * [--path=timer|button]`: how long the desktop's main process (windows, menus, IPC) is held
 * up while the core makes a recurring run of 100,000 charges, with the core in that process
 * (as before) and with the core in its own process (core-host.ts behind RemoteCore, as now).
 * BENCHMARKS.md, "The main process during a recurring run", has the figures.
 *
 * Each measurement is a fresh process, the "main process", started on a fresh copy of one
 * generated store (1,000 payments, the subscriptions all due at the fixtures' "now", a test
 * clock set there so each owes one period). The run is made two ways: by the scheduler (the
 * catch-up at start, as after a night closed: no answer crosses) and by the operator's "Run
 * recurring now" (`scheduler.run` through `Core.call`, as the IPC handler calls it: its
 * answer lists every payment made, and is then serialized as Electron's IPC to the window
 * does). Meanwhile the process measures its own event loop's delay (monitorEventLoopDelay,
 * 1 ms resolution) and, every 20 ms, a `payments.list` page of 50 through the same `Core`:
 * what a window waits for a read, from when it was due to the answer.
 * In-process that `Core` is openCore's; in the child mode it is startRemoteCore's, whose host
 * is src/main/core-host.ts forked under tsx with the shell tests' stand-in for Electron's
 * `process.parentPort` (test/integration/fixtures/shell/utility-child.mjs), as the fake
 * Electron forks it. The modes alternate, `--runs` times each; the medians are printed as JSON.
 */
import { fork, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { openCore } from '../src/main/core';
import type { Core } from '../src/main/core/api';
import { openStore } from '../src/main/core/store';
import type { ToHost } from '../src/main/core-process/protocol';
import { startRemoteCore, type CoreProcess } from '../src/main/core-process/remote-core';
import { FIXTURE_NOW, generateStore } from './fixtures';
import { collectGarbage, summarize } from './stats';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);
const HOST = join(REPO, 'src/main/core-host.ts');
const PARENT_PORT = join(REPO, 'test/integration/fixtures/shell/utility-child.mjs');
const SEED = 20_250_101;
const READ_EVERY_MS = 20;

const MODES = ['in-process', 'child'] as const;
type Mode = (typeof MODES)[number];
/** Who makes the run: the scheduler's timer, or the operator's button (a call). */
const PATHS = ['timer', 'button'] as const;
type RunPath = (typeof PATHS)[number];

const measurement = z.object({
  mode: z.enum(MODES),
  path: z.enum(PATHS),
  charged: z.number(),
  answerBytes: z.number(),
  runMs: z.number(),
  loopDelayMsP50: z.number(),
  loopDelayMsP99: z.number(),
  loopDelayMsMax: z.number(),
  readMsP50: z.number(),
  readMsP99: z.number(),
  readMsMax: z.number(),
  reads: z.number(),
});
type Measurement = z.infer<typeof measurement>;

/** The core host as a Node child: what the fake Electron's utilityProcess.fork makes. */
function forkHost(): CoreProcess {
  const child = fork(HOST, [], {
    execArgv: ['--import', 'tsx', '--import', pathToFileURL(PARENT_PORT).href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  // The child's own EventEmitter answers `on`; its 'exit' passes a code, null after a signal.
  const events = new EventEmitter();
  child.on('message', (message) => events.emit('message', message));
  child.on('exit', (code) => events.emit('exit', code ?? 1));
  return Object.assign(events, {
    postMessage: (message: ToHost) => void child.send(message),
    kill: () => child.kill(),
  });
}

async function measure(mode: Mode, path: RunPath, dataDir: string): Promise<Measurement> {
  const options = {
    dataDir,
    clock: 'test' as const,
    // The timer's path: the catch-up at start makes the run (after reconciliation).
    scheduler: path === 'timer',
    gateway: { latencyMs: 0, seed: 1 },
  };
  const core: Core =
    mode === 'in-process'
      ? await openCore(options)
      : await startRemoteCore({ fork: forkHost, options, log: () => undefined });
  // The run is done when `changed` names the scheduler after its progress began.
  let progressed = false;
  const timerRunDone = new Promise<void>((resolve) =>
    core.subscribe((event) => {
      if (event.type === 'progress') progressed = true;
      if (event.type === 'changed' && event.topics.includes('scheduler') && progressed) resolve();
    }),
  );
  if (path === 'button') {
    await core.reconciled;
    collectGarbage();
  }

  const reads: number[] = [];
  let running = true;
  const reader = (async () => {
    while (running) {
      // Counted from when the read was due, not from when this loop got to it: in-process,
      // a window's request waits for this event loop before the core even sees it.
      const due = performance.now() + READ_EVERY_MS;
      await new Promise((resolve) => setTimeout(resolve, READ_EVERY_MS));
      const page = await core.call('payments.list', { limit: 50 }, 'operator');
      if (!page.ok) throw new Error(`payments.list: ${page.error.message}`);
      reads.push(performance.now() - due);
    }
  })();
  let answerBytes = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const start = performance.now();
  if (path === 'button') {
    const run = await core.call('scheduler.run', {}, 'operator');
    if (!run.ok) throw new Error(`scheduler.run: ${run.error.message}`);
    // Then the IPC handler hands the answer to the window, which Electron clones with V8's
    // serializer in this process: in both modes.
    answerBytes = serialize(run).length;
  } else {
    await timerRunDone;
  }
  const runMs = performance.now() - start;
  // A delay is recorded when the loop's timer next runs: let it, so that the last block
  // (receiving the answer, or the run's last commit) counts.
  await new Promise((resolve) => setTimeout(resolve, 10));
  loop.disable();
  running = false;
  await reader;
  const status = await core.call('scheduler.status', {}, 'operator');
  await core.close();
  if (!status.ok) throw new Error(`scheduler.status: ${status.error.message}`);
  const read = summarize(reads);
  return {
    mode,
    path,
    charged: status.data.lastRun?.charged ?? 0,
    answerBytes,
    runMs,
    loopDelayMsP50: loop.percentile(50) / 1e6,
    loopDelayMsP99: loop.percentile(99) / 1e6,
    loopDelayMsMax: loop.max / 1e6,
    readMsP50: read.p50,
    readMsP99: read.p99,
    readMsMax: read.max,
    reads: read.n,
  };
}

/** One measurement in a fresh process (this file, `measure <mode> <path> <dir> <file>`). */
async function inFreshProcess(
  mode: Mode,
  path: RunPath,
  dataDir: string,
  work: string,
): Promise<Measurement> {
  const resultFile = join(work, `${mode}-${path}-${Date.now()}.json`);
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', '--import', 'tsx', script, 'measure', mode, path, dataDir];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [...args, resultFile], { cwd: REPO, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(signal === null ? exitCode : 128));
  });
  if (code !== 0) throw new Error(`the ${mode} ${path} measurement failed (exit ${code})`);
  return measurement.parse(JSON.parse(await readFile(resultFile, 'utf8')));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};

function optionOf(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
}

type Figure = keyof Omit<Measurement, 'mode' | 'path'>;
const FIGURES: Figure[] = [
  'charged',
  'answerBytes',
  'runMs',
  'loopDelayMsP50',
  'loopDelayMsP99',
  'loopDelayMsMax',
  'readMsP50',
  'readMsP99',
  'readMsMax',
];

async function main(): Promise<void> {
  const runs = optionOf('runs', 3);
  const only = process.argv.find((a) => a.startsWith('--path='))?.slice('--path='.length);
  const paths = only === undefined ? PATHS : [z.enum(PATHS).parse(only)];
  const charges = optionOf('charges', 100_000);
  const work = await mkdtemp(join(tmpdir(), 'paydesk-bench-main-'));
  const cleanUp = () => rm(work, { recursive: true, force: true });
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const due = join(work, 'due');
    console.error(`generating a store with ${charges.toLocaleString('en-US')} due subscriptions`);
    await generateStore(due, {
      payments: 1_000,
      subscriptions: charges,
      dueSubscriptions: charges,
      seed: SEED,
    });
    // The test clock at the fixtures' "now": each subscription owes exactly one period.
    const store = await openStore(due);
    await store.commit([{ t: 'clock', v: FIXTURE_NOW }]);
    await store.close();

    const results: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
      for (const path of paths) {
        for (const mode of MODES) {
          const copy = join(work, `run-${i}-${mode}-${path}`);
          await cp(due, copy, { recursive: true });
          const result = await inFreshProcess(mode, path, copy, work);
          console.error(JSON.stringify(result));
          results.push(result);
          await rm(copy, { recursive: true, force: true });
        }
      }
    }
    const summary = Object.fromEntries(
      paths.flatMap((path) =>
        MODES.map((mode) => {
          const of = results.filter((r) => r.mode === mode && r.path === path);
          const medians = FIGURES.map((key) => [
            key,
            Math.round(median(of.map((r) => r[key])) * 10) / 10,
          ]);
          return [`${path}/${mode}`, { runs: of.length, ...Object.fromEntries(medians) }];
        }),
      ),
    );
    console.log(JSON.stringify({ date: new Date().toISOString(), charges, summary }, null, 2));
  } finally {
    await cleanUp();
  }
}

if (process.argv[2] === 'measure') {
  const [, , , mode, path, dataDir, resultFile] = process.argv;
  if (!dataDir || !resultFile) {
    throw new Error('usage: main-thread.ts measure <mode> <path> <dir> <result file>');
  }
  measure(z.enum(MODES).parse(mode), z.enum(PATHS).parse(path), dataDir)
    .then((result) => writeFile(resultFile, JSON.stringify(result)))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
