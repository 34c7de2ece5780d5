import { describe, expect, it, vi } from 'vitest';
import { CHANGE_TOPICS, type PushEvent } from '../../src/shared/contract';
import { createHttpTransport, parsePushEvent } from '../../src/renderer/src/http-transport';
import { createSseParser } from '../../src/renderer/src/lib/sse';

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A text/event-stream body that sends `chunks` and then ends, or stays open. */
function stream(chunks: string[], stayOpen = false): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      if (!stayOpen) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

describe('HTTP transport: operations', () => {
  it('POSTs /rpc/<operation> with the JSON input and the bearer token', async () => {
    const fetch = vi.fn(async () =>
      json({ ok: true, data: { total: 0, offset: 0, limit: 50, items: [] } }),
    );
    const { api } = createHttpTransport({ token: 'T0K', fetch, baseUrl: 'http://h' });
    const res = await api['payments.list']({ offset: 100, limit: 100 });
    expect(res).toEqual({ ok: true, data: { total: 0, offset: 0, limit: 50, items: [] } });
    expect(fetch).toHaveBeenCalledWith('http://h/rpc/payments.list', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer T0K' },
      body: JSON.stringify({ offset: 100, limit: 100 }),
    });
  });

  it('sends the call’s idempotency key as the Idempotency-Key header', async () => {
    const fetch = vi.fn(async () => json({ ok: true, data: {} }));
    const { api } = createHttpTransport({ token: 'T0K', fetch, baseUrl: 'http://h' });
    const input = { amount: '1.00', currency: 'USD', customerEmail: 'a@b.co' };
    await api['payments.process'](input, { idempotencyKey: 'intent-1' });
    await api['payments.process'](input, {});
    expect(fetch.mock.calls.map((call: unknown[]) => (call[1] as RequestInit).headers)).toEqual([
      {
        'Content-Type': 'application/json',
        Authorization: 'Bearer T0K',
        'Idempotency-Key': 'intent-1',
      },
      { 'Content-Type': 'application/json', Authorization: 'Bearer T0K' },
    ]);
  });

  it('passes the core’s error values through, field included', async () => {
    const error = { code: 'validation', message: 'amount: too many decimals', field: 'amount' };
    const { api } = createHttpTransport({
      token: 't',
      fetch: async () => json({ ok: false, error }),
    });
    expect(
      await api['payments.process']({ amount: '1.234', currency: 'USD', customerEmail: 'a@b.co' }),
    ).toEqual({
      ok: false,
      error,
    });
  });

  it('turns non-200 answers, network failures and garbage into unavailable errors', async () => {
    const answers: Array<() => Promise<Response>> = [
      async () => json({ ok: false, error: { code: 'forbidden', message: 'bad token' } }, 401),
      async () => new Response('oops', { status: 500, statusText: 'Internal Server Error' }),
      async () => {
        throw new TypeError('Failed to fetch');
      },
      async () => new Response('not json', { status: 200 }),
      async () => json({ hello: 'world' }),
    ];
    for (const answer of answers) {
      const { api } = createHttpTransport({ token: 't', fetch: answer });
      const res = await api['history.get']({});
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('unavailable');
        expect(res.error.message.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('HTTP transport: push events', () => {
  it('reads the event stream, reconnects after a drop and asks views to refetch', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const responses = [
      () =>
        stream([
          'data: {"type":"changed","topics":["pay',
          'ments"]}\n\n: keep-alive\n\n',
          'data: {"type":"progress","done":1,"total":4}\r\n\r\n',
        ]),
      () => {
        throw new TypeError('connection refused');
      },
      () => stream(['data: {"type":"notice","level":"info","message":"hi"}\n\n'], true),
    ];
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      const next = responses.shift();
      if (!next) return new Promise<Response>(() => undefined);
      return next();
    });
    const transport = createHttpTransport({
      token: 'abc',
      fetch,
      backoff: { initialMs: 1, maxMs: 4 },
    });
    const events: PushEvent[] = [];
    const unsubscribe = transport.subscribe((e) => events.push(e));
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events).toEqual([
      { type: 'changed', topics: ['payments'] },
      { type: 'progress', done: 1, total: 4 },
      // After a reconnect every view refetches: every topic there is.
      { type: 'changed', topics: [...CHANGE_TOPICS] },
      { type: 'notice', level: 'info', message: 'hi' },
    ]);
    expect(calls[0]?.url).toBe('/rpc/events');
    expect(calls[0]?.init.headers).toMatchObject({ Authorization: 'Bearer abc' });
    const signal = calls[2]?.init.signal;
    unsubscribe();
    expect(signal?.aborted).toBe(true);
  });

  it('drops unknown events and unknown topics', () => {
    expect(parsePushEvent('{"type":"weird"}')).toBeNull();
    expect(parsePushEvent('not json')).toBeNull();
    expect(parsePushEvent('{"type":"changed","topics":["payments","nope"]}')).toEqual({
      type: 'changed',
      topics: ['payments'],
    });
  });

  it('parses multi-line data and split line endings', () => {
    const seen: string[] = [];
    const parser = createSseParser((d) => seen.push(d));
    parser.push('data: a\r');
    parser.push('\ndata: b\r\n\r');
    parser.push('\nevent: x\ndata:c\n\n');
    expect(seen).toEqual(['a\nb', 'c']);
  });
});
