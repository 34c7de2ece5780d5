/**
 * Journal recovery: a torn last line (a crash mid-append) is cut, its bytes saved beside the
 * journal, and reported; every earlier commit survives; damage anywhere else refuses the open
 * and leaves the bytes as they were (store-damage.test.ts: telling a torn write from lost
 * commits).
 * "Crashes" are copies of a live store's files (what a killed process leaves behind).
 * Payments and subscriptions are journaled as tuples since schema 3; older lines still replay.
 */
import { copyFile, readFile, readdir, writeFile, appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/main/core/store/index';
import { journalLine } from '../../src/main/core/store/journal';
import { SUBSCRIPTION_TUPLE } from '../../src/main/core/store/journal-codec';
import { SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import { withoutChecksum } from '../helpers/snapshot-checksum';
import type { Store } from '../../src/main/core/ports';
import {
  at,
  auditEntry,
  lockOf,
  payment,
  removeTempDirs,
  subscription,
  tempDir,
} from './store-fixtures';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

/** The files of a store that was killed after `n` acknowledged commits (a1..an audit entries). */
async function crashedAfter(n: number): Promise<string> {
  const live = await tempDir();
  const store = await openStore(live);
  open.push(store);
  await store.commit([{ t: 'payment', v: payment('p0') }]);
  await store.compact(); // so the snapshot holds commit 1 and the journal the rest
  for (let i = 1; i <= n; i++) await store.commit([{ t: 'audit', v: auditEntry(`a${i}`) }]);
  const dir = await tempDir();
  for (const f of ['paydesk.json', 'paydesk.journal']) await copyFile(join(live, f), join(dir, f));
  return dir;
}

const journalOf = (dir: string) => join(dir, 'paydesk.journal');

async function reopen(dir: string) {
  const logs: string[] = [];
  const store = await openStore(dir, { log: (m) => logs.push(m) });
  open.push(store);
  return { store, logs };
}

const auditIds = (store: Store) =>
  store
    .audit(0, 1000)
    .items.map((a) => a.id)
    .reverse();

describe('a torn last journal line', () => {
  it.each([
    ['garbage', async (path: string) => appendFile(path, 'garbage{')],
    ['garbage ending in a newline', async (path: string) => appendFile(path, '%%%\n')],
    ['zero bytes', async (path: string) => appendFile(path, Buffer.alloc(300))],
    [
      'half a line',
      async (path: string) => {
        const lines = (await readFile(path, 'utf8')).split('\n');
        const line = lines[lines.length - 2] as string;
        await appendFile(path, line.replace('"seq":3', '"seq":4').slice(0, line.length >> 1));
      },
    ],
    [
      'a line with a bad checksum',
      async (path: string) => {
        const lines = (await readFile(path, 'utf8')).split('\n');
        const line = (lines[lines.length - 2] as string).replace('"seq":3', '"seq":4');
        await appendFile(
          path,
          line.replace(/"crc":(\d+)/, (_, c: string) => `"crc":${Number(c) + 1}`) + '\n',
        );
      },
    ],
  ])('(%s) is cut and reported; every earlier commit is there', async (_, tear) => {
    const dir = await crashedAfter(2); // journal: seq 2 and 3
    const before = await readFile(journalOf(dir));
    await tear(journalOf(dir));
    const torn = await readFile(journalOf(dir));
    const { store, logs } = await reopen(dir);
    expect(store.getPayment('p0')).toBeDefined();
    expect(auditIds(store)).toEqual(['a1', 'a2']);
    expect(logs.join('\n')).toMatch(/paydesk\.journal: its end did not read as a commit \(line 3/);
    // The journal is back to its good lines, the cut bytes saved beside it (reported), and
    // new commits follow them.
    expect((await readFile(journalOf(dir))).equals(before)).toBe(true);
    const [cut, ...more] = (await readdir(dir)).filter((n) => n.startsWith('paydesk.journal.cut-'));
    expect(more).toEqual([]);
    expect(logs.join('\n')).toContain(`saved as ${join(dir, cut as string)}`);
    const saved = await readFile(join(dir, cut as string));
    expect(Buffer.concat([before, saved]).equals(torn)).toBe(true);
    expect(store.repaired()).toMatchObject({ savedAs: join(dir, cut as string), keptSeq: 3 });
    await store.commit([{ t: 'audit', v: auditEntry('a3') }]);
    await store.close();
    const { store: again, logs: quiet } = await reopen(dir);
    expect(auditIds(again)).toEqual(['a1', 'a2', 'a3']);
    expect(quiet).toEqual([]);
  });

  it('without its newline is cut and not applied, even when complete', async () => {
    const dir = await crashedAfter(3);
    const text = await readFile(journalOf(dir), 'utf8');
    await writeFile(journalOf(dir), text.slice(0, -1));
    const { store, logs } = await reopen(dir);
    expect(auditIds(store)).toEqual(['a1', 'a2']);
    expect(logs.join('\n')).toMatch(/no newline/);
  });
});

describe('damage before the last journal line', () => {
  async function expectRefused(dir: string, line: number) {
    const bytes = await readFile(journalOf(dir));
    const snapshot = await readFile(join(dir, 'paydesk.json'));
    const error = await openStore(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('corrupt');
    expect((error as StoreError).message).toContain(`${journalOf(dir)} is damaged at line ${line}`);
    expect((await readFile(journalOf(dir))).equals(bytes)).toBe(true);
    expect((await readFile(join(dir, 'paydesk.json'))).equals(snapshot)).toBe(true);
    expect((await lockOf(dir))?.text).toBe('released');
  }

  it('refuses a bad checksum in the middle', async () => {
    const dir = await crashedAfter(4);
    const lines = (await readFile(journalOf(dir), 'utf8')).split('\n');
    lines[1] = (lines[1] as string).replace(
      /"crc":(\d+)/,
      (_, c: string) => `"crc":${Number(c) ^ 1}`,
    );
    await writeFile(journalOf(dir), lines.join('\n'));
    await expectRefused(dir, 2);
  });

  it('refuses a changed record in the middle (the checksum no longer matches)', async () => {
    const dir = await crashedAfter(4);
    const text = await readFile(journalOf(dir), 'utf8');
    await writeFile(journalOf(dir), text.replace('"a2"', '"b2"'));
    await expectRefused(dir, 2);
  });

  it('refuses garbage followed by good lines', async () => {
    const dir = await crashedAfter(2);
    const text = await readFile(journalOf(dir), 'utf8');
    const [first, ...rest] = text.split('\n');
    await writeFile(journalOf(dir), [first, 'garbage', ...rest].join('\n'));
    await expectRefused(dir, 2);
  });

  it('refuses a missing commit', async () => {
    const dir = await crashedAfter(4);
    const lines = (await readFile(journalOf(dir), 'utf8')).split('\n');
    lines.splice(1, 1);
    await writeFile(journalOf(dir), lines.join('\n'));
    await expectRefused(dir, 2);
  });

  it('refuses a journal that starts after the snapshot ends', async () => {
    const dir = await crashedAfter(3);
    await rm(join(dir, 'paydesk.json'));
    const error = await openStore(dir).then(
      () => null,
      (e: unknown) => e as StoreError,
    );
    expect(error?.code).toBe('corrupt');
    expect(error?.message).toMatch(/line 1: it holds commit 2 but the snapshot ends at commit 0/);
  });
});

it('replays a journal whose snapshot was never written (crash before the first compaction)', async () => {
  const live = await tempDir();
  const store = await openStore(live);
  open.push(store);
  const dir = await tempDir();
  await store.commit([{ t: 'payment', v: payment('p1') }]);
  await copyFile(journalOf(live), journalOf(dir));
  const { store: again } = await reopen(dir);
  expect(again.getPayment('p1')).toBeDefined();
});

it('replays lines holding text beyond ASCII (the checksum is over the UTF-8 bytes)', async () => {
  const live = await tempDir();
  const store = await openStore(live);
  open.push(store);
  const dir = await tempDir();
  const p = { ...payment('p1'), description: 'Café Zoë ☕ 💳 für 3 €' };
  await store.commit([{ t: 'payment', v: p }]);
  await store.commit([{ t: 'audit', v: auditEntry('a1') }]);
  await copyFile(journalOf(live), journalOf(dir));
  const { store: again, logs } = await reopen(dir);
  expect(logs).toEqual([]);
  expect(again.getPayment('p1')?.description).toBe(p.description);
  expect(auditIds(again)).toEqual(['a1']);
});

describe('the journal encoding (journal-codec.ts)', () => {
  /** A store's files holding p0 in the snapshot and `lines` of changes in the journal after it. */
  async function directoryWith(lines: unknown[][]): Promise<string> {
    const dir = await crashedAfter(0); // the snapshot ends at commit 1
    let seq = 1;
    const text = lines.map((changes) => journalLine(++seq, JSON.stringify(changes)));
    await writeFile(journalOf(dir), Buffer.concat(text));
    return dir;
  }

  it('writes payments and subscriptions as tuples, and reads them back', async () => {
    const live = await tempDir();
    const store = await openStore(live);
    open.push(store);
    const p = payment('p1', { status: 'REFUNDED', refundedAmount: 1250, updatedAt: at(5) });
    const s = subscription('s1', { waivedPeriods: [2, 3], retryAt: at(9) });
    await store.commit([
      { t: 'payment', v: p },
      { t: 'subscription', v: s },
    ]);
    const line = JSON.parse(await readFile(journalOf(live), 'utf8')) as {
      changes: { t: string; v: unknown }[];
    };
    expect(line.changes.map((c) => [c.t, Array.isArray(c.v)])).toEqual([
      ['payment', true],
      ['subscription', true],
    ]);
    const dir = await tempDir();
    await copyFile(journalOf(live), journalOf(dir));
    const { store: again } = await reopen(dir);
    expect(again.getPayment('p1')).toEqual(p);
    expect(again.getSubscription('s1')).toEqual(s);
  });

  it('replays lines written before schema 3 (records as objects), and migrates the snapshot', async () => {
    const dir = await directoryWith([
      [{ t: 'payment', v: payment('p1') }],
      [{ t: 'subscription', v: subscription('s1') }],
    ]);
    const snapshot = join(dir, 'paydesk.json');
    const current = `"schemaVersion":${SCHEMA_VERSION},`;
    const text = await readFile(snapshot, 'utf8');
    expect(text).toContain(current);
    await writeFile(snapshot, withoutChecksum(text).replace(current, '"schemaVersion":2,'));
    const { store } = await reopen(dir);
    expect(store.getPayment('p1')).toEqual(payment('p1'));
    expect(store.getSubscription('s1')).toEqual(subscription('s1'));
    expect(await readFile(snapshot, 'utf8')).toContain(current);
  });

  it('replays a schema 3 journal line with an HTTP-response idempotency record, dropping only it', async () => {
    const response = { key: 'k1', fingerprint: 'f', status: 201, body: '{}', createdAt: at(0) };
    const dir = await directoryWith([
      [
        { t: 'idempotency', v: response },
        { t: 'audit', v: auditEntry('a1') },
      ],
    ]);
    const { store } = await reopen(dir);
    expect(auditIds(store)).toEqual(['a1']);
    expect(store.getIdempotencyRecord('k1')).toBeUndefined();
  });

  it('refuses a tuple that is not a record, naming the field', async () => {
    const sub = subscription('s1');
    const tuple: unknown[] = SUBSCRIPTION_TUPLE.map((field) => sub[field]);
    tuple[SUBSCRIPTION_TUPLE.indexOf('amount')] = 'twelve';
    const dir = await directoryWith([
      [{ t: 'subscription', v: tuple }],
      [{ t: 'audit', v: auditEntry('a1') }],
    ]);
    const error = await openStore(dir).then(
      () => null,
      (e: unknown) => e as StoreError,
    );
    expect(error?.code).toBe('corrupt');
    expect(error?.message).toMatch(/line 1: change 0: subscription: amount: .*expected number/);
  });
});
