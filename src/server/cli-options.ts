/**
 * The options of `npm run serve`: parsed with node:util's parseArgs, validated with zod.
 * Pure (argv and environment in, options or an error naming the option out), so that the
 * CLI can print the error and exit 2 before it touches anything.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import type { CoreOptions } from '../main/core/api';
import { serviceUrl, tokenSchema } from '../shared/token';
import { defaultDataDir } from './data-dir';

export interface ServeOptions {
  port: number;
  host: string;
  allowRemote: boolean;
  dataDir: string;
  clock: 'system' | 'test';
  gatewaySuccessRate?: number;
  gatewayLatencyMs?: number;
  seed?: number;
  /** The shared gateway service to call instead of a mock gateway in this process. */
  gatewayService?: { url: string; token: string | null };
  /** The PostgreSQL database that holds the books, shared with the other instances. */
  database?: string;
  schedulerIntervalSeconds?: number;
  /** false with --no-scheduler; otherwise the stored setting decides. */
  scheduler?: false;
  /** A backup folder to restore into the data directory before serving it. */
  restore?: string;
  /** true with --daily-backups: back up once a day, as the desktop app does (if the setting allows). */
  dailyBackups?: true;
  /** --create-admin NAME: add an admin account, print its token once and exit (no serving). */
  createAdmin?: string;
}

export type ParsedCli = { kind: 'help' } | { kind: 'serve'; options: ServeOptions };

export const USAGE = `Usage: npm run serve -- [options]

Runs Paydesk headless: the REST API under /command/api/ and the web UI at /.

Options:
  --port <n>                  Port to listen on (default 8000; 0 picks a free port)
  --host <address>            Address to bind (default 127.0.0.1)
  --allow-remote              Allow a --host that is not a loopback address
  --data-dir <path>           Data directory (default: the desktop app's, ${defaultDataDir()})
  --clock <system|test>       The system clock, or a test clock advanced by hand (default system)
  --gateway-success-rate <p>  Probability that a charge succeeds, 0..1 (default 0.9)
  --gateway-latency-ms <n>    Mean latency of the mock gateway in ms (default 300)
  --seed <n>                  Seed of the mock gateway's outcomes (default random)
  --gateway-url <url>         Call the shared gateway service at this URL (npm run gateway)
                              instead of a mock gateway in this process (or
                              $PAYDESK_GATEWAY_URL); the three options above are then its own
  --gateway-token <token>     The token the gateway service asks for (or $PAYDESK_GATEWAY_TOKEN)
  --database <url>            Keep the books in this PostgreSQL database (postgres://...; or
                              $PAYDESK_DATABASE_URL), shared by every instance given it; each
                              instance keeps its own --data-dir and they share --gateway-url
  --scheduler-interval-s <n>  Seconds between recurring runs (default: the stored setting, 60)
  --no-scheduler              Do not start the recurring-payment timer
  --daily-backups             Back up once a day into the backup folder, as the desktop app
                              does (keeps the newest 7 daily ones; see Settings > Backups)
  --restore <folder>          Restore that backup first (a paydesk-backup-* folder), then
                              serve it; the data it replaces is moved to
                              <data-dir>/before-restore-<when>/, never deleted
  --create-admin <name>       Add an admin operator account, print its token once and exit
                              (stop the server on this data directory first); from then on
                              every request needs an operator's own token (README, Operators)
  --build                     Rebuild before starting (handled by scripts/serve.mjs)
  -h, --help                  Show this help

The API token comes from $PAYDESK_API_TOKEN or <data-dir>/api-token (created at first start).`;

/** A whole-number option from `min` to `max` (the gateway service's CLI takes them too). */
export const integer = (option: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${option} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `--${option} must be at least ${min}`)
        .max(max, `--${option} must be at most ${max}`),
    );

/** A probability option, 0 to 1, in plain decimal notation. */
export const probability = (option: string) =>
  z
    .string()
    .regex(/^(?:0|1|0?\.\d+|[01]\.0*)$/, `--${option} must be a number from 0 to 1`)
    .transform(Number);

