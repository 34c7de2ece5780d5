/**
 * The screen in the URL, as a hash (`#/payments`): a reload stays on it, Back and Forward
 * move between screens, and the document's title names it ("Payments — Paydesk"; the
 * Electron window's title follows the document's). A hash, not a path: the desktop app
 * loads index.html from a file, where only the hash survives a reload, and the headless
 * server never sees it. The token's query (`?token=`) is left alone (lib/token.ts).
 */
import { SCREEN_NAMES, SCREENS, goTo, useNavigation, type Screen } from '../store/navigation';

export const APP_NAME = 'Paydesk';

export const screenHash = (screen: Screen): string => `#/${screen}`;

/** The screen a URL's hash names (`#/audit`, `#audit`, `#/audit/...`), or null. */
export function screenOfHash(hash: string): Screen | null {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : null;
}

export const screenTitle = (screen: Screen): string => `${SCREEN_NAMES[screen]} — ${APP_NAME}`;

/** At start, before the first render: show the screen the URL names (a reload). */
export function restoreScreen(win: Window = window): void {
  const screen = screenOfHash(win.location.hash);
  if (screen !== null) goTo(screen);
}

/**
 * Keeps the URL and the title in step with the screen shown: a new screen is a new history
 * entry; Back/Forward (popstate, or a hash typed in the address bar) show the screen named.
 */
export function installRouting(win: Window = window): () => void {
  const show = (screen: Screen, how: 'push' | 'replace'): void => {
    win.document.title = screenTitle(screen);
    const hash = screenHash(screen);
    if (win.location.hash === hash) return;
    const url = `${win.location.pathname}${win.location.search}${hash}`;
    if (how === 'push') win.history.pushState(null, '', url);
    else win.history.replaceState(win.history.state, '', url);
  };
  show(useNavigation.getState().screen, 'replace');
  const unsubscribe = useNavigation.subscribe((state, previous) => {
    if (state.screen !== previous.screen) show(state.screen, 'push');
  });
  const onLocation = (): void => {
    const screen = screenOfHash(win.location.hash);
    if (screen === null) {
      show(useNavigation.getState().screen, 'replace');
      return;
    }
    if (screen === useNavigation.getState().screen) return;
    goTo(screen);
    // As a click in the navigation does: the new screen's heading takes the focus.
    win.requestAnimationFrame(() => win.document.querySelector<HTMLElement>('main h1')?.focus());
  };
  win.addEventListener('popstate', onLocation);
  win.addEventListener('hashchange', onLocation);
  return () => {
    unsubscribe();
    win.removeEventListener('popstate', onLocation);
    win.removeEventListener('hashchange', onLocation);
  };
}
