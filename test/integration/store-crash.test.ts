/**
 * Crash safety of the store on real files: a copy of the data directory taken at each step
 * of a compaction (what a crash there would leave) reopens with every acknowledged commit
 * exactly once; a writer process killed with SIGKILL mid-stream loses no acknowledged commit.
 */
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompactionStep } from '../../src/main/core/store/index';
import { isLockFile } from '../../src/main/core/store/files';
import { openStore } from '../../src/main/core/store/index';
import type { Store } from '../../src/main/core/ports';
import { auditEntry, payment, removeTempDirs, tempDir } from '../unit/store-fixtures';

afterEach(removeTempDirs);

/** Audit ids oldest first. */
const auditIds = (store: Store) =>
  store
    .audit(0, 1_000_000)
    .items.map((a) => a.id)
    .reverse();

/** Commit k adds payment p<k> and audit entry a<k>: the audit log then reads a0, a1, ... */
const commitNo = (store: Store, k: number) =>
  store.commit([
    { t: 'payment', v: payment(`p${k}`) },
    { t: 'audit', v: auditEntry(`a${k}`) },
  ]);

/** Checks a reopened store holds commits 0..n-1, each once, and nothing else; returns n. */
function expectPrefix(store: Store): number {
  const ids = auditIds(store);
  expect(ids).toEqual(ids.map((_, k) => `a${k}`));
  expect(store.paymentCount()).toBe(ids.length);
  for (let k = 0; k < ids.length; k++) expect(store.getPayment(`p${k}`)).toBeDefined();
  return ids.length;
}

describe('a crash during compaction', () => {
  it('at any step leaves files that reopen with every acknowledged commit exactly once', async () => {
    const live = await tempDir();
    const crashes: { step: CompactionStep; dir: string; acked: number }[] = [];
    let issued = 0;
    let acked = 0;
    const inFlight: Promise<void>[] = [];
    let store: Store | null = null;
    let closing = false;
    const issue = (s: Store) => {
      const k = issued++;
      const p = commitNo(s, k).then(() => {
        acked = Math.max(acked, k + 1);
      });
      inFlight.push(p);
      return p;
    };
    store = await openStore(live, {
      testing: {
        onCompactionStep: async (step) => {
          // Commits keep coming while the compaction runs (not awaited: a journal step runs
          // on the journal's own queue).
          if (store !== null && !closing) for (let i = 0; i < 3; i++) void issue(store);
          await new Promise((r) => setTimeout(r, 5));
          const dir = await tempDir();
          // Synchronous: nothing moves on disk while the copy is taken.
          cpSync(live, dir, { recursive: true, filter: (src) => !isLockFile(basename(src)) });
          crashes.push({ step, dir, acked });
        },
      },
    });
    for (let i = 0; i < 10; i++) await issue(store);
    await store.compact();
    for (let i = 0; i < 5; i++) await issue(store);
    await store.compact();
    await Promise.all(inFlight);
    closing = true;
    await store.close();

    const steps = new Set(crashes.map((c) => c.step));
    expect(steps).toEqual(
      new Set([
        'snapshot-temp-written',
        'snapshot-renamed',
        'journal-temp-written',
        'journal-replaced',
      ]),
    );
    for (const crash of crashes) {
      const reopened = await openStore(crash.dir);
      try {
        const n = expectPrefix(reopened);
        expect(n).toBeGreaterThanOrEqual(crash.acked);
        expect(n).toBeLessThanOrEqual(issued);
      } finally {
        await reopened.close();
      }
      // And once more after the compaction at close.
      const again = await openStore(crash.dir);
      expect(expectPrefix(again)).toBeGreaterThanOrEqual(crash.acked);
      await again.close();
    }
    const final = await openStore(live);
    expect(expectPrefix(final)).toBe(issued);
    await final.close();
  });
});

describe('a writer killed with SIGKILL', () => {
  const fixture = resolve(__dirname, 'fixtures', 'store-writer.ts');

  /** Runs the writer until it has acknowledged `until` commits, then kills it. */
  function runAndKill(dir: string, until: number): Promise<{ acked: number[]; startedAt: number }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, '20000'], {
        cwd: resolve(__dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const acked: number[] = [];
      let startedAt = -1;
      let buffer = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('open ')) startedAt = Number(line.slice(5));
          else acked.push(Number(line));
        }
        if (acked.length >= until && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') done({ acked, startedAt });
        else fail(new Error(`writer exited with ${code}: ${stderr}`));
      });
    });
  }

  it('loses no acknowledged commit, round after round', async () => {
    const dir = await tempDir();
    let total = 0;
    for (const until of [150, 37, 400]) {
      const { acked, startedAt } = await runAndKill(dir, until);
      expect(startedAt).toBe(total);
      expect(acked.length).toBeGreaterThanOrEqual(until);
      const store = await openStore(dir);
      try {
        total = expectPrefix(store);
        for (const k of acked) expect(store.getPayment(`p${k}`)?.id).toBe(`p${k}`);
        expect(total).toBeGreaterThanOrEqual(Math.max(...acked) + 1);
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
