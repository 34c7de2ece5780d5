/**
 * One idempotency key per intent. An operator's intent (one "Process payment" click, one
 * confirmed refund, one Undo) gets a key when it is first sent. When its answer is lost
 * (`unavailable`) or the first try is still running (`in_progress`), the outcome is not
 * known: the retry of the same request sends the same key, so the core does it at most once.
 * Any other answer ends the intent, and so does `drop` (the operator edited the request):
 * the next request is a new intent with a new key.
 */
import type { CallOptions } from '../../../shared/contract';
import type { ErrorCode, Result } from '../../../shared/result';

/** Answers that leave the outcome unknown: the retry must carry the same key. */
const OUTCOME_UNKNOWN: readonly ErrorCode[] = ['unavailable', 'in_progress'];

const STILL_WORKING =
  'Still working on the previous request: try again in a moment, it will not be done twice.';

/** The options of a call made for an intent: its key. */
export type IntentOptions = Required<CallOptions>;

export interface Attempt<R> {
  /** What to send: on a retry, exactly what the first try sent. */
  request: R;
  options: IntentOptions;
  /**
   * Record the answer, and return it (`in_progress` worded for the operator): an unknown
   * outcome keeps the intent for a retry, anything else ends it.
   */
  settle<T>(result: Result<T>): Result<T>;
}

export interface Intent<R> {
  /** Send `request`: the retry of the intent left pending if it is the same request, else a new one. */
  start(request: R): Attempt<R>;
  /** Forget the pending intent: the operator changed what they ask for. */
  drop(): void;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `same` says when a new request is the retry of the pending one (by default: equal JSON). */
export function intent<R>(same: (pending: R, next: R) => boolean = sameJson): Intent<R> {
  let pending: { request: R; key: string } | null = null;
  return {
    start(request) {
      const current =
        pending && same(pending.request, request) ? pending : { request, key: newKey() };
      pending = null;
      return {
        request: current.request,
        options: { idempotencyKey: current.key },
        settle(result) {
          if (result.ok || !OUTCOME_UNKNOWN.includes(result.error.code)) return result;
          pending = current;
          if (result.error.code !== 'in_progress') return result;
          return { ok: false, error: { ...result.error, message: STILL_WORKING } };
        },
      };
    },
    drop() {
      pending = null;
    },
  };
}

/**
 * A random UUID. `crypto.randomUUID` exists only in secure contexts, and the browser UI may
 * be served over plain HTTP to another machine (--allow-remote): then the same from
 * `getRandomValues`, which every context has.
 */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // variant 10
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
