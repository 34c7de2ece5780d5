/**
 * Serving HTTP requests until a graceful close, for both HTTP programs (the server: ./server.ts,
 * the gateway service: ../gateway-service/server.ts). Each request goes to `route`; a route that
 * throws is logged and answered 500 (or its connection cut, once headers went out); a malformed
 * request is answered 400. `close` stops accepting, lets the requests in flight finish (for at
 * most DRAIN_TIMEOUT_MS), then cuts what is left.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failure, sendFailure } from './http-util';

/** How long close() waits for requests in flight before cutting their connections. */
export const DRAIN_TIMEOUT_MS = 30_000;

export interface Serving {
  /** Start listening; resolves with the port. */
  listen(host: string, port: number | undefined): Promise<number>;
  /** Set from the start of close() on: routes refuse new work with it. */
  readonly closing: boolean;
  /** Stop accepting and drain; `beforeDrain` runs first (to end long-lived responses). */
  close(beforeDrain?: () => void): Promise<void>;
}

export function serveRequests(
  server: Server,
  options: {
    route: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    log: (message: string) => void;
  },
): Serving {
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    if (closing) res.setHeader('connection', 'close');
    res.on('error', () => {});
    options
      .route(req, res)
      .catch((error: unknown) => {
        options.log(`${req.method} ${req.url} failed: ${(error as Error)?.stack ?? String(error)}`);
        if (!res.headersSent) sendFailure(res, failure(500, 'internal', 'Internal error'));
        else res.destroy();
      })
      .finally(() => {
        if (--inFlight === 0) drained?.();
      });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  let closed: Promise<void> | null = null;
  return {
    async listen(host, port) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: port ?? 0 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    },
    get closing() {
      return closing;
    },
    close(beforeDrain) {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        beforeDrain?.();
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
          });
        }
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}
