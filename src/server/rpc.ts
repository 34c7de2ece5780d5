/**
 * The browser transport, used by the renderer when it runs in a browser instead of Electron:
 * `POST /rpc/<operation>` answers the core's Result as JSON (always 200), and
 * `GET /rpc/events` streams the core's push events as server-sent events. A changing
 * operation takes an `Idempotency-Key` header as the REST API does: a retry with the key
 * gets the first answer (with `Idempotent-Replayed: true`) instead of acting again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../main/core/api';
import {
  CHANGING_OPERATIONS,
  idempotencyKey,
  operations,
  type CallOptions,
  type OperationName,
} from '../shared/contract';
import type { Result } from '../shared/result';
import { failure, readJson, sendFailure, sendJson } from './http-util';

export const RPC_PREFIX = '/rpc/';
export const EVENTS_PATH = '/rpc/events';
export const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is dropped rather than buffered forever. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export const isOperationName = (name: string): name is OperationName =>
  Object.hasOwn(operations, name);

/**
 * The JSON body of a request to /rpc, or null once answered: bad JSON is answered as the
 * validation Result the browser transport reads (with `invalidStatus`), a body refused for
 * its size or its Content-Type as that HTTP failure.
 */
export async function readRpcInput(
  req: IncomingMessage,
  res: ServerResponse,
  invalidStatus: number,
): Promise<{ input: unknown } | null> {
  const read = await readJson(req, res);
  if (read === null) return null;
  if (read.ok) return { input: read.value };
  if (read.failure.status !== 400) {
    sendFailure(res, read.failure);
    return null;
  }
  const invalid: Result<never> = {
    ok: false,
    error: { code: 'validation', message: read.failure.message },
  };
  sendJson(res, invalidStatus, invalid);
  return null;
}

/**
 * Run one operation for the browser, as the operator; bad JSON and an invalid
 * Idempotency-Key are validation Results.
 */
export async function handleRpc(
  core: Core,
  name: OperationName,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const read = await readRpcInput(req, res, 200);
  if (read === null) return;
  const options = callOptions(name, req.headers['idempotency-key']);
  if (!options) return sendJson(res, 200, idempotencyKeyInvalid);
  const answer = await core.call(name, read.input, 'operator', options);
  sendJson(res, 200, answer, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
}

/** The call's options: the key of a changing operation (null: an invalid key); queries ignore it. */
function callOptions(name: OperationName, key: string | string[] | undefined): CallOptions | null {
  if (key === undefined || !CHANGING_OPERATIONS.includes(name)) return {};
  const parsed = idempotencyKey.safeParse(key);
  return parsed.success ? { idempotencyKey: parsed.data } : null;
}

const idempotencyKeyInvalid: Result<never> = {
  ok: false,
  error: {
    code: 'validation',
    message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
    field: 'Idempotency-Key',
  },
};

/** Server-sent events: one `data:` line per push event, a comment as heartbeat. */
export class EventStreams {
  private readonly open = new Set<() => void>();

  constructor(private readonly heartbeatMs = HEARTBEAT_MS) {}

  serve(core: Core, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    const write = (text: string): void => {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(text);
    };
    write(': connected\n\n');
    const unsubscribe = core.subscribe((event) => write(`data: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.heartbeatMs);
    const end = (): void => {
      if (!this.open.delete(end)) return;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    this.open.add(end);
    req.on('close', end);
    res.on('close', end);
    res.on('error', end);
  }

  get size(): number {
    return this.open.size;
  }

  /** End every stream (the server is stopping). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}

export const unknownOperation = (name: string) =>
  failure(404, 'not_found', `No operation named ${JSON.stringify(name)}`);
