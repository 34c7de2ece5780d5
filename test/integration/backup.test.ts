/**
 * Backups and restores on real files: a backup taken while a recurring run of 10,000 charges
 * commits is exactly the state at its commit (compared with the live store's own journal cut
 * at that commit) with the gateway's ledger as of the same instant; the read-only open that
 * verifies a backup takes no lock and writes nothing; a damaged backup is
 * refused naming its file; a restore moves the current data aside and never deletes it; a
 * restore killed with SIGKILL at any of its steps is finished by the next open; daily
 * backups keep the newest N and never remove one made by hand; and the REST endpoints.
 */
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { cp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURE_NOW, generateStore } from '../../bench/fixtures';
import type { Core } from '../../src/main/core';
import {
  BackupError,
  listBackups,
  MANIFEST_FILE,
  pruneBackups,
  verifyBackup,
} from '../../src/main/core/backup';
import { BackupJobs } from '../../src/main/core/backup-jobs';
import { LEDGER_FILE_NAME, readLedger } from '../../src/main/core/gateway/ledger-file';
import type { Store } from '../../src/main/core/ports';
import { restoreBackup } from '../../src/main/core/restore';
import { openStore } from '../../src/main/core/store';
import { JOURNAL_FILE, MARK_FILE, SNAPSHOT_FILE } from '../../src/main/core/store/files';

import type { IdempotencyRecord } from '../../src/shared/domain';
import { coreOptionsOf, parseCli } from '../../src/server/cli-options';
import { must, openTestCore, tempDataDir } from '../helpers/core';
import { startApi } from './helpers/api-server';
import { bound } from '../helpers/gateway-calls';

const ROOT = resolve(__dirname, '../..');
const temps: string[] = [];
const cores: Core[] = [];
function temp(prefix = 'paydesk-backup-test-'): string {
  const dir = tempDataDir(prefix);
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function openCoreAt(dir: string, extra: Parameters<typeof openTestCore>[1] = {}) {
  const core = await openTestCore(dir, extra);
  cores.push(core);
  return core;
}

async function closeCore(core: Core): Promise<void> {
  cores.splice(cores.indexOf(core), 1);
  await core.close();
}

/** The idempotency keys a journal's lines name (records are written whole, as objects). */
function idempotencyKeysOf(journal: string): string[] {
  const keys = new Set<string>();
  for (const line of journal.split('\n')) {
    if (line === '') continue;
    const { changes } = JSON.parse(line) as { changes: { t: string; v: { key?: string } }[] };
    for (const c of changes) if (c.t === 'idempotency' && c.v.key) keys.add(c.v.key);
  }
  return [...keys].sort();
}

/** A gate charges pass once it is open; `reached` once the first one waits at it. */
function gate(after: number) {
  let open: () => void = () => undefined;
  let reach: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (reach = r));
  return {
    after,
    reached,
    open: () => open(),
    pass: () => {
      reach();
      return opened;
    },
  };
}

/** What a store holds, as plain data: every record and the indexed views a restore relies on. */
function dump(store: Store, keys: string[], now: string) {
  const payments = [...store.allPayments()];
  const subscriptions = [...store.allSubscriptions()];
  return {
    count: store.paymentCount(),
    payments,
    subscriptions,
    refunds: payments.map((p) => store.refundsOfPayment(p.id)),
    pending: store.pendingPayments().map((p) => p.id),
    pendingRefunds: store.pendingRefunds().map((r) => r.id),
    due: store.dueSubscriptions(now).map((s) => s.id),
    byStatus: (['PENDING', 'COMPLETED', 'FAILED'] as const).map(
      (status) => store.queryPayments({ status, order: 'asc', offset: 0, limit: 5 }).total,
    ),
    undo: store.undoStack(),
    redo: store.redoStack(),
    audit: store.audit(0, 1_000_000),
    idempotency: keys.map((k): IdempotencyRecord | null => store.getIdempotencyRecord(k) ?? null),
    unfinished: store.unfinishedRequests().map((r) => r.key),
    settings: store.settings(),
    testClock: store.testClock(),
    gatewayCursor: store.gatewayCursor(),
  };
}

