/**
 * The headless HTTP server: node:http in front of a core. It checks the Host header (DNS
 * rebinding) and the bearer token (the API token while no admin account exists, else an
 * operator's own: the core says which, and checks each call against the caller's role),
 * then hands the request to the REST API, the browser transport (with its CSV exports) or
 * the UI's static files, with a core that names the caller in every call. No CORS:
 * cross-origin pages get nothing.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Core } from '../main/core/api';
import type { Caller } from '../main/core/operators';
import { isExportKind } from '../shared/contract';
import { callerOf, hostCheck } from './auth';
import { RPC_EXPORT_PREFIX, handleRpcExport, unknownExport } from './export';
import { failure, sendFailure, sendJson, urlHost } from './http-util';
import { serveRequests } from './serving';
import { API_PREFIX, handleRest, matchRoute } from './rest';
import {
  EVENTS_PATH,
  EventStreams,
  RPC_PREFIX,
  handleRpc,
  isOperationName,
  unknownOperation,
} from './rpc';
import { staticFiles } from './static';

export interface ServerOptions {
  /**
   * The API token a data request carries as `Authorization: Bearer <token>` while no admin
   * account exists; then each operator's own token (README, "Operators").
   */
  token: string;
  /** Address to bind (default 127.0.0.1). The CLI refuses non-loopback ones without --allow-remote. */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** The renderer build to serve at / (out/renderer); null serves no UI. */
  staticDir?: string | null;
  /** Where unexpected errors are reported. */
  log?: (message: string) => void;
  /** Interval of the event stream's heartbeat comment. */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** The origin, e.g. http://127.0.0.1:8000 (no trailing slash). */
  url: string;
  /** Stop accepting, let the requests in flight finish, end event streams. Leaves the core open. */
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set([`${API_PREFIX}health`, `${API_PREFIX}health/`]);

const methodNotAllowed = (res: ServerResponse, allow: string): void =>
  sendFailure(
    res,
    failure(405, 'method_not_allowed', `Allowed methods: ${allow}`, undefined, { allow }),
  );

const unauthorized = failure(
  401,
  'unauthorized',
  'Send the API token as Authorization: Bearer <token> (see the api-token file in the data directory)',
  undefined,
  { 'www-authenticate': 'Bearer realm="paydesk"' },
);

/** The methods a path accepts, for 405s and OPTIONS. */
function allowedMethods(pathname: string): string {
  if (HEALTH_PATHS.has(pathname) || pathname === EVENTS_PATH) return 'GET';
  if (pathname.startsWith(API_PREFIX)) {
    const match = matchRoute('OPTIONS', pathname.slice(API_PREFIX.length));
    return match.kind === 'method' ? match.allow.join(', ') : 'GET, POST';
  }
  if (pathname.startsWith(RPC_PREFIX)) return 'POST';
  return 'GET, HEAD';
}

export async function createServer(core: Core, options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((message: string) => console.error(message));
  const events = new EventStreams(options.heartbeatMs);
  const ui = options.staticDir ? staticFiles(options.staticDir) : null;
  const server = createHttpServer();
  let hostAllowed: (host: string | undefined) => boolean = () => false;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '';
    if (!target.startsWith('/')) {
      return sendFailure(res, failure(400, 'validation', 'The request target must be a path'));
    }
    if (!hostAllowed(req.headers.host)) {
      return sendFailure(
        res,
        failure(421, 'misdirected_request', 'This server does not answer for that Host'),
      );
    }
    const url = parseTarget(req.headers.host ?? '', target);
    if (url === null) return sendFailure(res, failure(400, 'validation', 'Malformed request URL'));
    const { pathname } = url;
    const method = req.method ?? '';
    if (method === 'OPTIONS') return methodNotAllowed(res, allowedMethods(pathname));

    if (HEALTH_PATHS.has(pathname)) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      // Whether changes are taken: 'stopped' (with the cause) after a failed write; reads go on.
      const info = await core.call('system.info', {}, 'api');
      const storage = info.ok ? info.data.storage : null;
      return sendJson(res, 200, {
        status: 'ok',
        reconciling: core.reconciling(),
        writes: storage?.writes ?? 'ok',
        ...(storage !== null && storage.cause !== null && { cause: storage.cause }),
      });
    }
    const isApi = pathname.startsWith(API_PREFIX) || `${pathname}/` === API_PREFIX;
    const isRpc = pathname.startsWith(RPC_PREFIX) || `${pathname}/` === RPC_PREFIX;
    if (isApi || isRpc) {
      const caller = callerOf(req.headers.authorization, options.token);
      if (caller === null) return sendFailure(res, unauthorized);
      // An unknown or revoked token, or the API token once an admin account exists: 401.
      const me = await core.call('operators.me', {}, 'api', { caller });
      if (!me.ok) {
        return sendFailure(
          res,
          me.error.code === 'unauthorized'
            ? { ...unauthorized, message: me.error.message }
            : failure(500, me.error.code, me.error.message),
        );
      }
      const scoped = asCaller(core, caller);
      if (isApi) return handleRest(scoped, req, res, url);
      if (pathname === EVENTS_PATH) {
        return method === 'GET' ? events.serve(scoped, req, res) : methodNotAllowed(res, 'GET');
      }
      if (pathname.startsWith(RPC_EXPORT_PREFIX)) {
        const kind = pathname.slice(RPC_EXPORT_PREFIX.length);
        if (!isExportKind(kind)) return sendFailure(res, unknownExport(kind));
        return method === 'POST'
          ? handleRpcExport(scoped, kind, req, res)
          : methodNotAllowed(res, 'POST');
      }
      const name = pathname.slice(RPC_PREFIX.length);
      if (!isOperationName(name)) return sendFailure(res, unknownOperation(name));
      return method === 'POST' ? handleRpc(scoped, name, req, res) : methodNotAllowed(res, 'POST');
    }
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    if (ui === null) return sendFailure(res, failure(404, 'not_found', 'No web UI is served'));
    return ui(req, res, pathname);
  }

  const host = options.host ?? '127.0.0.1';
  const serving = serveRequests(server, { route, log: (message) => log(`paydesk: ${message}`) });
  const port = await serving.listen(host, options.port);
  hostAllowed = hostCheck(host, port);
  return {
    url: `http://${urlHost(host)}:${port}`,
    close: () => serving.close(() => events.closeAll()),
  };
}

/** The core as one caller sees it: every call names them, and the core checks their role. */
function asCaller(core: Core, caller: Caller): Core {
  const scoped = Object.create(core) as Core;
  const call: Core['call'] = (name, input, origin, options) =>
    core.call(name, input, origin, { ...options, caller });
  return Object.assign(scoped, { call });
}

/** The request's URL. Host and target are joined as text: a target like //x stays a path. */
function parseTarget(host: string, target: string): URL | null {
  try {
    return new URL(`http://${host}${target}`);
  } catch {
    return null;
  }
}
