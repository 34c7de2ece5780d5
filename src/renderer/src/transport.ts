/**
 * The renderer's only way to the core: a typed API (one method per operation, each answering
 * a Result) and push events. In Electron the preload's bridge provides it; in a browser, HTTP.
 */
import {
  OPERATION_NAMES,
  type CallOptions,
  type PaydeskApi,
  type PushEvent,
} from '../../shared/contract';
import type { Result } from '../../shared/result';
import { createHttpTransport } from './http-transport';

/**
 * How the browser transport stands with its server: answering; out of reach (down, or the
 * network); or refusing the page, with no access token given or with a wrong one. The
 * desktop's is connected, or reconnecting while the shell restarts the core's process.
 */
export type ConnectionState =
  'connected' | 'unreachable' | 'no-token' | 'token-refused' | 'reconnecting';

/** The connection of a transport that has one to lose (HTTP; IPC to a core's process). */
export interface Connection {
  state(): ConnectionState;
  /** Called on every change of state; returns the unsubscribe. */
  watch(listener: (state: ConnectionState) => void): () => void;
  /** Use this access token from now on (kept for the session), and refetch everything. */
  setToken(token: string): void;
}

export interface Transport {
  api: PaydeskApi;
  subscribe(listener: (e: PushEvent) => void): () => void;
  connection?: Connection;
}

/**
 * Errors are values: should an IPC call reject anyway (the main process went away), it
 * becomes an `unavailable` error instead of an unhandled rejection.
 */
function neverRejecting(api: PaydeskApi): PaydeskApi {
  type Method = (input: unknown, options?: CallOptions) => Promise<Result<unknown>>;
  const call = api as unknown as Record<string, Method>;
  return Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      async (input: unknown, options?: CallOptions): Promise<Result<unknown>> => {
        try {
          return await (call[name] as Method)(input, options);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          return {
            ok: false,
            error: { code: 'unavailable', message: `The core did not answer (${message})` },
          };
        }
      },
    ]),
  ) as unknown as PaydeskApi; // Same names as the bridge, each wrapping its own method.
}

/**
 * The desktop's connection: the shell's `connection` push events say when the core's process
 * died and is being restarted, and when it is back (a `changed` of every topic follows, which
 * refetches what is shown). Watched from the start, so that a banner mounted later knows.
 */
function coreConnection(bridge: NonNullable<typeof window.paydesk>): Connection {
  let state: ConnectionState = 'connected';
  const watchers = new Set<(state: ConnectionState) => void>();
  bridge.subscribe((event) => {
    if (event.type !== 'connection' || event.state === state) return;
    state = event.state;
    for (const watcher of [...watchers]) watcher(state);
  });
  return {
    state: () => state,
    watch(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    // The desktop app takes no token: its window is the only one the shell answers.
    setToken: () => undefined,
  };
}

export function getTransport(): Transport {
  const bridge = window.paydesk;
  if (bridge) {
    return {
      api: neverRejecting(bridge),
      subscribe: (listener) => bridge.subscribe(listener),
      connection: coreConnection(bridge),
    };
  }
  return createHttpTransport();
}
