/**
 * The gateway service (`npm run gateway`) as a child process in its own process group, for
 * the tests: started on a data directory, ready once it prints its PAYDESK_GATEWAY_READY
 * line, SIGKILLed (the whole group, waited for) or stopped with SIGTERM. Only processes
 * started here are signalled.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroup, trackGroup } from '../../chaos/server';

// Not __dirname: the chaos harness's CLI (plain ESM through tsx) imports this too.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const READY = /^PAYDESK_GATEWAY_READY (.*)$/m;

export interface GatewayServiceOptions {
  dataDir: string;
  seed?: number;
  successRate?: number;
  latencyMs?: number;
  token?: string;
  /** 0 (default) picks a free port; a restart passes the port it had. */
  port?: number;
  /**
   * 'bundle': `node scripts/gateway.mjs`, what `npm run gateway` runs (built first when
   * out/main/gateway.js is missing); 'source' (default): the TypeScript through tsx, which
   * needs no build.
   */
  run?: 'bundle' | 'source';
  /** Where its output is appended (default gateway.log in the data directory's parent). */
  logFile?: string;
}

export interface RunningGatewayService {
  pid: number;
  url: string;
  port: number;
  options: GatewayServiceOptions;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGKILL to the group; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
  output(): string;
}

export async function startGatewayService(
  options: GatewayServiceOptions,
  readyTimeoutMs = 120_000,
): Promise<RunningGatewayService> {
  const args = [
    ...(options.run === 'bundle'
      ? ['scripts/gateway.mjs']
      : ['--import', 'tsx', 'src/gateway-service/cli.ts']),
    '--data-dir',
    options.dataDir,
    '--port',
    String(options.port ?? 0),
    ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
    ...(options.successRate === undefined ? [] : ['--success-rate', String(options.successRate)]),
    ...(options.latencyMs === undefined ? [] : ['--latency-ms', String(options.latencyMs)]),
    ...(options.token === undefined ? [] : ['--token', options.token]),
  ];
  const { PAYDESK_GATEWAY_TOKEN: _fromEnv, ...env } = process.env;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the gateway service');
  trackGroup(pid);
  const logFile = options.logFile ?? join(options.dataDir, '..', 'gateway.log');
  let output = '';
  const keep = (chunk: string): void => {
    output += chunk;
    appendFileSync(logFile, chunk);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + readyTimeoutMs;
  let ready: { url: string } | null = null;
  while (ready === null) {
    const line = READY.exec(output);
    if (line) ready = JSON.parse(line[1] ?? '') as { url: string };
    else if (gone) throw new Error(`the gateway service exited before it was ready:\n${output}`);
    else if (Date.now() > deadline) {
      await killGroup({ pid, exited });
      throw new Error(`no PAYDESK_GATEWAY_READY line within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = ready.url;
  return {
    pid,
    url,
    port: Number(new URL(url).port),
    options,
    exited,
    kill: () => killGroup({ pid, exited }),
    stop: async () => {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
      const { code } = await exited;
      await killGroup({ pid, exited });
      return code;
    },
    output: () => output,
  };
}

/** The same service again on its data directory and port (after a kill). */
export function restartGatewayService(
  service: RunningGatewayService,
): Promise<RunningGatewayService> {
  return startGatewayService({ ...service.options, port: service.port });
}
