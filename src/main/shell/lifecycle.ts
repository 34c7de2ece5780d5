/**
 * Quitting without losing work: the first quit request (menu, Cmd+Q, last window closed) is
 * held until the core has finished the command in flight and flushed its store; then the app
 * quits for real. Closing the last window quits on every platform, since the core and its
 * scheduler live in a process of this one's.
 */
import type { App } from 'electron';

export type QuitApp = Pick<App, 'quit'> & {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
};

export function holdQuitUntilClosed(
  app: QuitApp,
  close: () => Promise<void>,
  log: (message: string) => void = console.error,
): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    close()
      .catch((error: unknown) => log(`[paydesk] closing the core failed: ${String(error)}`))
      .finally(() => {
        state = 'closed';
        app.quit();
      });
  });
  app.on('window-all-closed', () => app.quit());
}
