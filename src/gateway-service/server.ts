/**
 * The gateway service's HTTP door: node:http in front of one mock gateway, so that several
 * desks share one provider (one ledger, one set of idempotency keys). Each Gateway port
 * method is `POST /v1/<operation>` (core/gateway/protocol.ts) with a JSON body, validated
 * with zod (400 naming the field) before the mock is asked; `GET /health` answers without
 * the token. The mock's own semantics are the service's: a key answers its first outcome,
 * so a desk that lost an answer and sends the request again is not charged twice.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { z } from 'zod';
import type { MockGateway } from '../main/core/gateway/mock-gateway';
import {
  GATEWAY_OPERATIONS,
  GATEWAY_PATH_PREFIX,
  PROVIDER_FAILURES,
  isGatewayOperation,
  type GatewayOperation,
  type OperationAnswer,
  type OperationInput,
} from '../main/core/gateway/protocol';
import { GatewayError } from '../main/core/ports';
import { bearerMatches } from '../server/auth';
import {
  failure,
  readJson,
  sendFailure,
  sendJson,
  urlHost,
  type HttpFailure,
} from '../server/http-util';
import { serveRequests } from '../server/serving';

export interface GatewayServerOptions {
  /** Asked of every call as `Authorization: Bearer <token>`; null asks for none. */
  token: string | null;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** Where unexpected errors are reported. */
  log?: (message: string) => void;
}

export interface RunningGatewayServer {
  /** The origin, e.g. http://127.0.0.1:8100 (no trailing slash). */
  url: string;
  /** Stop accepting, answer the calls in flight. Leaves the mock open. */
  close(): Promise<void>;
}

type Handlers = {
  [K in GatewayOperation]: (
    mock: MockGateway,
    input: OperationInput<K>,
  ) => Promise<OperationAnswer<K>>;
};

const HANDLERS: Handlers = {
  charge: (mock, input) => mock.charge(input),
  refund: (mock, input) => mock.refund(input),
  lookup: (mock, input) => mock.lookup(input.idempotencyKey),
  lookupRefund: (mock, input) => mock.lookupRefund(input.idempotencyKey),
  records: (mock, input) => mock.records(input.after, input.limit),
  findCharge: (mock, input) => mock.findCharge(input.transactionId),
  info: (mock) =>
    Promise.resolve({ service: 'paydesk-mock-gateway', ...mock.behaviour(), seed: mock.seed }),
};

const HEALTH_PATH = '/health';
const unauthorized = failure(
  401,
  'unauthorized',
  'Send the gateway token as Authorization: Bearer <token> (--gateway-token on the desk)',
  undefined,
  { 'www-authenticate': 'Bearer realm="paydesk-gateway"' },
);

const closing = failure(
  503,
  'unavailable',
  'The gateway service is stopping: try again',
  undefined,
  {
    connection: 'close',
  },
);

/** The first issue of a zod failure as a 400 naming its field. */
function invalid(error: z.ZodError): HttpFailure {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const message =
    issue?.code === 'unrecognized_keys'
      ? `Unknown field: ${issue.keys.join(', ')}`
      : `${field ?? 'body'}: ${issue?.message ?? 'invalid'}`;
  return failure(400, 'validation', message, field);
}

/** What the mock threw, as the protocol's failure: its own refusals keep their code. */
function failureOf(error: unknown): HttpFailure | null {
  if (error instanceof GatewayError) {
    return failure(PROVIDER_FAILURES[error.code], error.code, error.message);
  }
  return null;
}

export async function createGatewayServer(
  mock: MockGateway,
  options: GatewayServerOptions,
): Promise<RunningGatewayServer> {
  const log = options.log ?? ((message: string) => console.error(message));
  const server = createHttpServer();
  const serving = serveRequests(server, { route, log });
  const stopping = (): boolean => serving.closing;

  async function call<K extends GatewayOperation>(
    operation: K,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = await readJson(req, res);
    if (body === null) return; // the desk went away: it will ask again with the same key
    if (!body.ok) return sendFailure(res, body.failure);
    const parsed = GATEWAY_OPERATIONS[operation].input.safeParse(body.value ?? {});
    if (!parsed.success) return sendFailure(res, invalid(parsed.error));
    // The schema of `operation` parsed it: TypeScript cannot follow the index by K.
    const input = parsed.data as OperationInput<K>;
    const handler = HANDLERS[operation] as Handlers[K];
    try {
      sendJson(res, 200, { data: await handler(mock, input) });
    } catch (error) {
      const refused = failureOf(error);
      if (refused !== null) return sendFailure(res, refused);
      if (stopping()) return sendFailure(res, closing);
      throw error;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '').split('?')[0] ?? '';
    const method = req.method ?? '';
    if (pathname === HEALTH_PATH) {
      return method === 'GET'
        ? sendJson(res, 200, { status: 'ok' })
        : sendFailure(res, failure(405, 'method_not_allowed', 'Allowed methods: GET'));
    }
    if (options.token !== null && !bearerMatches(req.headers.authorization, options.token)) {
      return sendFailure(res, unauthorized);
    }
    const name = pathname.startsWith(GATEWAY_PATH_PREFIX)
      ? pathname.slice(GATEWAY_PATH_PREFIX.length)
      : '';
    if (!isGatewayOperation(name)) {
      return sendFailure(res, failure(404, 'not_found', `No gateway call at ${pathname}`));
    }
    if (method !== 'POST') {
      return sendFailure(
        res,
        failure(405, 'method_not_allowed', 'Allowed methods: POST', undefined, { allow: 'POST' }),
      );
    }
    if (stopping()) return sendFailure(res, closing);
    return call(name, req, res);
  }

  const host = options.host ?? '127.0.0.1';
  const port = await serving.listen(host, options.port);
  return { url: `http://${urlHost(host)}:${port}`, close: () => serving.close() };
}
