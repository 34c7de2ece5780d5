/**
 * The web UI's files (the renderer build in out/renderer), served without a token since they
 * carry no data: content types by extension, no directory traversal, index.html for the
 * app's own paths, and the security headers the page runs under.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { failure, sendFailure } from './http-util';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // The UI's first URL carries the token: never send it on as a referrer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file below `root` that a URL path names, or null when it would leave `root`. */
export function resolveInside(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const full = resolve(root, `.${decoded}`);
  return full === root || full.startsWith(root + sep) ? full : null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Serves GET and HEAD requests for the UI from `dir`. */
export function staticFiles(dir: string) {
  const root = resolve(dir);
  const index = resolve(root, 'index.html');

  async function send(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    const body = await readFile(file);
    const immutable = file.startsWith(resolve(root, 'assets') + sep);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      // Built assets carry a content hash in their names; index.html must always be fresh.
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const file = resolveInside(root, pathname);
    if (file === null) return sendFailure(res, failure(404, 'not_found', 'Not found'));
    if (file !== root && (await isFile(file))) return send(req, res, file);
    // A path of the app (/payments/pay_1) falls back to the page; a missing file does not.
    const looksLikeFile = extname(pathname) !== '' || pathname.startsWith('/assets/');
    if (looksLikeFile) return sendFailure(res, failure(404, 'not_found', `No file at ${pathname}`));
    if (await isFile(index)) return send(req, res, index);
    sendFailure(
      res,
      failure(
        404,
        'not_found',
        'The web UI is not built: run `npm run build` (or `npm run serve -- --build`)',
      ),
    );
  };
}
