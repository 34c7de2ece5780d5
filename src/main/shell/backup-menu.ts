/**
 * The File menu's "Back up now" and "Restore from backup…". Backing up is the core's
 * `backup.create`, as the Settings screen's button. Restoring needs the data closed: the
 * operator picks a backup folder, the shell reads its manifest and asks for confirmation
 * (what it holds, where the current data goes), then closes the core, restores
 * (core/restore.ts: refused, nothing changed, when the backup does not verify; the current
 * data moved aside, never deleted) and opens the core again on the result. Outcomes are
 * notices (the window's toasts; a failure also a desktop notification); never a throw.
 */
import { resolve } from 'node:path';
import type {
  MessageBoxOptions,
  MessageBoxReturnValue,
  OpenDialogOptions,
  OpenDialogReturnValue,
} from 'electron';
import { BACKUP_KINDS, type BackupInfo } from '../../shared/contract';
import { readBackupInfo } from '../core/backup';
import { restoreBackup } from '../core/restore';
import { ReopenError, type SwitchableCore } from './core-switch';

export interface BackupMenuDeps {
  core: SwitchableCore;
  dataDir: string;
  showOpenDialog: (options: OpenDialogOptions) => Promise<OpenDialogReturnValue>;
  showMessageBox: (options: MessageBoxOptions) => Promise<MessageBoxReturnValue>;
  /** Tells the operator (a toast in the window; an error also as a notification). */
  notice: (level: 'info' | 'error', message: string) => void;
  log: (message: string) => void;
  /** The core could not be opened again after a restore: the app cannot go on. */
  fatal: (title: string, message: string) => void;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export async function backUpNow(deps: BackupMenuDeps): Promise<void> {
  const made = await deps.core.call('backup.create', {}, 'operator');
  if (made.ok) deps.notice('info', `Backed up into ${made.data.path}`);
  else deps.notice('error', `The backup failed: ${made.error.message}`);
}

/** How a backup is described in the confirmation. */
function describe(info: BackupInfo): string {
  const kind = info.kind === BACKUP_KINDS[1] ? 'daily backup' : 'backup made by hand';
  return (
    `${new Date(info.createdAt).toLocaleString()} (${kind}): ` +
    `${info.payments.toLocaleString()} payments, ` +
    `${info.subscriptions.toLocaleString()} subscriptions.`
  );
}

export async function restoreFromBackup(deps: BackupMenuDeps): Promise<void> {
  const listed = await deps.core.call('backup.list', {}, 'operator');
  const picked = await deps.showOpenDialog({
    title: 'Restore from backup',
    buttonLabel: 'Restore…',
    properties: ['openDirectory'],
    ...(listed.ok && { defaultPath: listed.data.folder }),
  });
  const folder = picked.canceled ? undefined : picked.filePaths[0];
  if (folder === undefined) return;
  const path = resolve(folder);

  let info: BackupInfo;
  try {
    info = await readBackupInfo(path);
  } catch (error) {
    await deps.showMessageBox({
      type: 'error',
      title: 'Restore from backup',
      message: 'This folder cannot be restored',
      detail: messageOf(error),
    });
    return;
  }
  const confirm = await deps.showMessageBox({
    type: 'warning',
    title: 'Restore from backup',
    message: 'Replace the current data with this backup?',
    detail:
      `${describe(info)}\n\nPaydesk closes its data, checks the backup, moves the current ` +
      `data into a before-restore folder in ${deps.dataDir} (nothing is deleted), puts the ` +
      'backup in its place and opens it. Payments and changes made since the backup are ' +
      'not in it.',
    buttons: ['Restore', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  if (confirm.response !== 0) return;

  try {
    const done = await deps.core.reopenAfter(() => restoreBackup(path, deps.dataDir, deps.log));
    deps.notice(
      'info',
      `Restored the backup of ${new Date(info.createdAt).toLocaleString()}; ` +
        `the data it replaced is in ${done.aside}`,
    );
  } catch (error) {
    if (error instanceof ReopenError) {
      deps.fatal(
        'Paydesk cannot reopen its data',
        `${error.message}\n\nData folder: ${deps.dataDir}`,
      );
      return;
    }
    deps.notice('error', `The backup was not restored: ${messageOf(error)}`);
  }
}
