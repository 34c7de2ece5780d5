/**
 * The messages between the Electron main process and the core host (the utility process that
 * runs the core: ../core-host.ts), derived from the contract. Each side parses what it
 * receives with these schemas and treats it as unknown until then: a message that does not
 * parse is logged and dropped (or, for a call, answered with an error), never acted on.
 *
 *   main → host   open (once, first), call {id, name, input, origin, options}, catchUp, close
 *   host → main   ready {pid} | failed {message} (the answer to open), answer {id, answer},
 *                 event (a push event), reconciled (start-up reconciliation has run)
 *
 * A call's input stays unknown here: the core parses it with the operation's schema, as it
 * does for every door. An answer's data is the core's own answer to that operation; only its
 * envelope (ok, error code and message) is checked.
 */
import { z } from 'zod';
import {
  CHANGE_TOPICS,
  OPERATION_NAMES,
  idempotencyKey,
  type PushEvent,
} from '../../shared/contract';
import { ORIGINS } from '../../shared/domain';
import { ERROR_CODES } from '../../shared/result';
import type { EnvCoreOptions } from '../shell/env';

/** What the host opens: the data directory and the options read from the environment. */
export const hostOptions = z
  .object({
    dataDir: z.string().min(1),
    clock: z.enum(['system', 'test']).optional(),
    gateway: z
      .object({
        successRate: z.number().min(0).max(1).optional(),
        seed: z.number().int().optional(),
        latencyMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    scheduler: z.boolean().optional(),
    schedulerIntervalSeconds: z.number().int().positive().optional(),
    dailyBackups: z.boolean().optional(),
    gatewayService: z
      .object({ url: z.string().min(1), token: z.string().nullable() })
      .strict()
      .optional(),
  })
  .strict();
export type HostOptions = z.infer<typeof hostOptions>;
// Every option the environment gives crosses with its type: one added there without its field
// here (or of another type) fails to compile.
const _envOptionsCross: Record<Exclude<keyof EnvCoreOptions, keyof HostOptions>, never> = {};
const _envOptionsFit = (env: EnvCoreOptions, dataDir: string): HostOptions => ({ ...env, dataDir });

const callId = z.number().int().nonnegative();

export const toHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), options: hostOptions }).strict(),
  z
    .object({
      type: z.literal('call'),
      id: callId,
      name: z.enum(OPERATION_NAMES),
      input: z.unknown(),
      origin: z.enum(ORIGINS),
      options: z.object({ idempotencyKey: idempotencyKey.optional() }).strict().optional(),
    })
    .strict(),
  z.object({ type: z.literal('catchUp') }).strict(),
  z.object({ type: z.literal('close') }).strict(),
]);
export type ToHost = z.infer<typeof toHost>;

const appError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  field: z.string().optional(),
});
/** A Result as the core answers it (`replayed` when it is a stored answer). */
export const answerSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown(), replayed: z.literal(true).optional() }),
  z.object({ ok: z.literal(false), error: appError, replayed: z.literal(true).optional() }),
]);

/** The core's push events (`connection` is the shell's own: the host never sends it). */
export const corePushEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('changed'), topics: z.array(z.enum(CHANGE_TOPICS)) }).strict(),
  z
    .object({ type: z.literal('notice'), level: z.enum(['info', 'error']), message: z.string() })
    .strict(),
  z.object({ type: z.literal('progress'), done: z.number(), total: z.number() }).strict(),
]);
// Every event the schema lets through is a PushEvent.
const _pushEvent = (event: z.infer<typeof corePushEvent>): PushEvent => event;

export const fromHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int().positive() }).strict(),
  z.object({ type: z.literal('failed'), message: z.string() }).strict(),
  z.object({ type: z.literal('answer'), id: callId, answer: answerSchema }).strict(),
  z.object({ type: z.literal('event'), event: corePushEvent }).strict(),
  z.object({ type: z.literal('reconciled') }).strict(),
]);
export type FromHost = z.infer<typeof fromHost>;

/** The first issue of a message that did not parse, for the log. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || 'message';
  return `${path}: ${issue?.message ?? 'invalid'}`;
}