const rawSchema = z.object({
  port: integer('port', 0, 65_535).default(8000),
  host: z.string().min(1, '--host must not be empty').default('127.0.0.1'),
  'allow-remote': z.boolean().default(false),
  'data-dir': z.string().min(1, '--data-dir must not be empty').optional(),
  clock: z
    .enum(['system', 'test'], { error: '--clock must be "system" or "test"' })
    .default('system'),
  'gateway-success-rate': probability('gateway-success-rate').optional(),
  'gateway-latency-ms': integer('gateway-latency-ms', 0, 60_000).optional(),
  seed: integer('seed', 0, Number.MAX_SAFE_INTEGER).optional(),
  'gateway-url': z.string().optional(),
  'gateway-token': z.string().optional(),
  database: z.string().optional(),
  'scheduler-interval-s': integer('scheduler-interval-s', 1, 86_400).optional(),
  'no-scheduler': z.boolean().default(false),
  'daily-backups': z.boolean().default(false),
  restore: z.string().min(1, '--restore must name a backup folder').optional(),
  'create-admin': z
    .string()
    .trim()
    .min(1, '--create-admin must name the admin')
    .max(100, '--create-admin takes a name of at most 100 characters')
    .regex(/^[^\p{Cc}]*$/u, '--create-admin takes a name without control characters')
    .optional(),
  build: z.boolean().default(false),
  help: z.boolean().default(false),
});

const parseArgsOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  'data-dir': { type: 'string' },
  clock: { type: 'string' },
  'gateway-success-rate': { type: 'string' },
  'gateway-latency-ms': { type: 'string' },
  seed: { type: 'string' },
  'gateway-url': { type: 'string' },
  'gateway-token': { type: 'string' },
  database: { type: 'string' },
  'scheduler-interval-s': { type: 'string' },
  'no-scheduler': { type: 'boolean' },
  'daily-backups': { type: 'boolean' },
  restore: { type: 'string' },
  'create-admin': { type: 'string' },
  build: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Whether an address only reaches this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Command-line flags parsed by node:util's parseArgs and validated by `schema`; an error
 * names the option (and what was given). The gateway service's CLI parses its own this way.
 */
export function parseFlags<T>(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; message: string } {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs explains at length how to pass positionals; the first sentence is enough.
    return { ok: false, message: message.split(/(?<=\.) /)[0] ?? message };
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = String(issue?.path[0] ?? '');
    const given = values[option];
    const message = issue?.message ?? 'invalid option';
    return {
      ok: false,
      message: typeof given === 'string' ? `${message} (got "${given}")` : message,
    };
  }
  return { ok: true, value: parsed.data };
}

export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; value: ParsedCli } | { ok: false; message: string } {
  const flags = parseFlags(argv, parseArgsOptions, rawSchema);
  if (!flags.ok) return flags;
  const v = flags.value;
  if (v.help) return { ok: true, value: { kind: 'help' } };
  if (!isLoopback(v.host) && !v['allow-remote']) {
    return {
      ok: false,
      message: `--host ${v.host} is not a loopback address: other machines could reach the API. Add --allow-remote if that is what you want`,
    };
  }
  const options: ServeOptions = {
    port: v.port,
    host: v.host.replace(/^\[(.*)\]$/, '$1'),
    allowRemote: v['allow-remote'],
    dataDir: resolve(v['data-dir'] ?? defaultDataDir(process.platform, env)),
    clock: v.clock,
  };
  if (v['gateway-success-rate'] !== undefined)
    options.gatewaySuccessRate = v['gateway-success-rate'];
  if (v['gateway-latency-ms'] !== undefined) options.gatewayLatencyMs = v['gateway-latency-ms'];
  if (v.seed !== undefined) options.seed = v.seed;
  const service = gatewayServiceOf(v, env);
  if (!service.ok) return service;
  if (service.value !== null) options.gatewayService = service.value;
  const database = databaseOf(v, env, options);
  if (!database.ok) return database;
  if (database.value !== null) options.database = database.value;
  if (v['scheduler-interval-s'] !== undefined) {
    options.schedulerIntervalSeconds = v['scheduler-interval-s'];
  }
  if (v['no-scheduler']) options.scheduler = false;
  if (v['daily-backups']) options.dailyBackups = true;
  if (v.restore !== undefined) options.restore = resolve(v.restore);
  if (v['create-admin'] !== undefined) options.createAdmin = v['create-admin'];
  return { ok: true, value: { kind: 'serve', options } };
}

export const GATEWAY_URL_ENV = 'PAYDESK_GATEWAY_URL';
export const GATEWAY_TOKEN_ENV = 'PAYDESK_GATEWAY_TOKEN';
const MOCK_OPTIONS = ['gateway-success-rate', 'gateway-latency-ms', 'seed'] as const;

