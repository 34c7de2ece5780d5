/**
 * Power loss, simulated by the fault-injecting file layer (test/helpers/fault-disk.ts): before
 * every write, flush, rename and directory flush of the store, the test takes what a power
 * loss at that moment may leave of the data directory (only what was flushed, the names
 * changed since the last directory flush in every combination, and the last write torn in
 * half), then opens each such directory with the real file system and checks it:
 *  - every commit acknowledged before that moment is there (nothing acknowledged is lost);
 *  - the store never reports confirmed commits as lost (a crash only tears what was not
 *    acknowledged: the rule of store/journal.ts's header gives no false alarm);
 *  - bytes the store cut from a torn journal are never lost: they are either still at the
 *    journal's end or in the file they were saved to.
 * Each of the store's fsyncs is needed by one of these: without it some image breaks a check
 * (the workloads reach every kind: journal appends small and large, compactions with commits
 * during them, a journal created for a snapshot alone, a journal's end cut, the mark).
 */
import { createHash } from 'node:crypto';
import { appendFile, copyFile, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/core/ports';
import { openStore, type StoreOptions } from '../../src/main/core/store/index';
import { MARK_DELAY_MS } from '../../src/main/core/store/mark';
import { FaultDisk, UNFLUSHED_FILES, type DiskImage } from '../helpers/fault-disk';
import { auditEntry, payment, removeTempDirs, tempDir } from './store-fixtures';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

interface Capture {
  image: DiskImage;
  /** How many commits were acknowledged when it was taken. */
  acked: number;
  /** The operation it was taken before, for the failure message. */
  before: string;
}

/** Takes, before each operation of `disk`, every image a power loss may leave. */
function capture(disk: FaultDisk, acked: () => number): Map<string, Capture> {
  const seen = new Map<string, Capture>();
  disk.onOp = (op, path) => {
    for (const image of [...disk.images(), ...disk.images({ torn: true })]) {
      const hash = createHash('sha1');
      for (const [name, content] of [...image].sort(([a], [b]) => a.localeCompare(b))) {
        hash.update(`${name}\0${content.length}\0`).update(content);
      }
      const key = hash.digest('hex');
      const known = seen.get(key);
      // The same image later, with more acknowledged: the stricter check.
      if (known === undefined || known.acked < acked()) {
        seen.set(key, { image, acked: acked(), before: `${op} ${path}` });
      }
    }
  };
  return seen;
}

/** Opens each image with the real file system and checks it against what was acknowledged. */
async function checkImages(
  captures: Iterable<Capture>,
  acked: readonly string[],
  also?: (store: Store, image: DiskImage, c: Capture) => void,
): Promise<number> {
  let checked = 0;
  for (const c of captures) {
    const dir = await tempDir();
    await FaultDisk.materialize(c.image, dir);
    let store: Store;
    try {
      store = await openStore(dir, { testing: { files: UNFLUSHED_FILES } });
    } catch (error) {
      throw new Error(`a power loss before "${c.before}" leaves a store that does not open`, {
        cause: error,
      });
    }
    try {
      const ids = new Set(store.audit(0, 1_000_000).items.map((a) => a.id));
      const missing = acked.slice(0, c.acked).filter((id) => !ids.has(id));
      expect(missing, `lost by a power loss before "${c.before}"`).toEqual([]);
      expect(store.repaired()?.lost ?? null, `before "${c.before}"`).toBeNull();
      also?.(store, c.image, c);
    } finally {
      await store.close();
    }
    await rm(dir, { recursive: true, force: true });
    checked++;
  }
  return checked;
}

const entry = (id: string, label?: string) => [
  { t: 'audit' as const, v: auditEntry(id, label === undefined ? {} : { label }) },
];

describe('a power loss at any moment', () => {
  it('keeps every acknowledged commit: appends, group commits, compactions with commits during them, a reopen', async () => {
    const dir = await tempDir();
    const disk = new FaultDisk(dir);
    const acked: string[] = [];
    const captures = capture(disk, () => acked.length);
    /** Commits made once a compaction has captured the state: its new journal keeps them. */
    let during: string[] = [];
    const options: StoreOptions = {
      compactThresholdBytes: 3000,
      testing: {
        files: disk,
        onCompactionStep: async (step) => {
          if (step !== 'snapshot-temp-written') return;
          await Promise.all(during.map((id) => commit(id)));
          during = [];
        },
      },
    };
    let store = await openStore(dir, options);
    open.push(store);
    const commit = (id: string) =>
      store.commit(entry(id)).then(() => {
        acked.push(id);
      });
    for (let round = 0; round < 8; round++) {
      await Promise.all([0, 1, 2].map((i) => commit(`r${round}-${i}`)));
      if (round % 3 === 1) {
        during = [`c${round}-0`, `c${round}-1`];
        await store.compact();
        expect(during).toEqual([]);
      }
    }
    await store.close();
    store = await openStore(dir, options);
    open.push(store);
    for (let i = 0; i < 3; i++) await commit(`after-reopen-${i}`);
    await store.close();
    // Snapshot and journal renamed at each compaction (two asked, one at each close).
    expect(disk.counts.rename).toBeGreaterThanOrEqual(8);
    expect(await checkImages(captures.values(), acked)).toBeGreaterThan(50);
  }, 180_000);

  it('keeps a commit of over a megabyte (appended through the thread pool)', async () => {
    const dir = await tempDir();
    const first = await openStore(dir);
    await first.close();
    const disk = new FaultDisk(dir);
    const acked: string[] = [];
    const captures = capture(disk, () => acked.length);
    const store = await openStore(dir, { testing: { files: disk } });
    open.push(store);
    for (const [id, label] of [['a1'], ['big', 'x'.repeat(1_200_000)], ['a2']] as const) {
      await store.commit(entry(id, label));
      acked.push(id);
    }
    disk.onOp = null;
    await checkImages(captures.values(), acked);
  }, 180_000);

  it('keeps the commits made in a journal created for a snapshot alone (a restored backup)', async () => {
    const dir = await tempDir();
    const first = await openStore(dir);
    await first.commit([{ t: 'payment', v: payment('p1') }]);
    await first.close();
    await rm(join(dir, 'paydesk.journal'));
    await rm(join(dir, 'paydesk.mark'));
    const disk = new FaultDisk(dir);
    const acked: string[] = [];
    const captures = capture(disk, () => acked.length);
    const store = await openStore(dir, { testing: { files: disk } });
    open.push(store);
    for (let i = 0; i < 3; i++) {
      await store.commit(entry(`a${i}`));
      acked.push(`a${i}`);
    }
    disk.onOp = null;
    // An image of now, with nothing more written: the journal's name must have been flushed.
    for (const image of disk.images()) {
      captures.set(`now-${captures.size}`, { image, acked: acked.length, before: 'the end' });
    }
    await checkImages(captures.values(), acked, (s) => {
      expect(s.getPayment('p1')?.id).toBe('p1');
    });
  }, 180_000);

  it('never loses the bytes cut from a torn journal, cuts them once, and keeps the durable mark', async () => {
    // The files a crash left: a journal with good lines and a torn end, and no mark (an
    // earlier Paydesk wrote none).
    const live = await tempDir();
    const crashed = await openStore(live);
    open.push(crashed);
    await crashed.commit([{ t: 'payment', v: payment('p0') }]);
    await crashed.compact();
    for (let i = 1; i <= 3; i++) await crashed.commit(entry(`old${i}`));
    const dir = await tempDir();
    for (const f of ['paydesk.json', 'paydesk.journal']) {
      await copyFile(join(live, f), join(dir, f));
    }
    const good = await readFile(join(dir, 'paydesk.journal'));
    const tornBytes = Buffer.from('{"seq":5,"crc":12,"chan');
    await appendFile(join(dir, 'paydesk.journal'), tornBytes);

    const disk = new FaultDisk(dir);
    const acked = ['old1', 'old2', 'old3'];
    const captures = capture(disk, () => acked.length);
    const store = await openStore(dir, { testing: { files: disk } });
    open.push(store);
    expect(store.repaired()).toMatchObject({ keptSeq: 4, lost: null });
    // Right after the open: the cut is durable (a reopen finds nothing to cut).
    const afterOpen = disk.images();
    for (let i = 0; i < 3; i++) {
      await store.commit(entry(`a${i}`));
      acked.push(`a${i}`);
    }
    await sleep(MARK_DELAY_MS * 2);
    disk.onOp = null;
    const markNow = disk.images();

    const keepsTheCut = (image: DiskImage): void => {
      const journal = image.get('paydesk.journal') ?? Buffer.alloc(0);
      const saved = [...image].filter(([name]) => name.startsWith('paydesk.journal.cut-'));
      const inJournal = journal.length >= good.length + tornBytes.length;
      const inFile = saved.some(([, content]) => content.equals(tornBytes));
      expect(inJournal || inFile, 'the cut bytes are somewhere').toBe(true);
    };
    await checkImages(captures.values(), acked, (_, image) => keepsTheCut(image));
    for (const image of afterOpen) {
      const reopened = await tempDir();
      await FaultDisk.materialize(image, reopened);
      const again = await openStore(reopened);
      open.push(again);
      expect(again.repaired(), 'cut again after a power loss').toBeNull();
      keepsTheCut(image);
      expect((await readdir(reopened)).filter((n) => n.includes('.cut-'))).toHaveLength(1);
    }
    for (const image of markNow) {
      const mark = image.get('paydesk.mark')?.toString('latin1') ?? '';
      expect(mark, 'the mark after a power loss').toMatch(
        new RegExp(`^\\{"durableSeq":${store.commitSeq()}\\} *\\n$`),
      );
    }
  }, 180_000);
});
