/**
 * Several desks, one gateway: two real servers (`node scripts/serve.mjs --gateway-url`, each
 * on a data directory of its own for now) calling one gateway service (`node
 * scripts/gateway.mjs`, what `npm run gateway` runs), each in its own process group.
 *  - Both desks charge at once: the service's ledger holds every charge once, and each
 *    desk's payments are exactly its own charges there.
 *  - The service is SIGKILLed while it holds a charge it has recorded: restarted on its port,
 *    the desk's call (sent again with the same key) is answered with that charge, made once.
 *  - A desk is SIGKILLed after the service recorded its charge: at its next start its
 *    reconciliation reads the shared service's records and settles the payment, and the
 *    replay of the request's key charges nothing more.
 *  - A desk shows which gateway it calls, refuses to change the service's behaviour, and
 *    backs up no ledger (the service keeps it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, killGroup, startServer, stopServer, type Server } from '../chaos/server';
import {
  restartGatewayService,
  startGatewayService,
  type RunningGatewayService,
} from './helpers/gateway-service';

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'paydesk-desks-'));
const gatewayDir = join(work, 'gateway');
const TOKEN = 'desks-share-this-gateway-token';
/** Long enough to kill a process while the service holds a charge it has recorded. */
const LATENCY_MS = 1_000;

let gateway: RunningGatewayService;
const desks: Record<'a' | 'b', { server: Server; api: Api } | null> = { a: null, b: null };

async function startDesk(name: 'a' | 'b') {
  const server = await startServer({
    root: ROOT,
    dataDir: join(work, `desk-${name}`),
    gateway: { url: gateway.url, token: TOKEN },
    logFile: join(work, `desk-${name}.log`),
  });
  const api = new Api(server.apiUrl, server.token);
  await until(async () => {
    const health = await api.request('GET', 'health/', { timeoutMs: 5_000 });
    return (JSON.parse(health.text) as { reconciling?: boolean }).reconciling === false;
  });
  desks[name] = { server, api };
  return desks[name];
}

beforeAll(async () => {
  gateway = await startGatewayService({
    dataDir: gatewayDir,
    run: 'bundle',
    seed: 7,
    latencyMs: LATENCY_MS,
    token: TOKEN,
    logFile: join(work, 'gateway.log'),
  });
  await Promise.all([startDesk('a'), startDesk('b')]);
}, 180_000);

afterAll(async () => {
  for (const desk of Object.values(desks)) {
    if (desk !== null) await stopServer(desk.server, 10_000).catch(() => undefined);
  }
  await gateway?.stop().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

interface LedgerCharge {
  type: 'charge';
  idempotencyKey: string;
  result: { status: string; transactionId?: string };
}

/** The service's own ledger (a torn last line, left by a kill, is not an entry). */
function ledgerCharges(): LedgerCharge[] {
  const lines = readFileSync(join(gatewayDir, 'gateway-ledger.jsonl'), 'utf8').split('\n');
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { type: string };
      return entry.type === 'charge' ? [entry as LedgerCharge] : [];
    } catch {
      return [];
    }
  });
}

type PaymentJson = { id: string; status: string; transaction_id: string | null };
const json = <T>(answer: { text: string }) => JSON.parse(answer.text) as T;

function desk(name: 'a' | 'b') {
  const d = desks[name];
  if (d === null) throw new Error(`desk ${name} is not running`);
  return d;
}

const pay = (name: 'a' | 'b', key: string, amount = '10.00') =>
  desk(name).api.request('POST', 'payments/process/', {
    body: {
      amount,
      currency: 'USD',
      customer_email: `${name}@example.com`,
      payment_method: 'pm_card_visa',
    },
    key,
    timeoutMs: 60_000,
  });

async function paymentsOf(name: 'a' | 'b'): Promise<PaymentJson[]> {
  const page = await desk(name).api.request('GET', 'payments/?page_size=100', { timeoutMs: 5_000 });
  return json<{ results: PaymentJson[] }>(page).results;
}

/** A charge's ledger key: the request key's, as the core derives it. */
const chargeKey = (requestKey: string) => `${requestKey}/charge`;

