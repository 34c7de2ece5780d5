/**
 * The one main window: its locked-down webPreferences, where it opens (the remembered
 * bounds), remembering them on close, and the hardening of its web contents.
 */
import { join } from 'node:path';
import type {
  BrowserWindow as ElectronBrowserWindow,
  BrowserWindowConstructorOptions,
} from 'electron';
import { hardenContents } from './security';
import {
  MIN_SIZE,
  WINDOW_STATE_FILE,
  placeWindow,
  readWindowState,
  writeWindowState,
  type Rect,
  type ScreenLike,
} from './window-state';

/** The window's options: sandboxed, context-isolated, no Node, web security on. */
export function mainWindowOptions(preload: string, bounds: Rect): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Paydesk',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload,
    },
  };
}

export interface MainWindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => ElectronBrowserWindow;
  screen: ScreenLike;
  /** Absolute path of the preload bundle (out/preload/index.cjs). */
  preload: string;
  /** Where window-state.json lives (userData). */
  stateDir: string;
  isAppUrl: (url: string) => boolean;
}

export function createMainWindow(deps: MainWindowDeps): ElectronBrowserWindow {
  const stateFile = join(deps.stateDir, WINDOW_STATE_FILE);
  const { maximized, ...bounds } = placeWindow(readWindowState(stateFile), deps.screen);
  const window = new deps.BrowserWindow(mainWindowOptions(deps.preload, bounds));
  hardenContents(window.webContents, deps.isAppUrl);
  window.once('ready-to-show', () => {
    if (maximized) window.maximize();
    window.show();
  });
  window.on('close', () => {
    writeWindowState(stateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() });
  });
  return window;
}

/** Brings the window back when the user starts Paydesk a second time. */
export function revealWindow(window: ElectronBrowserWindow | null): void {
  if (window === null || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
