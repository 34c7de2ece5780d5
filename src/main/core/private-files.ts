/**
 * Private files: the data directory holds customers' e-mails and amounts, the gateway's
 * ledger and the API token, for the user who runs Paydesk alone. On POSIX the directory is
 * created 0700 and every file in it 0600 (the modes are given at creation: a umask only
 * takes bits away). A directory made by an earlier version (0755, its files 0644) is
 * tightened when the store opens it, with one line in the log saying what changed. Windows
 * has no mode bits (its files inherit the ACL of the user's profile folder): nothing is done
 * there.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The bits that give the group or other users any access. */
const SHARED_BITS = 0o077;

/** Creates `dir` (and its missing parents) readable by its owner only. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Takes the group's and other users' access away from `dir` and from the regular files
 * directly in it (subfolders need nothing more: a 0700 directory cannot be entered by
 * anyone else). Symbolic links are left alone. Reports one line through `log` when it
 * changed anything, or could not (a file owned by another user).
 */
export async function tightenPrivateDir(dir: string, log: (msg: string) => void): Promise<void> {
  if (process.platform === 'win32') return;
  const done: string[] = [];
  const failed: string[] = [];
  const dirMode = (await stat(dir)).mode;
  if ((dirMode & SHARED_BITS) !== 0) {
    await tighten(dir, constants.O_RDONLY | constants.O_DIRECTORY, done, failed, 'the directory');
  }
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    // Opened without following a link, non-blocking (a fifo put in its place would hang a
    // plain open): the mode changed is the mode of the file looked at.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    await tighten(join(dir, entry.name), flags, done, failed, entry.name);
  }
  if (done.length === 0 && failed.length === 0) return;
  log(
    `${dir}: other users could read Paydesk's files` +
      (done.length > 0 ? `; made private: ${done.join(', ')}` : '') +
      (failed.length > 0 ? `; could not change (change them yourself): ${failed.join(', ')}` : ''),
  );
}

async function tighten(
  path: string,
  flags: number,
  done: string[],
  failed: string[],
  name: string,
): Promise<void> {
  try {
    const handle = await open(path, flags);
    try {
      const mode = (await handle.stat()).mode;
      if ((mode & SHARED_BITS) === 0) return;
      const narrowed = mode & 0o700;
      await handle.chmod(narrowed);
      done.push(`${name} ${octal(mode)} → ${octal(narrowed)}`);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    // Gone meanwhile (a temp file renamed into place): nothing to tighten.
    if (code !== 'ENOENT') failed.push(`${name} (${code})`);
  }
}
