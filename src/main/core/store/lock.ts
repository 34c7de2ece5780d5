/**
 * The one-writer lock of a data directory: `paydesk.lock`, created exclusively, holding the
 * owner's pid. A lock whose pid is no longer running (the owner crashed) is taken over.
 * Two processes taking over the same stale lock at the same instant could both succeed;
 * that needs two Paydesk instances started together right after a crash, and is accepted.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { errnoCode, StoreError, unreadable } from './errors';

export interface DirLock {
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

/** A lock file this recent with no pid in it yet may belong to a process still writing it. */
const FRESH_EMPTY_LOCK_MS = 5_000;

export async function acquireLock(
  dir: string,
  lockPath: string,
  log: (msg: string) => void,
): Promise<DirLock> {
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${mine}\n`);
      } finally {
        await handle.close();
      }
      return { release: () => releaseLock(lockPath, mine) };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw unreadable(lockPath, error);
    }
    let text: string;
    let ageMs: number;
    try {
      text = (await readFile(lockPath, 'utf8')).trim();
      ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue; // released meanwhile: try again
      throw unreadable(lockPath, error);
    }
    const pid = /^\d+$/.test(text) ? Number(text) : NaN;
    const held = Number.isNaN(pid) ? ageMs < FRESH_EMPTY_LOCK_MS : pidAlive(pid);
    if (held) {
      throw new StoreError(
        'locked',
        `another Paydesk process${Number.isNaN(pid) ? '' : ` (pid ${pid})`} is using ${dir}; ` +
          `close it first (if none is running, delete ${lockPath})`,
        lockPath,
      );
    }
    log(`${lockPath}: taking over the lock of pid ${text || '(none)'}, which is no longer running`);
    try {
      await unlink(lockPath);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw unreadable(lockPath, error);
    }
  }
  throw new StoreError('locked', `could not take the lock ${lockPath}; try again`, lockPath);
}

async function releaseLock(lockPath: string, mine: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')).trim() === mine) await unlink(lockPath);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}
