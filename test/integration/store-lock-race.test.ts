/**
 * One writer, for sure: two real processes released together (a barrier) open the store of
 * a directory whose lock was left stale, round after round. Exactly one holds the directory
 * every round; the other is refused with StoreError 'locked' naming the winner's pid; the
 * directory is left with the winner's generation only. The lock's cases one by one are in
 * test/unit/store-lock.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RacerAnswer, RacerOrder } from './fixtures/lock-racer';
import { lockOf, removeTempDirs, tempDir } from '../unit/store-fixtures';

const ROUNDS = 50;
/** How long before the barrier's instant the order is sent (both racers are then spinning). */
const BARRIER_LEAD_MS = 30;

interface Racer {
  child: ChildProcess;
  /** The next answer (answers come one at a time: each follows an order). */
  next(): Promise<RacerAnswer>;
}

function startRacer(): Racer {
  const fixture = resolve(__dirname, 'fixtures/lock-racer.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: resolve(__dirname, '..', '..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queued: RacerAnswer[] = [];
  const waiting: { take: (a: RacerAnswer) => void; fail: (e: Error) => void }[] = [];
  let exited: Error | null = null;
  child.on('message', (message: RacerAnswer) => {
    const waiter = waiting.shift();
    if (waiter === undefined) queued.push(message);
    else waiter.take(message);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`a racer exited (${code ?? signal})`);
    for (const waiter of waiting.splice(0)) waiter.fail(exited);
  });
  return {
    child,
    next: () => {
      const ready = queued.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (exited !== null) return Promise.reject(exited);
      return new Promise((take, fail) => waiting.push({ take, fail }));
    },
  };
}

const send = (racer: Racer, order: RacerOrder) => racer.child.send(order);

let racers: Racer[] = [];
/** The pid of a process that has exited (and been reaped): the stale locks' owner. */
let gone = 0;
beforeAll(async () => {
  gone = spawnSync(process.execPath, ['-e', '0']).pid;
  expect(gone).toBeGreaterThan(0);
  racers = [startRacer(), startRacer()];
  for (const racer of racers) expect(await racer.next()).toEqual({ type: 'ready' });
});
afterAll(() => {
  for (const { child } of racers) child.kill('SIGKILL');
});
afterEach(removeTempDirs);

const STALE = [
  {
    name: 'the highest generation names a process that exited',
    make: async (dir: string) => {
      await writeFile(join(dir, 'paydesk.lock.6'), 'released\n');
      await writeFile(join(dir, 'paydesk.lock.7'), `${gone}\n`);
    },
    taken: 'paydesk.lock.8',
  },
  {
    name: "an earlier version's paydesk.lock names a process that exited",
    make: async (dir: string) => writeFile(join(dir, 'paydesk.lock'), `${gone}\n`),
    taken: 'paydesk.lock.1',
  },
  {
    name: 'the highest generation was released',
    make: async (dir: string) => writeFile(join(dir, 'paydesk.lock.3'), 'released\n'),
    taken: 'paydesk.lock.4',
  },
];

describe('two processes opening a directory with a stale lock at the same instant', () => {
  it.each(STALE)(
    `${ROUNDS} rounds: exactly one holds it every round, the other is refused ($name)`,
    async ({ make, taken }) => {
      const wrong: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const dir = await tempDir();
        await make(dir);
        const at = Date.now() + BARRIER_LEAD_MS;
        for (const racer of racers) send(racer, { type: 'race', dir, at });
        const answers = await Promise.all(racers.map((r) => r.next()));
        const winners = racers.filter((_, i) => answers[i]?.type === 'won');
        const loser = answers.find((a) => a.type === 'lost');
        if (winners.length !== 1 || loser?.type !== 'lost') {
          wrong.push(`round ${round}: ${JSON.stringify(answers)}`);
        } else {
          const pid = winners[0]?.child.pid;
          expect(loser.code).toBe('locked');
          expect(loser.message).toContain(`another Paydesk process (pid ${pid}) is using ${dir}`);
          // The winner's generation, nothing else of the lock's; no temp file left behind.
          expect(await lockOf(dir)).toEqual({ file: taken, text: String(pid) });
          expect((await readdir(dir)).filter((n) => n.startsWith('paydesk.lock'))).toEqual([taken]);
          expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
        }
        for (const racer of winners) send(racer, { type: 'close' });
        for (const racer of winners)
          expect(await racer.next()).toEqual({ type: 'closed', error: null });
      }
      expect(wrong).toEqual([]);
    },
    60_000,
  );
});
