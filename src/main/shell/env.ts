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
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/result';
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
});

/** The options a variable can set: plain values, since they cross to the core's process. */
export type EnvCoreOptions = Pick<CoreOptions, 'clock' | 'gateway' | 'scheduler'>;

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
  const gateway: NonNullable<CoreOptions['gateway']> = {};
  if (v.PAYDESK_GATEWAY_LATENCY_MS !== undefined) gateway.latencyMs = v.PAYDESK_GATEWAY_LATENCY_MS;
  if (v.PAYDESK_SEED !== undefined) gateway.seed = v.PAYDESK_SEED;
  if (v.PAYDESK_SUCCESS_RATE !== undefined) gateway.successRate = v.PAYDESK_SUCCESS_RATE;
  const options: EnvCoreOptions = {};
  if (Object.keys(gateway).length > 0) options.gateway = gateway;
  if (v.PAYDESK_CLOCK !== undefined) options.clock = v.PAYDESK_CLOCK;
  if (v.PAYDESK_SCHEDULER !== undefined) options.scheduler = v.PAYDESK_SCHEDULER === 'on';
  return ok(options);
}
