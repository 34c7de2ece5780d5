/**
 * Private files (POSIX): every file Paydesk writes in its data directory is 0600 and the
 * directory 0700 whatever the umask; a directory left readable by others (an earlier version,
 * a copy) is tightened when the store opens it, with one line in the log, and nothing is said
 * when it is private already.
 */
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../src/main/core/private-files';
import { isLockFile } from '../../src/main/core/store/files';
import { WINDOW_STATE_FILE, writeWindowState } from '../../src/main/shell/window-state';
import { loadOrCreateToken } from '../../src/server/auth';
import { must, openTestCore } from '../helpers/core';
import { removeTempDirs, tempDir } from './store-fixtures';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** The mode of the directory and of each entry in it, by name. */
async function modes(dir: string): Promise<Record<string, number>> {
  const found: Record<string, number> = { '.': await modeOf(dir) };
  for (const name of await readdir(dir)) found[name] = await modeOf(join(dir, name));
  return found;
}

const said = (logs: string[]) => logs.filter((line) => line.includes('other users'));

let umask = 0;
beforeEach(() => {
  // The usual umask, which leaves new files readable by everyone (0644, 0755).
  umask = process.umask(0o022);
});
afterEach(async () => {
  process.umask(umask);
  await removeTempDirs();
});

const opened: Core[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((core) => core.close()));
});

async function openLogged(dataDir: string, logs: string[]): Promise<Core> {
  const core = await openTestCore(dataDir, { log: (line) => logs.push(line) });
  opened.push(core);
  return core;
}

describe.skipIf(process.platform === 'win32')('the data directory', () => {
  it('is made 0700 with every file 0600: store, gateway ledger, API token, window state', async () => {
    const dataDir = join(await tempDir(), 'new', 'data');
    const logs: string[] = [];
    const core = await openLogged(dataDir, logs);
    await must(core, 'payments.process', {
      amount: '12.50',
      currency: 'USD',
      customerEmail: 'private@example.com',
      paymentMethod: 'pm_card_visa',
    });
    // Closing compacts: the snapshot and the journal are rewritten through temp files.
    await core.close();
    await loadOrCreateToken(dataDir, {});
    expect(
      writeWindowState(join(dataDir, WINDOW_STATE_FILE), {
        width: 1000,
        height: 700,
        maximized: false,
      }),
    ).toBe(true);

    const found = await modes(dataDir);
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        '.',
        'api-token',
        'gateway-ledger.jsonl',
        'paydesk.journal',
        'paydesk.json',
        expect.stringMatching(/^paydesk\.lock\.\d+$/),
        WINDOW_STATE_FILE,
      ]),
    );
    for (const [name, mode] of Object.entries(found)) {
      expect([name, mode.toString(8)]).toEqual([
        name,
        (name === '.' ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE).toString(8),
      ]);
    }
    // The missing parents it made are private too.
    expect(await modeOf(join(dataDir, '..'))).toBe(PRIVATE_DIR_MODE);
    expect(said(logs)).toEqual([]);
  });

  it("left readable by others is tightened at open, said once in the log; then nothing's said", async () => {
    const dataDir = await tempDir();
    await (await openLogged(dataDir, [])).close();
    await loadOrCreateToken(dataDir, {});
    await mkdir(join(dataDir, 'backups'));
    for (const name of await readdir(dataDir)) await chmod(join(dataDir, name), 0o644);
    await chmod(join(dataDir, 'backups'), 0o755);
    await writeFile(join(dataDir, 'notes.txt'), 'not Paydesk’s, in its folder\n');
    await chmod(join(dataDir, 'notes.txt'), 0o664);
    await chmod(dataDir, 0o755);
    // Every file but the lock's, which the open replaces by a generation of its own.
    const loose = (await readdir(dataDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && !isLockFile(entry.name))
      .map((entry) => entry.name)
      .sort();
    expect(loose).toEqual(expect.arrayContaining(['api-token', 'notes.txt', 'paydesk.json']));

    const logs: string[] = [];
    await openLogged(dataDir, logs);
    expect(said(logs)).toEqual([
      `${dataDir}: other users could read Paydesk's files; made private: ` +
        ['the directory 0755 → 0700']
          .concat(loose.map((name) => `${name} ${name === 'notes.txt' ? '0664' : '0644'} → 0600`))
          .join(', '),
    ]);
    const found = await modes(dataDir);
    expect(found['.']).toBe(PRIVATE_DIR_MODE);
    for (const name of loose) expect([name, found[name]]).toEqual([name, PRIVATE_FILE_MODE]);
    // A folder in it needs nothing: no one else can enter the data directory any more.
    expect(found.backups).toBe(0o755);
    await Promise.all(opened.splice(0).map((core) => core.close()));

    const again: string[] = [];
    await openLogged(dataDir, again);
    expect(said(again)).toEqual([]);
  });
});
