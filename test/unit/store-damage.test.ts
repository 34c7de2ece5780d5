/**
 * Damage is never silent and nothing is thrown away:
 *  - the snapshot's checksum (store/checksum.ts): a changed byte anywhere (a digit of an
 *    amount, 21.00 read as 91.00) refuses the open, naming the file, and changes nothing;
 *  - a journal's end that does not read is cut only after its bytes are saved beside it,
 *    and reported; whether commits that had been confirmed are lost is told by the durable
 *    mark (store/mark.ts, the rule in store/journal.ts's header), with their numbers: a
 *    journal cut short (to half its length, or at a line's end) or replaced by an older copy
 *    is not taken for a torn write.
 * "Crashes" are copies of a live store's files, as a killed process leaves them.
 */
import { copyFile, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/core/ports';
import { openStore, StoreError } from '../../src/main/core/store/index';
import { MARK_DELAY_MS } from '../../src/main/core/store/mark';
import { auditEntry, lockOf, payment, removeTempDirs, tempDir } from './store-fixtures';
import { withoutChecksum } from '../helpers/snapshot-checksum';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

async function opened(dir: string) {
  const logs: string[] = [];
  const store = await openStore(dir, { log: (m) => logs.push(m) });
  open.push(store);
  return { store, logs };
}

async function refused(dir: string): Promise<StoreError> {
  const error = await openStore(dir).then(
    (s) => {
      open.push(s);
      return null;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('corrupt');
  return error as StoreError;
}

const auditIds = (store: Store) =>
  store
    .audit(0, 10_000)
    .items.map((a) => a.id)
    .reverse();

describe("the snapshot's checksum", () => {
  /** A closed store holding a payment of 21.00 USD and an audit entry. */
  async function closedStore() {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.commit([
      { t: 'payment', v: payment('p1', { amount: 2100 }) },
      { t: 'audit', v: auditEntry('a1') },
    ]);
    await store.close();
    const path = join(dir, 'paydesk.json');
    return { dir, path, text: await readFile(path, 'utf8') };
  }

  it('is written with every snapshot, and a snapshot that matches it opens', async () => {
    const { dir, text } = await closedStore();
    expect(text).toMatch(/^\{"crc32":"[0-9a-f]{8}","schemaVersion":/);
    const { store, logs } = await opened(dir);
    expect(store.getPayment('p1')?.amount).toBe(2100);
    expect(logs).toEqual([]);
  });

  it.each([
    ['a digit of the amount in the payment (21.00 → 91.00)', 'body'],
    ['a digit of the amount in the money columns (21.00 → 91.00)', 'column'],
  ])('refuses %s at open, naming the file, and changes nothing', async (_, where) => {
    const { dir, path, text } = await closedStore();
    const at = where === 'body' ? text.lastIndexOf('2100') : text.indexOf('"amount":[2100');
    const digit = where === 'body' ? at : at + '"amount":['.length;
    expect(text[digit]).toBe('2');
    const flipped = `${text.slice(0, digit)}9${text.slice(digit + 1)}`;
    await writeFile(path, flipped);
    const error = await refused(dir);
    expect(error.file).toBe(path);
    expect(error.message).toContain(`${path} is damaged`);
    expect(error.message).toMatch(/does not match its checksum/);
    expect(error.message).toContain('Nothing was changed');
    expect(await readFile(path, 'utf8')).toBe(flipped);
    expect((await lockOf(dir))?.text).toBe('released');
  });

  it('refuses a changed byte in the header, a record, or the checksum itself', async () => {
    for (const change of [
      (t: string) => t.replace('"journalSeq":1', '"journalSeq":7'),
      (t: string) => t.replace('"label":"audit a1"', '"label":"audit b1"'),
      (t: string) =>
        t.replace(/"crc32":"(.)/, (_, c: string) => `"crc32":"${c === 'f' ? 'e' : 'f'}`),
      (t: string) => t.replace('"crc32"', '"crc3Z"'),
    ]) {
      const { dir, path, text } = await closedStore();
      await writeFile(path, change(text));
      expect((await refused(dir)).message).toMatch(/checksum/);
    }
  });

  it('is checked by a read-only open too (a backup being verified)', async () => {
    const { dir, path, text } = await closedStore();
    await writeFile(path, text.replace('"label":"audit a1"', '"label":"audit b1"'));
    const error = await openStore(dir, { readOnly: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'corrupt' });
  });

  it('is not asked of a snapshot written before it (read as before, given one when rewritten)', async () => {
    const { dir, path, text } = await closedStore();
    await writeFile(path, withoutChecksum(text));
    const { store } = await opened(dir);
    expect(store.getPayment('p1')?.amount).toBe(2100);
    await store.close();
    expect(await readFile(path, 'utf8')).toMatch(/^\{"crc32":"[0-9a-f]{8}",/);
  });
});

describe('a journal whose end does not read', () => {
  /**
   * The files a killed store left after `n` acknowledged commits (a1..an, one line each
   * after the snapshot's commit 1), its mark caught up (or not, `mark: false`).
   */
  async function crashedAfter(n: number, mark = true) {
    const live = await tempDir();
    const store = await openStore(live);
    open.push(store);
    await store.commit([{ t: 'payment', v: payment('p0') }]);
    await store.compact();
    for (let i = 1; i <= n; i++) await store.commit([{ t: 'audit', v: auditEntry(`a${i}`) }]);
    if (mark) await sleep(MARK_DELAY_MS * 2);
    const dir = await tempDir();
    const names = ['paydesk.json', 'paydesk.journal', ...(mark ? ['paydesk.mark'] : [])];
    for (const f of names) await copyFile(join(live, f), join(dir, f));
    const journal = join(dir, 'paydesk.journal');
    return { dir, journal, bytes: await readFile(journal) };
  }

  const cutFiles = async (dir: string) =>
    (await readdir(dir)).filter((n) => n.startsWith('paydesk.journal.cut-'));

  it('cut to half its length: the lost commits are reported with their numbers, the cut bytes saved', async () => {
    const { dir, journal, bytes } = await crashedAfter(50);
    const half = Math.floor(bytes.length / 2);
    await truncate(journal, half);
    const { store, logs } = await opened(dir);
    const repair = store.repaired();
    expect(repair).not.toBeNull();
    const kept = repair?.keptSeq ?? 0;
    expect(kept).toBeGreaterThan(1);
    expect(kept).toBeLessThan(51);
    expect(repair?.lost).toEqual({ from: kept + 1, to: 51 });
    expect(repair?.message).toContain(`Commits ${kept + 1} to 51 were confirmed and are missing`);
    expect(repair?.message).not.toMatch(/never/);
    expect(logs).toContain(repair?.message);
    expect(auditIds(store)).toEqual(Array.from({ length: kept - 1 }, (_, i) => `a${i + 1}`));
    // Nothing thrown away: the journal's good lines and the saved bytes make the cut file.
    const [cut] = await cutFiles(dir);
    expect(repair?.savedAs).toBe(join(dir, cut as string));
    const saved = await readFile(join(dir, cut as string));
    expect(Buffer.concat([await readFile(journal), saved]).equals(bytes.subarray(0, half))).toBe(
      true,
    );
    // Reported once: the state accepted, the next open has nothing to say.
    await store.commit([{ t: 'audit', v: auditEntry('after') }]);
    await store.close();
    const again = await opened(dir);
    expect(again.store.repaired()).toBeNull();
    expect(again.logs).toEqual([]);
  });

  it('cut at the end of a line: nothing to cut, the lost commits are reported all the same', async () => {
    const { dir, journal, bytes } = await crashedAfter(10);
    const lines = bytes.toString('utf8').split('\n');
    await writeFile(journal, lines.slice(0, 4).join('\n') + '\n');
    const { store } = await opened(dir);
    expect(store.repaired()).toMatchObject({
      savedAs: null,
      keptSeq: 5,
      lost: { from: 6, to: 11 },
    });
    expect(await cutFiles(dir)).toEqual([]);
  });

  it('replaced by an older copy of the data: the commits missing are reported', async () => {
    const { dir } = await crashedAfter(5);
    await writeFile(join(dir, 'paydesk.journal'), '');
    const { store } = await opened(dir);
    expect(store.repaired()).toMatchObject({ savedAs: null, keptSeq: 1, lost: { from: 2, to: 6 } });
    expect(store.repaired()?.message).toMatch(/replaced by an older copy/);
  });

  it('torn in its last write (a crash): cut, saved, and said to hold nothing confirmed', async () => {
    const { dir, journal, bytes } = await crashedAfter(5);
    const torn = Buffer.from('{"seq":7,"crc":1234,"changes":[{"t":"au');
    await writeFile(journal, Buffer.concat([bytes, torn]));
    const { store } = await opened(dir);
    const repair = store.repaired();
    expect(repair).toMatchObject({ keptSeq: 6, lost: null });
    expect(repair?.message).toContain('line 6, commit 7');
    expect(repair?.message).toContain('Every commit known confirmed (up to 6) is kept');
    expect(await readFile(repair?.savedAs as string)).toEqual(torn);
    expect(auditIds(store)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('without a mark (an earlier Paydesk): cut and saved, saying that nothing tells what it held', async () => {
    const { dir, journal, bytes } = await crashedAfter(3, false);
    await truncate(journal, bytes.length - 10);
    const { store } = await opened(dir);
    expect(store.repaired()).toMatchObject({ keptSeq: 3, lost: null });
    expect(store.repaired()?.message).toMatch(/No record says whether/);
  });

  it('damaged before its end: the open is refused, nothing cut, saved or changed', async () => {
    const { dir, journal, bytes } = await crashedAfter(4);
    const damaged = Buffer.from(bytes.toString('latin1').replace('"a2"', '"b2"'), 'latin1');
    await writeFile(journal, damaged);
    const mark = await readFile(join(dir, 'paydesk.mark'));
    const error = await refused(dir);
    expect(error.message).toContain(`${journal} is damaged at line 2`);
    expect(await readFile(journal)).toEqual(damaged);
    expect(await readFile(join(dir, 'paydesk.mark'))).toEqual(mark);
    expect(await cutFiles(dir)).toEqual([]);
  });
});