/**
 * The store as it was at commit `seq`, from the live store's files: its snapshot and the
 * journal's lines up to `seq` (the journal is the record of every commit).
 */
async function storeAtCommit(snapshot: string, journal: string, seq: number): Promise<string> {
  const dir = temp('paydesk-at-commit-');
  copyFileSync(snapshot, join(dir, SNAPSHOT_FILE));
  const lines = journal.split('\n').filter((line) => {
    if (line === '') return false;
    return (JSON.parse(line) as { seq: number }).seq <= seq;
  });
  await writeFile(join(dir, JOURNAL_FILE), lines.map((l) => `${l}\n`).join(''));
  return dir;
}

describe('a backup taken during a recurring run of 10,000 charges', () => {
  it('opens read-only as exactly the state at its commit, with the ledger as of that instant', async () => {
    const dir = temp();
    // 10,000 monthly subscriptions, each owing one period at FIXTURE_NOW.
    await generateStore(dir, {
      payments: 1000,
      subscriptions: 10_000,
      dueSubscriptions: 10_000,
      journalCommits: 0,
    });
    const setup = await openStore(dir);
    await setup.commit([{ t: 'clock', v: FIXTURE_NOW }]);
    await setup.close();

    // Two gates in the gateway: the charges after the 2,000th wait until the first backup
    // is made (so that it surely holds a state inside the run), those after the 6,000th
    // until the second backup is asked for (which is then taken while the run commits).
    const gates = [gate(2000), gate(6000)];
    let charges = 0;
    // No compaction: the live journal keeps every commit, the reference for each backup.
    const core = await openCoreAt(dir, {
      store: { compactThresholdBytes: 2 ** 40 },
      wrapGateway: (gateway) => ({
        ...bound(gateway),
        charge: async (request) => {
          const n = ++charges;
          for (const g of gates) if (n > g.after) await g.pass();
          return gateway.charge(request);
        },
      }),
    });
    const backupDir = temp('paydesk-backups-');
    await must(core, 'settings.set', { backup: { folder: backupDir } });
    const snapshotAtStart = join(temp('paydesk-start-'), SNAPSHOT_FILE);
    copyFileSync(join(dir, SNAPSHOT_FILE), snapshotAtStart);

    const running = must(core, 'recurring.run', {});
    await gates[0]?.reached;
    const first = await must(core, 'backup.create', {});
    gates[0]?.open();
    await gates[1]?.reached;
    const second = must(core, 'backup.create', {});
    gates[1]?.open();
    const run = await running;
    const made = [first, await second];
    expect(run.charged).toBe(10_000);
    expect(first.payments).toBeGreaterThan(1000);
    expect(first.payments).toBeLessThan(11_000);
    const seqAfterRun = (
      JSON.parse(
        (await readFile(join(dir, JOURNAL_FILE), 'utf8')).trimEnd().split('\n').at(-1) ?? '{}',
      ) as { seq: number }
    ).seq;
    // Nothing commits now: the live files are the whole record.
    const journal = await readFile(join(dir, JOURNAL_FILE), 'utf8');
    const liveLedger = await readFile(join(dir, LEDGER_FILE_NAME));
    const keys = idempotencyKeysOf(journal);

    let previous = 0;
    for (const info of made) {
      expect(info.commitSeq).toBeGreaterThan(previous);
      expect(info.commitSeq).toBeLessThanOrEqual(seqAfterRun);
      previous = info.commitSeq;
      const manifest = await verifyBackup(info.path, { checksums: true });
      expect(manifest.commitSeq).toBe(info.commitSeq);

      const copy = await openStore(info.path, { readOnly: true });
      const referenceDir = await storeAtCommit(snapshotAtStart, journal, info.commitSeq);
      const reference = await openStore(referenceDir);
      try {
        expect(copy.commitSeq()).toBe(info.commitSeq);
        expect(reference.commitSeq()).toBe(info.commitSeq);
        expect(dump(copy, keys, FIXTURE_NOW)).toEqual(dump(reference, keys, FIXTURE_NOW));

        // The ledger: a prefix of the live one, holding every charge the copy knows settled.
        const ledgerCopy = await readFile(join(info.path, LEDGER_FILE_NAME));
        expect(ledgerCopy.length).toBeGreaterThan(0);
        expect(liveLedger.subarray(0, ledgerCopy.length).equals(ledgerCopy)).toBe(true);
        const book = (await readLedger(join(info.path, LEDGER_FILE_NAME))).book;
        expect(book.entries()).toHaveLength(info.ledgerEntries);
        let settled = 0;
        let slot = 0;
        for (const p of copy.allPayments()) {
          // The run's charges (the generated payments before them never met this gateway).
          if (slot++ < 1000) continue;
          expect(p.subscriptionId).not.toBeNull();
          if (p.status === 'COMPLETED' && p.transactionId !== null) {
            settled++;
            const charge = book.successfulCharge(p.transactionId);
            expect(charge, `${p.id}'s charge is in the backup's ledger`).toBeDefined();
          }
        }
        expect(settled).toBeGreaterThan(0);
      } finally {
        await copy.close();
        await reference.close();
      }
    }
    expect((await must(core, 'backup.list', {})).backups.map((b) => b.name)).toEqual(
      made.map((b) => b.name).reverse(),
    );
  }, 180_000);
});

