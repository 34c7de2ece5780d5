/**
 * The one-writer lock of a data directory, in plain Node: the same core runs inside
 * Electron, whose Node ABI differs from the system Node's, so an OS lock from a native addon
 * (flock, fcntl) would need a rebuild step the project does not have; and the usual
 * pure-JS takeover of a stale lock (check it is stale, delete it, create it again: npm's
 * lockfile, proper-lockfile) lets two processes that found the same stale lock both take it.
 *
 * Lock files are generations: `paydesk.lock.1`, `paydesk.lock.2`, ... The highest one says
 * who holds the directory: a pid (held while that process runs) or `released` (closed
 * cleanly). To take the directory, a process lists the generations and reads the highest,
 * n. Held by a running process: refused (StoreError 'locked'). Released, or held by a pid
 * that no longer runs: it creates n + 1. A generation is created whole and exclusively: its
 * text goes to a temp file, which is then hard-linked to the generation's name; link fails
 * with EEXIST when the name exists. Of two processes that found the same stale n, one
 * creates n + 1; the other gets EEXIST, reads n + 1, finds the winner running: refused.
 * Having created its generation, a process lists them again: one above its own means it lost
 * after all (below); else it holds the directory, and deletes the generations under its own
 * (and the bare `paydesk.lock` of earlier versions, if its pid no longer runs). Closing
 * renames a `released` file over its generation: the highest is never deleted.
 *
 * Why two processes cannot both hold the directory:
 *  - The highest generation present never goes down: a file is deleted only while a higher
 *    one exists (the holder's pruning, a loser removing its own file), and release replaces
 *    the file, never removes it. So n + 1 is created only by a process that saw n as the
 *    highest, read it, and found it free.
 *  - A process holds its generation h only if h was the highest when it listed again; then h
 *    was the highest from its creation on (the highest never goes down), and from its
 *    creation it names a running pid. Anyone creating h + 1 must have read h as free: not
 *    until the holder has released it or exited. So a second holder, whose generation would
 *    be above h, cannot appear while the first holds.
 *  - The second listing is what pruning costs: a process that read n and stalled may find
 *    n + 1 deleted by a later holder's pruning and re-create it; it sees the higher
 *    generation and backs off. Deleting the highest (a release by deletion) would be
 *    unsafe: that slow process and a newcomer starting from nothing could then both create
 *    the highest generation present and both hold.
 *
 * pid reuse errs toward refusing: a lock whose pid now belongs to another process (or to a
 * zombie its parent has not reaped, or to this very process in a container where every
 * start gets the same pid) reads as held, and the message names the file to delete when no
 * Paydesk runs. A second open in one process is refused the same way (its pid runs). On a
 * file system without hard links (FAT, exFAT) a generation is created exclusively and the pid
 * written after: an empty one counts as held for 5 s, then as left by a process that died
 * taking it, which leaves one window, a creator stalled that long before writing its pid.
 * Pids mean something only on one machine: the data directory is on a local file system.
 */
import { randomUUID } from 'node:crypto';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { PRIVATE_FILE_MODE } from '../private-files';
import { errnoCode, StoreError, unreadable } from './errors';
import { lockGeneration, TEMP_SUFFIX } from './files';

export interface DirLock {
  /** Marks the lock released (its file stays: see the header). */
  release(): Promise<void>;
}

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

const RELEASED = 'released';
/** A lock file this recent with no pid in it may belong to a process still writing it. */
const UNWRITTEN_GRACE_MS = 5_000;
/** Rounds of listing and creating before giving up on a directory that keeps changing hands. */
const ATTEMPTS = 8;
/** link() errors of a file system that has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** What a lock file says. */
export type Holder =
  | { kind: 'running'; pid: number }
  | { kind: 'exited'; pid: number }
  | { kind: 'released' }
  /** No pid (yet): `fresh` while it may still be written. */
  | { kind: 'unwritten'; fresh: boolean }
  | { kind: 'missing' };

/** Reads a lock file's text (`ageMs` since it was last written); pure but for pidAlive. */
export function holderOf(text: string, ageMs: number): Holder {
  const line = text.trim();
  if (line === RELEASED) return { kind: 'released' };
  const pid = /^[1-9]\d*$/.test(line) ? Number(line) : NaN;
  if (Number.isSafeInteger(pid)) {
    return pidAlive(pid) ? { kind: 'running', pid } : { kind: 'exited', pid };
  }
  return { kind: 'unwritten', fresh: ageMs < UNWRITTEN_GRACE_MS };
}

const isHeld = (h: Holder): boolean => h.kind === 'running' || (h.kind === 'unwritten' && h.fresh);

