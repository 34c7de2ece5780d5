/**
 * Running a task of bench/protocol.ts in a fresh worker process (bench/worker.ts) and
 * reading back its validated result: `inWorker` for a task that runs to its end, and
 * `startFollower` for the second instance of a recurring run on PostgreSQL, which is told
 * on stdin when the leader's run ended (bench/tasks/follow.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tasks, type ParamsOf, type ResultOf, type TaskName } from './protocol';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);

/** Node options of the workers: the measured processes keep node's default heap limit. */
const BIG_HEAP: Partial<Record<TaskName, string>> = {
  generate: '--max-old-space-size=8192',
  baselines: '--max-old-space-size=12288',
};

function spawnWorker<T extends TaskName>(
  name: T,
  params: ParamsOf<T>,
  resultFile: string,
  stdio: 'inherit' | 'pipe',
): ChildProcess {
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
  return spawn(process.execPath, args, {
    cwd: REPO,
    stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['pipe', 'pipe', 'inherit'],
  });
}

function exited(child: ChildProcess, name: TaskName): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`the ${name} worker failed (exit ${signal ?? code})`));
    });
  });
}

async function resultOf<T extends TaskName>(name: T, resultFile: string): Promise<ResultOf<T>> {
  return tasks[name].result.parse(JSON.parse(await readFile(resultFile, 'utf8'))) as ResultOf<T>;
}

/** Run one task in a fresh node process and read back its result. */
export async function inWorker<T extends TaskName>(
  name: T,
  params: ParamsOf<T>,
  resultDir: string,
): Promise<ResultOf<T>> {
  const resultFile = join(resultDir, `${name}-${Date.now()}.json`);
  await exited(spawnWorker(name, params, resultFile, 'inherit'), name);
  return resultOf(name, resultFile);
}

/** A second instance, open and following the database; `finish` tells it the leader ended. */
export interface Follower {
  finish(leader: { lastSeq: number; endedAt: number }): Promise<ResultOf<'follow'>>;
  /** Ends it without a result (when the leader's run failed). */
  kill(): void;
}

/** Starts the follow task and resolves once it says it is ready. */
export async function startFollower(
  params: ParamsOf<'follow'>,
  resultDir: string,
): Promise<Follower> {
  const resultFile = join(resultDir, `follow-${Date.now()}.json`);
  const child = spawnWorker('follow', params, resultFile, 'pipe');
  const done = exited(child, 'follow');
  done.catch(() => undefined);
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the follow worker has no stdout');
  const ready = (async () => {
    for await (const line of createInterface({ input: stdout })) {
      if (line === 'ready') return;
    }
    throw new Error('the follow worker ended before it was ready');
  })();
  await Promise.race([ready, done.then(() => Promise.reject(new Error('follow ended early')))]);
  stdout.resume();
  return {
    async finish(leader) {
      child.stdin?.end(`${JSON.stringify(leader)}\n`);
      await done;
      return resultOf('follow', resultFile);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
