/**
 * Backups in the desktop app: the core the shell holds across a reopen (switchableCore, with
 * fake cores), and the built shell under the fake Electron (fixtures/shell) with its real
 * core process: the daily backup at start, File > Back up now, and File > Restore from
 * backup… (open-folder dialog, confirmation, the data closed, restored and opened again),
 * refused for a damaged backup and when not confirmed.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../src/main/core/api';
import { ReopenError, switchableCore } from '../../src/main/shell/core-switch';
import { SNAPSHOT_FILE } from '../../src/main/core/store/files';
import type { BackupInfo, PushEvent } from '../../src/shared/contract';
import { ok } from '../../src/shared/result';
import { requireBuiltBundles, startShell, type ShellProcess } from './fixtures/shell/harness';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-shell-backup-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A core that answers every call with its name and counts closes. */
function fakeCore(name: string) {
  const listeners = new Set<(event: PushEvent) => void>();
  let closes = 0;
  const core: Core = {
    dataDir: '/data',
    call: () => Promise.resolve(ok(name as never)),
    reconciled: Promise.resolve(),
    reconciling: () => false,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp: () => undefined,
    close: async () => {
      closes++;
    },
  };
  return {
    core,
    emit: (event: PushEvent) => listeners.forEach((l) => l(event)),
    closes: () => closes,
    listeners: () => listeners.size,
  };
}

