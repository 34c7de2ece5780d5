/**
 * HTTP plumbing shared by the REST API and the browser transport: JSON responses, the error
 * shape {"error": {code, message, field?}}, and reading a JSON body with a size limit, a
 * content-type check and a nesting limit. Failures are values, never thrown.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Deeper JSON than any operation takes; refusing it keeps recursion in check downstream. */
export const MAX_JSON_DEPTH = 32;

export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

export type Read<T> = { ok: true; value: T } | { ok: false; failure: HttpFailure };

export const failure = (
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Record<string, string>,
): HttpFailure => ({
  status,
  code,
  message,
  ...(field === undefined ? {} : { field }),
  ...(headers === undefined ? {} : { headers }),
});

type ErrorFields = Pick<HttpFailure, 'code' | 'message' | 'field'>;

/** The error shape of every failed response: {"error": {code, message, field?}}. */
export const errorJson = (f: ErrorFields) => ({
  error: { code: f.code, message: f.message, ...(f.field === undefined ? {} : { field: f.field }) },
});
export const errorBody = (f: ErrorFields): string => JSON.stringify(errorJson(f));

const API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Send a response whose body is already JSON text. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...API_HEADERS, ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const sendJson = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): void => sendJsonText(res, status, JSON.stringify(value), headers);

export const sendFailure = (res: ServerResponse, f: HttpFailure): void =>
  sendJsonText(res, f.status, errorBody(f), f.headers);

/** The host part of a URL for a bound address (a wildcard is reached through loopback). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** 413: answer at once, then close the connection instead of reading the rest. */
function tooLarge(req: IncomingMessage, res: ServerResponse): HttpFailure {
  res.once('finish', () => req.socket.destroy());
  return failure(
    413,
    'payload_too_large',
    `The body is larger than ${MAX_BODY_BYTES} bytes`,
    undefined,
    { connection: 'close' },
  );
}

/** Read the raw body, refusing more than MAX_BODY_BYTES. Null when the client went away. */
export function readBody(req: IncomingMessage, res: ServerResponse): Promise<Read<Buffer> | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    return Promise.resolve({ ok: false, failure: tooLarge(req, res) });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        req.pause();
        resolve({ ok: false, failure: tooLarge(req, res) });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ ok: true, value: Buffer.concat(chunks, size) });
    };
    const onGone = (): void => {
      cleanup();
      resolve(null);
    };
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** Whether a Content-Type header names JSON (parameters such as charset are allowed). */
export const isJsonContentType = (header: string | undefined): boolean =>
  /^application\/json\s*(?:;.*)?$/i.test(header?.trim() ?? '');

/** How deeply arrays and objects nest in JSON text (strings skipped), in one pass. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read a JSON body. An empty body is `undefined` whatever its Content-Type (fine for operations
 * that take no input); a non-empty one must say Content-Type: application/json (415 otherwise),
 * be valid UTF-8 and JSON (400) and nest no deeper than MAX_JSON_DEPTH (400). Null when the
 * client went away.
 */
export async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Read<unknown> | null> {
  const body = await readBody(req, res);
  if (body === null || !body.ok) return body;
  if (body.value.length === 0) return { ok: true, value: undefined };
  const contentType = req.headers['content-type'];
  if (!isJsonContentType(contentType)) return unsupported(contentType);
  let text: string;
  try {
    text = utf8.decode(body.value);
  } catch {
    return { ok: false, failure: failure(400, 'validation', 'The body is not valid UTF-8') };
  }
  if (text.trim() === '') return { ok: true, value: undefined };
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    return {
      ok: false,
      failure: failure(400, 'validation', `The JSON nests deeper than ${MAX_JSON_DEPTH} levels`),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return { ok: false, failure: failure(400, 'validation', `Malformed JSON${detail}`) };
  }
}

const unsupported = (contentType: string | undefined): Read<never> => ({
  ok: false,
  failure: failure(
    415,
    'unsupported_media_type',
    contentType === undefined
      ? 'Send the body with Content-Type: application/json'
      : `Content-Type ${contentType} is not supported: send application/json`,
  ),
});
