/**
 * Who may talk to the server: the API token (from $PAYDESK_API_TOKEN or `<data-dir>/api-token`,
 * compared in constant time) or an operator's own token (the core knows the accounts:
 * core/operators.ts), and the Host check that defeats DNS rebinding.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Caller } from '../main/core/operators';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../main/core/private-files';
import { tokenSchema } from '../shared/token';

export const TOKEN_FILE = 'api-token';
export const TOKEN_ENV = 'PAYDESK_API_TOKEN';

export interface TokenSource {
  token: string;
  /** The file it came from, or null when it came from the environment. */
  file: string | null;
  created: boolean;
}

export class TokenError extends Error {
  override name = 'TokenError';
}

/** The token set in $PAYDESK_API_TOKEN, null when unset; a TokenError when it is unusable. */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[TOKEN_ENV];
  if (value === undefined) return null;
  const parsed = tokenSchema.safeParse(value);
  if (!parsed.success) {
    throw new TokenError(`$${TOKEN_ENV} is not a usable token: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/**
 * The token from the environment, else the one kept in the data directory, else a new one
 * written there with mode 0600 (exclusively, so that two starts cannot write different ones).
 */
export async function loadOrCreateToken(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
): Promise<TokenSource> {
  const fromEnv = tokenFromEnv(env);
  if (fromEnv !== null) return { token: fromEnv, file: null, created: false };
  const file = join(dataDir, TOKEN_FILE);
  await makePrivateDir(dataDir);
  try {
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, {
      flag: 'wx',
      mode: PRIVATE_FILE_MODE,
    });
    return { token: await readToken(file), file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
    await chmod(file, PRIVATE_FILE_MODE);
    warn(`${file} was readable by other users; its mode is now 0600`);
  }
  return { token: await readToken(file), file, created: false };
}

async function readToken(file: string): Promise<string> {
  const parsed = tokenSchema.safeParse((await readFile(file, 'utf8')).trim());
  if (!parsed.success) {
    throw new TokenError(
      `${file} does not hold a usable token (${parsed.error.issues[0]?.message}); delete it to have a new one generated`,
    );
  }
  return parsed.data;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Whether an Authorization header carries the token (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  // Comparing digests keeps the time independent of the length and content of the guess.
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

/**
 * Who an Authorization header says the caller is: the API token, or another bearer token (an
 * operator's, if the core knows it); null without a usable bearer token.
 */
export function callerOf(header: string | undefined, apiToken: string): Caller | null {
  if (bearerMatches(header, apiToken)) return { kind: 'apiToken' };
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const token = match?.[1];
  if (token === undefined || !tokenSchema.safeParse(token).success) return null;
  return { kind: 'token', token };
}

/**
 * A check of the Host header against the address the server is bound to: host:port as bound,
 * plus localhost:port for loopback addresses. A wildcard bind (0.0.0.0, ::, only with
 * --allow-remote) cannot know its names, so it checks the port alone and relies on the token.
 */
export function hostCheck(
  boundHost: string,
  port: number,
): (hostHeader: string | undefined) => boolean {
  const bare = boundHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const wildcard = bare === '0.0.0.0' || bare === '::';
  const names = new Set([isIP(bare) === 6 ? `[${bare}]` : bare]);
  if (bare === 'localhost' || bare === '::1' || bare.startsWith('127.')) {
    names.add('localhost');
    if (bare === 'localhost') names.add('127.0.0.1').add('[::1]');
  }
  return (hostHeader) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec((hostHeader ?? '').toLowerCase());
    if (!match) return false;
    const headerPort = match[2] === undefined ? 80 : Number(match[2]);
    if (headerPort !== port) return false;
    return wildcard || names.has(match[1] ?? '');
  };
}
