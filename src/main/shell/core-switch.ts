/**
 * The core the shell's parts hold (IPC, the menu, Export CSV, notifications), which can be
 * closed and opened again underneath them: a restore from a backup needs the data closed
 * while its files are replaced (core/restore.ts), then a new core on them. Meanwhile every
 * call answers `unavailable` (the renderer retries with the same idempotency key, as when
 * the core's process restarts), and listeners get `connection` 'reconnecting', then
 * 'connected' and a `changed` of every topic once the new core is up, so that views refetch.
 */
import { CHANGE_TOPICS, type PushEvent } from '../../shared/contract';
import { fail } from '../../shared/result';
import type { Core } from '../core/api';

/** The core could not be opened again: the app has no core any more. */
export class ReopenError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ReopenError';
  }
}

export interface SwitchableCore extends Core {
  /**
   * Closes the core, runs `between` (with nothing open on the data), then opens a new core
   * with `open`, whether `between` succeeded or not. Resolves or rejects as `between` did;
   * rejects with a ReopenError when the new core cannot be opened.
   */
  reopenAfter<T>(between: () => Promise<T>): Promise<T>;
}

export function switchableCore(first: Core, open: () => Promise<Core>): SwitchableCore {
  let current = first;
  let switching: Promise<unknown> | null = null;
  let closed = false;
  const listeners = new Set<(event: PushEvent) => void>();
  const emit = (event: PushEvent): void => {
    for (const listener of [...listeners]) listener(event);
  };
  let detach = current.subscribe(emit);

  const core: SwitchableCore = {
    get dataDir() {
      return current.dataDir;
    },
    call(name, input, origin, options) {
      if (switching !== null || closed) {
        return Promise.resolve(
          fail('unavailable', 'Paydesk is reopening its data: try again in a moment.'),
        );
      }
      return current.call(name, input, origin, options);
    },
    get reconciled() {
      return current.reconciled;
    },
    reconciling: () => switching !== null || current.reconciling(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp() {
      if (switching === null) current.catchUp();
    },
    async close() {
      closed = true;
      await switching?.catch(() => undefined);
      detach();
      await current.close();
    },
    reopenAfter<T>(between: () => Promise<T>): Promise<T> {
      if (switching !== null || closed) {
        return Promise.reject(new Error('Paydesk is already reopening or closing its data'));
      }
      const run = (async () => {
        emit({ type: 'connection', state: 'reconnecting' });
        detach();
        await current.close();
        let outcome: { ok: true; value: T } | { ok: false; error: unknown };
        try {
          outcome = { ok: true, value: await between() };
        } catch (error) {
          outcome = { ok: false, error };
        }
        try {
          current = await open();
        } catch (error) {
          throw new ReopenError(error);
        }
        detach = current.subscribe(emit);
        emit({ type: 'connection', state: 'connected' });
        emit({ type: 'changed', topics: [...CHANGE_TOPICS] });
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      })();
      switching = run;
      const done = (): void => {
        if (switching === run) switching = null;
      };
      run.then(done, done);
      return run;
    },
  };
  return core;
}
