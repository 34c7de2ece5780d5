/**
 * Requests and their keys (rule 3): every changing operation runs under a request key, the
 * caller's Idempotency-Key or one made for it. The key is stored with the first durable
 * record of the work, and every gateway key the work uses derives from it, so that a
 * repeat, a retry after a crash or start-up reconciliation never reaches the gateway under
 * a key that was not written down first. Pure functions; the service and the invoker use them.
 */
import { createHash } from 'node:crypto';
import type { OperationName } from '../../shared/contract';
import type { IdempotencyRecord, OperatorRef, Origin, StoredAnswer } from '../../shared/domain';
import { newId } from './ids';

/** One changing request, as the service hands it to the invoker. */
export interface Request {
  key: string;
  /** Whether the caller chose the key (and may send it again). */
  clientKey: boolean;
  fingerprint: string;
  operation: OperationName;
  origin: Origin;
  /** Who asked: an operator account, or null (the single desk, Paydesk itself). */
  operator: OperatorRef | null;
}

/** A request key for a caller that sent none. */
export const newRequestKey = (): string => newId('req');

/** Canonical JSON (keys sorted at every level), for fingerprints. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests the same: the operation and its parsed input. */
export function fingerprintOf(operation: OperationName, input: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${canonicalJson(input)}`)
    .digest('hex');
}

/** The mock gateway (like Stripe) takes keys up to 255 characters. */
const MAX_GATEWAY_KEY = 255;

/**
 * The gateway key of one call a request makes: the request key and the call's part
 * ("charge", "refund/pay_…"). A request key too long to carry the part is replaced by its
 * SHA-256, still one key per request.
 */
export function deriveKey(requestKey: string, part: string): string {
  const key = `${requestKey}/${part}`;
  if (key.length <= MAX_GATEWAY_KEY) return key;
  return `sha256:${createHash('sha256').update(requestKey).digest('hex')}/${part}`;
}

/** The record of a request whose work has started (written with its first durable record). */
export function startedRecord(
  request: Request,
  targets: readonly string[],
  now: string,
): IdempotencyRecord {
  return {
    key: request.key,
    fingerprint: request.fingerprint,
    operation: request.operation,
    origin: request.origin,
    clientKey: request.clientKey,
    targets: [...targets],
    createdAt: now,
    finishedAt: null,
    answer: null,
    operator: request.operator,
  };
}

/** The record of a finished request with its answer. */
export function finishedRecord(
  started: IdempotencyRecord,
  answer: StoredAnswer,
  now: string,
): IdempotencyRecord {
  return { ...started, finishedAt: now, answer };
}

/** A request under a key made for it, for callers inside Paydesk (benchmarks, tests). */
export function internalRequest(operation: OperationName, origin: Origin): Request {
  return {
    key: newRequestKey(),
    clientKey: false,
    fingerprint: '',
    operation,
    origin,
    operator: null,
  };
}
