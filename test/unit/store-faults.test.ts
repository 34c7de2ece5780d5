/**
 * Disk faults, injected by the fault-injecting file layer (test/helpers/fault-disk.ts): a full
 * disk (ENOSPC) and an I/O error (EIO) on a write, a failing fsync, a failing rename or
 * directory flush, short writes. For each: the commit or compaction that met it fails with
 * StoreError 'write_failed' (the service's `storage_unavailable`) naming the file and the
 * cause; nothing acknowledged before is lost (a power loss right after keeps it too); the
 * failed commit was never acknowledged; the store writes nothing more (PostgreSQL's rule
 * since "fsyncgate": after a failed fsync the page cache cannot be trusted), refuses every
 * commit with the same error, and still answers reads; once the fault is gone, a reopen
 * recovers everything acknowledged and takes commits again.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/core/ports';
import { openStore, StoreError, type StoreOptions } from '../../src/main/core/store/index';
import { MARK_DELAY_MS } from '../../src/main/core/store/mark';
import { FaultDisk, type Fault } from '../helpers/fault-disk';
import { auditEntry, payment, removeTempDirs, tempDir } from './store-fixtures';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

const entry = (id: string) => [{ t: 'audit' as const, v: auditEntry(id) }];
const auditIds = (store: Store) => new Set(store.audit(0, 10_000).items.map((a) => a.id));

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/** A store on a fault disk with a payment and three acknowledged commits. */
async function storeOnFaultDisk(options: StoreOptions = {}) {
  const dir = await tempDir();
  const disk = new FaultDisk(dir);
  const stopped: StoreError[] = [];
  const store = await openStore(dir, {
    ...options,
    testing: { ...options.testing, files: disk },
    onWritesStopped: (e) => stopped.push(e),
  });
  open.push(store);
  await store.commit([{ t: 'payment', v: payment('p1') }]);
  for (const id of ['a1', 'a2', 'a3']) await store.commit(entry(id));
  return { dir, disk, store, stopped, acked: ['a1', 'a2', 'a3'] };
}

/** What a stopped store must still be and do: refuse, read, keep, recover. */
async function expectStoppedThenRecovered(
  s: Awaited<ReturnType<typeof storeOnFaultDisk>>,
  error: StoreError,
  failedId: string | null,
) {
  const { dir, disk, store, stopped, acked } = s;
  expect(error.code).toBe('write_failed');
  expect(store.writeFailure()).toBe(error);
  expect(stopped).toEqual([error]);
  // No more writes of any kind, whatever is asked.
  const counts = { ...disk.counts };
  expect((await rejection(store.commit(entry('later')))).message).toBe(error.message);
  expect((await rejection(store.compact())).message).toBe(error.message);
  await sleep(MARK_DELAY_MS * 2);
  expect(disk.counts).toEqual(counts);
  // Reads go on.
  expect(store.getPayment('p1')?.id).toBe('p1');
  for (const id of acked) expect(auditIds(store).has(id)).toBe(true);
  // A power loss now keeps everything acknowledged.
  for (const image of disk.images()) {
    const copy = await tempDir();
    await FaultDisk.materialize(image, copy);
    const after = await openStore(copy);
    open.push(after);
    for (const id of acked) expect(auditIds(after).has(id), `${id} after a power loss`).toBe(true);
    expect(after.repaired()?.lost ?? null).toBeNull();
  }
  // The fault gone, a reopen recovers and takes commits again.
  await store.close();
  disk.heal();
  const again = await openStore(dir, { testing: { files: disk } });
  open.push(again);
  const ids = auditIds(again);
  for (const id of acked) expect(ids.has(id)).toBe(true);
  expect(again.writeFailure()).toBeNull();
  await again.commit(entry('after-reopen'));
  expect(auditIds(again).has('after-reopen')).toBe(true);
  return { again, failedKept: failedId !== null && ids.has(failedId) };
}

