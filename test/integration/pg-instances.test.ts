/**
 * Two cores on one PostgreSQL database calling one gateway service: what the single
 * invoker queue guarantees for one desk holds across them.
 *  - A key replayed at the other instance answers the first outcome; the same key sent to
 *    both at once charges once.
 *  - Refunds of one payment raced from both never add up to more than it.
 *  - Each instance's clients hear of the other's changes (push events).
 *  - What an instance left PENDING when it stopped is settled by the scheduler's leader
 *    within an interval, as that instance's own start would have.
 *  - A recurring run left over from an instance that lost its turn keeps its subscriptions
 *    claimed: a run elsewhere meanwhile skips them, and charges each period once afterwards.
 *    A run whose claims' connection is cut records the answers it has before it stops.
 *  - Two changes of the settings made at once, one at each instance, are both kept.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core, CoreOptions } from '../../src/main/core';
import { openCore } from '../../src/main/core';
import { RECURRING_BATCH_SIZE } from '../../src/main/core/commands/run-recurring';
import { pendingPayment } from '../../src/main/core/payment-rules';
import { openPgStore } from '../../src/main/core/pg-store/store';
import type { PushEvent } from '../../src/shared/contract';
import {
  createTestDatabase,
  cutClaimsConnections,
  dropTestDatabases,
  query,
} from '../helpers/postgres';
import { startGatewayService, type RunningGatewayService } from './helpers/gateway-service';

const work = mkdtempSync(join(tmpdir(), 'paydesk-instances-'));
const TOKEN = 'instances-share-this-gateway';
let gateway: RunningGatewayService;
const cores: Core[] = [];

beforeAll(async () => {
  gateway = await startGatewayService({
    dataDir: join(work, 'gateway'),
    seed: 5,
    successRate: 1,
    latencyMs: 5,
    token: TOKEN,
  });
}, 120_000);

afterAll(async () => {
  for (const core of cores) await core.close().catch(() => undefined);
  await gateway?.stop().catch(() => undefined);
  await dropTestDatabases();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

let serial = 0;
async function instance(database: string, options: Partial<CoreOptions> = {}): Promise<Core> {
  const core = await openCore({
    dataDir: mkdtempSync(join(work, `instance-${serial++}-`)),
    database,
    gatewayService: { url: gateway.url, token: TOKEN },
    scheduler: false,
    ...options,
  });
  cores.push(core);
  await core.reconciled;
  return core;
}

async function twoInstances() {
  const database = await createTestDatabase();
  return { database, a: await instance(database), b: await instance(database) };
}

const ledgerCharges = () =>
  readFileSync(join(work, 'gateway', 'gateway-ledger.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"charge"'))
    .map((line) => JSON.parse(line) as { idempotencyKey: string });

const card = (amount: string) => ({
  amount,
  currency: 'USD',
  customerEmail: 'shared@example.com',
  paymentMethod: 'pm_card_visa',
});

/** `count` monthly subscriptions of $9.00, due now, made at `core`; their ids. */
async function subscribe(core: Core, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const made = await core.call(
      'subscriptions.create',
      {
        customerEmail: `${prefix}-${i}@example.com`,
        amount: '9.00',
        currency: 'USD',
        interval: 'MONTHLY',
      },
      'operator',
    );
    if (!made.ok) throw new Error(made.error.message);
    ids.push(made.data.id);
  }
  return ids;
}