/** Pays `n` charges of `amount` as the operator. */
async function pay(core: Core, n: number, amount = '10.00'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await must(core, 'payments.process', {
      amount,
      currency: 'USD',
      customerEmail: `c${i}@example.com`,
      paymentMethod: 'pm_card_visa',
    });
    ids.push(p.id);
  }
  return ids;
}

/** The ids of the payments a data directory holds (opened read-only). */
async function paymentIdsIn(dir: string): Promise<string[]> {
  const store = await openStore(dir, { readOnly: true });
  try {
    return [...store.allPayments()].map((p) => p.id);
  } finally {
    await store.close();
  }
}

/**
 * A data directory whose backup holds payments `before`, and whose data then went on to
 * hold `after` too; the core is closed.
 */
async function backedUpThenChanged() {
  const dir = temp();
  const core = await openCoreAt(dir);
  const before = await pay(core, 3);
  const backup = await must(core, 'backup.create', {});
  const after = await pay(core, 2, '20.00');
  await closeCore(core);
  return { dir, backup, before, after };
}

/** Flips one byte of `path` in its middle. */
async function flipByte(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const at = Math.floor((await handle.stat()).size / 2);
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, at);
    buf[0] = (buf[0] ?? 0) ^ 0x01;
    await handle.write(buf, 0, 1, at);
  } finally {
    await handle.close();
  }
}

/** A plain copy of a backup folder, to damage. */
async function copyOf(backup: string): Promise<string> {
  const dir = join(temp('paydesk-damaged-'), 'paydesk-backup-copy');
  await cp(backup, dir, { recursive: true });
  return dir;
}

/** Every file below `dir`, relative, with its bytes. */
async function filesIn(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = (await readFile(path)).toString('base64');
  }
  return out;
}

describe('the read-only open a backup is verified with', () => {
  it('takes no lock, changes no byte, refuses commits, and refuses a torn journal', async () => {
    const { dir } = await backedUpThenChanged();
    const still = temp();
    await cp(dir, still, { recursive: true });
    const before = await filesIn(still);
    const copy = await openStore(still, { readOnly: true });
    try {
      expect(copy.paymentCount()).toBe(5);
      await expect(copy.commit([{ t: 'clock', v: FIXTURE_NOW }])).rejects.toMatchObject({
        code: 'read_only',
      });
      await expect(copy.compact()).rejects.toMatchObject({ code: 'read_only' });
    } finally {
      await copy.close();
    }
    expect(await filesIn(still)).toEqual(before);

    // Beside a writer that holds the directory: no lock is asked for.
    const writer = await openCoreAt(dir);
    const beside = await openStore(dir, { readOnly: true });
    expect(beside.paymentCount()).toBe(5);
    await beside.close();
    await closeCore(writer);

    await writeFile(join(still, JOURNAL_FILE), '{"seq":99,"crc":1,"chan', { flag: 'a' });
    const torn = await filesIn(still);
    await expect(openStore(still, { readOnly: true })).rejects.toMatchObject({ code: 'corrupt' });
    expect(await filesIn(still)).toEqual(torn);
  });
});

