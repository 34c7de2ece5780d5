/**
 * The server and the core when the store's disk fails or its files are damaged:
 *  - a failed fsync of the journal (injected, test/helpers/fault-disk.ts): the change that met
 *    it answers 503 `storage_unavailable` naming the file and the cause, and calls no gateway;
 *    health and system.info say `writes: 'stopped'` with the cause, a notice and a `storage`
 *    change are pushed; reads still answer; every later change is refused without a write;
 *    restarted once the fault is gone, everything acknowledged is there and changes go on;
 *  - a journal truncated to half its length (50 acknowledged payments, the gateway charged
 *    them all): the lost commits are reported with their numbers (log, audit entry, notice,
 *    system.info), the cut bytes saved beside the journal, and reconciliation records again
 *    every charge the gateway made, audited, so none is missing;
 *  - a payment body damaged under a running server: the lists and the dashboard still answer,
 *    naming that payment and the error (file and line) in its place.
 */
import { copyFile, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/api';
import { openCore } from '../../src/main/core/index';
import { LEDGER_FILE_NAME } from '../../src/main/core/gateway/ledger-file';
import { MARK_DELAY_MS } from '../../src/main/core/store/mark';
import type { PushEvent } from '../../src/shared/contract';
import { FaultDisk } from '../helpers/fault-disk';
import { must, openTestCore, tempDataDir } from '../helpers/core';
import { API, makeDataDir, startApi, type TestApi } from './helpers/api-server';

const running: Array<TestApi | Core> = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await ('dispose' in r ? r.dispose() : r.close()).catch(() => undefined);
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const dataDirOf = (): string => {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
};

const ledgerLines = async (dir: string): Promise<number> =>
  (await readFile(join(dir, LEDGER_FILE_NAME), 'utf8')).split('\n').filter((l) => l !== '').length;

const charge = (api: TestApi, email: string) =>
  api.post('payments/process/', {
    amount: '21.00',
    currency: 'USD',
    customer_email: email,
    payment_method: 'pm_card_visa',
  });

const rpc = (api: TestApi, name: string, body: unknown = {}) =>
  api.call(`/rpc/${name}`, { method: 'POST', body });

describe('a disk fault under the server', () => {
  it('refuses changes with storage_unavailable, says writes are stopped, answers reads, and recovers at a restart', async () => {
    const dataDir = await makeDataDir();
    const disk = new FaultDisk(dataDir);
    const api = await startApi({
      dataDir,
      core: {
        gateway: { latencyMs: 0, seed: 1, successRate: 1 },
        store: { testing: { files: disk } },
      },
    });
    running.push(api);
    const events: PushEvent[] = [];
    api.core.subscribe((e) => events.push(e));
    const first = await charge(api, 'ann@example.com');
    expect(first.status).toBe(201);
    const charged = await ledgerLines(dataDir);

    disk.fail({ op: 'fsync', file: 'paydesk.journal', code: 'EIO' });
    const refused = await charge(api, 'bob@example.com');
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('storage_unavailable');
    expect(refused.json.error.message).toContain(join(dataDir, 'paydesk.journal'));
    expect(refused.json.error.message).toMatch(/EIO/);
    // Its PENDING record could not be flushed: the gateway was never called.
    expect(await ledgerLines(dataDir)).toBe(charged);

    const health = await api.call(`${API}health/`, { noAuth: true });
    expect(health.json).toMatchObject({ status: 'ok', writes: 'stopped' });
    expect(health.json.cause).toContain('paydesk.journal');
    const info = await rpc(api, 'system.info');
    expect(info.json.data.storage).toMatchObject({ writes: 'stopped', repaired: null });
    expect(events).toContainEqual({ type: 'changed', topics: ['storage'] });
    expect(events.some((e) => e.type === 'notice' && /takes no more changes/.test(e.message))).toBe(
      true,
    );

    // Reads go on; changes are refused before anything is written.
    const list = await api.get('payments/');
    expect(list.status).toBe(200);
    expect(list.json.results.map((p: { id: string }) => p.id)).toContain(first.json.id);
    expect((await api.get(`payments/${first.json.id as string}/`)).status).toBe(200);
    const dashboard = await rpc(api, 'dashboard.get');
    expect(dashboard.json.ok).toBe(true);
    const writes = { ...disk.counts };
    expect((await charge(api, 'cy@example.com')).status).toBe(503);
    expect((await api.post(`payments/${first.json.id as string}/refund/`, {})).status).toBe(503);
    expect(disk.counts).toEqual(writes);
    expect(await ledgerLines(dataDir)).toBe(charged);

    // The fault gone, a restart recovers.
    await api.stop();
    const again = await startApi({
      dataDir,
      core: { gateway: { latencyMs: 0, seed: 2, successRate: 1 } },
    });
    running.push(again);
    expect((await again.call(`${API}health/`, { noAuth: true })).json.writes).toBe('ok');
    expect((await again.get(`payments/${first.json.id as string}/`)).status).toBe(200);
    expect((await charge(again, 'dee@example.com')).status).toBe(201);
  });
});

describe('a journal truncated to half its length', () => {
  it('reports the lost commits (log, audit, notice), saves the cut bytes, and the gateway charges come back as records', async () => {
    const dataDir = dataDirOf();
    const core = await openTestCore(dataDir, {
      gateway: { latencyMs: 0, seed: 3, successRate: 1 },
    });
    running.push(core);
    const keys: string[] = [];
    for (let i = 0; i < 50; i++) {
      const p = await must(core, 'payments.process', {
        amount: '21.00',
        currency: 'USD',
        customerEmail: `c${i}@example.com`,
        paymentMethod: 'pm_card_visa',
      });
      expect(p.status).toBe('COMPLETED');
      keys.push(p.idempotencyKey);
    }
    await sleep(MARK_DELAY_MS * 2);
    // What a machine cut off mid-write would leave: the files as they are, the journal cut
    // to half its length.
    const crashed = dataDirOf();
    for (const name of ['paydesk.json', 'paydesk.journal', 'paydesk.mark', LEDGER_FILE_NAME]) {
      await copyFile(join(dataDir, name), join(crashed, name));
    }
    await core.close();
    const journal = join(crashed, 'paydesk.journal');
    const full = await readFile(journal);
    await truncate(journal, Math.floor(full.length / 2));

    const logs: string[] = [];
    const events: PushEvent[] = [];
    const reopened = await openCore({
      dataDir: crashed,
      clock: 'test',
      gateway: { latencyMs: 0, seed: 3, successRate: 1 },
      scheduler: false,
      log: (m) => logs.push(m),
    });
    // Subscribed before reconciliation ends: the notice follows it.
    reopened.subscribe((e) => events.push(e));
    running.push(reopened);
    await reopened.reconciled;

    // Every charge the gateway made is a payment again.
    const page = await must(reopened, 'payments.list', { limit: 100 });
    expect(page.total).toBe(50);
    expect(new Set(page.items.map((p) => p.idempotencyKey))).toEqual(new Set(keys));
    expect(page.items.every((p) => p.status === 'COMPLETED')).toBe(true);

    // The cut is reported with the commits lost, and its bytes saved beside the journal.
    const report = logs.find((m) => m.includes('were confirmed and are missing'));
    expect(report).toMatch(/Commits \d+ to \d+ were confirmed and are missing/);
    const cut = (await readdir(crashed)).filter((n) => n.startsWith('paydesk.journal.cut-'));
    expect(cut).toHaveLength(1);
    const saved = await readFile(join(crashed, cut[0] as string));
    // The journal keeps what came before them (and the commits made since the reopen).
    const half = Math.floor(full.length / 2);
    expect(saved.equals(full.subarray(half - saved.length, half))).toBe(true);
    const kept = await readFile(journal);
    expect(
      kept.subarray(0, half - saved.length).equals(full.subarray(0, half - saved.length)),
    ).toBe(true);
    const audit = await must(reopened, 'audit.list', { limit: 200 });
    const repair = audit.items.find((a) => a.kind === 'RepairStore');
    expect(repair?.label).toBe(report);
    expect(repair?.message).toContain(cut[0]);
    const recorded = audit.items.filter((a) =>
      /found at the gateway .*the store did not know it/.test(a.label),
    );
    expect(recorded.length).toBeGreaterThan(0);
    const notice = events.find((e) => e.type === 'notice' && e.message.includes('data damaged'));
    expect(notice).toBeDefined();
    expect(notice?.type === 'notice' && notice.message).toMatch(
      /Reconciliation recorded \d+ charge/,
    );
    const info = await must(reopened, 'system.info', {});
    expect(info.storage.repaired).toBe(report);
    expect(info.storage.writes).toBe('ok');
  });
});

describe('a payment body damaged under a running server', () => {
  it('leaves the lists and the dashboard answering, naming that payment and the error', async () => {
    const dataDir = await makeDataDir();
    const first = await startApi({
      dataDir,
      core: { gateway: { latencyMs: 0, seed: 4, successRate: 1 } },
    });
    const ids: string[] = [];
    const transactions: string[] = [];
    for (const email of ['ann@example.com', 'bob@example.com', 'cy@example.com']) {
      const made = await charge(first, email);
      ids.push(made.json.id as string);
      transactions.push(made.json.transaction_id as string);
    }
    await first.stop(); // the payments are now in the snapshot, read from it lazily
    // (A start's reconciliation reads the charges made since the last: a second start has
    // read them, a third reads none of them.)
    const gateway = { latencyMs: 0, seed: 5, successRate: 1 };
    await (await startApi({ dataDir, core: { gateway } })).stop();
    const api = await startApi({ dataDir, core: { gateway } });
    running.push(api);
    const snapshot = join(dataDir, 'paydesk.json');
    const text = await readFile(snapshot, 'utf8');
    const size = (await stat(snapshot)).size;
    // Bob's body (its line holds his charge's transaction id), same size: what a failing
    // disk may do to a file while it is open.
    const lines = text.split('\n');
    const index = lines.findIndex((l) => l.includes(transactions[1] as string));
    const line = index + 1;
    lines[index] = (lines[index] as string).replace('"USD"', '"U$D"');
    await writeFile(snapshot, lines.join('\n'));
    expect((await stat(snapshot)).size).toBe(size);

    const list = await api.get('payments/');
    expect(list.status).toBe(200);
    expect(list.json.count).toBe(3);
    expect(list.json.results.map((p: { id: string }) => p.id).sort()).toEqual(
      [ids[0], ids[2]].sort(),
    );
    expect(list.json.unreadable).toEqual([
      {
        id: ids[1],
        error: expect.stringContaining(`${snapshot} is damaged at line ${line}`),
        index: 1,
      },
    ]);
    const rpcList = await rpc(api, 'payments.list', {});
    expect(rpcList.json.ok).toBe(true);
    expect(rpcList.json.data.unreadable[0].id).toBe(ids[1]);
    const dashboard = await rpc(api, 'dashboard.get');
    expect(dashboard.json.ok).toBe(true);
    expect(dashboard.json.data.unreadable).toEqual([
      { id: ids[1], error: expect.stringContaining(`line ${line}`) },
    ]);
    // The payment itself: an error naming it, not a server error.
    const one = await api.get(`payments/${ids[1] as string}/`);
    expect(one.status).toBe(503);
    expect(one.json.error.message).toContain(`line ${line}`);
  });
});
