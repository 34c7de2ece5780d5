/**
 * The browser transport: operations are `POST /rpc/<operation>` with the JSON input as the
 * body, `Authorization: Bearer <token>` and the call's `Idempotency-Key` when it names one
 * (a retry sends the same key, so a lost answer never runs a command twice); push events
 * are a text/event-stream at `GET /rpc/events`, read with fetch (EventSource cannot send
 * headers) and reconnected with backoff. Anything unexpected from the server becomes an
 * `unavailable` error value. The transport tells how its connection stands (connected, out
 * of reach, no token, a token refused) from every answer and every try of the stream, and
 * takes a token the operator pastes.
 */
import { z } from 'zod';
import {
  CHANGE_TOPICS,
  OPERATION_NAMES,
  type CallOptions,
  type ChangeTopic,
  type OperationName,
  type PaydeskApi,
  type PushEvent,
} from '../../shared/contract';
import { ERROR_CODES, type AppError, type ErrorCode, type Result } from '../../shared/result';
import { createSseParser } from './lib/sse';
import { keepToken, takeTokenFromUrl } from './lib/token';
import type { ConnectionState, Transport } from './transport';

export interface HttpTransportOptions {
  /** Prefix of the /rpc URLs (default: the page's origin). */
  baseUrl?: string;
  /** Default: taken from the URL or sessionStorage (see lib/token.ts). */
  token?: string | null;
  fetch?: typeof fetch;
  /** Reconnection delays of the event stream, doubled after each failure up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
}

const resultEnvelope = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
    }),
  }),
]);

const pushEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('changed'), topics: z.array(z.string()) }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), message: z.string() }),
  z.object({ type: z.literal('progress'), done: z.number(), total: z.number() }),
]);

const unavailable = (message: string): Result<never> => ({
  ok: false,
  error: { code: 'unavailable', message },
});

/** Parse one event's data; anything that is not a known push event is dropped. */
export function parsePushEvent(data: string): PushEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = pushEventSchema.safeParse(raw);
  if (!parsed.success) return null;
  const event = parsed.data;
  if (event.type !== 'changed') return event;
  const known = new Set<string>(CHANGE_TOPICS);
  return { type: 'changed', topics: event.topics.filter((t): t is ChangeTopic => known.has(t)) };
}

function toResult(body: unknown): Result<unknown> {
  const parsed = resultEnvelope.safeParse(body);
  if (!parsed.success) return unavailable('The server sent an answer Paydesk does not understand');
  if (parsed.data.ok) return { ok: true, data: parsed.data.data };
  const { code, message, field } = parsed.data.error;
  const error: AppError = {
    code: (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal',
    message,
  };
  if (field !== undefined) error.field = field;
  return { ok: false, error };
}

export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const baseUrl = options.baseUrl ?? '';
  let token = options.token !== undefined ? options.token : takeTokenFromUrl();
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  const authHeaders = (): Record<string, string> =>
    token ? { Authorization: `Bearer ${token}` } : {};

  let state: ConnectionState = 'connected';
  const watchers = new Set<(state: ConnectionState) => void>();
  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const watcher of [...watchers]) watcher(next);
  };
  /** A 401 or 403: no token was sent, or the one sent was refused. */
  const refusedState = (): ConnectionState => (token ? 'token-refused' : 'no-token');

  async function call(
    name: OperationName,
    input: unknown,
    options?: CallOptions,
  ): Promise<Result<unknown>> {
    const key = options?.idempotencyKey;
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/rpc/${name}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...authHeaders(),
          ...(key === undefined ? {} : { 'Idempotency-Key': key }),
        },
        body: JSON.stringify(input ?? {}),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      setState('unreachable');
      return unavailable(`Cannot reach the Paydesk server (${detail})`);
    }
    if (response.status === 401 || response.status === 403) {
      setState(refusedState());
      return unavailable(
        token
          ? 'The server refused the access token: paste the one it printed, or open the link it printed'
          : 'No access token was given: paste the one the server printed, or open the link it printed',
      );
    }
    setState('connected');
    if (response.status !== 200) {
      return unavailable(`The server answered ${response.status} ${response.statusText}`.trim());
    }
    try {
      return toResult(await response.json());
    } catch {
      return unavailable('The server sent an answer that is not JSON');
    }
  }

  const api = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      (input: unknown, options?: CallOptions) => call(name, input, options),
    ]),
  ) as unknown as PaydeskApi; // Built from the contract's names: each method matches its key.

  const listeners = new Set<(e: PushEvent) => void>();
  let stop: AbortController | null = null;
  const emit = (event: PushEvent): void => {
    for (const listener of [...listeners]) listener(event);
  };

  async function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser((data) => {
      const event = parsePushEvent(data);
      if (event) emit(event);
    });
    const cancel = (): void => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  async function streamLoop(signal: AbortSignal): Promise<void> {
    let delay = backoff.initialMs;
    let attempts = 0;
    while (!signal.aborted) {
      attempts += 1;
      try {
        const response = await fetchImpl(`${baseUrl}/rpc/events`, {
          headers: { Accept: 'text/event-stream', ...authHeaders() },
          cache: 'no-store',
          signal,
        });
        if (response.status === 401 || response.status === 403) setState(refusedState());
        else setState('connected');
        if (response.status === 200 && response.body) {
          // Events may have been missed while disconnected: have every view refetch.
          if (attempts > 1) emit({ type: 'changed', topics: [...CHANGE_TOPICS] });
          delay = backoff.initialMs;
          await readEvents(response.body, signal);
        }
      } catch {
        // A dropped connection, or none at all: retry below.
        if (!signal.aborted) setState('unreachable');
      }
      if (signal.aborted) return;
      const wait = delay * (0.75 + Math.random() * 0.5);
      delay = Math.min(delay * 2, backoff.maxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  /** (Re)starts the event stream, with the token as it is now. */
  const startStream = (): void => {
    stop?.abort();
    stop = new AbortController();
    void streamLoop(stop.signal);
  };

  return {
    api,
    connection: {
      state: () => state,
      watch(watcher) {
        watchers.add(watcher);
        return () => watchers.delete(watcher);
      },
      setToken(next) {
        token = next;
        keepToken(next);
        if (listeners.size > 0) startStream();
        // Until a request says otherwise; every view refetches with the new token.
        setState('connected');
        emit({ type: 'changed', topics: [...CHANGE_TOPICS] });
      },
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!stop) startStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stop) {
          stop.abort();
          stop = null;
        }
      };
    },
  };
}
