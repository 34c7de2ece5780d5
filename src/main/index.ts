/**
 * The Electron entry (bundled to out/main/index.js): wires the headless core to one locked-down
 * window. Single instance; data in userData; IPC handlers built from the contract; push events
 * to the renderer; a History menu that follows the undo stack; desktop notifications for
 * failed scheduled charges; catch-up after sleep; backups (daily, and from the File menu) and
 * restoring one; and a quit that waits for the core to close.
 * The core runs in its own process (core-host.ts, a utility process; core-process/): this
 * process keeps the windows, menus and notifications and holds a `Core` that relays to it,
 * restarting it should it die. The pieces live in ./shell; the core options may come from
 * PAYDESK_* variables (shell/env.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  Menu,
  Notification,
  app,
  dialog,
  ipcMain,
  powerMonitor,
  screen,
  session,
  utilityProcess,
} from 'electron';
import { startRemoteCore, type RemoteCore } from './core-process/remote-core';
import { backUpNow, restoreFromBackup, type BackupMenuDeps } from './shell/backup-menu';
import { switchableCore, type SwitchableCore } from './shell/core-switch';
import { EVENT_CHANNEL, MENU_CHANNEL, type MenuAction } from '../preload/channels';
import type { PushEvent } from '../shared/contract';
import { coreOptionsFromEnv } from './shell/env';
import { routePushEvent } from './shell/events';
import { registerIpc } from './shell/ipc';
import { holdQuitUntilClosed } from './shell/lifecycle';
import { registerPrintToPdf } from './shell/print-pdf';
import { registerExportCsv } from './shell/export-csv';
import { createAppMenu } from './shell/menu';
import {
  createAppUrlMatcher,
  devServerUrl,
  hardenSession,
  isTrustedSender,
} from './shell/security';
import { createMainWindow, revealWindow } from './shell/window';

const outDir = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const preload = join(outDir, 'preload', 'index.cjs');
const indexHtml = join(outDir, 'renderer', 'index.html');
const coreHost = join(outDir, 'main', 'core-host.js');
const log = (message: string): void => console.log(`[paydesk] ${message}`);

let mainWindow: BrowserWindow | null = null;

if (app.requestSingleInstanceLock()) {
  void start();
} else {
  // Another Paydesk owns the data: it gets focus (its 'second-instance'), this one leaves.
  app.quit();
}

async function start(): Promise<void> {
  app.enableSandbox();
  app.on('second-instance', () => revealWindow(mainWindow));
  await app.whenReady();
  if (process.platform === 'win32') app.setAppUserModelId('app.paydesk');

  const env = coreOptionsFromEnv(process.env);
  if (!env.ok) return fatal('Paydesk cannot start', env.error.message);
  const dataDir = app.getPath('userData');
  const openRemote = (): Promise<RemoteCore> =>
    startRemoteCore({
      fork: () => utilityProcess.fork(coreHost, [], { serviceName: 'Paydesk core' }),
      // The desktop app backs up once a day while the setting allows (Settings > Backups).
      options: { ...env.data, dataDir, dailyBackups: true },
      log,
    });
  let core: RemoteCore;
  try {
    core = await openRemote();
  } catch (error) {
    // Nothing is written or repaired here: the data stays exactly as it was.
    return fatal(
      'Paydesk cannot open its data',
      `${error instanceof Error ? error.message : String(error)}\n\nData folder: ${dataDir}\n\n` +
        'Nothing was changed. If Paydesk (or `npm run serve`) is already using this folder, ' +
        'close it and start Paydesk again.',
    );
  }
  // A restore closes the core and opens a new one beneath the parts wired to this one.
  wire(switchableCore(core, openRemote), dataDir);
}

function wire(core: SwitchableCore, dataDir: string): void {
  const devUrl = devServerUrl(process.env, app.isPackaged);
  const isAppUrl = createAppUrlMatcher({ indexHtml, devUrl });
  const sendToWindow = (channel: string, payload: unknown): void => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
  };

  hardenSession(session.defaultSession, isAppUrl);
  registerIpc(ipcMain, core, (event) =>
    isTrustedSender(event, mainWindow?.webContents ?? null, isAppUrl),
  );
  registerPrintToPdf({
    ipcMain,
    isTrustedSender: (event) => isTrustedSender(event, mainWindow?.webContents ?? null, isAppUrl),
    contents: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null),
    showSaveDialog: (options) =>
      mainWindow && !mainWindow.isDestroyed()
        ? dialog.showSaveDialog(mainWindow, options)
        : dialog.showSaveDialog(options),
    countryCode: () => app.getLocaleCountryCode(),
    log,
  });
  registerExportCsv({
    ipcMain,
    isTrustedSender: (event) => isTrustedSender(event, mainWindow?.webContents ?? null, isAppUrl),
    core,
    showSaveDialog: (options) =>
      mainWindow && !mainWindow.isDestroyed()
        ? dialog.showSaveDialog(mainWindow, options)
        : dialog.showSaveDialog(options),
    log,
  });

  const showMessageBox: BackupMenuDeps['showMessageBox'] = (options) =>
    mainWindow && !mainWindow.isDestroyed()
      ? dialog.showMessageBox(mainWindow, options)
      : dialog.showMessageBox(options);
  const backupMenu: BackupMenuDeps = {
    core,
    dataDir,
    showOpenDialog: (options) =>
      mainWindow && !mainWindow.isDestroyed()
        ? dialog.showOpenDialog(mainWindow, options)
        : dialog.showOpenDialog(options),
    showMessageBox,
    // As the core's own notices: a toast in the window, an error also a notification.
    notice: (level, message) => route({ type: 'notice', level, message }),
    log,
    fatal,
  };

  const menu = createAppMenu({
    Menu,
    platform: process.platform,
    dev: devUrl !== undefined,
    loadHistory: async () => {
      // The menu shows the next undo and redo: the top entry of each stack is enough.
      const result = await core.call('history.get', { limit: 1 }, 'system');
      return result.ok ? result.data : null;
    },
    onHistory: (action: MenuAction) => sendToWindow(MENU_CHANNEL, action),
    onBackup: (action) =>
      void (action === 'backup' ? backUpNow(backupMenu) : restoreFromBackup(backupMenu)),
    log,
  });
  void menu.refresh();

  const route = (event: PushEvent): void =>
    routePushEvent(event, {
      toRenderer: (payload) => sendToWindow(EVENT_CHANNEL, payload),
      refreshMenu: () => void menu.refresh(),
      notify: (message) => {
        if (!Notification.isSupported()) return;
        const notification = new Notification({ title: 'Paydesk', body: message });
        notification.on('click', () => revealWindow(mainWindow));
        notification.show();
      },
    });
  const unsubscribe = core.subscribe(route);
  powerMonitor.on('resume', () => core.catchUp());
  holdQuitUntilClosed(app, async () => {
    unsubscribe();
    await core.close();
  });

  mainWindow = createMainWindow({ BrowserWindow, screen, preload, stateDir: dataDir, isAppUrl });
  const loaded = devUrl ? mainWindow.loadURL(devUrl) : mainWindow.loadFile(indexHtml);
  loaded.catch((error: unknown) => log(`cannot load the page: ${String(error)}`));
}

function fatal(title: string, message: string): void {
  log(`${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.quit();
}
