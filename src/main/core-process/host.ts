/**
 * The core host's side of the protocol (./protocol.ts), run in the core's utility process by
 * ../core-host.ts. On `open` it opens the core with the options main read from the
 * environment and answers `ready` with its pid, or `failed` with why the data could not be
 * opened (nothing was written or repaired; main then ends the process). It runs each `call`
 * and posts the core's answer under the call's id, forwards the core's push events and says
 * when start-up reconciliation has run. On `close` it closes the core (the command in flight
 * finishes, the store is flushed and unlocked), posts what is still owed and exits.
 *
 * Whatever else ends this process (a crash, a kill) loses nothing acknowledged: an answer is
 * posted only after the commit it reports, and the next open reconciles what was in flight.
 */
import { fail, type Result } from '../../shared/result';
import type { Answer, Core, CoreOptions } from '../core/api';
import { describeIssue, toHost, type FromHost, type ToHost } from './protocol';

/** Electron's `process.parentPort` as the host uses it (a fake in tests). */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface HostDeps {
  open: (options: CoreOptions) => Promise<Core>;
  pid: number;
  /** Ends the process (after close; process.exit). */
  exit: (code: number) => void;
  log: (message: string) => void;
}

export function serveCore(port: ParentPortLike, deps: HostDeps): void {
  let opening: Promise<Core | null> | null = null;
  let core: Core | null = null;
  let closing = false;
  const owed = new Set<Promise<void>>();
  const post = (message: FromHost): void => port.postMessage(message);

  function answer(id: number, result: Answer<unknown>): void {
    try {
      post({ type: 'answer', id, answer: result });
    } catch (error) {
      // An answer that cannot be cloned is a bug of the core; say so instead of never answering.
      post({ type: 'answer', id, answer: fail('internal', `The answer cannot cross: ${error}`) });
    }
  }

  function open(options: Extract<ToHost, { type: 'open' }>['options']): void {
    if (opening) return deps.log('main asked to open the core twice; the second time is ignored');
    opening = deps.open({ ...options, log: deps.log }).then(
      (opened) => {
        core = opened;
        opened.subscribe((event) => {
          // `connection` is the shell's own word about this process; the core never says it.
          if (event.type !== 'connection') post({ type: 'event', event });
        });
        void opened.reconciled.then(() => post({ type: 'reconciled' }));
        post({ type: 'ready', pid: deps.pid });
        return opened;
      },
      (error: unknown) => {
        post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        return null;
      },
    );
  }

  function call(message: Extract<ToHost, { type: 'call' }>): void {
    if (!core || closing) {
      const why = closing ? 'Paydesk is closing' : 'the core is still opening its data';
      return answer(message.id, fail('unavailable', `Not now: ${why}.`));
    }
    const done = core
      .call(message.name, message.input, message.origin, message.options)
      .then(
        (result) => answer(message.id, result),
        (error: unknown) => answer(message.id, fail('internal', `${message.name}: ${error}`)),
      )
      .finally(() => owed.delete(done));
    owed.add(done);
  }

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    try {
      const opened = core ?? (opening ? await opening : null);
      await opened?.close();
      await Promise.all(owed);
      deps.exit(0);
    } catch (error) {
      deps.log(`closing the core failed: ${error instanceof Error ? error.stack : error}`);
      deps.exit(1);
    }
  }

  port.on('message', ({ data }) => {
    const parsed = toHost.safeParse(data);
    if (!parsed.success) {
      deps.log(`dropped a message from main (${describeIssue(parsed.error)})`);
      // A call is answered all the same, so that main does not wait for it forever.
      const id = callIdOf(data);
      if (id !== undefined) answer(id, invalidCall(describeIssue(parsed.error)));
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'open':
        return open(message.options);
      case 'call':
        return call(message);
      case 'catchUp':
        return core?.catchUp();
      case 'close':
        return void close();
    }
  });
}

function callIdOf(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null || !('id' in data)) return undefined;
  return typeof data.id === 'number' && Number.isInteger(data.id) ? data.id : undefined;
}

function invalidCall(issue: string): Result<never> {
  return fail('validation', `The call did not reach the core: ${issue}`);
}
