/**
 * Worker task: start-up availability after a kill, met as a user meets it. The real server
 * (`node scripts/serve.mjs`, test clock, no scheduler, the mock gateway at the given latency)
 * gets subscriptions through REST, all due at once; a recurring run is asked for and not
 * waited for; once every charge of it shows as PENDING (stored, the gateway being called),
 * the server is SIGKILLed. The same command then starts on the same data directory, and from
 * its spawn are timed: its READY line, the first 200 of `GET health/`, and the first health
 * answer with `reconciling: false`. The outcome is checked against the gateway's ledger:
 * every payment settled, one COMPLETED payment per charge the gateway made, no charge made
 * after the kill.
 *
 * The restart listens on the port the first start got (with `--port 0` its port would be
 * known only from the READY line, so health could not be asked before it).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ledgerEntries } from '../../src/main/core/gateway/mock-gateway';
import type { ParamsOf, ResultOf } from '../protocol';
import { startServer, type ServerProcess } from './serve-process';

/** Subscriptions created at once through REST (each is one command on the server's queue). */
const CREATE_CONCURRENCY = 8;
/** How often the PENDING count is asked for while the run calls the gateway. */
const PENDING_POLL_MS = 5;
/** How long the run may take to show all its charges as PENDING, and the restart to reconcile. */
const WAIT_LIMIT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

const health = z.object({ status: z.literal('ok'), reconciling: z.boolean() });
const page = z.object({ count: z.number().int().nonnegative() });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Api {
  base: string;
  token: string;
}

async function request(
  api: Api,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Kept as text for the error message.
  }
  return { status: response.status, body: parsed };
}

/** `count` of the payments with `status` (a page of one). */
async function countOf(api: Api, status: string): Promise<number> {
  const answer = await request(api, 'GET', `payments/?status=${status}&page_size=1`);
  if (answer.status !== 200) {
    throw new Error(
      `GET payments/?status=${status}: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  return page.parse(answer.body).count;
}

async function apiOf(server: ServerProcess): Promise<{ api: Api; url: string }> {
  const { line } = await server.ready;
  if (line.tokenFile === null) throw new Error('the server did not say where its token is');
  const token = (await readFile(line.tokenFile, 'utf8')).trim();
  return { api: { base: line.apiUrl, token }, url: line.url };
}

async function createSubscriptions(api: Api, count: number): Promise<void> {
  let next = 0;
  const creator = async () => {
    for (let i = next++; i < count; i = next++) {
      const answer = await request(api, 'POST', 'subscriptions/', {
        customer_email: `restart-${i}@example.com`,
        amount: '10.00',
        currency: 'USD',
        interval: 'MONTHLY',
      });
      if (answer.status !== 201) {
        throw new Error(`POST subscriptions/: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, creator));
}

/**
 * Ask for the run without waiting for it; resolve once `count` payments are PENDING, with
 * how long that took. Throws if the run answers first.
 */
async function startRunUntilPending(api: Api, count: number): Promise<number> {
  const start = performance.now();
  let answered: string | null = null;
  // The answer never comes when the server is killed first: its failure is expected then.
  void request(api, 'POST', 'payments/process-recurring/', {}).then(
    (a) => (answered = `${a.status} ${JSON.stringify(a.body).slice(0, 300)}`),
    () => undefined,
  );
  let pending = 0;
  while (performance.now() - start < WAIT_LIMIT_MS) {
    pending = await countOf(api, 'PENDING');
    if (pending >= count) return performance.now() - start;
    if (answered !== null) {
      throw new Error(
        `the recurring run answered (${answered}) before ${count} payments showed as PENDING ` +
          `(the last count was ${pending})`,
      );
    }
    await sleep(PENDING_POLL_MS);
  }
  throw new Error(`${count} payments never showed as PENDING (the last count was ${pending})`);
}

/** The health endpoint's answer, or null while nothing listens (or it fails). */
async function healthOf(api: Api): Promise<z.infer<typeof health> | null> {
  try {
    const response = await fetch(`${api.base}health/`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 200) return null;
    return health.parse(await response.json());
  } catch {
    return null;
  }
}