describe('a damaged backup', () => {
  it.each([SNAPSHOT_FILE, LEDGER_FILE_NAME, MANIFEST_FILE])(
    'with a byte of %s flipped is refused naming that file, and the restore changes nothing',
    async (name) => {
      const { dir, backup } = await backedUpThenChanged();
      const damaged = await copyOf(backup.path);
      await flipByte(join(damaged, name));
      const error = await verifyBackup(damaged, { checksums: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackupError);
      expect((error as BackupError).file).toBe(join(damaged, name));
      expect((error as BackupError).message).toContain(join(damaged, name));

      const data = await filesIn(dir);
      await expect(restoreBackup(damaged, dir, () => undefined)).rejects.toThrow(
        join(damaged, name),
      );
      expect(await filesIn(dir)).toEqual(data);
    },
  );

  it('missing a file is refused naming it', async () => {
    const { backup } = await backedUpThenChanged();
    const damaged = await copyOf(backup.path);
    await rm(join(damaged, LEDGER_FILE_NAME));
    await expect(verifyBackup(damaged, { checksums: true })).rejects.toMatchObject({
      file: join(damaged, LEDGER_FILE_NAME),
    });
  });

  it('that is no backup at all is refused', async () => {
    const dir = temp();
    await expect(verifyBackup(dir, { checksums: true })).rejects.toThrow(/not a Paydesk backup/);
  });
});

describe('a restore', () => {
  it('puts the backup in place and moves the current data aside, deleting nothing', async () => {
    const { dir, backup, before, after } = await backedUpThenChanged();
    await writeFile(join(dir, 'api-token'), 'kept-token\n');
    const previous = await filesIn(dir);

    const done = await restoreBackup(backup.path, dir, () => undefined);
    expect(done.aside).toMatch(/before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    expect(done.manifest.commitSeq).toBe(backup.commitSeq);
    expect(await paymentIdsIn(dir)).toEqual(before);
    // Everything that was there is still there: the data files in the aside folder, the
    // rest (the token, the backups folder) where it was.
    const now = await filesIn(dir);
    const asideName = done.aside.slice(dir.length + 1);
    for (const [path, bytes] of Object.entries(previous)) {
      if (/^paydesk\.lock/.test(path)) continue;
      const moved = [SNAPSHOT_FILE, JOURNAL_FILE, MARK_FILE, LEDGER_FILE_NAME].includes(path);
      expect(now[moved ? `${asideName}/${path}` : path], path).toBe(bytes);
    }
    expect(await paymentIdsIn(done.aside)).toEqual([...before, ...after]);
    expect(await readdir(dir)).not.toContain('restore-staging');

    // The restored directory opens as the backup's state, reports nothing lost (the
    // durable mark of the data replaced went aside with it), and takes new work.
    const opened: string[] = [];
    const core = await openCoreAt(dir, { log: (line) => opened.push(line) });
    expect(opened.filter((line) => /missing|cut/.test(line))).toEqual([]);
    expect((await must(core, 'payments.list', { limit: 100 })).total).toBe(3);
    await pay(core, 1);
    // A second restore keeps the first one's aside folder and makes its own.
    await closeCore(core);
    const again = await restoreBackup(backup.path, dir, () => undefined);
    expect(again.aside).not.toBe(done.aside);
    expect(await paymentIdsIn(done.aside)).toEqual([...before, ...after]);
    expect((await paymentIdsIn(again.aside)).length).toBe(4);
  });

  it('is refused while Paydesk has the directory open, changing nothing', async () => {
    const { dir, backup } = await backedUpThenChanged();
    const core = await openCoreAt(dir);
    await expect(restoreBackup(backup.path, dir, () => undefined)).rejects.toMatchObject({
      code: 'locked',
    });
    expect((await must(core, 'payments.list', { limit: 100 })).total).toBe(5);
  });

  it.each(['copied', 'staged', 'moving-aside', 'moving-in', 'moved-in', 'in-place'] as const)(
    'killed with SIGKILL at %s is finished (or never began) at the next open',
    async (step) => {
      const { dir, backup, before, after } = await backedUpThenChanged();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/integration/fixtures/restore-child.ts', backup.path, dir, step],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise<void>((resolveAt, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes(`at ${step}`)) resolveAt();
        });
        child.on('exit', () => reject(new Error(`the restore ended first:\n${out}`)));
      });
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;

      const opened: string[] = [];
      const core = await openCoreAt(dir, { log: (line) => opened.push(line) });
      expect(opened.filter((line) => /missing/.test(line))).toEqual([]);
      const total = (await must(core, 'payments.list', { limit: 100 })).total;
      await closeCore(core);
      const names = await readdir(dir);
      expect(names).not.toContain('restore-staging');
      const asides = names.filter((n) => n.startsWith('before-restore-'));
      if (step === 'copied') {
        // Nothing began: the data is as it was.
        expect(total).toBe(5);
        expect(asides).toEqual([]);
      } else {
        expect(total).toBe(3);
        expect(await paymentIdsIn(dir)).toEqual(before);
        expect(asides).toHaveLength(1);
        expect(await paymentIdsIn(join(dir, asides[0] ?? ''))).toEqual([...before, ...after]);
      }
    },
    60_000,
  );
});