/** The gateway service named by --gateway-url or $PAYDESK_GATEWAY_URL (null: none), checked. */
function gatewayServiceOf(
  v: z.infer<typeof rawSchema>,
  env: NodeJS.ProcessEnv,
): { ok: true; value: ServeOptions['gatewayService'] | null } | { ok: false; message: string } {
  const { 'gateway-url': flagUrl, 'gateway-token': flagToken } = v;
  const url = flagUrl ?? (env[GATEWAY_URL_ENV] || undefined);
  if (url === undefined) {
    return flagToken === undefined
      ? { ok: true, value: null }
      : { ok: false, message: "--gateway-token is the gateway service's: give --gateway-url too" };
  }
  const urlSource = flagUrl === undefined ? `$${GATEWAY_URL_ENV}` : '--gateway-url';
  if (!serviceUrl.safeParse(url).success) {
    return { ok: false, message: `${urlSource} must be an http:// or https:// URL (got "${url}")` };
  }
  const mockOnly = MOCK_OPTIONS.find((option) => v[option] !== undefined);
  if (mockOnly !== undefined) {
    return {
      ok: false,
      message: `--${mockOnly} sets the mock gateway in this process; with ${urlSource} the gateway service sets it (npm run gateway)`,
    };
  }
  const token = flagToken ?? (env[GATEWAY_TOKEN_ENV] || undefined);
  if (token === undefined) return { ok: true, value: { url, token: null } };
  const checked = tokenSchema.safeParse(token);
  if (!checked.success) {
    const tokenSource = flagToken === undefined ? `$${GATEWAY_TOKEN_ENV}` : '--gateway-token';
    return {
      ok: false,
      message: `${tokenSource} is not a usable token: ${checked.error.issues[0]?.message}`,
    };
  }
  return { ok: true, value: { url, token } };
}

export const DATABASE_URL_ENV = 'PAYDESK_DATABASE_URL';

/** A PostgreSQL connection URL (what node-postgres takes). */
const databaseUrl = z.url({ protocol: /^postgres(ql)?$/ });

/**
 * The database named by --database or $PAYDESK_DATABASE_URL (null: none), checked: the
 * instances sharing it must share the gateway too, and it is backed up with pg_dump.
 */
function databaseOf(
  v: z.infer<typeof rawSchema>,
  env: NodeJS.ProcessEnv,
  options: ServeOptions,
): { ok: true; value: string | null } | { ok: false; message: string } {
  const url = v.database ?? (env[DATABASE_URL_ENV] || undefined);
  if (url === undefined) return { ok: true, value: null };
  const source = v.database === undefined ? `$${DATABASE_URL_ENV}` : '--database';
  if (!databaseUrl.safeParse(url).success) {
    return { ok: false, message: `${source} must be a postgres:// or postgresql:// URL` };
  }
  if (options.gatewayService === undefined) {
    return {
      ok: false,
      message: `${source}: the instances sharing the books must share the payment provider too: give --gateway-url (npm run gateway)`,
    };
  }
  const fileOnly = (['restore', 'daily-backups'] as const).find(
    (o) => v[o] !== undefined && v[o] !== false,
  );
  if (fileOnly !== undefined) {
    return {
      ok: false,
      message: `--${fileOnly} is for the books in the data directory; with ${source} back them up with pg_dump (README)`,
    };
  }
  return { ok: true, value: url };
}

/** The core's options for validated serve options. */
export function coreOptionsOf(options: ServeOptions, log: (m: string) => void): CoreOptions {
  const gateway: NonNullable<CoreOptions['gateway']> = {};
  if (options.gatewaySuccessRate !== undefined) gateway.successRate = options.gatewaySuccessRate;
  if (options.gatewayLatencyMs !== undefined) gateway.latencyMs = options.gatewayLatencyMs;
  if (options.seed !== undefined) gateway.seed = options.seed;
  const core: CoreOptions = { dataDir: options.dataDir, clock: options.clock, gateway, log };
  if (options.dailyBackups) core.dailyBackups = true;
  if (options.gatewayService !== undefined) core.gatewayService = options.gatewayService;
  if (options.database !== undefined) core.database = options.database;
  if (options.scheduler !== undefined) core.scheduler = options.scheduler;
  if (options.schedulerIntervalSeconds !== undefined) {
    core.schedulerIntervalSeconds = options.schedulerIntervalSeconds;
  }
  return core;
}
