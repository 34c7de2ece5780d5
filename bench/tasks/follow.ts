/**
 * Worker task: the second instance of a recurring run on PostgreSQL. It opens the store on
 * the run's database (loading everything, as `serve --database` does), prints "ready" on
 * stdout, then follows the other instance's commits as any attached instance does (a NOTIFY
 * per written group, then a read of the log rows it has not seen, applied in memory) while
 * reading a page of 50 COMPLETED payments every `readEveryMs`, as a colleague's screen would. Its
 * scheduler is not started: only the leader charges (the run's instance holds the lead).
 * Once stdin says the leader's last commit (`{"lastSeq":N,"endedAt":ms}`, epoch ms), it
 * waits until it holds that commit, and reports how long after the run's end that was.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { openPgStore } from '../../src/main/core/pg-store/store';
import type { ParamsOf, ResultOf } from '../protocol';
import { megabytes, seededRandom, summarize } from '../stats';

const PAGE = 50;
/** The longest wait for the leader's last commit after it said so. */
const CATCH_UP_LIMIT_MS = 120_000;

const leaderDone = z.object({ lastSeq: z.number().int(), endedAt: z.number() });

/** The first line of stdin, parsed. */
async function leaderSays(): Promise<z.infer<typeof leaderDone>> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return leaderDone.parse(JSON.parse(line));
  }
  throw new Error('stdin closed before the leader said its last commit');
}

export async function follow(p: ParamsOf<'follow'>): Promise<ResultOf<'follow'>> {
  const rnd = seededRandom(p.seed);
  let catchUps = 0;
  /** When this instance last applied others' commits, and its last commit then. */
  const reached: Array<{ seq: number; at: number }> = [];
  const start = performance.now();
  const store = await openPgStore(p.database, p.dir, {
    onRemoteChanges: () => {
      catchUps++;
      reached.push({ seq: store.commitSeq(), at: Date.now() });
    },
  });
  const openMs = performance.now() - start;
  const openedAt = store.commitSeq();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const pageMs: number[] = [];
  const completed = store.queryPayments({
    status: 'COMPLETED',
    order: 'desc',
    offset: 0,
    limit: 0,
  }).total;
  const reader = setInterval(() => {
    const offset = Math.floor(rnd() * Math.max(1, completed - PAGE));
    const t = performance.now();
    store.queryPayments({ status: 'COMPLETED', order: 'desc', offset, limit: PAGE });
    pageMs.push(performance.now() - t);
  }, p.readEveryMs);
  process.stdout.write('ready\n');

  const leader = await leaderSays();
  const deadline = Date.now() + CATCH_UP_LIMIT_MS;
  while (store.commitSeq() < leader.lastSeq) {
    if (Date.now() > deadline) {
      throw new Error(`still at commit ${store.commitSeq()} of ${leader.lastSeq} after 2 min`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  clearInterval(reader);
  loop.disable();
  const followedCommits = store.commitSeq() - openedAt;
  const caughtUp = reached.find((r) => r.seq >= leader.lastSeq)?.at ?? Date.now();
  const rssMb = megabytes(process.memoryUsage().rss);
  await store.close();
  return {
    openMs,
    followedCommits,
    catchUps,
    lagMs: Math.max(0, caughtUp - leader.endedAt),
    page: summarize(pageMs),
    loopDelayMsP99: loop.percentile(99) / 1e6,
    loopDelayMsMax: loop.max / 1e6,
    rssMb,
  };
}