describe('daily backups', () => {
  it('keep the newest N daily ones and never remove one made by hand', async () => {
    const dir = temp();
    const backupDir = temp('paydesk-backups-');
    const core = await openCoreAt(dir);
    await must(core, 'settings.set', { backup: { folder: backupDir, keep: 3 } });
    await pay(core, 1);
    await closeCore(core);
    const store = await openStore(dir);
    const ledger = { path: join(dir, LEDGER_FILE_NAME), bytes: () => 0 };
    let day = Date.parse('2030-01-01T03:00:00Z');
    const jobs = new BackupJobs({
      store,
      ledger,
      dataDir: dir,
      daily: true,
      onChange: () => undefined,
      log: () => undefined,
      now: () => new Date(day),
    });
    try {
      const manual = [await jobs.create('manual')];
      const daily: string[] = [];
      for (let i = 0; i < 6; i++) {
        const made = await jobs.checkDaily();
        expect(made?.kind).toBe('daily');
        daily.push(made?.name ?? '');
        // Not again the same day.
        day += 60 * 60 * 1000;
        expect(await jobs.checkDaily()).toBeNull();
        if (i === 2) manual.push(await jobs.create('manual'));
        day += 24 * 60 * 60 * 1000;
      }
      const left = await listBackups(backupDir);
      expect(left.filter((b) => b.kind === 'daily').map((b) => b.name)).toEqual(
        daily.slice(-3).reverse(),
      );
      expect(left.filter((b) => b.kind === 'manual').map((b) => b.name)).toEqual(
        manual.map((b) => b.name).reverse(),
      );

      // A damaged daily backup is neither counted among those kept nor removed.
      const damaged = daily.at(-1) ?? '';
      await rm(join(backupDir, damaged, LEDGER_FILE_NAME));
      day += 24 * 60 * 60 * 1000;
      daily.push((await jobs.checkDaily())?.name ?? '');
      const dailyLeft = async () =>
        (await listBackups(backupDir)).filter((b) => b.kind === 'daily').map((b) => b.name);
      // Whole: the new one and the two before the damaged one; nothing removed yet.
      expect(await dailyLeft()).toEqual([daily[6], damaged, daily[4], daily[3]]);
      day += 24 * 60 * 60 * 1000;
      daily.push((await jobs.checkDaily())?.name ?? '');
      expect(await dailyLeft()).toEqual([daily[7], daily[6], damaged, daily[4]]);
      expect(await pruneBackups(backupDir, 3, () => undefined)).toEqual([]);
      expect((await listBackups(backupDir)).filter((b) => b.kind === 'manual')).toHaveLength(2);

      // The setting turned off: no daily backup.
      await store.commit([
        {
          t: 'settings',
          v: { ...store.settings(), backup: { folder: backupDir, keep: 3, daily: false } },
        },
      ]);
      day += 2 * 24 * 60 * 60 * 1000;
      expect(await jobs.checkDaily()).toBeNull();
    } finally {
      await jobs.stop();
      await store.close();
    }
  });
});

