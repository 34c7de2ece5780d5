/**
 * The options of `npm run gateway`: parsed and validated as `npm run serve`'s are (the same
 * helpers), pure, so that the CLI can print an error naming the option and exit 2.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { tokenSchema } from '../shared/token';
import {
  GATEWAY_TOKEN_ENV,
  integer,
  isLoopback,
  parseFlags,
  probability,
} from '../server/cli-options';

export interface GatewayServiceOptions {
  port: number;
  host: string;
  dataDir: string;
  successRate?: number;
  latencyMs?: number;
  seed?: number;
  /** What every call must carry as `Authorization: Bearer <token>`; null asks for none. */
  token: string | null;
}

export type ParsedGatewayCli = { kind: 'help' } | { kind: 'serve'; options: GatewayServiceOptions };

export const DEFAULT_GATEWAY_PORT = 8100;

export const GATEWAY_USAGE = `Usage: npm run gateway -- --data-dir <path> [options]

Runs the mock payment gateway as a service of its own, for several Paydesk desks to share
(npm run serve -- --gateway-url <its URL>): the same seeded outcomes, test payment methods,
idempotency and ledger as the mock each desk otherwise runs in its own process.

Options:
  --data-dir <path>       Where its ledger (gateway-ledger.jsonl) is kept (required)
  --port <n>              Port to listen on (default ${DEFAULT_GATEWAY_PORT}; 0 picks a free port)
  --host <address>        Address to bind (default 127.0.0.1)
  --allow-remote          Allow a --host that is not a loopback address (a token is then required)
  --seed <n>              Seed of the outcomes (default random)
  --success-rate <p>      Probability that an ordinary charge succeeds, 0..1 (default 0.9)
  --latency-ms <n>        Mean latency of a call in ms (default 300)
  --token <token>         Ask every call for this bearer token (or $${GATEWAY_TOKEN_ENV});
                          the desks send it with --gateway-token
  -h, --help              Show this help`;

const rawSchema = z.object({
  'data-dir': z.string().min(1, '--data-dir must not be empty').optional(),
  port: integer('port', 0, 65_535).default(DEFAULT_GATEWAY_PORT),
  host: z.string().min(1, '--host must not be empty').default('127.0.0.1'),
  'allow-remote': z.boolean().default(false),
  seed: integer('seed', 0, Number.MAX_SAFE_INTEGER).optional(),
  'success-rate': probability('success-rate').optional(),
  'latency-ms': integer('latency-ms', 0, 60_000).optional(),
  token: z.string().optional(),
  help: z.boolean().default(false),
});

const parseArgsOptions = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  seed: { type: 'string' },
  'success-rate': { type: 'string' },
  'latency-ms': { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseGatewayCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; value: ParsedGatewayCli } | { ok: false; message: string } {
  const flags = parseFlags(argv, parseArgsOptions, rawSchema);
  if (!flags.ok) return flags;
  const v = flags.value;
  if (v.help) return { ok: true, value: { kind: 'help' } };
  const fail = (message: string) => ({ ok: false as const, message });
  if (v['data-dir'] === undefined) return fail('--data-dir is required: where the ledger is kept');
  const tokenSource = v.token === undefined ? `$${GATEWAY_TOKEN_ENV}` : '--token';
  const given = v.token ?? (env[GATEWAY_TOKEN_ENV] || undefined);
  const token = given === undefined ? null : tokenSchema.safeParse(given);
  if (token !== null && !token.success) {
    return fail(`${tokenSource} is not a usable token: ${token.error.issues[0]?.message}`);
  }
  if (!isLoopback(v.host)) {
    if (!v['allow-remote']) {
      return fail(
        `--host ${v.host} is not a loopback address: other machines could charge through it. Add --allow-remote if that is what you want`,
      );
    }
    if (token === null) return fail(`--host ${v.host} with --allow-remote needs a --token`);
  }
  const options: GatewayServiceOptions = {
    port: v.port,
    host: v.host.replace(/^\[(.*)\]$/, '$1'),
    dataDir: resolve(v['data-dir']),
    token: token === null ? null : token.data,
  };
  if (v.seed !== undefined) options.seed = v.seed;
  if (v['success-rate'] !== undefined) options.successRate = v['success-rate'];
  if (v['latency-ms'] !== undefined) options.latencyMs = v['latency-ms'];
  return { ok: true, value: { kind: 'serve', options } };
}