describe('two desks on one gateway service', () => {
  it('charges from both desks at once; the ledger holds each charge once', async () => {
    const answers = await Promise.all([
      ...[1, 2, 3].map((i) => pay('a', `a-${i}`)),
      ...[1, 2, 3].map((i) => pay('b', `b-${i}`)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const charges = ledgerCharges();
    const keys = ['a-1', 'a-2', 'a-3', 'b-1', 'b-2', 'b-3'].map(chargeKey);
    expect(charges.map((c) => c.idempotencyKey).sort()).toEqual(keys.sort());
    for (const name of ['a', 'b'] as const) {
      const own = charges
        .filter((c) => c.idempotencyKey.startsWith(`${name}-`))
        .map((c) => c.result.transactionId);
      const payments = await paymentsOf(name);
      expect(payments.map((p) => p.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
      expect(payments.map((p) => p.transaction_id).sort()).toEqual(own.sort());
    }
  });

  it('says which gateway it calls, and leaves the service’s behaviour to the service', async () => {
    const rpc = (operation: string, body: unknown = {}) =>
      desk('a').api.request('POST', `/rpc/${operation}`, { body, timeoutMs: 5_000 });
    expect(json<{ data: unknown }>(await rpc('system.info')).data).toMatchObject({
      gateway: { kind: 'service', url: gateway.url, configurable: false },
    });
    expect(json(await rpc('gateway.configure', { successRate: 0 }))).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('npm run gateway') },
    });
  });

  it('refuses to start a desk whose token the service refuses', async () => {
    await expect(
      startServer({
        root: ROOT,
        dataDir: join(work, 'desk-wrong-token'),
        gateway: { url: gateway.url, token: 'not-the-token-the-service-asks' },
        logFile: join(work, 'desk-wrong-token.log'),
      }),
    ).rejects.toThrow(/exited before it was ready[\s\S]*refused[\s\S]*401/);
  });

  it('backs a desk up with no ledger: the service keeps it', async () => {
    const made = await desk('b').api.request('POST', 'backup/', { body: {}, timeoutMs: 30_000 });
    expect(made.status).toBe(201);
    const backup = json<{ path: string; payments: number; ledger_entries: number }>(made);
    expect(backup).toMatchObject({ payments: 3, ledger_entries: 0 });
    expect(readFileSync(join(backup.path, 'gateway-ledger.jsonl'), 'utf8')).toBe('');
  });

  it('answers a charge whose service was SIGKILLed holding it, once restarted: one charge', async () => {
    const answer = pay('a', 'a-killed-gateway');
    await until(() =>
      ledgerCharges().some((c) => c.idempotencyKey === chargeKey('a-killed-gateway')),
    );
    await gateway.kill();
    gateway = await restartGatewayService(gateway);
    const answered = await answer;
    expect(answered.status).toBe(201);
    const payment = json<PaymentJson>(answered);
    expect(payment.status).toBe('COMPLETED');
    const charges = ledgerCharges().filter(
      (c) => c.idempotencyKey === chargeKey('a-killed-gateway'),
    );
    expect(charges).toHaveLength(1);
    expect(charges[0]?.result.transactionId).toBe(payment.transaction_id);
  }, 90_000);

  it('reconciles a desk killed mid-charge from the shared service’s records at its start', async () => {
    const { server, api } = desk('b');
    const lost = api
      .request('POST', 'payments/process/', {
        body: {
          amount: '42.00',
          currency: 'USD',
          customer_email: 'b@example.com',
          payment_method: 'pm_card_visa',
        },
        key: 'b-killed-desk',
        timeoutMs: 60_000,
      })
      .then(
        () => 'answered',
        () => 'lost',
      );
    await until(() => ledgerCharges().some((c) => c.idempotencyKey === chargeKey('b-killed-desk')));
    await killGroup(server);
    expect(await lost).toBe('lost');
    desks.b = null;

    await startDesk('b');
    const charge = ledgerCharges().find((c) => c.idempotencyKey === chargeKey('b-killed-desk'));
    const settled = (await paymentsOf('b')).find(
      (p) => p.transaction_id === charge?.result.transactionId,
    );
    // Settled before anything was asked again: start-up reconciliation read the records.
    expect(settled?.status).toBe('COMPLETED');
    const audit = await desk('b').api.request('GET', 'audit/?page_size=50', { timeoutMs: 5_000 });
    expect(audit.text).toContain(`Reconcile payment ${settled?.id} with the gateway`);
    const replay = await pay('b', 'b-killed-desk', '42.00');
    expect(replay.replayed).toBe(true);
    expect(json<PaymentJson>(replay).id).toBe(settled?.id);
    expect(
      ledgerCharges().filter((c) => c.idempotencyKey === chargeKey('b-killed-desk')),
    ).toHaveLength(1);
  }, 120_000);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not yet.
    }
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