describe('the REST API', () => {
  it('POST backup/ answers the backup made and GET backup/ lists it', async () => {
    const api = await startApi();
    temps.push(api.dataDir);
    try {
      await api.post('payments/process', {
        amount: '12.50',
        currency: 'USD',
        customer_email: 'rest@example.com',
        payment_method: 'pm_card_visa',
      });
      const made = await api.post('backup/', undefined, { 'Idempotency-Key': 'backup-1' });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({
        kind: 'manual',
        payments: 1,
        subscriptions: 0,
        ledger_entries: 1,
      });
      expect(made.json.path).toBe(join(api.dataDir, 'backups', made.json.name));
      expect(made.json.commit_seq).toBeGreaterThan(0);
      expect(made.json.bytes).toBeGreaterThan(0);
      expect(Date.parse(made.json.created_at)).not.toBeNaN();
      // The same key answers the same backup, and makes no second one.
      const replay = await api.post('backup/', undefined, { 'Idempotency-Key': 'backup-1' });
      expect(replay.json).toEqual(made.json);
      expect(replay.headers['idempotent-replayed']).toBe('true');

      const list = await api.get('backup/');
      expect(list.status).toBe(200);
      expect(list.json).toMatchObject({
        folder: join(api.dataDir, 'backups'),
        keep: 7,
        daily: true,
        daily_runs: false,
      });
      expect(list.json.backups).toEqual([made.json]);
      expect((await api.call('/command/api/backup/', { method: 'DELETE' })).status).toBe(405);
    } finally {
      await api.stop();
    }
  });
});

describe('npm run serve -- --restore', () => {
  it('takes --restore (made absolute) and --daily-backups', () => {
    const parsed = parseCli(['--restore', 'some/backup', '--daily-backups'], {});
    expect(parsed.ok && parsed.value.kind === 'serve' && parsed.value.options).toMatchObject({
      restore: resolve('some/backup'),
      dailyBackups: true,
    });
    if (!parsed.ok || parsed.value.kind !== 'serve') throw new Error('not parsed');
    expect(coreOptionsOf(parsed.value.options, () => undefined).dailyBackups).toBe(true);
    const plain = parseCli([], {});
    if (!plain.ok || plain.value.kind !== 'serve') throw new Error('not parsed');
    expect(coreOptionsOf(plain.value.options, () => undefined).dailyBackups).toBeUndefined();
    expect(parseCli(['--restore='], {})).toMatchObject({ ok: false });
  });

  /** Runs the CLI (from the sources) until it is ready or exits; answers its output. */
  function serve(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PAYDESK_API_TOKEN: 'restore-test-token-0123456789' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const ready = new Promise<boolean>((r) => {
      child.stdout.on('data', () => {
        if (out.includes('PAYDESK_READY ')) r(true);
      });
      void exited.then(() => r(false));
    });
    return { child, exited, ready, output: () => out };
  }

  it('restores a backup, then serves it', async () => {
    const { dir, backup } = await backedUpThenChanged();
    const run = serve([
      '--data-dir',
      dir,
      '--restore',
      backup.path,
      '--port',
      '0',
      '--clock',
      'test',
      '--no-scheduler',
    ]);
    expect(await run.ready).toBe(true);
    expect(run.output()).toContain(`Restored the backup ${backup.path}`);
    const ready = JSON.parse(run.output().split('PAYDESK_READY ')[1]?.split('\n')[0] ?? '{}') as {
      apiUrl: string;
    };
    const res = await fetch(`${ready.apiUrl}payments/`, {
      headers: { authorization: 'Bearer restore-test-token-0123456789' },
    });
    expect(((await res.json()) as { count: number }).count).toBe(3);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect((await readdir(dir)).some((n) => n.startsWith('before-restore-'))).toBe(true);
  }, 60_000);

  it('refuses a backup that does not verify, naming the file, and changes nothing', async () => {
    const { dir, backup } = await backedUpThenChanged();
    const damaged = await copyOf(backup.path);
    await flipByte(join(damaged, SNAPSHOT_FILE));
    const data = await filesIn(dir);
    const run = serve(['--data-dir', dir, '--restore', damaged, '--port', '0']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(join(damaged, SNAPSHOT_FILE));
    expect(await filesIn(dir)).toEqual(data);
  }, 60_000);
});
