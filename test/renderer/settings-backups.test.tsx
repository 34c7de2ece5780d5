// @vitest-environment happy-dom
/**
 * The Settings screen's backups over the fake transport: the list newest first (when, kind,
 * payments, size) or its empty state, "Back up now" busy while the backup is made and the
 * list refetched after, the backup settings saved with `settings.set` and checked as typed,
 * and how to restore (the server's command with the newest backup's folder).
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupInfo, OperationOutput } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';
import { byteSize } from '../../src/renderer/src/lib/format';
import { FAKE_BACKUP_FOLDER, makeBackup, withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

const backupsPanel = async () =>
  within((await screen.findByRole('heading', { name: 'Backups' })).closest('section')!);

describe('Settings: backups', () => {
  it('lists the backups newest first, with when, kind, payments and size', async () => {
    renderApp({
      screen: 'settings',
      backups: [makeBackup(0, { kind: 'manual', payments: 1234 }), makeBackup(1), makeBackup(2)],
    });
    const panel = await backupsPanel();
    const table = await panel.findByRole('table', { name: 'Backups, newest first' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]?.textContent).toContain('By hand');
    expect(rows[0]?.textContent).toContain('1,234');
    expect(rows[0]?.textContent).toContain('2.5 MB');
    expect(rows[1]?.textContent).toContain('Daily');
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('10 Mar 2026, 03:00:00');
    expect(panel.getByText(FAKE_BACKUP_FOLDER)).toBeTruthy();
    // How to restore: this is a browser on the server, so the command with the newest folder.
    expect(
      panel.getByText(`npm run serve -- --restore ${makeBackup(0).path}`, { exact: false }),
    ).toBeTruthy();
  });

  it('says when there is no backup yet', async () => {
    renderApp({ screen: 'settings' });
    const panel = await backupsPanel();
    expect(await panel.findByText(/No backups yet/)).toBeTruthy();
    expect(panel.queryByRole('table')).toBeNull();
  });

  it('backs up now: busy meanwhile, then the new backup is listed', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings', payments: 3 });
    const panel = await backupsPanel();
    await panel.findByText(/No backups yet/);
    let answer: (r: Result<BackupInfo>) => void = () => undefined;
    const made = makeBackup(0, { kind: 'manual', payments: 3 });
    fake.reply(
      'backup.create',
      () =>
        new Promise<Result<OperationOutput<'backup.create'>>>((resolve) => {
          answer = resolve;
        }),
    );
    await user.click(panel.getByRole('button', { name: 'Back up now' }));
    const busy = panel.getByRole('button', { name: 'Backing up…' });
    expect(busy.hasAttribute('disabled')).toBe(true);
    expect(busy.getAttribute('aria-busy')).toBe('true');
    expect(panel.getByRole('status').textContent).toMatch(/Making a backup/);
    expect(fake.api['backup.create']).toHaveBeenCalledWith({}, withKey);

    fake.db.backups.unshift(made);
    answer({ ok: true, data: made });
    expect(await screen.findByText(`Backed up into ${made.path}`)).toBeTruthy();
    await panel.findByRole('table');
    expect(panel.getByRole('button', { name: 'Back up now' }).hasAttribute('disabled')).toBe(false);
    expect(fake.api['backup.create']).toHaveBeenCalledTimes(1);
  });

  it('says why a backup failed', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings' });
    fake.reply('backup.create', () => ({
      ok: false,
      error: { code: 'storage_unavailable', message: 'The backup folder /x cannot be written' },
    }));
    const panel = await backupsPanel();
    await user.click(panel.getByRole('button', { name: 'Back up now' }));
    expect(
      await screen.findByText('The backup failed: The backup folder /x cannot be written'),
    ).toBeTruthy();
  });

  it('refetches the list when the core says backups changed (a daily one was made)', async () => {
    const { fake } = renderApp({ screen: 'settings' });
    const panel = await backupsPanel();
    await panel.findByText(/No backups yet/);
    fake.db.backups.unshift(makeBackup(0));
    fake.emit({ type: 'changed', topics: ['backups'] });
    expect(await panel.findByRole('table')).toBeTruthy();
  });

  it('saves the backup settings, checking them as typed', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings' });
    const folder = await screen.findByLabelText('Backup folder');
    const keep = screen.getByLabelText('Daily backups kept');
    const daily = screen.getByLabelText('Back up once a day');
    expect((keep as HTMLInputElement).value).toBe('7');
    expect((daily as HTMLInputElement).checked).toBe(true);

    await user.type(folder, 'relative/path');
    expect(
      await screen.findByText('Give the whole path, like /home/me/paydesk-backups'),
    ).toBeTruthy();
    expect(folder.getAttribute('aria-invalid')).toBe('true');
    await user.clear(keep);
    await user.type(keep, '0');
    expect(await screen.findByText('At least 1')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save backup settings' }));
    expect(fake.api['settings.set']).not.toHaveBeenCalled();

    await user.clear(folder);
    await user.type(folder, '/mnt/usb/paydesk');
    await user.clear(keep);
    await user.type(keep, '14');
    await user.click(daily);
    await user.click(screen.getByRole('button', { name: 'Save backup settings' }));
    await waitFor(() =>
      expect(fake.api['settings.set']).toHaveBeenCalledWith(
        { backup: { folder: '/mnt/usb/paydesk', keep: 14, daily: false } },
        withKey,
      ),
    );
    expect(await screen.findByText('Backup settings saved')).toBeTruthy();
    expect(fake.db.settings.backup).toEqual({ folder: '/mnt/usb/paydesk', keep: 14, daily: false });
    // The list follows the folder.
    const panel = await backupsPanel();
    await waitFor(() => expect(panel.getByText('/mnt/usb/paydesk')).toBeTruthy());
  });

  it('an empty folder means the default one', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'settings',
      settings: {
        schedulerIntervalSeconds: 60,
        schedulerEnabled: true,
        backup: { folder: '/mnt/usb', keep: 3, daily: true },
      },
    });
    const folder = await screen.findByLabelText('Backup folder');
    expect((folder as HTMLInputElement).value).toBe('/mnt/usb');
    await user.clear(folder);
    await user.click(screen.getByRole('button', { name: 'Save backup settings' }));
    await waitFor(() =>
      expect(fake.api['settings.set']).toHaveBeenCalledWith(
        { backup: { folder: null, keep: 3, daily: true } },
        withKey,
      ),
    );
  });

  it('tells when this server does not back up daily', async () => {
    renderApp({ screen: 'settings', dailyBackups: false });
    expect(await screen.findByText(/only when started with/)).toBeTruthy();
    const daily = screen.getByLabelText('Back up once a day');
    expect(daily.getAttribute('aria-describedby')).toBe('backup-daily-hint');
  });
});

describe('byteSize', () => {
  it('reads as file managers show sizes', () => {
    expect(byteSize(0)).toBe('0 bytes');
    expect(byteSize(999)).toBe('999 bytes');
    expect(byteSize(1000)).toBe('1.0 KB');
    expect(byteSize(2_500_000)).toBe('2.5 MB');
    expect(byteSize(123_456_789)).toBe('123 MB');
    expect(byteSize(5e12)).toBe('5.0 TB');
  });
});
