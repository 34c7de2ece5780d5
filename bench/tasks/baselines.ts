/**
 * Worker task: the two baselines, doing the work of "process one payment" on the payments
 * of a generated store, with the same mock gateway (zero latency, durable ledger) and the
 * core's own payment rules; only the storage differs.
 *  - lowdb as it is usually used: `Low` + `JSONFile` (lowdb/node), the whole data
 *    ({ payments, subscriptions }) rewritten, pretty-printed, by each of the two writes
 *    (PENDING, then the result). steno writes a temp file and renames it, without fsync.
 *  - better-sqlite3: WAL, synchronous=FULL, a payments table with the indexed columns and
 *    the record as JSON, indexes on status+created_at, customer, subscription and the
 *    idempotency key; one transaction inserts the PENDING payment, another updates it.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Payment, Subscription } from '../../src/shared/domain';
import { chargePending } from '../../src/main/core/commands/charge';
import type { MockGateway } from '../../src/main/core/gateway/mock-gateway';
import { newId } from '../../src/main/core/ids';
import { pendingPayment } from '../../src/main/core/payment-rules';
import { openStore } from '../../src/main/core/store';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, megabytes, seededRandom, summarize } from '../stats';
import { openGateway } from './assemble';

type Process = (pending: Payment) => Promise<void>;

const now = (): string => new Date().toISOString();

function newPending(rnd: () => number): Payment {
  const id = newId('pay');
  return pendingPayment(
    {
      id,
      amount: 100 + Math.floor(rnd() * 50_000),
      currency: 'USD',
      customerEmail: `customer${Math.floor(rnd() * 50_000)}@example.com`,
      description: 'Bench order',
      paymentMethod: null,
      idempotencyKey: `charge_${id}`,
    },
    now(),
  );
}

/** Time `samples` payments, each: `store(pending)`, the gateway call, `store(settled)`. */
async function measure(
  samples: number,
  rnd: () => number,
  gateway: MockGateway,
  store: { insert: Process; update: Process },
): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const pending = newPending(rnd);
    const start = performance.now();
    await store.insert(pending);
    const settled = await chargePending(gateway, pending, now);
    await store.update(settled);
    ms.push(performance.now() - start);
  }
  return ms;
}

const fileMb = async (file: string): Promise<number> => megabytes((await stat(file)).size);

async function sqliteBaseline(
  payments: readonly Payment[],
  dir: string,
  samples: number,
  rnd: () => number,
  seed: number,
): Promise<ResultOf<'baselines'>['sqlite']> {
  const file = join(dir, 'paydesk.sqlite');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE payments (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      created_at TEXT NOT NULL,
      customer_email TEXT NOT NULL COLLATE NOCASE,
      subscription_id TEXT,
      idempotency_key TEXT NOT NULL,
      body TEXT NOT NULL
    )`);
    const insert = db.prepare(
      'INSERT INTO payments (id, status, created_at, customer_email, subscription_id, idempotency_key, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const row = (p: Payment) =>
      [
        p.id,
        p.status,
        p.createdAt,
        p.customerEmail,
        p.subscriptionId,
        p.idempotencyKey,
        JSON.stringify(p),
      ] as const;

    // Bulk load (not measured as commits): big transactions, no fsync, indexes built after.
    const loadStart = performance.now();
    db.pragma('synchronous = OFF');
    const load = db.transaction((rows: readonly Payment[]) => {
      for (const p of rows) insert.run(...row(p));
    });
    for (let i = 0; i < payments.length; i += 50_000) load(payments.slice(i, i + 50_000));
    db.exec(`
      CREATE INDEX payments_status_created ON payments (status, created_at, id);
      CREATE INDEX payments_customer ON payments (customer_email, created_at, id);
      CREATE INDEX payments_subscription ON payments (subscription_id, created_at, id);
      CREATE UNIQUE INDEX payments_idempotency ON payments (idempotency_key);
    `);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('synchronous = FULL');
    const loadMs = performance.now() - loadStart;

    const update = db.prepare('UPDATE payments SET status = ?, body = ? WHERE id = ?');
    const gateway = await openGateway(join(dir, 'sqlite-gateway'), seed);
    collectGarbage();
    const ms = await measure(samples, rnd, gateway, {
      insert: async (p) => {
        insert.run(...row(p));
      },
      update: async (p) => {
        update.run(p.status, JSON.stringify(p), p.id);
      },
    });
    await gateway.close();
    return { fileMb: await fileMb(file), loadMs, process: summarize(ms) };
  } finally {
    db.close();
  }
}

interface LowData {
  payments: Payment[];
  subscriptions: Subscription[];
}

async function lowdbBaseline(
  data: LowData,
  dir: string,
  samples: number,
  rnd: () => number,
  seed: number,
): Promise<ResultOf<'baselines'>['lowdb']> {
  const file = join(dir, 'db.json');
  const db = new Low<LowData>(new JSONFile<LowData>(file), { payments: [], subscriptions: [] });
  db.data = data;
  try {
    await db.write();
  } catch (error) {
    // At a million payments the pretty-printed JSON passes V8's longest string.
    return {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
  const gateway = await openGateway(join(dir, 'lowdb-gateway'), seed);
  collectGarbage();
  const ms = await measure(samples, rnd, gateway, {
    insert: async (p) => {
      db.data.payments.push(p);
      await db.write();
    },
    update: async (p) => {
      db.data.payments[db.data.payments.length - 1] = p;
      await db.write();
    },
  });
  await gateway.close();
  return { ok: true, fileMb: await fileMb(file), process: summarize(ms) };
}

export async function baselines(p: ParamsOf<'baselines'>): Promise<ResultOf<'baselines'>> {
  const rnd = seededRandom(p.seed);
  const store = await openStore(p.dir);
  const payments = [...store.allPayments()];
  const subscriptions = [...store.allSubscriptions()];
  await store.close();

  const sqlite = await sqliteBaseline(payments, p.workDir, p.sqliteSamples, rnd, p.seed);
  // lowdb gets its own array: its commands append to it.
  const lowdb = await lowdbBaseline(
    { payments: payments.slice(), subscriptions },
    p.workDir,
    p.lowdbSamples,
    rnd,
    p.seed,
  );
  return { payments: payments.length, lowdb, sqlite };
}
