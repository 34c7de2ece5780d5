/**
 * Exactly-once across a kill -9 of the real server (`node scripts/serve.mjs`, its own process
 * group): for a payment, a refund, an undo and a redo, the server is killed once the gateway
 * has recorded the money moving (its ledger has the entry) but before the answer came back.
 * After the restart the store agrees with the gateway's ledger before anything is asked
 * again, and the replay of the request's key answers without a second ledger entry.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Api, killGroup, startServer, stopServer, type Server } from '../chaos/server';

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'paydesk-crash-'));
const dataDir = join(work, 'data');
const servers: Server[] = [];

/** Whatever a test left running (it failed half-way) is stopped before the next one starts. */
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => stopServer(s, 5_000).catch(() => undefined)));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The server on the shared data directory, its gateway answering after `latencyMs`. */
async function boot(latencyMs: number): Promise<{ server: Server; api: Api }> {
  const server = await startServer({
    root: ROOT,
    dataDir,
    latencyMs,
    seed: 7,
    logFile: join(work, 'server.log'),
  });
  servers.push(server);
  const api = new Api(server.apiUrl, server.token);
  // Changes wait for start-up reconciliation anyway; the checks below read before any.
  await until(async () => {
    const health = await api.request('GET', 'health/', { timeoutMs: 5_000 });
    return (JSON.parse(health.text) as { reconciling?: boolean }).reconciling === false;
  });
  return { server, api };
}

interface LedgerLine {
  type: 'charge' | 'refund';
  idempotencyKey: string;
  amount: number;
}

/** The mock gateway's own ledger (a torn last line, left by a kill, is not an entry). */
function ledger(): LedgerLine[] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'gateway-ledger.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const lines: LedgerLine[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line !== '') lines.push(JSON.parse(line) as LedgerLine);
    } catch {
      // The torn last line of an append cut by the kill.
    }
  }
  return lines;
}
const charges = () => ledger().filter((e) => e.type === 'charge');
const refunds = () => ledger().filter((e) => e.type === 'refund');

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not yet (the server may not listen yet).
    }
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends a request whose gateway call takes seconds, and kills the server as soon as the
 * gateway has recorded it (`recorded` turns true): the answer never comes.
 */
async function killDuring(
  server: Server,
  api: Api,
  path: string,
  body: unknown,
  key: string,
  recorded: () => boolean,
) {
  const lost = api.request('POST', path, { body, key, timeoutMs: 60_000 }).then(
    () => 'answered',
    () => 'lost',
  );
  await until(recorded);
  await killGroup(server);
  expect(await lost).toBe('lost');
}

const json = <T>(answer: { text: string }) => JSON.parse(answer.text) as T;
type PaymentJson = { id: string; status: string; refunded_amount: string; amount: string };
type HistoryJson = { undo: { id: string; kind: string }[]; redo: { id: string }[] };

const SLOW = 4_000;
const charge = {
  amount: '10.00',
  currency: 'USD',
  customer_email: 'crash@example.com',
  payment_method: 'pm_card_visa',
};

