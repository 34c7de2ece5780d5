/**
 * The browser transport: POST /rpc/<operation> answers the core's Result (always 200) as the
 * operator, taking an Idempotency-Key as REST does, and GET /rpc/events streams push events
 * as server-sent events with heartbeats, cleaned up when the client leaves or the server stops.
 */
import { rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/api';
import type { PushEvent } from '../../src/shared/contract';
import { TEST_TOKEN, makeDataDir, startApi, type TestApi } from './helpers/api-server';
import { openCore } from '../../src/main/core/index';
import { createServer } from '../../src/server/server';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.dispose());

const rpc = (name: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(`/rpc/${name}`, {
    method: 'POST',
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });

describe('POST /rpc/<operation>', () => {
  it("runs the operation as the operator and answers the core's Result", async () => {
    const res = await rpc('payments.process', {
      amount: '12.34',
      currency: 'EUR',
      customerEmail: 'rpc@example.com',
      paymentMethod: 'pm_card_visa',
    });
    expect(res.status).toBe(200);
    expect(res.json.ok).toBe(true);
    expect(res.json.data).toMatchObject({ amount: 1234, currency: 'EUR', status: 'COMPLETED' });
    const history = await rpc('history.get');
    expect(history.json.data.undo[0]).toMatchObject({ kind: 'ProcessPayment', origin: 'operator' });
    const list = await rpc('payments.list', { limit: 1 });
    expect(list.json.data).toMatchObject({ total: 1, limit: 1 });
  });

  it('answers errors as Results with status 200', async () => {
    const invalid = await rpc('payments.process', {
      amount: '1.00',
      currency: 'EUR',
      customerEmail: 'x',
    });
    expect(invalid.status).toBe(200);
    expect(invalid.json).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'customerEmail' },
    });

    const missing = await rpc('payments.get', { id: 'pay_none' });
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const malformed = await api.call('/rpc/payments.list', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"limit":',
    });
    expect(malformed.status).toBe(200);
    expect(malformed.json).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('answers 404 to an unknown operation, 405 to GET, 415 to a non-JSON body', async () => {
    for (const name of ['payments.delete', 'constructor', '__proto__', 'toString', '']) {
      const res = await rpc(name, {});
      expect(res.status, name).toBe(404);
    }
    const get = await api.call('/rpc/payments.list');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const text = await api.call('/rpc/payments.list', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
  });
});

describe('POST /rpc/<operation> with an Idempotency-Key', () => {
  const payment = (customerEmail: string, amount = '5.00') => ({
    amount,
    currency: 'USD',
    customerEmail,
    paymentMethod: 'pm_card_visa',
  });
  const process = (customerEmail: string, key: string, amount?: string) =>
    rpc('payments.process', payment(customerEmail, amount), { 'idempotency-key': key });
  const paymentsOf = async (customerEmail: string): Promise<number> =>
    (await rpc('payments.list', { customerEmail })).json.data.total;

  it('a retry with the same key gets the first answer, replayed: one payment', async () => {
    const first = await process('replay@example.com', 'rpc-replay-1');
    expect(first.json).toMatchObject({ ok: true, data: { status: 'COMPLETED' } });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await process('replay@example.com', 'rpc-replay-1');
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json).toMatchObject({ ok: true, data: { id: first.json.data.id } });
    expect(await paymentsOf('replay@example.com')).toBe(1);
    // Another key is another payment.
    expect((await process('replay@example.com', 'rpc-replay-2')).json.ok).toBe(true);
    expect(await paymentsOf('replay@example.com')).toBe(2);
  });

  it('concurrent calls with one key charge once; the others are told it is in progress or get its answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => process('concurrent@example.com', 'rpc-concurrent-1')),
    );
    const done = answers.filter((a) => a.json.ok);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(new Set(done.map((a) => a.json.data.id)).size).toBe(1);
    for (const a of answers.filter((x) => !x.json.ok)) {
      expect(a.json).toMatchObject({ ok: false, error: { code: 'in_progress' } });
    }
    expect(await paymentsOf('concurrent@example.com')).toBe(1);
  });

  it('the same key with another input is a conflict, changing nothing', async () => {
    expect((await process('conflict@example.com', 'rpc-conflict-1')).json.ok).toBe(true);
    const other = await process('conflict@example.com', 'rpc-conflict-1', '6.00');
    expect(other.status).toBe(200);
    expect(other.json).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await paymentsOf('conflict@example.com')).toBe(1);
  });

  it('an invalid key is a validation Result naming the header; a query ignores the header', async () => {
    for (const key of ['a key with spaces', 'k'.repeat(256), 'clé']) {
      const res = await process('badkey@example.com', key);
      expect(res.status, key).toBe(200);
      expect(res.json, key).toEqual({
        ok: false,
        error: {
          code: 'validation',
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
        },
      });
    }
    expect(await paymentsOf('badkey@example.com')).toBe(0);
    const query = await rpc('payments.list', { limit: 1 }, { 'idempotency-key': 'not a key' });
    expect(query.json.ok).toBe(true);
  });
});

