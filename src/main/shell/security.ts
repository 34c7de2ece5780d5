/**
 * The shell's security rules as small functions: which URLs are the app's own page, which IPC
 * senders are trusted, the Content-Security-Policy, and the hardening of the session and the
 * window's web contents (no navigation away, no new windows, no webviews, next to no permissions).
 * Electron objects are passed in, so this module never loads 'electron' itself.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeadersReceivedResponse, Session, WebContents } from 'electron';

/** Sent as a header for the app's page; the renderer's index.html carries it in a <meta>. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The dev server's URL (electron-vite dev sets ELECTRON_RENDERER_URL), or undefined in a
 * packaged or built app. Only a loopback http(s) URL counts: the app never loads remote content.
 */
export function devServerUrl(
  env: Record<string, string | undefined>,
  isPackaged: boolean,
): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (isPackaged || !raw) return undefined;
  try {
    const url = new URL(raw);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return web && LOOPBACK_HOSTS.has(url.hostname) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export interface AppLocation {
  /** Absolute path of the built renderer's index.html (loaded with loadFile). */
  indexHtml: string;
  /** The dev server's URL, when running under `electron-vite dev`. */
  devUrl?: string | undefined;
}

/**
 * Whether a URL is the app's own page: in dev any URL of the dev server's origin, otherwise
 * exactly the built index.html (any query or hash).
 */
export function createAppUrlMatcher(location: AppLocation): (url: string) => boolean {
  const indexPath = comparablePath(resolve(location.indexHtml));
  const devOrigin = location.devUrl === undefined ? undefined : new URL(location.devUrl).origin;
  return (raw) => {
    try {
      const url = new URL(raw);
      if (devOrigin !== undefined) return url.origin === devOrigin;
      if (url.protocol !== 'file:' || url.host !== '') return false;
      return comparablePath(fileURLToPath(url)) === indexPath;
    } catch {
      return false;
    }
  };
}

function comparablePath(path: string): string {
  return process.platform === 'win32' ? path.toLowerCase() : path;
}

/** The parts of an IPC event (and of Electron's WebFrameMain) the trust check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly processId: number;
  readonly routingId: number;
}
export interface SenderLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}
export interface WindowContentsLike {
  readonly mainFrame: FrameLike;
}

/**
 * An IPC message is trusted only if it comes from our window's web contents, from its main
 * frame (not an iframe), and that frame shows the app's own page.
 */
export function isTrustedSender(
  event: SenderLike,
  contents: WindowContentsLike | null | undefined,
  isAppUrl: (url: string) => boolean,
): boolean {
  try {
    const frame = event.senderFrame;
    if (!contents || !frame || event.sender !== contents || frame.parent !== null) return false;
    const main = contents.mainFrame;
    return (
      frame.processId === main.processId &&
      frame.routingId === main.routingId &&
      isAppUrl(frame.url)
    );
  } catch {
    // A frame disposed while its message was in flight: nothing to trust.
    return false;
  }
}

/** The header change for one response: the CSP on the app's own page, nothing elsewhere. */
export function cspHeaders(
  details: { url: string; responseHeaders?: Record<string, string[]> },
  isAppUrl: (url: string) => boolean,
): HeadersReceivedResponse {
  if (!isAppUrl(details.url)) return {};
  const headers = Object.fromEntries(
    Object.entries(details.responseHeaders ?? {}).filter(
      ([name]) => name.toLowerCase() !== 'content-security-policy',
    ),
  );
  return { responseHeaders: { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } };
}

/**
 * Permissions the page may have: writing plain text to the clipboard (a "copy" button), from
 * the app's own page. Everything else (camera, geolocation, notifications...) is refused.
 */
export function allowPermission(
  permission: string,
  requestingUrl: string | undefined,
  isAppUrl: (url: string) => boolean,
): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl ?? '');
}

/** The CSP header on the app's page, and permission requests refused (see allowPermission). */
export function hardenSession(session: Session, isAppUrl: (url: string) => boolean): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback(cspHeaders(details, isAppUrl));
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowPermission(permission, details.requestingUrl, isAppUrl)),
  );
}

/** The window stays on the app's page: no navigation away, no new windows, no webviews. */
export function hardenContents(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
