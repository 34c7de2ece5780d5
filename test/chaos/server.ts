/**
 * The chaos harness's hands on the server: `node scripts/serve.mjs` spawned in its own
 * process group, killed with SIGKILL to the whole group (and waited for until the group is
 * really gone), and a small keep-alive HTTP client for its REST API. Only processes this
 * module started are ever signalled: their pids are remembered, and killed on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';

const READY = /^PAYDESK_READY (.*)$/m;

/** Process groups started here and not yet known to be gone. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killLiveGroups(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever ends the harness, the servers it started go with it.
  process.on('exit', killLiveGroups);
}

/** Kill the process group `pid` (a child spawned detached) with SIGKILL when this process exits. */
export function trackGroup(pid: number): void {
  installExitHook();
  liveGroups.add(pid);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Build the app once (out/) unless it is built: a build must not be killed half-way. */
export function ensureBuilt(root: string): void {
  const built =
    existsSync(join(root, 'out/main/server.js')) &&
    existsSync(join(root, 'out/renderer/index.html'));
  if (built) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0) {
    throw new Error(`npx electron-vite build failed (exit ${build.status ?? build.signal})`);
  }
}

export interface ServerOptions {
  root: string;
  dataDir: string;
  /** The in-process mock gateway's latency and seed (not with `gateway`). */
  latencyMs?: number;
  seed?: number;
  /** Call this gateway service (npm run gateway) instead of a mock in the server's process. */
  gateway?: { url: string; token?: string };
  /** Keep the books in this PostgreSQL database (`--database`), shared with other instances. */
  database?: string;
  /** The server's bundle to run (default scripts/serve.mjs, which runs out/main/server.js). */
  entry?: string;
  /** Where the server's stdout and stderr are appended. */
  logFile: string;
  readyTimeoutMs?: number;
}

export interface Server {
  pid: number;
  apiUrl: string;
  token: string;
  /** Set once the process has exited (by itself or killed). */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Whether the harness killed or stopped it (an exit otherwise is a crash). */
  killed: boolean;
  /** The last part of its output, for error messages. */
  tail(): string;
}

interface Started extends Server {
  child: ChildProcess;
  log: WriteStream;
}

/** Spawn the server on `dataDir` (its own process group) and wait for PAYDESK_READY. */
export async function startServer(options: ServerOptions): Promise<Server> {
  installExitHook();
  const { PAYDESK_API_TOKEN: _fromEnv, ...env } = process.env;
  const args = [
    options.entry ?? 'scripts/serve.mjs',
    '--data-dir',
    options.dataDir,
    '--port',
    '0',
    '--clock',
    'test',
    ...(options.latencyMs === undefined ? [] : ['--gateway-latency-ms', String(options.latencyMs)]),
    ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
    ...(options.gateway === undefined ? [] : ['--gateway-url', options.gateway.url]),
    ...(options.gateway?.token === undefined ? [] : ['--gateway-token', options.gateway.token]),
    ...(options.database === undefined ? [] : ['--database', options.database]),
    '--no-scheduler',
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn node scripts/serve.mjs');
  liveGroups.add(pid);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n==== ${new Date().toISOString()} pid ${pid}: node ${args.join(' ')}\n`);
  let stdout = '';
  let tail = '';
  const keep = (chunk: string): void => {
    log.write(chunk);
    tail = (tail + chunk).slice(-8_000);
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < 100_000) stdout += chunk;
    keep(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  let ready: { apiUrl: string; tokenFile: string | null } | null = null;
  let gone = false;
  void exited.then(() => (gone = true));
  while (ready === null) {
    const line = READY.exec(stdout);
    if (line) {
      ready = JSON.parse(line[1] ?? '') as { apiUrl: string; tokenFile: string | null };
      break;
    }
    if (gone) throw new Error(`the server exited before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      await killGroup({ pid, exited });
      throw new Error(`no PAYDESK_READY line within ${timeoutMs} ms:\n${tail}`);
    }
    await sleep(20);
  }
  const tokenFile = ready.tokenFile ?? join(options.dataDir, 'api-token');
  const token = readFileSync(tokenFile, 'utf8').trim();
  const server: Started = {
    pid,
    apiUrl: ready.apiUrl,
    token,
    exited,
    killed: false,
    tail: () => tail,
    child,
    log,
  };
  void exited.then(() => log.end());
  return server;
}

/** Whether a process group still has a member (zombies included). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGKILL the whole process group, then wait until the child has exited and the group is
 * gone, so that nothing of it still holds the data directory when the next server starts.
 */
export async function killGroup(
  server: Pick<Server, 'pid' | 'exited'> & { killed?: boolean },
  timeoutMs = 30_000,
): Promise<void> {
  if ('killed' in server) server.killed = true;
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)),
  );
  const outcome = await Promise.race([server.exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late')
    throw new Error(`process ${server.pid} did not exit within ${timeoutMs} ms of SIGKILL`);
  while (groupAlive(server.pid)) {
    if (Date.now() > deadline) {
      throw new Error(`process group ${server.pid} still exists ${timeoutMs} ms after SIGKILL`);
    }
    await sleep(5);
  }
  liveGroups.delete(server.pid);
}

/** Send SIGTERM to the group (a graceful stop) without waiting. */
export function terminate(server: Server): void {
  server.killed = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // Gone already.
  }
}

/** SIGTERM (a graceful stop), then SIGKILL after `graceMs`; resolves with the exit code. */
export async function stopServer(server: Server, graceMs = 30_000): Promise<number | null> {
  terminate(server);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), graceMs)),
  );
  const outcome = await Promise.race([server.exited, late]);
  clearTimeout(timer);
  await killGroup(server);
  return outcome === 'late' ? null : outcome.code;
}

// ---------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  status: number;
  text: string;
  /** The `idempotent-replayed: true` header. */
  replayed: boolean;
}

/** A request that got no full answer (connection reset, refused, or timed out). */
export class NoAnswer extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'NoAnswer';
  }
}

/** A keep-alive client of one server's REST API (dropped with the server). */
export class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  request(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; key?: string; timeoutMs: number },
  ): Promise<Answer> {
    const url = new URL(path, this.apiUrl);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (options.key !== undefined) headers['idempotency-key'] = options.key;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const fail = (message: string, timedOut = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(new NoAnswer(`${method} ${path}: ${message}`, timedOut));
      };
      const timer = setTimeout(
        () => fail(`no answer within ${options.timeoutMs} ms`, true),
        options.timeoutMs,
      );
      const req = httpRequest(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(error.message));
        res.on('close', () => {
          if (settled) return;
          if (!res.complete) return fail('the connection closed mid-answer');
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            replayed: res.headers['idempotent-replayed'] === 'true',
          });
        });
      });
      req.on('error', (error) => fail(error.message));
      req.end(payload);
    });
  }

  /** Close every connection (after a kill: the sockets are dead anyway). */
  close(): void {
    this.agent.destroy();
  }
}
