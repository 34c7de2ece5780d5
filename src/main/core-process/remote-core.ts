/**
 * The core as the Electron main process holds it: a `Core` (../core/api.ts) whose work runs
 * in another process, the core host (../core-host.ts, started with Electron's
 * utilityProcess.fork), spoken to with ./protocol.ts. The IPC handlers, the menu, the
 * notifications and Export CSV use it exactly as they used the core in this process; the
 * store's fsyncs and a long recurring run now hold up the host's event loop, not the one of
 * windows, menus and IPC.
 *
 * When the host dies (a crash, the OS ending it), the window stays. Every call then in flight
 * answers `unavailable`, as does every call until the host is back: the outcome of a command
 * cut off is unknown, so the renderer retries it with the same idempotency key, and the new
 * host, which reconciles before it takes any change, answers the first outcome instead of
 * acting twice. Listeners get `{ type: 'connection', state: 'reconnecting' }` (the window
 * shows it), the host is started again after a delay that doubles with each failed start in
 * a row (250 ms up to 10 s; a host that stayed up a minute starts the count again), and once
 * it is ready `connected` and a `changed` of every topic, so that every view refetches.
 *
 * The first start is different: `startRemoteCore` fails with the host's reason (the data is
 * locked or damaged), and the shell shows it and quits, as before. `close` asks the host to
 * close the core (finishing the command in flight, flushing the store) and waits for it to
 * exit, however long that takes.
 */
import { CHANGE_TOPICS, type OperationOutput, type PushEvent } from '../../shared/contract';
import { fail } from '../../shared/result';
import type { Answer, Core } from '../core/api';
import { describeIssue, fromHost, type FromHost, type HostOptions, type ToHost } from './protocol';

