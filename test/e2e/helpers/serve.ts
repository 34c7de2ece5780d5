/**
 * `npm run serve` as a child process for the end-to-end tests: spawned exactly as a user
 * runs it (node scripts/serve.mjs), ready once it prints its PAYDESK_READY line, stopped
 * with SIGTERM (and SIGKILL if it will not stop), plus tiny clients of the REST API and of
 * /rpc that carry the API token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const READY = /^PAYDESK_READY (.*)$/m;

/** What the server announces on its PAYDESK_READY line. */
export interface Ready {
  url: string;
  apiUrl: string;
  uiUrl: string;
  tokenFile: string | null;
  dataDir: string;
}

export interface Served {
  child: ChildProcess;
  /** Everything printed so far on stdout and stderr, for failure messages. */
  output: () => string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Start the CLI with `args` (PAYDESK_API_TOKEN removed, so the token file is used). */
export function serve(args: readonly string[]): Served {
  const { PAYDESK_API_TOKEN: _fromEnv, ...env } = process.env;
  const child = spawn(process.execPath, ['scripts/serve.mjs', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  // Should the test process go away without its afterAll, the server goes with it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      process.off('exit', killOnExit);
      done(code);
    }),
  );
  return { child, output: () => output, exited };
}

/** The PAYDESK_READY line's content; rejects if the server exits or stays silent. */
export function ready(served: Served, timeoutMs = 60_000): Promise<Ready> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => finish(new Error(`no PAYDESK_READY line within ${timeoutMs} ms:\n${served.output()}`)),
      timeoutMs,
    );
    const check = (): void => {
      const line = READY.exec(served.output());
      if (line) finish(null, JSON.parse(line[1] ?? '') as Ready);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`the server exited (${code}) before it was ready:\n${served.output()}`));
    function finish(error: Error | null, value?: Ready): void {
      clearTimeout(timer);
      served.child.stdout?.off('data', check);
      served.child.off('exit', onExit);
      if (error) fail(error);
      else done(value as Ready);
    }
    served.child.stdout?.on('data', check);
    served.child.on('exit', onExit);
    check();
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
export async function stop(served: Served, graceMs = 15_000): Promise<number | null> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return served.exited;
  served.child.kill('SIGTERM');
  const timer = setTimeout(() => served.child.kill('SIGKILL'), graceMs);
  try {
    return await served.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A REST client of /command/api/ with the Bearer token. */
export function restClient(apiUrl: string, token: string) {
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(new URL(path, apiUrl), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any field of the JSON
    return JSON.parse(text) as any;
  };
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body: unknown = {}) => request('POST', path, body),
  };
}

export type RestClient = ReturnType<typeof restClient>;

/** One operation over /rpc (`url` is the server's root), as the browser UI calls it: its Result. */
export function rpcClient(url: string, token: string) {
  return async (name: string, input: unknown = {}): Promise<unknown> => {
    const response = await fetch(new URL(`/rpc/${name}`, url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return response.json();
  };
}
