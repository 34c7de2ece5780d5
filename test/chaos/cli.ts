/**
 * `npm run chaos -- [options]`: the kill -9 chaos harness (./harness) from the command line.
 * Prints progress on stderr, the violations found, and one summary line on stdout; exits 1
 * on any violation (or when the run could not finish), 2 on bad options.
 */
import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_OPTIONS, runChaos, summaryLine, type ChaosOptions } from './harness';

export const USAGE = `Usage: npm run chaos -- [options]

Runs the real headless server, loads it from several clients, kills its process group with
SIGKILL at random moments, restarts it and checks it against the mock gateway's ledger.

Options:
  --rounds <n>         Kill points (default ${DEFAULT_OPTIONS.rounds})
  --seed <n>           Seed of the schedule (default random; printed)
  --duration-s <n>     Start no new round after this many seconds
  --clients <n>        Payment clients (default ${DEFAULT_OPTIONS.clients})
  --latency-ms <n>     Mean latency of the mock gateway (default ${DEFAULT_OPTIONS.latencyMs})
  --subscriptions <n>  Subscriptions charged by each recurring run (default ${DEFAULT_OPTIONS.subscriptions})
  --instances <n>      Serve instances (default 1: the single desk on its embedded store).
                       2 or more: every instance on one PostgreSQL database (a cluster of
                       the harness's own, initdb'd and crashed now and then), with the
                       gateway service; kills hit one instance or all, retries move between
                       instances (needs PostgreSQL's binaries: $PAYDESK_PG_BIN)
  --out-dir <path>     Run this build of the app instead of out/ (npx electron-vite build
                       --outDir <absolute path>: a relative one puts the web UI's part
                       under src/renderer/)
  --data-dir <path>    Work directory (new or empty; default a temporary one)
  --keep               Keep the work directory (data/, server.log) at the end
  -q, --quiet          No progress lines
  -h, --help           Show this help`;

const whole = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `--${name} must be at least ${min}`)
        .max(max, `--${name} must be at most ${max}`),
    );

const schema = z.object({
  rounds: whole('rounds', 1, 1_000_000).optional(),
  seed: whole('seed', 0, 2 ** 31 - 1).optional(),
  'duration-s': whole('duration-s', 1, 7 * 86_400).optional(),
  clients: whole('clients', 1, 64).optional(),
  'latency-ms': whole('latency-ms', 0, 10_000).optional(),
  subscriptions: whole('subscriptions', 0, 100_000).optional(),
  instances: whole('instances', 1, 4).optional(),
  'out-dir': z.string().min(1).optional(),
  'data-dir': z.string().min(1).optional(),
  keep: z.boolean().default(false),
  quiet: z.boolean().default(false),
  help: z.boolean().default(false),
});

export type ParsedCli =
  { kind: 'help' } | { kind: 'run'; options: Partial<ChaosOptions> & { seed: number } };

/** argv (without node and the script) to the harness's options, or an error message. */
export function parseCli(
  argv: readonly string[],
): { ok: true; value: ParsedCli } | { ok: false; message: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        rounds: { type: 'string' },
        seed: { type: 'string' },
        'duration-s': { type: 'string' },
        clients: { type: 'string' },
        'latency-ms': { type: 'string' },
        subscriptions: { type: 'string' },
        instances: { type: 'string' },
        'out-dir': { type: 'string' },
        'data-dir': { type: 'string' },
        keep: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: issue?.message ?? 'invalid options' };
  }
  const v = parsed.data;
  if (v.help) return { ok: true, value: { kind: 'help' } };
  const options: Partial<ChaosOptions> & { seed: number } = {
    seed: v.seed ?? randomInt(0, 2 ** 31 - 1),
    keep: v.keep,
  };
  if (v.rounds !== undefined) options.rounds = v.rounds;
  if (v['duration-s'] !== undefined) {
    options.durationS = v['duration-s'];
    // A duration alone runs until the time is up.
    if (v.rounds === undefined) options.rounds = 1_000_000;
  }
  if (v.clients !== undefined) options.clients = v.clients;
  if (v['latency-ms'] !== undefined) options.latencyMs = v['latency-ms'];
  if (v.subscriptions !== undefined) options.subscriptions = v.subscriptions;
  if (v['data-dir'] !== undefined) options.dataDir = v['data-dir'];
  if (v.instances !== undefined) options.instances = v.instances;
  if (v['out-dir'] !== undefined) options.outDir = v['out-dir'];
  if (!v.quiet) options.log = (line) => void process.stderr.write(`chaos: ${line}\n`);
  return { ok: true, value: { kind: 'run', options } };
}

async function main(): Promise<number> {
  const parsed = parseCli(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`chaos: ${parsed.message}\nRun with --help to see the options.\n`);
    return 2;
  }
  if (parsed.value.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { options } = parsed.value;
  process.stderr.write(
    `chaos: seed ${options.seed} (replay the schedule with --seed ${options.seed})\n`,
  );
  const report = await runChaos(options);
  // Up to 10 violations of each invariant, then the summary line.
  const shown = new Map<string, number>();
  for (const v of report.violations) {
    const n = shown.get(v.invariant) ?? 0;
    shown.set(v.invariant, n + 1);
    if (n < 10) {
      process.stdout.write(
        `VIOLATION ${v.invariant} (after kill point ${v.afterKillPoint ?? '?'}): ${v.message}\n`,
      );
    }
  }
  for (const [invariant, n] of shown) {
    if (n > 10) process.stdout.write(`... and ${n - 10} more ${invariant} violations\n`);
  }
  if (report.kept) process.stderr.write(`chaos: work directory kept: ${report.workDir}\n`);
  process.stdout.write(`${summaryLine(report)}\n`);
  return report.violations.length > 0 || report.aborted !== null ? 1 : 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  // Ctrl+C: exit, which kills the servers this process started (see ./server).
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`chaos: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
