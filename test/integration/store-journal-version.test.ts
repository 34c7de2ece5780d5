/**
 * Journal lines say the schema version they were written in, and an older line's records
 * are migrated before they are replayed: a writer of today's version killed with SIGKILL
 * (its last commits only in the journal) is opened by a next version that adds a field
 * (test/unit/store-next-version.ts), and every acknowledged record is there, with the
 * field's default.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/main/core/store/index';
import { SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import { auditEntry, payment, removeTempDirs, tempDir } from '../unit/store-fixtures';
import { NEXT_VERSION, nextVersion, type NextPayment } from '../unit/store-next-version';

afterEach(removeTempDirs);

const writer = resolve(__dirname, 'fixtures', 'store-writer.ts');

/**
 * Runs the writer (store-writer.ts: commit k puts payment p<k> and audit entry a<k>) until it
 * has acknowledged `until` commits, then kills it; resolves with the commits acknowledged.
 */
function runAndKill(dir: string, until: number, threshold: number): Promise<number[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(threshold)], {
      cwd: resolve(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (!line.startsWith('open ')) acked.push(Number(line));
      if (acked.length >= until && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') done(acked);
      else fail(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

it('replays a killed writer’s journal into the next version, every record with the new field’s default', async () => {
  const dir = await tempDir();
  // A threshold that compacts now and then: some commits end in the snapshot, the last ones
  // only in the journal.
  const acked = await runAndKill(dir, 300, 20_000);
  const journal = (await readFile(join(dir, 'paydesk.journal'), 'utf8')).trim().split('\n');
  expect(journal.length).toBeGreaterThan(10);
  for (const line of journal.slice(0, -1)) {
    expect(line).toMatch(new RegExp(`^\\{"seq":\\d+,"crc":\\d+,"v":${SCHEMA_VERSION},"changes":`));
  }
  expect(await readFile(join(dir, 'paydesk.json'), 'utf8')).toContain(
    `"schemaVersion":${SCHEMA_VERSION},`,
  );

  const store = await openStore(dir, { testing: nextVersion() });
  try {
    const count = store.paymentCount();
    expect(count).toBeGreaterThanOrEqual(Math.max(...acked) + 1);
    // Every commit that was made, acknowledged or not yet, is there once, with the default.
    for (let k = 0; k < count; k++) {
      expect(store.getPayment(`p${k}`)).toEqual({
        ...payment(`p${k}`, { description: 'x'.repeat(k % 200) }),
        note: null,
      });
    }
    const audit = store.audit(0, count + 1).items;
    expect(audit).toHaveLength(count);
    for (const entry of audit) expect(entry).toEqual({ ...auditEntry(entry.id), reviewedBy: null });
    expect(await readFile(join(dir, 'paydesk.json'), 'utf8')).toContain(
      `"schemaVersion":${NEXT_VERSION},`,
    );
    const fresh: NextPayment = { ...payment('fresh'), note: 'new field' };
    await store.commit([{ t: 'payment', v: fresh }]);
    expect(await readFile(join(dir, 'paydesk.journal'), 'utf8')).toContain(`"v":${NEXT_VERSION},`);
    await store.close();

    const again = await openStore(dir, { testing: nextVersion() });
    expect(again.getPayment('fresh')).toEqual(fresh);
    expect(again.getPayment('p0')).toMatchObject({ note: null });
    await again.close();
  } finally {
    await store.close();
  }
}, 120_000);
