/**
 * The native application menu. The Edit menu is built from roles, so text fields keep their
 * own undo; the File menu has "Back up now" and "Restore from backup…" (./backup-menu.ts); the
 * History menu offers "Undo <label>" / "Redo <label>" for the app's command history. Those items register no accelerator (Ctrl/Cmd+Z stays with the Edit menu and the
 * page) and only tell the renderer, which decides what to do, as its keyboard shortcut does.
 * `buildMenuTemplate` is pure; `createAppMenu` keeps the menu in step with the history.
 */
import type { Menu as ElectronMenu, MenuItemConstructorOptions } from 'electron';
import type { HistoryView } from '../../shared/contract';
import type { MenuAction } from '../../preload/channels';

export type HistoryLabels = Pick<HistoryView, 'nextUndo' | 'nextRedo'>;

/** The File menu's data actions. */
export type BackupMenuAction = 'backup' | 'restore';

export interface MenuOptions {
  history: HistoryLabels;
  platform: NodeJS.Platform;
  /** Adds reload and the developer tools to the View menu. */
  dev: boolean;
  onHistory: (action: MenuAction) => void;
  onBackup: (action: BackupMenuAction) => void;
}

/** Longest history label shown in full; menus are no place for a whole description. */
export const MAX_LABEL_LENGTH = 60;

/** "Undo Charge $10.00 to ann@example.com", or just "Undo" when there is nothing to undo. */
export function historyItemLabel(verb: 'Undo' | 'Redo', label: string | null): string {
  if (label === null || label.trim() === '') return verb;
  const text = label.trim();
  const short = text.length > MAX_LABEL_LENGTH ? `${text.slice(0, MAX_LABEL_LENGTH - 1)}…` : text;
  // A single '&' marks a mnemonic in menu labels; '&&' shows one.
  return `${verb} ${short.replaceAll('&', '&&')}`;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const { history, platform, dev, onHistory, onBackup } = options;
  const isMac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      id: 'file',
      label: '&File',
      submenu: [
        { id: 'file.backup', label: 'Back up now', click: () => onBackup('backup') },
        { id: 'file.restore', label: 'Restore from backup…', click: () => onBackup('restore') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      id: 'history',
      label: 'Hi&story',
      submenu: [
        {
          id: 'history.undo',
          label: historyItemLabel('Undo', history.nextUndo),
          enabled: history.nextUndo !== null,
          registerAccelerator: false,
          click: () => onHistory('undo'),
        },
        {
          id: 'history.redo',
          label: historyItemLabel('Redo', history.nextRedo),
          enabled: history.nextRedo !== null,
          registerAccelerator: false,
          click: () => onHistory('redo'),
        },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...(dev
          ? ([
              { role: 'reload' },
              { role: 'forceReload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] satisfies MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}

export interface AppMenuDeps {
  Menu: Pick<typeof ElectronMenu, 'buildFromTemplate' | 'setApplicationMenu'>;
  platform: NodeJS.Platform;
  dev: boolean;
  /** The labels of the next undo and redo; rejects or answers null when unknown. */
  loadHistory: () => Promise<HistoryLabels | null>;
  onHistory: (action: MenuAction) => void;
  onBackup: (action: BackupMenuAction) => void;
  log: (message: string) => void;
}

/**
 * The application menu, rebuilt by `refresh()` from the current history. Overlapping
 * refreshes are fine: only the latest one's answer is applied.
 */
export function createAppMenu(deps: AppMenuDeps): { refresh: () => Promise<void> } {
  let latest = 0;
  const apply = (history: HistoryLabels): void => {
    const template = buildMenuTemplate({
      history,
      platform: deps.platform,
      dev: deps.dev,
      onHistory: deps.onHistory,
      onBackup: deps.onBackup,
    });
    deps.Menu.setApplicationMenu(deps.Menu.buildFromTemplate(template));
  };
  return {
    async refresh() {
      const ticket = ++latest;
      let history: HistoryLabels | null = null;
      try {
        history = await deps.loadHistory();
      } catch (error) {
        deps.log(`[paydesk] cannot read the history for the menu: ${String(error)}`);
      }
      if (ticket === latest) apply(history ?? { nextUndo: null, nextRedo: null });
    },
  };
}