async function ledgerCounts(dir: string): Promise<{ charges: number; refunds: number }> {
  const entries = await ledgerEntries(dir);
  const charges = entries.filter((e) => e.type === 'charge').length;
  return { charges, refunds: entries.length - charges };
}

export async function restart(p: ParamsOf<'restart'>): Promise<ResultOf<'restart'>> {
  const args = (port: number) => [
    '--data-dir',
    p.dir,
    '--port',
    String(port),
    '--clock',
    'test',
    '--gateway-latency-ms',
    String(p.latencyMs),
    '--gateway-success-rate',
    '1',
    '--no-scheduler',
    '--seed',
    String(p.seed),
  ];
  const started: ServerProcess[] = [];
  try {
    // The first life: subscriptions, then a run killed while its charges are in flight.
    const first = startServer(args(0));
    started.push(first);
    const { api, url } = await apiOf(first);
    const port = Number(new URL(url).port);
    await createSubscriptions(api, p.payments);
    const killAfterMs = await startRunUntilPending(api, p.payments);
    const pendingAtKill = p.payments;
    const killed = await first.stop('SIGKILL');
    if (killed.signal !== 'SIGKILL') {
      throw new Error(`the server exited by itself (${killed.code}) before it was killed`);
    }
    const atKill = await ledgerCounts(p.dir);

    // The second life, timed from its spawn.
    const second = startServer(args(port));
    started.push(second);
    let healthMs: number | null = null;
    let reconciledMs: number | null = null;
    while (reconciledMs === null) {
      const elapsed = performance.now() - second.spawnedAt;
      if (elapsed > WAIT_LIMIT_MS || second.hasExited()) {
        throw new Error(
          `health ${healthMs === null ? 'never answered' : 'never said reconciling: false'} ` +
            `(${elapsed.toFixed(0)} ms after the spawn); output: ${second.output()}`,
        );
      }
      const answer = await healthOf(api);
      const at = performance.now() - second.spawnedAt;
      if (answer !== null) {
        healthMs ??= at;
        if (!answer.reconciling) reconciledMs = at;
      }
      if (reconciledMs === null) await sleep(p.pollMs);
    }
    const { ms: readyMs } = await second.ready;
    const { api: api2 } = await apiOf(second);
    const after = {
      pending: await countOf(api2, 'PENDING'),
      completed: await countOf(api2, 'COMPLETED'),
      failed: await countOf(api2, 'FAILED'),
    };
    const stopped = await second.stop('SIGTERM');
    if (stopped.code !== 0) throw new Error(`the restarted server stopped with ${stopped.code}`);
    const ledger = await ledgerCounts(p.dir);
    const reconcileLog =
      second
        .output()
        .split('\n')
        .find((l) => l.includes('Reconciled with the gateway')) ?? null;

    const result = {
      pendingAtKill,
      killAfterMs,
      ledgerChargesAtKill: atKill.charges,
      readyMs,
      healthMs: healthMs ?? Number.NaN,
      reconciledMs,
      pendingAfter: after.pending,
      completedAfter: after.completed,
      failedAfter: after.failed,
      ledgerCharges: ledger.charges,
      ledgerRefunds: ledger.refunds,
      reconcileLog,
    };
    const broken: string[] = [];
    if (after.pending !== 0) broken.push(`${after.pending} payments are still PENDING`);
    if (after.completed + after.failed !== p.payments) {
      broken.push(`${after.completed + after.failed} payments settled, not ${p.payments}`);
    }
    if (ledger.charges !== atKill.charges || ledger.refunds !== atKill.refunds) {
      broken.push('the gateway was called after the kill');
    }
    if (after.completed !== ledger.charges) {
      broken.push(`${after.completed} payments COMPLETED for ${ledger.charges} charges made`);
    }
    if (broken.length > 0) {
      throw new Error(`after the restart: ${broken.join('; ')} (${JSON.stringify(result)})`);
    }
    return result;
  } finally {
    // A failed run leaves no server behind.
    await Promise.all(started.map((s) => s.stop('SIGKILL')));
  }
}
