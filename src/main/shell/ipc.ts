/**
 * The IPC handlers, built from the contract: one `ipcMain.handle` per operation, the channel
 * being the operation's name, the arguments the input and the call's idempotency key. A
 * handler refuses foreign senders, validates the input (the core validates again) and the
 * key of a changing operation (a query ignores it), runs the operation as the operator and
 * answers a Result. It never throws: an exception becomes `{ ok: false, error: { code:
 * 'internal' } }`.
 */
import {
  CHANGING_OPERATIONS,
  OPERATION_NAMES,
  idempotencyKey,
  parseInput,
  type CallOptions,
  type OperationName,
} from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import type { Core } from '../core/api';

/** The part of Electron's ipcMain the shell uses (structural, so tests can pass a fake). */
export interface IpcMainLike<E> {
  handle(
    channel: string,
    listener: (event: E, input: unknown, key?: unknown) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** Registers every operation's handler; returns the function that removes them. */
export function registerIpc<E>(
  ipcMain: IpcMainLike<E>,
  core: Pick<Core, 'call'>,
  isTrustedSender: (event: E) => boolean,
  log: (message: string) => void = console.error,
): () => void {
  for (const name of OPERATION_NAMES) {
    ipcMain.handle(name, (event, input, key) =>
      handleOperation(core, name, input, () => isTrustedSender(event), log, key),
    );
  }
  return () => {
    for (const name of OPERATION_NAMES) ipcMain.removeHandler(name);
  };
}

/** One IPC call: trust check, validation, the core; always a Result. */
export async function handleOperation(
  core: Pick<Core, 'call'>,
  name: OperationName,
  input: unknown,
  isTrusted: () => boolean,
  log: (message: string) => void = console.error,
  key?: unknown,
): Promise<Result<unknown>> {
  try {
    if (!isTrusted()) {
      return fail('forbidden', `${name} refused: the request does not come from Paydesk's window`);
    }
    // Defence in depth: the core parses too, but bad input never needs to reach it.
    const parsed = parseInput(name, input);
    if (!parsed.ok) return parsed;
    const options = callOptions(name, key);
    if (!options.ok) return options;
    return await core.call(name, input, 'operator', options.data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`[paydesk] ${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    return fail('internal', `${name} failed unexpectedly: ${message}`);
  }
}

/** The idempotency key of a changing operation, when the renderer sent one; queries take none. */
function callOptions(name: OperationName, key: unknown): Result<CallOptions> {
  if (key === undefined || !CHANGING_OPERATIONS.includes(name)) return { ok: true, data: {} };
  const parsed = idempotencyKey.safeParse(key);
  if (parsed.success) return { ok: true, data: { idempotencyKey: parsed.data } };
  const message = 'idempotencyKey: an idempotency key is 1 to 255 visible ASCII characters';
  return fail('validation', message, 'idempotencyKey');
}
