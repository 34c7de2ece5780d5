/**
 * Core options the desktop app reads from environment variables (all optional; for tests,
 * demos and development). The environment is outside input, so it is validated with zod and a
 * bad value stops the start with a message naming the variable.
 *
 *   PAYDESK_GATEWAY_LATENCY_MS  mean latency of the mock gateway in ms (0 in tests)
 *   PAYDESK_SEED                seed of the mock gateway's outcomes (an integer)
 *   PAYDESK_SUCCESS_RATE        probability that an ordinary charge succeeds (0..1)
 *   PAYDESK_CLOCK               'system' or 'test' (a clock set and advanced by hand)
 *   PAYDESK_SCHEDULER           'on' or 'off': start the recurring-charge timer or not
 *   PAYDESK_GATEWAY_URL         a shared gateway service (npm run gateway) instead of the mock
 *                               in the core; its seed, rate and latency are then its own
 *   PAYDESK_GATEWAY_TOKEN       the service's bearer token, if it asks for one
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/result';
import { serviceUrl, tokenSchema } from '../../shared/token';
import type { CoreOptions } from '../core/api';

/** An empty variable counts as unset. */
const unset = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(unset, z.coerce.number().pipe(schema).optional());
const optionalEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(unset, z.enum(values).optional());

const envSchema = z.object({
  PAYDESK_GATEWAY_LATENCY_MS: optionalNumber(z.number().int().min(0).max(60_000)),
  PAYDESK_SEED: optionalNumber(z.number().int()),
  PAYDESK_SUCCESS_RATE: optionalNumber(z.number().min(0).max(1)),
  PAYDESK_CLOCK: optionalEnum(['system', 'test']),
  PAYDESK_SCHEDULER: optionalEnum(['on', 'off']),
  PAYDESK_GATEWAY_URL: z.preprocess(unset, serviceUrl.optional()),
  PAYDESK_GATEWAY_TOKEN: z.preprocess(unset, tokenSchema.optional()),
});

/** The mock gateway's own variables: with a gateway service, the service sets these. */
const MOCK_VARIABLES = [
  'PAYDESK_GATEWAY_LATENCY_MS',
  'PAYDESK_SEED',
  'PAYDESK_SUCCESS_RATE',
] as const;

/** The options a variable can set: plain values, since they cross to the core's process. */
export type EnvCoreOptions = Pick<CoreOptions, 'clock' | 'gateway' | 'scheduler'> & {
  gatewayService?: { url: string; token: string | null };
};

export function coreOptionsFromEnv(
  env: Record<string, string | undefined>,
): Result<EnvCoreOptions> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.map(String).join('.') || 'environment';
    return fail('validation', `${name}: ${issue?.message ?? 'invalid'}`, name);
  }
  const v = parsed.data;
  const refuse = (name: string, message: string) => fail('validation', `${name}: ${message}`, name);
  if (v.PAYDESK_GATEWAY_URL === undefined && v.PAYDESK_GATEWAY_TOKEN !== undefined) {
    return refuse('PAYDESK_GATEWAY_TOKEN', 'a gateway service token needs PAYDESK_GATEWAY_URL');
  }
  if (v.PAYDESK_GATEWAY_URL !== undefined) {
    const mockOnly = MOCK_VARIABLES.find((name) => v[name] !== undefined);
    if (mockOnly !== undefined) {
      return refuse(mockOnly, 'the gateway service (PAYDESK_GATEWAY_URL) sets this itself');
    }
    return ok({
      ...coreOnly(v),
      gatewayService: { url: v.PAYDESK_GATEWAY_URL, token: v.PAYDESK_GATEWAY_TOKEN ?? null },
    });
  }
  const gateway: NonNullable<CoreOptions['gateway']> = {};
  if (v.PAYDESK_GATEWAY_LATENCY_MS !== undefined) gateway.latencyMs = v.PAYDESK_GATEWAY_LATENCY_MS;
  if (v.PAYDESK_SEED !== undefined) gateway.seed = v.PAYDESK_SEED;
  if (v.PAYDESK_SUCCESS_RATE !== undefined) gateway.successRate = v.PAYDESK_SUCCESS_RATE;
  const options = coreOnly(v);
  return ok(Object.keys(gateway).length > 0 ? { gateway, ...options } : options);
}

/** The options that do not depend on which gateway is used. */
function coreOnly(v: z.infer<typeof envSchema>): EnvCoreOptions {
  const options: EnvCoreOptions = {};
  if (v.PAYDESK_CLOCK !== undefined) options.clock = v.PAYDESK_CLOCK;
  if (v.PAYDESK_SCHEDULER !== undefined) options.scheduler = v.PAYDESK_SCHEDULER === 'on';
  return options;
}
