/**
 * The lock's generations on real files: what each kind of highest generation means (running,
 * exited, released, no pid yet), the pruning, an earlier version's `paydesk.lock`, a process
 * that re-created a pruned generation and must back off, and a file system without hard
 * links. Two processes racing are in test/integration/store-lock-race.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { link, readdir, utimes, writeFile } from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/main/core/ports';
import { openStore, StoreError } from '../../src/main/core/store/index';
import { lockOf, removeTempDirs, tempDir } from './store-fixtures';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return { ...actual, link: vi.fn(actual.link), readdir: vi.fn(actual.readdir) };
});

const opened: Store[] = [];
async function openTracked(dir: string, log?: (msg: string) => void): Promise<Store> {
  const store = await openStore(dir, { log });
  opened.push(store);
  return store;
}

afterEach(async () => {
  vi.mocked(link).mockReset();
  vi.mocked(readdir).mockReset();
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

/** The pid of a process that has exited (and been reaped). */
const exitedPid = (): number => {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid;
  expect(pid).toBeGreaterThan(0);
  return pid;
};

async function refusal(dir: string): Promise<StoreError> {
  const error = await openStore(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('locked');
  return error as StoreError;
}

const lockFiles = async (dir: string) =>
  (await readdir(dir)).filter((name) => name.startsWith('paydesk.lock')).sort();

describe('the highest generation', () => {
  it('of a process that exited is taken over, said in the log; the ones below are deleted', async () => {
    const dir = await tempDir();
    const gone = exitedPid();
    await writeFile(join(dir, 'paydesk.lock.3'), 'released\n');
    await writeFile(join(dir, 'paydesk.lock.4'), `${gone}\n`);
    const logs: string[] = [];
    await openTracked(dir, (m) => logs.push(m));
    expect(await lockFiles(dir)).toEqual(['paydesk.lock.5']);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.5', text: String(process.pid) });
    expect(logs).toContain(
      `${join(dir, 'paydesk.lock.4')}: took over the lock of pid ${gone}, which is no longer running`,
    );
  });

  it('released is taken without a word, and a release never deletes it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'paydesk.lock.7'), 'released\n');
    const logs: string[] = [];
    const store = await openTracked(dir, (m) => logs.push(m));
    expect(logs.filter((m) => m.includes('lock'))).toEqual([]);
    await store.close();
    expect(await lockFiles(dir)).toEqual(['paydesk.lock.8']);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.8', text: 'released' });
  });

  it('of a running process refuses, naming the pid and the file, and changes nothing', async () => {
    const dir = await tempDir();
    // The parent of this test process runs.
    await writeFile(join(dir, 'paydesk.lock.2'), `${process.ppid}\n`);
    const error = await refusal(dir);
    expect(error.message).toBe(
      `another Paydesk process (pid ${process.ppid}) is using ${dir}; close it first ` +
        `(if none is running, delete ${join(dir, 'paydesk.lock.2')})`,
    );
    expect(await readdir(dir)).toEqual(['paydesk.lock.2']);
  });

  it('without a pid yet refuses for a few seconds, then is taken over', async () => {
    const dir = await tempDir();
    const file = join(dir, 'paydesk.lock.1');
    await writeFile(file, '');
    expect((await refusal(dir)).message).toContain(`another Paydesk process is using ${dir}`);
    const past = new Date(Date.now() - 10_000);
    await utimes(file, past, past);
    const logs: string[] = [];
    await openTracked(dir, (m) => logs.push(m));
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.2', text: String(process.pid) });
    expect(logs.join('\n')).toContain(`${file}: took over a lock without a pid`);
  });

  it('is read from the names of generations only (temp files and odd names do not count)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'paydesk.lock.9.abc.tmp'), `${process.ppid}\n`);
    await writeFile(join(dir, 'paydesk.lock.010'), `${process.ppid}\n`);
    await openTracked(dir);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: String(process.pid) });
  });
});

describe("an earlier version's paydesk.lock", () => {
  it('of a running process refuses', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'paydesk.lock'), `${process.ppid}\n`);
    expect((await refusal(dir)).message).toContain(
      `(pid ${process.ppid}) is using ${dir}; close it first (if none is running, delete ${join(dir, 'paydesk.lock')})`,
    );
  });
});

describe('a process that re-created a pruned generation', () => {
  it('sees the newer generation after creating its own, removes its own and is refused', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'paydesk.lock.4'), 'released\n');
    await openTracked(dir); // holds generation 5; 4 is deleted
    // A process that listed the directory long ago, saw 3 (released) as the highest and
    // stalled; meanwhile 4 was created and deleted again, so its exclusive create succeeds.
    await writeFile(join(dir, 'paydesk.lock.3'), 'released\n');
    vi.mocked(readdir).mockImplementationOnce(
      // The overloads of readdir cannot be named by one function: this one answers names.
      (() => Promise.resolve(['paydesk.lock.3'])) as unknown as typeof readdir,
    );
    const error = await refusal(dir);
    expect(error.message).toContain(`(pid ${process.pid}) is using ${dir}`);
    expect(error.file).toBe(join(dir, 'paydesk.lock.5'));
    expect(await lockFiles(dir)).toEqual(['paydesk.lock.3', 'paydesk.lock.5']);
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.5', text: String(process.pid) });
  });
});

describe('a file system without hard links', () => {
  it('creates the generation exclusively, then writes its pid', async () => {
    vi.mocked(link).mockRejectedValue(
      Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }),
    );
    const dir = await tempDir();
    const store = await openTracked(dir);
    expect(vi.mocked(link)).toHaveBeenCalled();
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: String(process.pid) });
    await refusal(dir);
    await store.close();
    expect(await lockOf(dir)).toEqual({ file: 'paydesk.lock.1', text: 'released' });
    await openTracked(dir);
    expect(await lockFiles(dir)).toEqual(['paydesk.lock.2']);
  });
});
