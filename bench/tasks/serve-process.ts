/**
 * The real headless server as a child of a benchmark worker: `node scripts/serve.mjs` with
 * the given options, as a user starts it. Its READY line is read from stdout (parsed with
 * zod: it crosses a process boundary), the tail of its output is kept (what it says of its
 * start-up, and to explain a failure), and it is
 * stopped by a signal sent to its own pid (serve.mjs runs the server in-process, so that pid
 * is the whole server) and waited for. Only the pids spawned here are ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { READY_PREFIX } from '../../src/server/cli';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** How much of the server's output (stdout and stderr) is kept. */
const OUTPUT_KEPT = 8000;

const readyLine = z.object({
  url: z.string(),
  apiUrl: z.string(),
  tokenFile: z.string().nullable(),
  dataDir: z.string(),
});
export type ReadyLine = z.infer<typeof readyLine>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly pid: number;
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  /** The READY line and when it was read (ms since the spawn); rejects if it never comes. */
  readonly ready: Promise<{ ms: number; line: ReadyLine }>;
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Whether it has exited. */
  hasExited(): boolean;
  /** The last lines it wrote, stdout and stderr as they came. */
  output(): string;
  /** Send `signal` unless it has exited, wait for the exit; SIGKILL after `graceMs`. */
  stop(signal: 'SIGTERM' | 'SIGKILL', graceMs?: number): Promise<Exit>;
}

/** Spawn `node scripts/serve.mjs <args>`; the READY line must come within `readyTimeoutMs`. */
export function startServer(args: readonly string[], readyTimeoutMs = 30_000): ServerProcess {
  // The token comes from the data directory's api-token file, not from this environment.
  const env = { ...process.env };
  delete env.PAYDESK_API_TOKEN;
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['scripts/serve.mjs', ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn node scripts/serve.mjs');
  const pid = child.pid;
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  let kept = '';
  const keep = (chunk: string) => void (kept = (kept + chunk).slice(-OUTPUT_KEPT));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', keep);
  const output = () => kept.trim();

  const ready = new Promise<{ ms: number; line: ReadyLine }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no READY line within ${readyTimeoutMs} ms; output: ${output()}`)),
      readyTimeoutMs,
    );
    let outText = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const at = performance.now();
      keep(chunk);
      outText += chunk;
      const lines = outText.split('\n');
      outText = lines.pop() ?? '';
      const found = lines.find((l) => l.startsWith(READY_PREFIX));
      if (found === undefined) return;
      clearTimeout(timer);
      try {
        const line = readyLine.parse(JSON.parse(found.slice(READY_PREFIX.length)));
        resolve({ ms: at - spawnedAt, line });
      } catch (error) {
        reject(new Error(`unreadable READY line ${found}: ${(error as Error).message}`));
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${e.code ?? e.signal}) before READY: ${output()}`));
    });
  });
  // Whoever awaits `ready` sees its failure; a server stopped before it is not an error here.
  ready.catch(() => undefined);

  return {
    pid,
    spawnedAt,
    ready,
    exited,
    hasExited: () => exit !== null,
    output,
    async stop(signal, graceMs = 10_000) {
      if (exit !== null) return exit;
      child.kill(signal);
      if (signal === 'SIGKILL') return exited;
      const timer = setTimeout(() => {
        if (exit === null) child.kill('SIGKILL');
      }, graceMs);
      const done = await exited;
      clearTimeout(timer);
      return done;
    },
  };
}