/**
 * Takes the lock of `dir`, whose lock files are `<base>.<n>` (`base` itself: an earlier
 * version's lock). Throws StoreError 'locked' when a running process holds it.
 */
export async function acquireLock(
  dir: string,
  base: string,
  log: (msg: string) => void,
): Promise<DirLock> {
  const generation = (n: number) => `${base}.${n}`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const legacy = await readHolder(base);
    if (isHeld(legacy)) throw locked(dir, base, legacy);
    const top = (await generations(base)).at(-1) ?? 0;
    const current: Holder = top === 0 ? { kind: 'missing' } : await readHolder(generation(top));
    if (top > 0 && current.kind === 'missing') continue; // pruned meanwhile: list again
    if (isHeld(current)) throw locked(dir, generation(top), current);

    const mine = top + 1;
    const path = generation(mine);
    if ((await createWhole(path, `${process.pid}\n`)) === 'taken') continue;
    const after = await generations(base);
    if (after.some((n) => n > mine)) {
      // A re-created name under a newer generation: not the holder (see the header).
      await removeIfPresent(path);
      continue;
    }

    // Held. Clean up what no one reads any more.
    for (const n of after) if (n < mine) await removeIfPresent(generation(n));
    if (legacy.kind !== 'missing' && !isHeld(await readHolder(base))) await removeIfPresent(base);
    if (top > 0) tookOver(log, generation(top), current);
    tookOver(log, base, legacy);
    let released: Promise<void> | null = null;
    return {
      release: () => (released ??= writeWhole(path, `${RELEASED}\n`)),
    };
  }
  throw new StoreError(
    'locked',
    `could not take the lock of ${dir}: other processes took and left it meanwhile; try again`,
    base,
  );
}

function locked(dir: string, file: string, holder: Holder): StoreError {
  const who = holder.kind === 'running' ? ` (pid ${holder.pid})` : '';
  return new StoreError(
    'locked',
    `another Paydesk process${who} is using ${dir}; close it first ` +
      `(if none is running, delete ${file})`,
    file,
  );
}

function tookOver(log: (msg: string) => void, file: string, holder: Holder): void {
  if (holder.kind === 'exited') {
    log(`${file}: took over the lock of pid ${holder.pid}, which is no longer running`);
  } else if (holder.kind === 'unwritten') {
    log(`${file}: took over a lock without a pid, left by a process that stopped taking it`);
  }
}

/** The generations present, lowest first. */
async function generations(base: string): Promise<number[]> {
  const dir = dirname(base);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw unreadable(dir, error);
  }
  const found: number[] = [];
  for (const name of names) {
    const n = lockGeneration(name, basename(base));
    if (n !== null) found.push(n);
  }
  return found.sort((a, b) => a - b);
}

async function readHolder(path: string): Promise<Holder> {
  try {
    const handle = await open(path, 'r');
    try {
      const text = await handle.readFile('utf8');
      const ageMs = Date.now() - (await handle.stat()).mtimeMs;
      return holderOf(text, ageMs);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw unreadable(path, error);
  }
}

/**
 * Creates `path` holding `text`, or answers 'taken' when it exists. Readers never see it
 * without its text: the text is written to a temp file first, hard-linked to `path`.
 */
async function createWhole(path: string, text: string): Promise<'created' | 'taken'> {
  const temp = tempBeside(path);
  await writeNew(temp, text);
  try {
    await link(temp, path);
    return 'created';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return 'taken';
    // The temp file was removed by the process that holds the directory (it clears
    // paydesk.*.tmp at open): start over, and find that holder.
    if (code === 'ENOENT') return 'taken';
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw unreadable(path, error);
  } finally {
    await removeIfPresent(temp);
  }
  // No hard links here: an exclusive create, then the text (see the header).
  try {
    await writeNew(path, text);
    return 'created';
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return 'taken';
    throw error;
  }
}

/** Replaces `path` by a file holding `text`, at once (a rename): never absent meanwhile. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temp = tempBeside(path);
  try {
    await writeNew(temp, text);
    await rename(temp, path);
  } catch (error) {
    await removeIfPresent(temp).catch(() => undefined);
    throw unreadable(path, error);
  }
}

const tempBeside = (path: string) => `${path}.${randomUUID()}${TEMP_SUFFIX}`;

/**
 * Creates a file that must not exist yet, holding `text`. Not fsynced: a lock matters only among running processes, which share
 * the page cache; after a power loss no pid in it runs any more.
 */
async function writeNew(path: string, text: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw error;
    throw unreadable(path, error);
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    await handle.close();
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw unreadable(path, error);
  }
}
