/**
 * A PostgreSQL cluster of the chaos harness's own (the two-instance mode): initdb into a
 * new temporary directory, started on a free port with `pg_ctl`, crashed and started again
 * with `pg_ctl restart -m immediate` mid-run, and stopped (its directory removed) at the
 * end. The machine's own server is never touched. initdb and postgres refuse to run as
 * root: as root they run as the `postgres` user (runuser), the directory chowned to it.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** Where Debian's and Ubuntu's packages put PostgreSQL 15 (or $PAYDESK_PG_BIN). */
export const PG_BIN = process.env.PAYDESK_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  port: number;
  /** The URL of a database of this cluster. */
  url(database: string): string;
  /** A crash and a start again (`pg_ctl restart -m immediate`): every connection is cut. */
  restart(): Promise<void>;
  /** Stop it (immediate) and remove its directory. */
  stop(): void;
}

const running = new Set<() => void>();
let hooked = false;

/** A free TCP port on 127.0.0.1 (asked of the OS, then let go). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Start a new cluster with one empty database, `database`. */
export async function startCluster(
  database: string,
  log: (line: string) => void,
): Promise<Cluster> {
  if (!existsSync(join(PG_BIN, 'pg_ctl'))) {
    throw new Error(
      `no ${join(PG_BIN, 'pg_ctl')}: set $PAYDESK_PG_BIN to PostgreSQL's bin directory`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-chaos-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const run = (program: string, args: string[]): void => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, program), ...args]]
      : [join(PG_BIN, program), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) {
      throw new Error(
        `${program} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${result.stderr}`,
      );
    }
  };
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // fsync stays on: a crash (-m immediate) keeps exactly what was committed.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const ctl = (...args: string[]) =>
    run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '120', ...args]);
  ctl('start');
  const stop = (): void => {
    if (!running.delete(stop)) return;
    const args = ['-D', dataDir, '-m', 'immediate', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]);
    else spawnSync(join(PG_BIN, 'pg_ctl'), args);
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  if (!hooked) {
    hooked = true;
    // Whatever ends the harness, its cluster goes with it.
    process.on('exit', () => {
      for (const each of [...running]) each();
    });
  }
  const url = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  log(`PostgreSQL cluster of the harness's own on port ${port} (${dataDir})`);
  return {
    port,
    url,
    restart: async () => {
      // Not spawnSync: the harness's clients go on meanwhile.
      const args = ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '120'];
      const [command, argv] = asRoot
        ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]]
        : [join(PG_BIN, 'pg_ctl'), args];
      await promisify(execFile)(command, [...argv, '-m', 'immediate', 'restart'], {
        timeout: 120_000,
      });
    },
    stop,
  };
}
