/**
 * An instance on PostgreSQL whose connections are cut (the database restarted or crashed,
 * as the chaos harness's two-instance mode does): a change asked for then answers
 * `storage_unavailable` (503 at the REST door: ask again, at another instance), as the
 * embedded store's write failures do, never `internal` (500: a bug). Found by the chaos
 * harness: requests in flight when PostgreSQL went away answered 500.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../src/main/core';
import { createTestDatabase, dropTestDatabases, query } from '../helpers/postgres';

const work = mkdtempSync(join(tmpdir(), 'paydesk-pg-outage-'));
const cores: Core[] = [];

afterAll(async () => {
  for (const core of cores) await core.close().catch(() => undefined);
  await dropTestDatabases();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Ends every connection to the database but the caller's own (what a restart does). */
async function cutConnections(database: string): Promise<void> {
  const name = new URL(database).pathname.slice(1);
  await query(
    database,
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
}

describe('an instance whose database connections are cut', () => {
  it('answers a change storage_unavailable, not internal', async () => {
    const database = await createTestDatabase();
    const stopped: string[] = [];
    const core = await openCore({
      dataDir: mkdtempSync(join(work, 'instance-')),
      database,
      gateway: { latencyMs: 0, successRate: 1 },
      scheduler: false,
      store: { onWritesStopped: (error) => stopped.push(error.message) },
    });
    cores.push(core);
    await core.reconciled;
    const card = {
      amount: '5.00',
      currency: 'USD',
      customerEmail: 'outage@example.com',
      paymentMethod: 'pm_card_visa',
    };
    expect((await core.call('payments.process', card, 'api')).ok).toBe(true);

    await cutConnections(database);
    // The instance hears of it (its connections' error events) and stops taking writes.
    const end = Date.now() + 5_000;
    while (stopped.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(stopped.length).toBeGreaterThan(0);

    const after = await core.call('payments.process', card, 'api', { idempotencyKey: 'k-cut' });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.error.code).toBe('storage_unavailable');
    const undo = await core.call('history.undo', {}, 'api');
    expect(undo.ok ? 'ok' : undo.error.code).toBe('storage_unavailable');
  });

  it('answers the changes waiting their turn storage_unavailable, not internal', async () => {
    const database = await createTestDatabase();
    const core = await openCore({
      dataDir: mkdtempSync(join(work, 'instance-')),
      database,
      // Slow charges: the cut comes while the first holds the turn and the others wait.
      gateway: { latencyMs: 400, successRate: 1 },
      scheduler: false,
    });
    cores.push(core);
    await core.reconciled;
    const card = (n: number) => ({
      amount: `${n}.00`,
      currency: 'USD',
      customerEmail: 'queued@example.com',
      paymentMethod: 'pm_card_visa',
    });
    const calls = [1, 2, 3].map((n) =>
      core.call('payments.process', card(n), 'api', { idempotencyKey: `queued-${n}` }),
    );
    await new Promise((r) => setTimeout(r, 150));
    await cutConnections(database);
    const codes = (await Promise.all(calls)).map((answer) =>
      answer.ok ? 'ok' : answer.error.code,
    );
    // The first may have been answered (its charge made) or not: never a bug's answer.
    expect(codes.filter((code) => code !== 'ok' && code !== 'storage_unavailable')).toEqual([]);
  });

  it('answers a key another instance is running storage_unavailable, never throws', async () => {
    const database = await createTestDatabase();
    const open = async () => {
      const core = await openCore({
        dataDir: mkdtempSync(join(work, 'instance-')),
        database,
        gateway: { latencyMs: 600, successRate: 1 },
        scheduler: false,
      });
      cores.push(core);
      await core.reconciled;
      return core;
    };
    const a = await open();
    const b = await open();
    const card = {
      amount: '7.00',
      currency: 'USD',
      customerEmail: 'moved@example.com',
      paymentMethod: 'pm_card_visa',
    };
    // A holds the turn in its slow charge; the key's record, unfinished, reaches B, where
    // the client retries it (it moved instances): B waits for A's turn to end.
    const first = a.call('payments.process', card, 'api', { idempotencyKey: 'moved' });
    await new Promise((r) => setTimeout(r, 200));
    const retried = b.call('payments.process', card, 'api', { idempotencyKey: 'moved' });
    await new Promise((r) => setTimeout(r, 100));
    await cutConnections(database);
    const threw = (error: unknown) => ({ threw: String(error) });
    const answers = await Promise.all([first.catch(threw), retried.catch(threw)]);
    // A's charge may have been recorded before the cut; B's retry cannot know yet.
    expect(answers[0]).not.toHaveProperty('threw');
    // Ask again later (503), whichever: the store's failure, or the key not settled yet.
    expect(answers[1]).toMatchObject({ ok: false });
    expect(['storage_unavailable', 'unavailable']).toContain(
      'error' in answers[1] ? answers[1].error.code : answers[1],
    );
  });
});
