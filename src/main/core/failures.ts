/**
 * What a failed operation answers: a domain error as it is; the store's refusal to write
 * (disk full, read-only, an I/O error, closed) as `storage_unavailable` naming the cause; a
 * gateway that did not answer as `unavailable`; anything else is a bug, `internal`. The
 * service answers with it, and a request's record stores the same answer for replays.
 */
import { DomainError, type AppError } from '../../shared/result';
import { GatewayError } from './ports';
import { StoreError } from './store/errors';

export function appErrorOf(error: unknown): AppError {
  if (error instanceof DomainError) return error.toAppError();
  if (error instanceof StoreError) return { code: 'storage_unavailable', message: error.message };
  // A query that asks the gateway (search by transaction id) while it cannot be reached.
  if (error instanceof GatewayError) return { code: 'unavailable', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Something went wrong: ${message}` };
}

/** Whether `error` is the store refusing to write (nothing can be recorded until it reopens). */
export const isStorageFailure = (error: unknown): boolean => error instanceof StoreError;

/**
 * Whether `error` is a final answer to its request, to be stored under its key: a domain
 * error that says what was wrong with the request or its target. Not so a passing state
 * (`unavailable`, `in_progress`), the store refusing to write, or a bug: a request that met
 * one of those is asked again, or finished by start-up recovery when its work had begun.
 */
export function isFinalAnswer(error: unknown): boolean {
  return (
    error instanceof DomainError && error.code !== 'unavailable' && error.code !== 'in_progress'
  );
}