describe('a fault writing or flushing the journal', () => {
  it.each<[string, Fault[], RegExp]>([
    ['a full disk', [{ op: 'write', file: 'paydesk.journal', code: 'ENOSPC' }], /ENOSPC/],
    ['an I/O error on a write', [{ op: 'write', file: 'paydesk.journal', code: 'EIO' }], /EIO/],
    ['a failing fsync', [{ op: 'fsync', file: 'paydesk.journal', code: 'EIO' }], /flushing.*EIO/],
    [
      'a short write, then a full disk',
      [
        { op: 'write', file: 'paydesk.journal', short: true },
        { op: 'write', file: 'paydesk.journal', code: 'ENOSPC' },
      ],
      /ENOSPC/,
    ],
  ])(
    '(%s) fails that commit naming the file and cause, and stops the store',
    async (_, faults, cause) => {
      const s = await storeOnFaultDisk();
      for (const fault of faults) s.disk.fail(fault);
      const error = await rejection(s.store.commit(entry('x')));
      expect(error.message).toContain(join(s.dir, 'paydesk.journal'));
      expect(error.message).toMatch(cause);
      expect(error.message).toContain('accepts no more changes');
      expect(error.file).toBe(join(s.dir, 'paydesk.journal'));
      // In memory the commit was applied (reads see commits at once); it was never acknowledged.
      await expectStoppedThenRecovered(s, error, 'x');
    },
  );

  it('after a failed write, a reopen reports the half-written line it cuts (saved beside), never acknowledged', async () => {
    const s = await storeOnFaultDisk();
    s.disk.fail({ op: 'write', file: 'paydesk.journal', short: true });
    s.disk.fail({ op: 'write', file: 'paydesk.journal', code: 'EIO' });
    const error = await rejection(s.store.commit(entry('x')));
    const { again, failedKept } = await expectStoppedThenRecovered(s, error, 'x');
    expect(failedKept).toBe(false);
    expect(again.repaired()).toMatchObject({ keptSeq: 4, lost: null });
    expect(again.repaired()?.savedAs).toMatch(/paydesk\.journal\.cut-/);
  });

  it('takes a short write alone in its stride (the rest is written)', async () => {
    const s = await storeOnFaultDisk();
    s.disk.fail({ op: 'write', file: 'paydesk.journal', short: true, times: 3 });
    await s.store.commit(entry('x'));
    expect(s.store.writeFailure()).toBeNull();
    await s.store.close();
    const again = await openStore(s.dir);
    open.push(again);
    expect(auditIds(again).has('x')).toBe(true);
    expect(again.repaired()).toBeNull();
  });
});

describe('a fault during a compaction', () => {
  it.each<[string, Fault, string, RegExp]>([
    [
      'a full disk writing the new snapshot',
      { op: 'write', file: 'paydesk.json.tmp', code: 'ENOSPC' },
      'paydesk.json.tmp',
      /ENOSPC/,
    ],
    [
      'a failing fsync of the new snapshot',
      { op: 'fsync', file: 'paydesk.json.tmp', code: 'EIO' },
      'paydesk.json.tmp',
      /EIO/,
    ],
    [
      'a failing rename of the snapshot',
      { op: 'rename', file: 'paydesk.json', code: 'EIO' },
      'paydesk.json',
      /renaming .*EIO/,
    ],
    [
      'a failing flush of the directory',
      { op: 'fsyncDir', code: 'EIO' },
      '',
      /flushing the directory .*EIO/,
    ],
    [
      'a full disk writing the new journal',
      { op: 'write', file: 'paydesk.journal.tmp', code: 'ENOSPC' },
      'paydesk.journal.tmp',
      /ENOSPC/,
    ],
    [
      'a failing rename of the journal',
      { op: 'rename', file: 'paydesk.journal', code: 'EIO' },
      'paydesk.journal',
      /renaming .*EIO/,
    ],
  ])(
    '(%s) fails it naming the file and cause, and stops the store',
    async (_, fault, file, cause) => {
      // A commit made while the compaction writes the snapshot: the new journal must hold it.
      let during: Store | null = null;
      const s = await storeOnFaultDisk({
        testing: {
          onCompactionStep: async (step) => {
            if (step === 'snapshot-temp-written' && during !== null) {
              await during.commit(entry('during'));
              s.acked.push('during');
            }
          },
        },
      });
      during = s.store;
      s.disk.fail(fault);
      const error = await rejection(s.store.compact());
      expect(error.message).toContain(join(s.dir, file));
      expect(error.message).toMatch(cause);
      await expectStoppedThenRecovered(s, error, null);
    },
  );

  it('in the background stops the store all the same; the next commit says why', async () => {
    const s = await storeOnFaultDisk({ compactThresholdBytes: 1 });
    s.disk.fail({ op: 'write', file: 'paydesk.json.tmp', code: 'ENOSPC' });
    await s.store.commit(entry('a4')); // its flush starts a background compaction
    s.acked.push('a4');
    for (let i = 0; i < 100 && s.store.writeFailure() === null; i++) await sleep(10);
    const error = await rejection(s.store.commit(entry('x')));
    expect(error.message).toMatch(/paydesk\.json\.tmp failed \(ENOSPC/);
    await expectStoppedThenRecovered(s, error, null);
  });
});

it('a failing write of the durable mark stops the store after the commit it follows', async () => {
  const s = await storeOnFaultDisk();
  s.disk.fail({ op: 'fsync', file: 'paydesk.mark', code: 'EIO' });
  await s.store.commit(entry('a4')); // acknowledged: its line is durable
  s.acked.push('a4');
  for (let i = 0; i < 100 && s.store.writeFailure() === null; i++) await sleep(10);
  const error = await rejection(s.store.commit(entry('x')));
  expect(error.message).toMatch(/flushing \(fdatasync\) .*paydesk\.mark failed \(EIO/);
  await expectStoppedThenRecovered(s, error, null);
});