/** The part of Electron's UtilityProcess used here (structural, so tests can pass a fake). */
export interface CoreProcess {
  postMessage(message: ToHost): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export interface RemoteCoreDeps {
  /** Starts a core host: utilityProcess.fork of out/main/core-host.js. */
  fork: () => CoreProcess;
  /** What the host opens. */
  options: HostOptions;
  log: (message: string) => void;
  /** The delay before the n-th start in a row after a death (n from 0). */
  restartDelay?: (attempt: number) => number;
  /** How long a host must have been up for its death to restart the count of attempts. */
  stableMs?: number;
  setTimeout?: (run: () => void, ms: number) => unknown;
  clearTimeout?: (timer: unknown) => void;
  now?: () => number;
}

export interface RemoteCore extends Core {
  /** The host's process id while it is up (for logs and tests). */
  pid(): number | undefined;
}

export const restartDelay = (attempt: number): number => Math.min(250 * 2 ** attempt, 10_000);

type Phase = 'starting' | 'up' | 'down' | 'closing' | 'closed';

/** Starts the first host; resolves once it has opened the data, or fails with its reason. */
export function startRemoteCore(deps: RemoteCoreDeps): Promise<RemoteCore> {
  const delayOf = deps.restartDelay ?? restartDelay;
  const stableMs = deps.stableMs ?? 60_000;
  const setTimer = deps.setTimeout ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer =
    deps.clearTimeout ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const now = deps.now ?? Date.now;

  let phase: Phase = 'starting';
  let child: CoreProcess | null = null;
  let childPid: number | undefined;
  let upSince = 0;
  let attempts = 0;
  let restartTimer: unknown = null;
  /** Whether the renderer was told of this outage's failed starts (once per outage). */
  let outageNoticed = false;
  let nextId = 1;
  const pending = new Map<number, (answer: Answer<unknown>) => void>();
  const listeners = new Set<(event: PushEvent) => void>();

  let first: { resolve: (core: RemoteCore) => void; reject: (error: Error) => void } | null = null;
  let markReconciled: () => void = () => undefined;
  const reconciled = new Promise<void>((resolve) => (markReconciled = resolve));
  let reconciling = true;
  let closed: () => void = () => undefined;
  let closing: Promise<void> | null = null;

  const emit = (event: PushEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        deps.log(`a push-event listener failed: ${String(error)}`);
      }
    }
  };

  function spawn(): void {
    phase = 'starting';
    restartTimer = null;
    const proc = deps.fork();
    child = proc;
    proc.on('message', (raw) => {
      if (child === proc) receive(proc, raw);
    });
    proc.on('exit', (code) => exited(proc, code));
    proc.postMessage({ type: 'open', options: deps.options });
  }

  function receive(proc: CoreProcess, raw: unknown): void {
    const parsed = fromHost.safeParse(raw);
    if (!parsed.success) {
      deps.log(`dropped a message from the core (${describeIssue(parsed.error)})`);
      answerUnreadable(raw, describeIssue(parsed.error));
      return;
    }
    const message: FromHost = parsed.data;
    switch (message.type) {
      case 'ready':
        return ready(message.pid);
      case 'failed':
        return failedToOpen(proc, message.message);
      case 'answer': {
        const resolve = pending.get(message.id);
        pending.delete(message.id);
        return resolve?.(message.answer);
      }
      case 'event':
        return emit(message.event);
      case 'reconciled':
        reconciling = false;
        return markReconciled();
    }
  }

  /** An answer whose envelope did not parse still ends its call, as an internal error. */
  function answerUnreadable(raw: unknown, issue: string): void {
    if (typeof raw !== 'object' || raw === null || !('id' in raw)) return;
    const resolve = typeof raw.id === 'number' ? pending.get(raw.id) : undefined;
    if (!resolve || typeof raw.id !== 'number') return;
    pending.delete(raw.id);
    resolve(fail('internal', `The core's answer could not be read (${issue})`));
  }

  function ready(pid: number): void {
    if (phase !== 'starting') return;
    phase = 'up';
    childPid = pid;
    upSince = now();
    if (first) {
      first.resolve(core);
      first = null;
      return;
    }
    deps.log(`the core is back (pid ${pid})`);
    outageNoticed = false;
    emit({ type: 'connection', state: 'connected' });
    emit({ type: 'changed', topics: [...CHANGE_TOPICS] });
  }

  function failedToOpen(proc: CoreProcess, reason: string): void {
    deps.log(`the core could not open its data: ${reason}`);
    if (first) {
      first.reject(new Error(reason));
      first = null;
      phase = 'closed';
    } else if (!outageNoticed) {
      outageNoticed = true;
      emit({
        type: 'notice',
        level: 'error',
        message: `Paydesk cannot reopen its data: ${reason}`,
      });
    }
    // It opened nothing and holds nothing: end it (its exit schedules the next try).
    proc.kill();
  }

  function exited(proc: CoreProcess, code: number): void {
    if (child !== proc) return;
    child = null;
    childPid = undefined;
    const was = phase;
    for (const resolve of pending.values()) {
      resolve(fail('unavailable', "Paydesk's core stopped before it answered; it is restarting."));
    }
    pending.clear();
    if (was === 'closing' || was === 'closed') {
      phase = 'closed';
      return closed();
    }
    if (first) {
      first.reject(new Error(`The core's process ended (exit code ${code}) before it was ready`));
      first = null;
      phase = 'closed';
      return;
    }
    if (was === 'up') {
      if (now() - upSince >= stableMs) attempts = 0;
      reconciling = true;
      emit({ type: 'connection', state: 'reconnecting' });
    }
    const delay = delayOf(attempts++);
    deps.log(`the core's process ended (exit code ${code}); starting it again in ${delay} ms`);
    phase = 'down';
    restartTimer = setTimer(spawn, delay);
  }

  function notNow(): Answer<never> {
    const why =
      phase === 'closing' || phase === 'closed'
        ? 'Paydesk is closing.'
        : "Paydesk's core is restarting: try again in a moment.";
    return fail('unavailable', why);
  }

  const core: RemoteCore = {
    dataDir: deps.options.dataDir,
    call(name, input, origin, options) {
      const proc = child;
      if (phase !== 'up' || !proc) return Promise.resolve(notNow());
      const id = nextId++;
      return new Promise((resolve) => {
        // The host answers what its core's `call` answered for this operation: the envelope is
        // checked on arrival, the data is the core's own.
        pending.set(id, (answer) => resolve(answer as Answer<OperationOutput<typeof name>>));
        try {
          proc.postMessage({ type: 'call', id, name, input, origin, ...(options && { options }) });
        } catch (error) {
          pending.delete(id);
          resolve(fail('internal', `${name} could not be sent to the core: ${String(error)}`));
        }
      });
    },
    reconciled,
    reconciling: () => reconciling,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp() {
      // A host that is starting catches up by itself when it opens.
      if (phase === 'up') child?.postMessage({ type: 'catchUp' });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (restartTimer !== null) clearTimer(restartTimer);
        restartTimer = null;
        const proc = child;
        if (!proc) {
          phase = 'closed';
          return resolve();
        }
        phase = 'closing';
        closed = resolve;
        // The host closes the core after opening it, if it is still opening.
        proc.postMessage({ type: 'close' });
      });
      return closing;
    },
    pid: () => childPid,
  };

  return new Promise<RemoteCore>((resolve, reject) => {
    first = { resolve, reject };
    spawn();
  });
}