describe('two instances on one database', () => {
  it('answer a key replayed at the other instance with the first outcome', async () => {
    const { a, b } = await twoInstances();
    const first = await a.call('payments.process', card('12.00'), 'api', { idempotencyKey: 'k-1' });
    const again = await b.call('payments.process', card('12.00'), 'api', { idempotencyKey: 'k-1' });
    expect(first.ok && again.ok && again.data.id === first.data.id).toBe(true);
    expect(again.replayed).toBe(true);
    const other = await b.call('payments.process', card('13.00'), 'api', { idempotencyKey: 'k-1' });
    expect(other).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(ledgerCharges().filter((c) => c.idempotencyKey.startsWith('k-1/'))).toHaveLength(1);
  });

  it('charge once for a key sent to both at the same moment', async () => {
    const { a, b } = await twoInstances();
    const keys = Array.from({ length: 8 }, (_, i) => `both-${i}`);
    const answers = await Promise.all(
      keys.flatMap((key) =>
        [a, b].map((core) =>
          core.call('payments.process', card('5.00'), 'api', { idempotencyKey: key }),
        ),
      ),
    );
    for (let i = 0; i < keys.length; i++) {
      const [x, y] = [answers[2 * i], answers[2 * i + 1]];
      expect(x?.ok && y?.ok && x.data.id === y.data.id).toBe(true);
    }
    for (const key of keys) {
      expect(ledgerCharges().filter((c) => c.idempotencyKey.startsWith(`${key}/`))).toHaveLength(1);
    }
    // (The gateway service is shared by every test here: a new database's start-up
    // reconciliation also records the earlier tests' charges, hence the filter.)
    const list = await a.call('payments.list', { limit: 100, search: '' }, 'operator');
    const made = list.ok ? list.data.items.filter((p) => p.idempotencyKey.startsWith('both-')) : [];
    expect(made).toHaveLength(keys.length);
  });

  it('never refund more than a payment between them, however the refunds race', async () => {
    const { a, b } = await twoInstances();
    const paid = await a.call('payments.process', card('10.00'), 'operator');
    if (!paid.ok) throw new Error(paid.error.message);
    const refunds = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).call(
          'payments.refund',
          { paymentId: paid.data.id, amount: '3.00' },
          'operator',
        ),
      ),
    );
    expect(refunds.filter((r) => r.ok)).toHaveLength(3);
    const after = await b.call('payments.get', { id: paid.data.id }, 'operator');
    expect(after).toMatchObject({ ok: true, data: { refundedAmount: 900 } });
  });

  it('tell each instance’s clients of the other’s changes', async () => {
    const { a, b } = await twoInstances();
    const heard: PushEvent[] = [];
    b.subscribe((event) => heard.push(event));
    await a.call('payments.process', card('7.00'), 'operator');
    await until(() => heard.some((e) => e.type === 'changed' && e.topics.includes('payments')));
  });

  it('share the test clock: moved at one instance, moved at the other', async () => {
    const database = await createTestDatabase();
    const a = await instance(database, { clock: 'test' });
    const b = await instance(database, { clock: 'test' });
    const advanced = await a.call('clock.advance', { seconds: 86_400 }, 'operator');
    expect(advanced.ok).toBe(true);
    const nowAt = async (core: Core) => {
      const got = await core.call('clock.get', {}, 'operator');
      return got.ok ? got.data.now : null;
    };
    const aNow = await nowAt(a);
    await until(async () => (await nowAt(b)) === aNow);
  });

  it('follow the scheduler settings another instance changed', async () => {
    const database = await createTestDatabase();
    const a = await instance(database);
    const b = await instance(database);
    expect((await a.call('settings.set', { schedulerIntervalSeconds: 7 }, 'operator')).ok).toBe(
      true,
    );
    await until(async () => {
      const status = await b.call('scheduler.status', {}, 'operator');
      return status.ok && status.data.intervalSeconds === 7;
    });
  });

  it('leave a run’s subscriptions to it when its instance lost the turn, and charge each period once', async () => {
    const database = await createTestDatabase();
    const door = await gatedGateway(gateway.url);
    try {
      const a = await instance(database, { gatewayService: { url: door.url, token: TOKEN } });
      const b = await instance(database);
      const subs = await subscribe(b, 'claimed', 3);
      const charged = () =>
        ledgerCharges().filter((c) => subs.some((id) => c.idempotencyKey.includes(id)));
      // A's run stores its three PENDING charges and waits at the door with them.
      door.shut();
      const runA = a.call('recurring.run', {}, 'operator');
      await until(() => door.waiting() === 3);
      // A loses its turn (its lock's connection cut) while its run waits on the gateway.
      await query(
        database,
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objid = $1 AND pid <> pg_backend_pid()`,
        [0x7061_7965],
      );
      // B runs meanwhile: it leaves A's claimed subscriptions alone, asking the gateway nothing.
      const runB = await b.call('recurring.run', {}, 'operator');
      expect(runB).toMatchObject({ ok: true, data: { charged: 0 } });
      expect(charged()).toEqual([]);
      const entries = await b.call('audit.list', { limit: 5 }, 'operator');
      expect(JSON.stringify(entries)).toContain("3 left to another instance's run");
      // A's answers come back to a store that takes no more writes; its claims are let go.
      door.open();
      expect(await runA).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
      // B's next run asks for A's PENDING attempts under their own keys: one charge each.
      let succeeded = 0;
      await until(async () => {
        const again = await b.call('recurring.run', {}, 'operator');
        succeeded += again.ok ? again.data.succeeded : 0;
        return succeeded === 3;
      });
      expect(charged()).toHaveLength(3);
      expect(new Set(charged().map((c) => c.idempotencyKey)).size).toBe(3);
    } finally {
      door.open();
      await door.close();
    }
  });

  it('record a batch’s answers before a run stops on its claims’ connection cut', async () => {
    const database = await createTestDatabase();
    const door = await gatedGateway(gateway.url);
    try {
      const a = await instance(database, { gatewayService: { url: door.url, token: TOKEN } });
      // One more than a batch: the run claims a second batch after the first one's answers.
      const subs = await subscribe(a, 'cut', RECURRING_BATCH_SIZE + 1);
      door.shut();
      const run = a.call('recurring.run', {}, 'operator');
      await until(() => door.waiting() === RECURRING_BATCH_SIZE, 20_000);
      await cutClaimsConnections(database);
      door.open();
      expect(await run).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
      // In the database: the first batch's answers, and nothing of the second batch. (Start-up
      // reconciliation recorded the shared gateway's earlier charges too: not these.)
      const rows = await query<{ status: string; n: string }>(
        database,
        `SELECT status, count(*) AS n FROM paydesk_payments
          WHERE subscription_id = ANY($1) GROUP BY status`,
        [subs],
      );
      expect(rows).toEqual([{ status: 'COMPLETED', n: String(RECURRING_BATCH_SIZE) }]);
    } finally {
      door.open();
      await door.close();
    }
  }, 60_000);

  it('keep both of two changes of the business details made at once at each instance', async () => {
    const { a, b } = await twoInstances();
    const [named, taxed] = await Promise.all([
      a.call('settings.set', { business: { name: 'Bakery' } }, 'operator'),
      b.call('settings.set', { business: { taxId: 'US-1' } }, 'operator'),
    ]);
    expect(named.ok && taxed.ok).toBe(true);
    for (const core of [a, b]) {
      await until(async () => {
        const got = await core.call('settings.get', {}, 'operator');
        return got.ok && got.data.business?.name === 'Bakery' && got.data.business.taxId === 'US-1';
      });
    }
  });

  it('settle, at the leader’s next tick, what a stopped instance left PENDING', async () => {
    const database = await createTestDatabase();
    // What an instance killed after storing its intent leaves: a PENDING payment and its key.
    const dead = await openPgStore(database, work);
    const left = pendingPayment(
      {
        ...card('4.00'),
        amount: 400,
        description: null,
        idempotencyKey: 'orphan/charge',
        id: 'pay_orphan',
      },
      new Date().toISOString(),
    );
    await dead.commit([{ t: 'payment', v: left }]);
    await dead.close();
    const leader = await instance(database, { scheduler: true, schedulerIntervalSeconds: 1 });
    await until(async () => {
      const got = await leader.call('payments.get', { id: 'pay_orphan' }, 'operator');
      return got.ok && got.data.status === 'FAILED';
    }, 10_000);
  });
});

/**
 * A door in front of the gateway service: open at first; once shut, the requests that come
 * wait behind it (counted) until it is opened again.
 */
async function gatedGateway(target: string) {
  let opened: Promise<void> = Promise.resolve();
  let open = () => undefined as void;
  let waiting = 0;
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      waiting++;
      void opened
        .then(() => {
          waiting--;
          return fetch(`${target}${req.url ?? ''}`, {
            method: req.method,
            headers: req.headers as Record<string, string>,
            body: Buffer.concat(body),
          });
        })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    waiting: () => waiting,
    shut: () => {
      opened = new Promise<void>((resolve) => (open = resolve));
    },
    open: () => open(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
