/**
 * The renderer's only way to the core: a typed API (one method per operation, each answering
 * a Result) and push events. In Electron the preload's bridge provides it; in a browser, HTTP.
 */
import { OPERATION_NAMES, type PaydeskApi, type PushEvent } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { createHttpTransport } from './http-transport';

export interface Transport {
  api: PaydeskApi;
  subscribe(listener: (e: PushEvent) => void): () => void;
}

/**
 * Errors are values: should an IPC call reject anyway (the main process went away), it
 * becomes an `unavailable` error instead of an unhandled rejection.
 */
function neverRejecting(api: PaydeskApi): PaydeskApi {
  const call = api as unknown as Record<string, (input: unknown) => Promise<Result<unknown>>>;
  return Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      async (input: unknown): Promise<Result<unknown>> => {
        try {
          return await (call[name] as (input: unknown) => Promise<Result<unknown>>)(input);
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

export function getTransport(): Transport {
  const bridge = window.paydesk;
  if (bridge) {
    return { api: neverRejecting(bridge), subscribe: (listener) => bridge.subscribe(listener) };
  }
  return createHttpTransport();
}