/** An open event stream: its comments and data lines as they arrive. */
async function openEvents(url: string) {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(new URL('/rpc/events', url), {
      agent: false,
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    req.on('response', resolve).on('error', reject).end();
  });
  let buffer = '';
  const waiters: Array<() => void> = [];
  let ended = false;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    waiters.splice(0).forEach((w) => w());
  });
  res.on('end', () => {
    ended = true;
    waiters.splice(0).forEach((w) => w());
  });
  res.on('error', () => {});
  const until = async (test: (text: string) => boolean): Promise<void> => {
    while (!test(buffer)) {
      if (ended) throw new Error(`the stream ended; it had: ${buffer}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    res,
    until,
    events: (): PushEvent[] =>
      buffer
        .split('\n\n')
        .filter((block) => block.startsWith('data: '))
        .map((block) => JSON.parse(block.slice('data: '.length)) as PushEvent),
    ended: () => ended,
    waitEnd: () => until(() => ended).catch(() => undefined),
  };
}

describe('GET /rpc/events', () => {
  it('streams push events as data lines, with heartbeat comments', async () => {
    const dataDir = await makeDataDir();
    const core = await openCore({
      dataDir,
      clock: 'test',
      gateway: { latencyMs: 0, seed: 3 },
      scheduler: false,
    });
    let subscribed = 0;
    const counting: Core = {
      ...core,
      dataDir: core.dataDir,
      subscribe(listener) {
        subscribed++;
        const unsubscribe = core.subscribe(listener);
        return () => {
          subscribed--;
          unsubscribe();
        };
      },
    };
    const server = await createServer(counting, {
      token: TEST_TOKEN,
      heartbeatMs: 20,
      log: () => {},
    });
    try {
      const stream = await openEvents(server.url);
      expect(stream.res.statusCode).toBe(200);
      expect(stream.res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(Object.keys(stream.res.headers).some((h) => h.startsWith('access-control-'))).toBe(
        false,
      );
      await stream.until((t) => t.startsWith(': connected\n\n'));
      expect(subscribed).toBe(1);

      await core.call(
        'payments.process',
        { amount: '1.00', currency: 'USD', customerEmail: 'sse@example.com' },
        'operator',
      );
      await stream.until((t) => t.includes('"changed"'));
      expect(stream.events()).toContainEqual({ type: 'changed', topics: ['payments', 'history'] });
      await stream.until((t) => t.includes(': heartbeat\n\n'));

      stream.res.destroy();
      await expect.poll(() => subscribed).toBe(0);

      // Stopping the server ends the streams still open.
      const second = await openEvents(server.url);
      await second.until((t) => t.includes(': connected'));
      expect(subscribed).toBe(1);
      await server.close();
      await second.waitEnd();
      expect(second.ended()).toBe(true);
      expect(subscribed).toBe(0);
    } finally {
      await server.close();
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('needs the token and answers 405 to POST', async () => {
    expect((await api.call('/rpc/events', { noAuth: true })).status).toBe(401);
    const post = await api.call('/rpc/events', { method: 'POST', body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });
});
