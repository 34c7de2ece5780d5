/**
 * Errors are values at every boundary: an operation answers `{ ok: true, data }` or
 * `{ ok: false, error }`, never a thrown exception, so they cross IPC and HTTP intact.
 */
/** Every error code, each with what it means; `ErrorCode` is one of them. */
export const ERROR_CODES = [
  'validation', // the input does not fit the operation's schema or a domain rule about input
  'not_found', // the id names nothing
  'conflict', // the state does not allow it (nothing to refund, a barrier in the way, ...)
  'gateway', // the payment provider failed in a way the caller must know about
  'unavailable', // e.g. the test clock is off, the scheduler is stopping
  'storage_unavailable', // the data directory cannot be written (disk full, read-only, I/O error)
  'in_progress', // a request with this idempotency key is still running: ask again later
  'forbidden', // the caller is not allowed (foreign IPC sender, an operator's role)
  'unauthorized', // the caller's token names no active operator account (HTTP 401)
  'internal', // a bug: reported, never swallowed
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
  /** The input field the error is about, in the contract's (camelCase) names. */
  field?: string;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppError };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/** Thrown inside the core and turned into `fail(...)` by the service at the boundary. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
  toAppError(): AppError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
