/**
 * Restoring a backup (backup.ts) into a data directory, for `npm run serve -- --restore` and
 * the desktop app's "Restore from backup…", with the core closed.
 *
 * A backup that does not verify (its checksums included) is refused before anything is
 * touched. Then, holding the directory's lock:
 *  1. the backup's files are copied into <dataDir>/restore-staging/ and synced, and a marker
 *     (restore.json) naming the folder the current data goes to is written there;
 *  2. Paydesk's own files (paydesk.json, paydesk.journal and every other paydesk.* but the
 *     lock's, gateway-ledger.jsonl) are moved into <dataDir>/before-restore-<when>/: never
 *     deleted;
 *  3. the marker says so ('moving-in'), and the staged files are moved into the directory;
 *  4. the staging folder is removed.
 * Every step is a rename inside the data directory (one file system, so a rename cannot
 * fail for lack of one), synced with the directory. A crash in between leaves the marker:
 * the next open of the directory (openCore, or another restore) finishes the restore from
 * where it stopped (`finishInterruptedRestore`) before anything reads the data, so the
 * directory never opens half restored; a staging folder without its marker (a crash during
 * the copy) holds only copies and is removed, the data untouched. Everything else in the directory (the API token,
 * the window's state, the backups folder, Electron's own files) stays as it is.
 */
import {
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BACKED_UP_FILES, verifyBackup, type BackupManifest } from './backup';
import { LEDGER_FILE_NAME } from './gateway/ledger-file';
import { errnoCode } from './store/errors';
import { fsyncDir, isLockFile, LOCK_FILE, TEMP_SUFFIX } from './store/files';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files';
import { acquireLock } from './store/lock';

const STAGING = 'restore-staging';
const MARKER = 'restore.json';
const ASIDE_PREFIX = 'before-restore-';

const markerSchema = z
  .object({
    phase: z.enum(['staged', 'moving-in']),
    /** The folder, in the data directory, where the data found there goes. */
    aside: z.string().startsWith(ASIDE_PREFIX),
    /** The backup restored (for the log). */
    backup: z.string(),
  })
  .strict();
type Marker = z.infer<typeof markerSchema>;

/**
 * The points of a restore between its durable steps, in order (tests kill a restoring
 * process at each: the next open must finish the restore, or find it never began).
 */
export const RESTORE_STEPS = [
  /** The backup's files are in the staging folder; no marker yet: nothing began. */
  'copied',
  /** The marker is written: from here on the restore is finished by the next open. */
  'staged',
  /** The first of the current files is in the aside folder. */
  'moving-aside',
  /** Every current file is aside; the marker says 'moving-in'. */
  'moving-in',
  /** The first of the backup's files is in place. */
  'moved-in',
  /** Every file is in place; the staging folder is not yet removed. */
  'in-place',
] as const;
export type RestoreStep = (typeof RESTORE_STEPS)[number];

/** For tests: called at each step, awaited. */
export interface RestoreHooks {
  onStep?: (step: RestoreStep) => void | Promise<void>;
}

export interface RestoreDone {
  /** Where the data directory's previous data now is. */
  aside: string;
  /** The manifest of the backup restored. */
  manifest: BackupManifest;
}

/**
 * Restores the backup in `backupDir` into `dataDir` (which no Paydesk may have open).
 * Throws a BackupError naming the file when the backup does not verify (nothing changed),
 * a StoreError 'locked' when the directory is in use.
 */
export async function restoreBackup(
  backupDir: string,
  dataDir: string,
  log: (message: string) => void,
  hooks: RestoreHooks = {},
): Promise<RestoreDone> {
  const from = resolve(backupDir);
  const dir = resolve(dataDir);
  const manifest = await verifyBackup(from, { checksums: true });
  await makePrivateDir(dir);
  const lock = await acquireLock(dir, join(dir, LOCK_FILE), log);
  try {
    // One a crash cut short first (its steps are not this restore's: no hooks).
    await finishLocked(dir, log, {}, 'resumed');
    const staging = join(dir, STAGING);
    await mkdir(staging, { mode: PRIVATE_DIR_MODE });
    for (const name of BACKED_UP_FILES) {
      await copyFile(join(from, name), join(staging, name));
      await syncFile(join(staging, name));
    }
    await fsyncDir(staging);
    await fsyncDir(dir);
    await hooks.onStep?.('copied');
    const aside = await freeAsideName(dir, new Date());
    await writeMarker(staging, { phase: 'staged', aside, backup: from });
    await hooks.onStep?.('staged');
    await finishLocked(dir, log, hooks, 'this one');
    log(
      `Restored the backup ${from} (commit ${manifest.commitSeq} of ${manifest.createdAt}) ` +
        `into ${dir}; the data it replaced is in ${join(dir, aside)}`,
    );
    return { aside: join(dir, aside), manifest };
  } finally {
    await lock.release();
  }
}