describe('a kill -9 after the gateway moved the money, before the answer', () => {
  let first: PaymentJson;

  it('a payment: after the restart one COMPLETED payment; the replay answers it, no second charge', async () => {
    const { server, api } = await boot(SLOW);
    await killDuring(
      server,
      api,
      'payments/process/',
      charge,
      'order-1',
      () => charges().length === 1,
    );

    const again = await boot(0);
    const list = json<{ results: PaymentJson[] }>(
      await again.api.request('GET', 'payments/', { timeoutMs: 5_000 }),
    );
    expect(list.results.map((p) => p.status)).toEqual(['COMPLETED']);
    first = list.results[0] as PaymentJson;
    const replay = await again.api.request('POST', 'payments/process/', {
      body: charge,
      key: 'order-1',
      timeoutMs: 10_000,
    });
    expect(replay.status).toBe(201);
    expect(replay.replayed).toBe(true);
    expect(json<PaymentJson>(replay).id).toBe(first.id);
    expect(charges()).toHaveLength(1);
    await stopServer(again.server);
  });

  it('a refund: recorded at the restart as the gateway made it; the replay refunds nothing more', async () => {
    const { server, api } = await boot(SLOW);
    const path = `payments/${first.id}/refund/`;
    await killDuring(
      server,
      api,
      path,
      { amount: '4.00' },
      'refund-1',
      () => refunds().length === 1,
    );

    const again = await boot(0);
    const get = async () =>
      json<PaymentJson>(
        await again.api.request('GET', `payments/${first.id}/`, { timeoutMs: 5_000 }),
      );
    // Before anything is asked again, the store agrees with the gateway.
    expect(await get()).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_amount: '4.00' });
    const replay = await again.api.request('POST', path, {
      body: { amount: '4.00' },
      key: 'refund-1',
      timeoutMs: 10_000,
    });
    expect(replay.status).toBe(200);
    expect(json<PaymentJson>(replay).refunded_amount).toBe('4.00');
    expect(refunds()).toHaveLength(1);
    // Another amount is another refund, under its own key: the first key is not in the way.
    const more = await again.api.request('POST', path, {
      body: { amount: '1.00' },
      key: 'refund-2',
      timeoutMs: 10_000,
    });
    expect(json<PaymentJson>(more).refunded_amount).toBe('5.00');
    expect(refunds().map((r) => r.amount)).toEqual([400, 100]);
    // A second charge to undo next.
    const second = await again.api.request('POST', 'payments/process/', {
      body: { ...charge, amount: '20.00' },
      key: 'order-2',
      timeoutMs: 10_000,
    });
    expect(second.status).toBe(201);
    await stopServer(again.server);
  });

  it('an undo: finished at the restart from the refund the gateway made; the replay undoes nothing more', async () => {
    const { server, api } = await boot(SLOW);
    await killDuring(server, api, 'history/undo/', {}, 'undo-1', () => refunds().length === 3);

    const again = await boot(0);
    const list = json<{ results: PaymentJson[] }>(
      await again.api.request('GET', 'payments/', { timeoutMs: 5_000 }),
    );
    const byAmount = new Map(list.results.map((p) => [p.amount, p]));
    expect(byAmount.get('20.00')).toMatchObject({ status: 'REFUNDED', refunded_amount: '20.00' });
    expect(byAmount.get('10.00')).toMatchObject({ refunded_amount: '5.00' });
    const history = json<HistoryJson>(
      await again.api.request('GET', 'history/', { timeoutMs: 5_000 }),
    );
    expect(history.redo.length).toBe(1);
    const replay = await again.api.request('POST', 'history/undo/', {
      body: {},
      key: 'undo-1',
      timeoutMs: 10_000,
    });
    expect(replay.status).toBe(200);
    expect(replay.replayed).toBe(true);
    expect(refunds()).toHaveLength(3);
    expect(json<HistoryJson>(replay).redo.length).toBe(1);
    await stopServer(again.server);
  });

  it('a redo: finished at the restart from the charge the gateway made; the replay charges nothing more', async () => {
    const { server, api } = await boot(SLOW);
    await killDuring(server, api, 'history/redo/', {}, 'redo-1', () => charges().length === 3);

    const again = await boot(0);
    const list = json<{ results: PaymentJson[] }>(
      await again.api.request('GET', 'payments/', { timeoutMs: 5_000 }),
    );
    expect(list.results.map((p) => p.status).sort()).toEqual([
      'COMPLETED',
      'PARTIALLY_REFUNDED',
      'REFUNDED',
    ]);
    const history = json<HistoryJson>(
      await again.api.request('GET', 'history/', { timeoutMs: 5_000 }),
    );
    expect(history.redo).toEqual([]);
    const replay = await again.api.request('POST', 'history/redo/', {
      body: {},
      key: 'redo-1',
      timeoutMs: 10_000,
    });
    expect(replay.status).toBe(200);
    expect(charges()).toHaveLength(3);
    const after = json<{ count: number }>(
      await again.api.request('GET', 'payments/', { timeoutMs: 5_000 }),
    );
    expect(after.count).toBe(3);
    await stopServer(again.server);
  });
}, 120_000);
