/**
 * A real Paydesk HTTP server for tests: a core from openCore on a fresh temporary data
 * directory (test clock, gateway latency 0, a fixed seed, no scheduler timer) behind
 * createServer on a free port of 127.0.0.1, plus a small node:http client that can set any
 * header (Host included) and send any bytes.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Core, CoreOptions } from '../../../src/main/core/api';
import { openCore } from '../../../src/main/core/index';
import { createServer, type RunningServer, type ServerOptions } from '../../../src/server/server';

export const TEST_TOKEN = 'test-token-0123456789abcdef';
export const API = '/command/api/';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read any field
  json: any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** An object is sent as JSON with Content-Type: application/json unless headers say otherwise. */
  body?: unknown;
  /** Leave out the Authorization header. */
  noAuth?: boolean;
  /** A connection pool (default: a new connection per request). */
  agent?: Agent;
}

/** One HTTP request with node:http (so that Host and every other header are ours to set). */
export function send(
  baseUrl: string,
  path: string,
  options: RequestOptions = {},
  token = TEST_TOKEN,
): Promise<HttpAnswer> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string | number> = {};
  if (!options.noAuth) headers.authorization = `Bearer ${token}`;
  let payload: Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
    payload = Buffer.from(options.body);
  } else if (options.body !== undefined) {
    payload = Buffer.from(JSON.stringify(options.body));
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  if (payload !== undefined) headers['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            get json() {
              return JSON.parse(text);
            },
          });
        });
        res.on('error', reject);
      },
    );
    // The server may close early (413); the response, if it came, has already resolved.
    req.on('error', reject);
    req.end(payload);
  });
}

export interface TestApi {
  url: string;
  dataDir: string;
  core: Core;
  server: RunningServer;
  /** A request to `path` below the server, with the token unless `noAuth`. */
  call(path: string, options?: RequestOptions): Promise<HttpAnswer>;
  /** POST JSON to a path below /command/api/. */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** GET a path below /command/api/. */
  get(path: string): Promise<HttpAnswer>;
  /** Stop the server and the core (the data directory stays). */
  stop(): Promise<void>;
  /** Stop and delete the data directory. */
  dispose(): Promise<void>;
}

export const makeDataDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'paydesk-api-'));

export async function startApi(
  options: { dataDir?: string; core?: Partial<CoreOptions>; server?: Partial<ServerOptions> } = {},
): Promise<TestApi> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const core = await openCore({
    dataDir,
    clock: 'test',
    gateway: { latencyMs: 0, seed: 42, successRate: 0.9 },
    scheduler: false,
    ...options.core,
  });
  await core.reconciled;
  const server = await createServer(core, { token: TEST_TOKEN, log: () => {}, ...options.server });
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= server.close().then(() => core.close());
    return stopped;
  };
  const call = (path: string, o?: RequestOptions) => send(server.url, path, o);
  return {
    url: server.url,
    dataDir,
    core,
    server,
    call,
    post: (path, body, headers) =>
      call(API + path, {
        method: 'POST',
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      }),
    get: (path) => call(API + path),
    stop,
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