/**
 * Finishes a restore that a crash interrupted in `dataDir`, if there is one (answers
 * whether there was). Takes the directory's lock only then.
 */
export async function finishInterruptedRestore(
  dataDir: string,
  log: (message: string) => void,
  hooks: RestoreHooks = {},
): Promise<boolean> {
  const dir = resolve(dataDir);
  if (!(await exists(join(dir, STAGING)))) return false;
  const lock = await acquireLock(dir, join(dir, LOCK_FILE), log);
  try {
    return await finishLocked(dir, log, hooks, 'resumed');
  } finally {
    await lock.release();
  }
}

/**
 * Carries the restore staged in `dir` (if any) through to its end, answering whether there
 * was one; a staging folder without its marker (a copy cut short) is removed: it holds only
 * copies. The lock is held.
 */
async function finishLocked(
  dir: string,
  log: (message: string) => void,
  hooks: RestoreHooks,
  /** A restore a crash cut short (logged here), or the one being made (its caller logs). */
  which: 'resumed' | 'this one',
): Promise<boolean> {
  const staging = join(dir, STAGING);
  const marker = await readMarker(staging);
  if (marker === null) {
    await rm(staging, { recursive: true, force: true });
    return false;
  }
  const aside = join(dir, marker.aside);
  if (marker.phase === 'staged') {
    await mkdir(aside, { recursive: true, mode: PRIVATE_DIR_MODE });
    let moved = 0;
    for (const name of await currentDataFiles(dir)) {
      await moveIfThere(join(dir, name), join(aside, name));
      if (moved++ === 0) await hooks.onStep?.('moving-aside');
    }
    await fsyncDir(aside);
    await fsyncDir(dir);
    await writeMarker(staging, { ...marker, phase: 'moving-in' });
    await hooks.onStep?.('moving-in');
  }
  let placed = 0;
  for (const name of BACKED_UP_FILES) {
    await moveIfThere(join(staging, name), join(dir, name));
    if (placed++ === 0) await hooks.onStep?.('moved-in');
  }
  await fsyncDir(dir);
  await hooks.onStep?.('in-place');
  await unlink(join(staging, MARKER));
  await rmdir(staging);
  await fsyncDir(dir);
  if (which === 'resumed') {
    log(
      `Finished restoring ${marker.backup} into ${dir}, which a crash had cut short; ` +
        `the data it replaced is in ${aside}`,
    );
  }
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The files of `dir` that a restore replaces (moved aside, never deleted): the store's, all
 * named paydesk.* (the snapshot, the journal, its durable mark, whose number would read as
 * commits lost from the backup's, cut journal tails, leftover temporary files), and the mock
 * gateway's ledger. Never the lock's: held by this restore (another process's temporary lock
 * file is its own business).
 */
async function currentDataFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter(
    (name) =>
      name === LEDGER_FILE_NAME ||
      (name.startsWith('paydesk.') && !isLockFile(name) && !name.startsWith(`${LOCK_FILE}.`)),
  );
}

async function moveIfThere(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

async function readMarker(staging: string): Promise<Marker | null> {
  let text: string;
  try {
    text = await readFile(join(staging, MARKER), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  const parsed = markerSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${join(staging, MARKER)} is damaged: a restore was interrupted and cannot be finished ` +
        `by itself. Paydesk's previous data is in the before-restore-* folder beside it.`,
    );
  }
  return parsed.data;
}

/** Writes the marker whole or not at all (a temporary file renamed over it). */
async function writeMarker(staging: string, marker: Marker): Promise<void> {
  const temp = join(staging, MARKER + TEMP_SUFFIX);
  const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(`${JSON.stringify(marker)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(staging, MARKER));
  await fsyncDir(staging);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function freeAsideName(dir: string, now: Date): Promise<string> {
  const base = ASIDE_PREFIX + now.toISOString().replaceAll(':', '-');
  const taken = new Set(await readdir(dir));
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(name)) return name;
  }
}
