/**
 * What the server refuses: requests without the token (401), for another Host (DNS
 * rebinding), cross-origin preflights (no CORS at all), bodies above 1 MB (413) or not JSON
 * (415); and what it serves without a token: the health check and the UI's static files,
 * with their security headers and no way out of the UI's directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/server/static';
import {
  API,
  TEST_TOKEN,
  send,
  startApi,
  type HttpAnswer,
  type TestApi,
} from './helpers/api-server';

let api: TestApi;
let siteRoot: string;
const INDEX = '<!doctype html><title>Paydesk</title><script src="/assets/app-1a2b.js"></script>';

beforeAll(async () => {
  siteRoot = await mkdtemp(join(tmpdir(), 'paydesk-ui-'));
  const ui = join(siteRoot, 'renderer');
  await mkdir(join(ui, 'assets'), { recursive: true });
  await writeFile(join(ui, 'index.html'), INDEX);
  await writeFile(join(ui, 'assets', 'app-1a2b.js'), 'console.log("paydesk")');
  await writeFile(join(ui, 'assets', 'app-1a2b.css'), 'body{}');
  await writeFile(join(ui, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(siteRoot, 'secret.txt'), 'TOP SECRET');
  api = await startApi({ server: { staticDir: ui } });
});
afterAll(async () => {
  await api.dispose();
  await rm(siteRoot, { recursive: true, force: true });
});

const port = () => new URL(api.url).port;
const payments = async () => (await api.get('payments/')).json.count as number;
const paymentBody = { amount: '1.00', currency: 'USD', customer_email: 'sec@example.com' };

describe('the API token', () => {
  const dataRequests: Array<[string, string]> = [
    ['GET', `${API}payments/`],
    ['GET', `${API}subscriptions/`],
    ['GET', `${API}history/`],
    ['POST', `${API}payments/process/`],
    ['POST', `${API}history/undo/`],
    ['GET', `${API}no-such-route/`],
    ['POST', '/rpc/payments.list'],
    ['GET', '/rpc/events'],
  ];

  it('is required on every data endpoint: 401 with WWW-Authenticate: Bearer', async () => {
    const before = await payments();
    const wrong = [
      undefined,
      'Bearer nope',
      'Basic dGVzdDp0ZXN0',
      'Bearer',
      `Token ${'x'.repeat(27)}`,
    ];
    for (const [method, path] of dataRequests) {
      for (const authorization of wrong) {
        const res = await api.call(path, {
          method,
          noAuth: true,
          ...(authorization ? { headers: { authorization } } : {}),
          ...(method === 'POST' ? { body: paymentBody } : {}),
        });
        expect(res.status, `${method} ${path} ${authorization}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.json.error.code).toBe('unauthorized');
      }
    }
    expect(await payments()).toBe(before);
  });

  it('accepts the right token whatever the case of the scheme', async () => {
    const res = await api.call(`${API}payments/`, {
      noAuth: true,
      headers: { authorization: `bearer ${TEST_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it('is not needed for the health check', async () => {
    for (const path of [`${API}health/`, `${API}health`]) {
      const res = await api.call(path, { noAuth: true });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ok', reconciling: false, writes: 'ok' });
    }
    const post = await api.call(`${API}health/`, { method: 'POST', noAuth: true });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });
});

describe('the Host check', () => {
  it('answers only for the bound address and localhost', async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `LOCALHOST:${port()}`]) {
      const res = await api.call(`${API}payments/`, { headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });

  it('refuses any other Host, even with the token (DNS rebinding)', async () => {
    const before = await payments();
    const hosts = [
      `evil.example:${port()}`,
      'evil.example',
      `127.0.0.1:${Number(port()) + 1}`,
      `127.0.0.1.evil.example:${port()}`,
      `localhost.evil.example:${port()}`,
    ];
    for (const host of hosts) {
      for (const [method, path] of [
        ['GET', `${API}payments/`],
        ['POST', `${API}payments/process/`],
        ['GET', `${API}health/`],
        ['GET', '/'],
        ['POST', '/rpc/payments.list'],
      ] as const) {
        const res = await api.call(path, {
          method,
          headers: { host },
          ...(method === 'POST' ? { body: paymentBody } : {}),
        });
        expect(res.status, `${method} ${path} Host: ${host}`).toBe(421);
        expect(res.json.error.code).toBe('misdirected_request');
      }
    }
    expect(await payments()).toBe(before);
  });

  it('refuses a request without a Host, or with an absolute target for another host', async () => {
    const raw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port()), '127.0.0.1');
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (c: string) => (text += c));
        socket.on('end', () => resolve(text)).on('error', reject);
        socket.end(`${head}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: close\r\n\r\n`);
      });
    for (const head of [
      'GET /command/api/payments/ HTTP/1.1',
      'GET /command/api/payments/ HTTP/1.0',
      `GET http://evil.example:${port()}/command/api/payments/ HTTP/1.1\r\nHost: evil.example:${port()}`,
      `GET http://evil.example/command/api/payments/ HTTP/1.1\r\nHost: 127.0.0.1:${port()}`,
    ]) {
      const answer = await raw(head);
      expect(answer, head).toMatch(/^HTTP\/1\.[01] (400|421) /);
      expect(answer, head).not.toContain('"results"');
    }
  });
});

describe('CORS', () => {
  const noCorsHeaders = (res: HttpAnswer) =>
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);

  it('sends no CORS headers, even to a request with an Origin', async () => {
    const headers = { origin: 'https://evil.example' };
    noCorsHeaders(await api.call(`${API}payments/`, { headers }));
    noCorsHeaders(await api.call(`${API}payments/process/`, { headers, body: paymentBody }));
    noCorsHeaders(await api.call(`${API}health/`, { headers }));
    noCorsHeaders(await api.call('/', { headers }));
  });

  it('answers a preflight OPTIONS with 405 and Allow', async () => {
    const headers = {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    };
    const cases: Array<[string, string]> = [
      [`${API}payments/process/`, 'POST'],
      [`${API}subscriptions/`, 'GET, POST'],
      [`${API}health/`, 'GET'],
      ['/rpc/payments.process', 'POST'],
      ['/', 'GET, HEAD'],
    ];
    for (const [path, allow] of cases) {
      for (const noAuth of [true, false]) {
        const res = await api.call(path, { method: 'OPTIONS', headers, noAuth });
        expect(res.status, path).toBe(405);
        expect(res.headers.allow, path).toBe(allow);
        noCorsHeaders(res);
      }
    }
  });
});

describe('request bodies', () => {
  const big = () => Buffer.alloc(1024 * 1024 + 1, 0x20);

  it('answers 413 to a declared body above 1 MB, and keeps serving', async () => {
    const before = await payments();
    const body = Buffer.concat([Buffer.from(JSON.stringify(paymentBody)), big()]);
    const res = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    expect(await payments()).toBe(before);
  });

  it('answers 413 to a chunked body that grows above 1 MB, without reading it all', async () => {
    const url = new URL(`${API}payments/process/`, api.url);
    let written = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${TEST_TOKEN}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) => (written > 1024 * 1024 ? undefined : reject(error)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Up to 64 MB: far more than the server will read before it answers.
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    expect((await api.get('payments/')).status).toBe(200);
  });

  it('answers 415 to a body that is not JSON; an empty body needs no content type', async () => {
    const before = await payments();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
      const res = await api.call(`${API}payments/process/`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify(paymentBody),
      });
      expect(res.status, type).toBe(415);
      expect(res.json.error.code).toBe('unsupported_media_type');
    }
    const noType = await api.call(`${API}payments/process/`, {
      method: 'POST',
      body: JSON.stringify(paymentBody),
    });
    expect(noType.status).toBe(415);
    expect(await payments()).toBe(before);

    const charset = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(paymentBody),
    });
    expect(charset.status).toBe(201);

    const empty = await api.call(`${API}payments/process-recurring/`, { method: 'POST' });
    expect(empty.status).toBe(200);
    const emptyNeedsFields = await api.call(`${API}payments/process/`, { method: 'POST' });
    expect(emptyNeedsFields.status).toBe(400);
    expect(['amount', 'currency', 'customer_email']).toContain(emptyNeedsFields.json.error.field);
  });

  it('answers 400 to a body that is not UTF-8', async () => {
    const res = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(res.status).toBe(400);
  });

  it('answers 400 to an Idempotency-Key that is not visible ASCII', async () => {
    const res = await api.post('payments/process/', paymentBody, {
      'idempotency-key': 'x'.repeat(256),
    });
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe('Idempotency-Key');
  });
});

describe('the web UI', () => {
  const expectUiHeaders = (res: HttpAnswer) => {
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  };

  it('serves index.html and its assets without a token, with security headers', async () => {
    const index = await api.call('/', { noAuth: true });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.text).toBe(INDEX);
    expectUiHeaders(index);
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );

    const withToken = await api.call('/?token=abc', { noAuth: true });
    expect(withToken.text).toBe(INDEX);

    const types: Array<[string, string]> = [
      ['/assets/app-1a2b.js', 'text/javascript; charset=utf-8'],
      ['/assets/app-1a2b.css', 'text/css; charset=utf-8'],
      ['/icon.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of types) {
      const res = await api.call(path, { noAuth: true });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expectUiHeaders(res);
    }
    const head = await api.call('/assets/app-1a2b.js', { method: 'HEAD', noAuth: true });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it("falls back to index.html for the app's paths, not for missing files", async () => {
    const route = await api.call('/payments/pay_123', { noAuth: true });
    expect(route.status).toBe(200);
    expect(route.text).toBe(INDEX);
    for (const path of ['/assets/missing.js', '/missing.png', '/assets/']) {
      const res = await api.call(path, { noAuth: true });
      expect(res.status, path).toBe(404);
    }
  });

  it('never serves a file outside its directory', async () => {
    const paths = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%00/secret.txt',
      '/%E0%A4%A',
    ];
    for (const path of paths) {
      const res = await send(api.url, path, { noAuth: true });
      expect(res.text, path).not.toContain('TOP SECRET');
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('answers 405 to other methods on UI paths, and 404 without a UI', async () => {
    const post = await api.call('/', { method: 'POST', noAuth: true });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');

    const bare = await startApi();
    try {
      expect((await bare.call('/', { noAuth: true })).status).toBe(404);
    } finally {
      await bare.dispose();
    }
  });
});
