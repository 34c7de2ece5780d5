/**
 * The IPC handlers, built from the contract: one `ipcMain.handle` per operation, the channel
 * being the operation's name. A handler refuses foreign senders, validates the input (the
 * core validates again), runs the operation as the operator and answers a Result. It never
 * throws: an exception becomes `{ ok: false, error: { code: 'internal' } }`.
 */
import { OPERATION_NAMES, parseInput, type OperationName } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import type { Core } from '../core/api';

/** The part of Electron's ipcMain the shell uses (structural, so tests can pass a fake). */
export interface IpcMainLike<E> {
  handle(channel: string, listener: (event: E, input: unknown) => Promise<unknown>): void;
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
    ipcMain.handle(name, (event, input) =>
      handleOperation(core, name, input, () => isTrustedSender(event), log),
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
): Promise<Result<unknown>> {
  try {
    if (!isTrusted()) {
      return fail('forbidden', `${name} refused: the request does not come from Paydesk's window`);
    }
    // Defence in depth: the core parses too, but bad input never needs to reach it.
    const parsed = parseInput(name, input);
    if (!parsed.ok) return parsed;
    return await core.call(name, input, 'operator');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`[paydesk] ${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    return fail('internal', `${name} failed unexpectedly: ${message}`);
  }
}
