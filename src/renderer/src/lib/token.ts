/**
 * The browser transport's access token: the page is opened as `/?token=XYZ`, or the operator
 * pastes it (`keepToken`); the token is kept in sessionStorage and removed from the address
 * bar so it is not bookmarked or shared.
 */
const STORAGE_KEY = 'paydesk.token';

export function takeTokenFromUrl(win: Window = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page's lifetime.
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keep a token the operator pasted for the session, as one from the URL is kept. */
export function keepToken(token: string, win: Window = window): void {
  try {
    win.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage can be disabled; the token still works for this page's lifetime.
  }
}