describe('the core the shell holds across a reopen', () => {
  it('closes the core, runs the step, opens a new one; calls meanwhile answer unavailable', async () => {
    const first = fakeCore('first');
    const second = fakeCore('second');
    const core = switchableCore(first.core, () => Promise.resolve(second.core));
    const events: PushEvent[] = [];
    core.subscribe((e) => events.push(e));
    expect(await core.call('clock.get', {}, 'operator')).toEqual(ok('first'));
    first.emit({ type: 'changed', topics: ['payments'] });

    let during: unknown = null;
    const result = await core.reopenAfter(async () => {
      expect(first.closes()).toBe(1);
      during = await core.call('clock.get', {}, 'operator');
      return 'restored';
    });
    expect(result).toBe('restored');
    expect(during).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await core.call('clock.get', {}, 'operator')).toEqual(ok('second'));
    // The first core's events no longer reach the listeners; the second one's do.
    expect(first.listeners()).toBe(0);
    second.emit({ type: 'notice', level: 'info', message: 'hi' });
    expect(events.map((e) => e.type)).toEqual([
      'changed',
      'connection',
      'connection',
      'changed',
      'notice',
    ]);
    expect(events[1]).toEqual({ type: 'connection', state: 'reconnecting' });
    expect(events[2]).toEqual({ type: 'connection', state: 'connected' });
    await core.close();
    expect(second.closes()).toBe(1);
    expect(first.closes()).toBe(1);
  });

  it('opens a new core even when the step fails, and passes the failure on', async () => {
    const second = fakeCore('second');
    const core = switchableCore(fakeCore('first').core, () => Promise.resolve(second.core));
    await expect(core.reopenAfter(() => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    expect(await core.call('clock.get', {}, 'operator')).toEqual(ok('second'));
  });

  it('says so with a ReopenError when the new core cannot be opened', async () => {
    const core = switchableCore(fakeCore('first').core, () => Promise.reject(new Error('locked')));
    const error = await core.reopenAfter(() => Promise.resolve()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReopenError);
    expect((error as Error).message).toBe('locked');
  });

  it('refuses a second reopen while one runs', async () => {
    const core = switchableCore(fakeCore('first').core, () =>
      Promise.resolve(fakeCore('second').core),
    );
    let release: () => void = () => undefined;
    const running = core.reopenAfter(() => new Promise<void>((r) => (release = r)));
    await expect(core.reopenAfter(() => Promise.resolve())).rejects.toThrow(/already/);
    release();
    await running;
  });
});

type Answer =
  | { ok: true; data: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the operation answers
  | { ok: false; error: { code: string; message: string } };
interface Snapshot {
  quitCalls: number;
  errorBoxes: Array<{ title: string; content: string }>;
  windows: Array<{ loaded: unknown; sent: Array<{ channel: string; args: unknown[] }> }>;
  menu: unknown[] | null;
  utilityProcesses: Array<{ pid: number | null; exitCode: number | null }>;
}
interface Records {
  openDialogs: Array<Record<string, unknown>>;
  messageBoxes: Array<Record<string, unknown>>;
}

const PAYMENT = {
  amount: '12.50',
  currency: 'USD',
  customerEmail: 'ann@example.com',
  paymentMethod: 'pm_card_visa',
};

describe('the desktop app', () => {
  let shell: ShellProcess;
  let userData: string;

  beforeAll(async () => {
    requireBuiltBundles();
    userData = tempDir();
    shell = await startShell({ userData });
    await vi.waitFor(
      async () => {
        const snap = await shell.request<Snapshot>('snapshot');
        if (snap.menu === null || snap.windows.length === 0) throw new Error('starting');
      },
      { timeout: 20_000, interval: 20 },
    );
  });
  afterAll(() => shell?.kill());

  const invoke = (channel: string, input: unknown) =>
    shell.request<Answer>('invoke', { channel, input });
  const snapshot = () => shell.request<Snapshot>('snapshot');
  const records = () => shell.request<Records>('dialogRecords');
  const notices = async () =>
    (await snapshot()).windows[0]?.sent
      .filter((s) => s.channel === 'paydesk:event')
      .map((s) => s.args[0] as PushEvent)
      .filter((e): e is Extract<PushEvent, { type: 'notice' }> => e.type === 'notice') ?? [];
  const backups = async (): Promise<BackupInfo[]> => {
    const answer = await invoke('backup.list', {});
    if (!answer.ok) throw new Error(answer.error.message);
    return answer.data.backups as BackupInfo[];
  };
  const paymentCount = async (): Promise<number> => {
    const answer = await invoke('payments.list', {});
    if (!answer.ok) throw new Error(answer.error.message);
    return answer.data.total as number;
  };

  it('backs up daily: the first start makes a daily backup in userData/backups', async () => {
    const made = await vi.waitFor(
      async () => {
        const list = await backups();
        if (list.length === 0) throw new Error('no daily backup yet');
        return list;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(made[0]).toMatchObject({ kind: 'daily' });
    expect(made[0]?.path.startsWith(join(userData, 'backups'))).toBe(true);
    const view = await invoke('backup.list', {});
    expect(view.ok && view.data.dailyRuns).toBe(true);
  });

  it('File > Back up now makes a backup and says where', async () => {
    expect((await invoke('payments.process', PAYMENT)).ok).toBe(true);
    const before = (await backups()).length;
    await shell.request('clickMenu', { itemId: 'file.backup' });
    const list = await vi.waitFor(
      async () => {
        const now = await backups();
        if (now.length === before) throw new Error('not yet');
        return now;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(list[0]).toMatchObject({ kind: 'manual', payments: 1 });
    await vi.waitFor(async () => {
      expect((await notices()).at(-1)?.message).toBe(`Backed up into ${list[0]?.path}`);
    });
  });

  it('File > Restore from backup… does nothing unless confirmed', async () => {
    const backup = (await backups())[0];
    await shell.request('answerOpenDialog', {
      answer: { canceled: false, filePaths: [backup?.path] },
    });
    // No answer queued for the confirmation: the fake answers Cancel.
    const forks = (await snapshot()).utilityProcesses.length;
    await shell.request('clickMenu', { itemId: 'file.restore' });
    await vi.waitFor(async () => expect((await records()).messageBoxes).toHaveLength(1));
    const [open] = (await records()).openDialogs;
    expect(open).toMatchObject({
      properties: ['openDirectory'],
      defaultPath: join(userData, 'backups'),
      modal: true,
    });
    expect((await records()).messageBoxes[0]).toMatchObject({
      type: 'warning',
      buttons: ['Restore', 'Cancel'],
      cancelId: 1,
    });
    expect((await snapshot()).utilityProcesses).toHaveLength(forks);
    expect(readdirSync(userData).some((n) => n.startsWith('before-restore-'))).toBe(false);
  });

  it('File > Restore from backup… restores the backup chosen and opens it', async () => {
    const backup = (await backups()).find((b) => b.kind === 'manual');
    expect((await invoke('payments.process', PAYMENT)).ok).toBe(true);
    expect(await paymentCount()).toBe(2);
    const forks = (await snapshot()).utilityProcesses.length;
    await shell.request('answerOpenDialog', {
      answer: { canceled: false, filePaths: [backup?.path] },
    });
    await shell.request('answerMessageBox', { answer: { response: 0 } });
    await shell.request('clickMenu', { itemId: 'file.restore' });
    await vi.waitFor(
      async () => {
        expect((await notices()).at(-1)?.message).toMatch(/^Restored the backup of /);
      },
      { timeout: 20_000, interval: 50 },
    );
    // A new core process on the restored data.
    const snap = await snapshot();
    expect(snap.utilityProcesses).toHaveLength(forks + 1);
    expect(snap.utilityProcesses[forks - 1]?.exitCode).toBe(0);
    expect(await paymentCount()).toBe(1);
    const aside = readdirSync(userData).filter((n) => n.startsWith('before-restore-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(userData, aside[0] ?? ''))).toContain(SNAPSHOT_FILE);
    // The window was told: reconnecting, then connected and every topic changed.
    const sent = snap.windows[0]?.sent.map((s) => s.args[0] as PushEvent) ?? [];
    expect(sent).toContainEqual({ type: 'connection', state: 'reconnecting' });
    expect(sent).toContainEqual({ type: 'connection', state: 'connected' });
    // And the restored data takes new work.
    expect((await invoke('payments.process', PAYMENT)).ok).toBe(true);
    expect(await paymentCount()).toBe(2);
  });

  it('File > Restore from backup… refuses a damaged backup, naming the file, and keeps the data', async () => {
    const backup = (await backups()).find((b) => b.kind === 'manual');
    const snapshotFile = join(backup?.path ?? '', SNAPSHOT_FILE);
    writeFileSync(snapshotFile, '{"damaged": true}\n');
    const count = await paymentCount();
    await shell.request('answerOpenDialog', {
      answer: { canceled: false, filePaths: [backup?.path] },
    });
    await shell.request('answerMessageBox', { answer: { response: 0 } });
    await shell.request('clickMenu', { itemId: 'file.restore' });
    await vi.waitFor(
      async () => {
        const last = (await notices()).at(-1);
        expect(last?.level).toBe('error');
        expect(last?.message).toContain(snapshotFile);
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(await paymentCount()).toBe(count);
    expect(readdirSync(userData).filter((n) => n.startsWith('before-restore-'))).toHaveLength(1);
    expect((await snapshot()).errorBoxes).toEqual([]);
  });
});
