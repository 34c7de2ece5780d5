/**
 * The default data directory: the one the desktop app uses, Electron's `userData` for the
 * app name "paydesk", computed without Electron so that `npm run serve` finds the same data.
 */
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

export const APP_NAME = 'paydesk';

/** Electron's `appData` + app name, for a platform and environment (pure, for tests). */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP_NAME);
  }
  if (platform === 'darwin') {
    return posix.join(home, 'Library', 'Application Support', APP_NAME);
  }
  // Chromium takes $XDG_CONFIG_HOME as it is whenever it is set and not empty.
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
}
