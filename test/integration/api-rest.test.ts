/**
 * The REST API against a real core: the MVP's endpoints and README examples, the endpoints
 * Paydesk adds, pagination, and the error statuses of bad requests.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, startApi, type TestApi } from './helpers/api-server';

const PAYMENT_FIELDS = [
  'amount',
  'created_at',
  'currency',
  'customer_email',
  'description',
  'failure_code',
  'failure_message',
  'id',
  'payment_method',
  'refunded_amount',
  'status',
  'subscription_id',
  'transaction_id',
  'updated_at',
];
const SUBSCRIPTION_FIELDS = [
  'amount',
  'billing_anchor',
  'created_at',
  'currency',
  'customer_email',
  'failed_attempts',
  'id',
  'interval',
  'interval_count',
  'missed_periods',
  'next_payment_date',
  'pause_reason',
  'status',
  'unpaid_periods',
  'updated_at',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ core: { gateway: { latencyMs: 0, seed: 7, successRate: 1 } } });
});
afterAll(() => api.dispose());

const pay = async (body: Record<string, unknown>) => {
  const res = await api.post('payments/process/', {
    amount: '10.00',
    currency: 'USD',
    customer_email: 'ann@example.com',
    payment_method: 'pm_card_visa',
    ...body,
  });
  expect(res.status).toBe(201);
  return res.json;
};
const advance = (seconds: number) => api.post('clock/advance/', { seconds });

describe('the MVP README examples', () => {
  it('processes a payment with the README body, exactly as curl sends it', async () => {
    const body = `{
    "amount": "99.99",
    "currency": "USD",
    "customer_email": "customer@example.com"
  }`;
    const res = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '*/*', 'user-agent': 'curl/8.5.0' },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const p = res.json;
    expect(Object.keys(p).sort()).toEqual(PAYMENT_FIELDS);
    expect(p).toMatchObject({
      amount: '99.99',
      currency: 'USD',
      customer_email: 'customer@example.com',
      status: 'COMPLETED',
      description: null,
      payment_method: null,
      failure_code: null,
      failure_message: null,
      refunded_amount: '0.00',
      subscription_id: null,
    });
    expect(p.transaction_id).toEqual(expect.any(String));
    expect(p.created_at).toMatch(ISO);

    const list = await api.get('payments/');
    expect(list.status).toBe(200);
    expect(list.json.results).toContainEqual(p);
  });

  it('creates a subscription with the README body', async () => {
    const body = `{
    "customer_email": "subscriber@example.com",
    "amount": "29.99",
    "currency": "USD",
    "interval": "MONTHLY"
  }`;
    const res = await api.call(`${API}subscriptions/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(201);
    const s = res.json;
    expect(Object.keys(s).sort()).toEqual(SUBSCRIPTION_FIELDS);
    expect(s).toMatchObject({
      customer_email: 'subscriber@example.com',
      amount: '29.99',
      currency: 'USD',
      interval: 'MONTHLY',
      interval_count: 1,
      status: 'ACTIVE',
      failed_attempts: 0,
      pause_reason: null,
    });
    expect(s.next_payment_date).toMatch(ISO);

    const list = await api.get('subscriptions/');
    expect(list.status).toBe(200);
    expect(list.json.results.map((x: { id: string }) => x.id)).toContain(s.id);
  });
});

describe('payments', () => {
  it('answers 201 with FAILED and the decline code for a declined charge', async () => {
    const p = await pay({ payment_method: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect(p.status).toBe('FAILED');
    expect(p.failure_code).toBe('insufficient_funds');
    expect(p.failure_message).toEqual(expect.any(String));
    expect(p.transaction_id).toBeNull();
  });

  it('keeps description and payment method, and formats amounts in the currency exponent', async () => {
    const p = await pay({ amount: '500', currency: 'JPY', description: 'Tea' });
    expect(p).toMatchObject({ amount: '500', currency: 'JPY', refunded_amount: '0' });
    expect(p).toMatchObject({ description: 'Tea', payment_method: 'pm_card_visa' });
  });

  it('refunds part, then by default all that is left, then answers 409', async () => {
    const p = await pay({ amount: '50.00' });
    const part = await api.post(`payments/${p.id}/refund/`, { amount: '20.50' });
    expect(part.status).toBe(200);
    expect(part.json).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_amount: '20.50' });

    const tooMuch = await api.post(`payments/${p.id}/refund/`, { amount: '30.00' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.json.error.code).toBe('conflict');
    expect(tooMuch.json.error.field).toBe('amount');

    const rest = await api.post(`payments/${p.id}/refund/`);
    expect(rest.status).toBe(200);
    expect(rest.json).toMatchObject({ status: 'REFUNDED', refunded_amount: '50.00' });

    const again = await api.post(`payments/${p.id}/refund/`, {});
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/refunded/);
  });

  it('answers 409 for a refund of a failed payment, 404 for an unknown id', async () => {
    const failed = await pay({ payment_method: 'pm_card_chargeDeclined' });
    expect((await api.post(`payments/${failed.id}/refund/`)).status).toBe(409);
    const unknown = await api.post('payments/pay_nope/refund/', { amount: '1.00' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'not_found', field: 'id' });
  });

  it('rejects a bad refund amount as 400 naming amount, changing nothing', async () => {
    const p = await pay({});
    for (const amount of ['-1', '1.001', 'ten', '0']) {
      const res = await api.post(`payments/${p.id}/refund/`, { amount });
      expect(res.status).toBe(400);
      expect(res.json.error.field).toBe('amount');
    }
    expect((await api.get(`payments/${p.id}/`)).json.refunded_amount).toBe('0.00');
  });

  it('shows one payment with its timeline in snake_case', async () => {
    const p = await pay({ amount: '12.00' });
    await api.post(`payments/${p.id}/refund/`, { amount: '2.00' });
    const res = await api.get(`payments/${p.id}/`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: p.id, refunded_amount: '2.00' });
    const events = res.json.events as Array<Record<string, unknown>>;
    expect(events[0]).toMatchObject({ type: 'created', at: expect.stringMatching(ISO) });
    expect(events.find((e) => e.type === 'succeeded')).toMatchObject({
      transaction_id: p.transaction_id,
    });
    expect(events.find((e) => e.type === 'refunded')).toMatchObject({
      amount: '2.00',
      refund_id: expect.any(String),
    });
    for (const e of events) for (const key of Object.keys(e)) expect(key).toMatch(/^[a-z_]+$/);

    const missing = await api.get('payments/pay_missing/');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it('accepts paths without the trailing slash', async () => {
    const res = await api.post('payments/process', {
      amount: '1.00',
      currency: 'EUR',
      customer_email: 'slash@example.com',
    });
    expect(res.status).toBe(201);
    expect((await api.get(`payments/${res.json.id}`)).status).toBe(200);
  });
});

describe('lists', () => {
  let fresh: TestApi;
  const email = 'pages@example.com';
  const ids: string[] = [];
  beforeAll(async () => {
    fresh = await startApi({ core: { gateway: { latencyMs: 0, seed: 1, successRate: 1 } } });
    for (let i = 0; i < 5; i++) {
      const method = i === 2 ? 'pm_card_chargeDeclined' : 'pm_card_visa';
      const res = await fresh.post('payments/process/', {
        amount: `${i + 1}.00`,
        currency: 'USD',
        customer_email: email,
        payment_method: method,
      });
      ids.push(res.json.id);
      await fresh.post('clock/advance/', { seconds: 60 });
    }
    await fresh.post('payments/process/', {
      amount: '9.00',
      currency: 'USD',
      customer_email: 'other@example.com',
    });
  });
  afterAll(() => fresh.dispose());

  it('pages DRF-style with absolute next and previous links', async () => {
    const first = await fresh.get(`payments/?customer_email=${email}&page_size=2`);
    expect(first.status).toBe(200);
    expect(first.json.count).toBe(5);
    expect(first.json.previous).toBeNull();
    expect(first.json.results.map((p: { id: string }) => p.id)).toEqual([ids[4], ids[3]]);
    const next = new URL(first.json.next);
    expect(next.origin).toBe(fresh.url);
    expect(next.pathname).toBe(`${API}payments/`);
    expect(Object.fromEntries(next.searchParams)).toEqual({
      customer_email: email,
      page_size: '2',
      page: '2',
    });

    const third = await fresh.call(
      `${next.pathname}?${new URLSearchParams({ customer_email: email, page_size: '2', page: '3' })}`,
    );
    expect(third.json.results.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(third.json.next).toBeNull();
    expect(new URL(third.json.previous).searchParams.get('page')).toBe('2');

    const second = await fresh.call(
      new URL(third.json.previous).pathname + new URL(third.json.previous).search,
    );
    expect(second.json.results.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    // Page 1 is the link without a page parameter, as DRF writes it.
    expect(new URL(second.json.previous).searchParams.has('page')).toBe(false);

    const beyond = await fresh.get(`payments/?customer_email=${email}&page_size=2&page=4`);
    expect(beyond.status).toBe(404);
    expect(beyond.json.error.field).toBe('page');
  });

  it('orders by created_at either way and filters by status and email', async () => {
    const asc = await fresh.get(`payments/?customer_email=${email}&ordering=created_at`);
    expect(asc.json.results.map((p: { id: string }) => p.id)).toEqual(ids);
    const failed = await fresh.get(`payments/?status=FAILED&customer_email=${email}`);
    expect(failed.json.count).toBe(1);
    expect(failed.json.results[0].id).toBe(ids[2]);
    const all = await fresh.get('payments/?status=');
    expect(all.json.count).toBe(6);
  });

  it('takes the list filters as query parameters, and orders by any column', async () => {
    const part = await fresh.get('payments/?search=OTHER@&ordering=-amount');
    expect(part.json.results.map((p: { amount: string }) => p.amount)).toEqual(['9.00']);
    const range = await fresh.get(
      `payments/?customer_email=${email}&min_amount=2&max_amount=4.00&currency=USD&ordering=-amount`,
    );
    expect(range.json.results.map((p: { id: string }) => p.id)).toEqual([ids[3], ids[2], ids[1]]);
    const byAmount = await fresh.get('payments/?ordering=amount&page_size=2');
    expect(byAmount.json.results.map((p: { amount: string }) => p.amount)).toEqual([
      '1.00',
      '2.00',
    ]);
    const after = await fresh.get(`payments/?created_after=2999-01-01`);
    expect(after.json.count).toBe(0);
    const before = await fresh.get(`payments/?created_before=2999-01-01&ordering=customer_email`);
    expect(before.json.count).toBe(6);
    const subs = await fresh.get(
      'subscriptions/?review=false&search=zzz&ordering=-next_payment_date',
    );
    expect(subs.json.count).toBe(0);
    const bad = await fresh.get('subscriptions/?review=maybe');
    expect(bad.json.error).toMatchObject({ code: 'validation', field: 'review' });
  });

  it('answers 400 naming the query parameter that is wrong', async () => {
    const cases: Array<[string, string]> = [
      ['page=0', 'page'],
      ['page=two', 'page'],
      ['page_size=501', 'page_size'],
      ['page_size=0', 'page_size'],
      ['ordering=description', 'ordering'],
      ['min_amount=1,5', 'min_amount'],
      ['created_after=yesterday', 'created_after'],
      ['status=LOST', 'status'],
      ['colour=blue', 'colour'],
      ['page=1&page=2', 'page'],
    ];
    for (const [query, field] of cases) {
      const res = await fresh.get(`payments/?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error, query).toMatchObject({ code: 'validation', field });
    }
    const sub = await fresh.get('subscriptions/?customer_email=a&status=GONE');
    expect(sub.status).toBe(400);
    expect(sub.json.error.field).toBe('status');
  });

  it('lists subscriptions with the same paging', async () => {
    const s = await fresh.post('subscriptions/', {
      customer_email: 'sub@example.com',
      amount: '5.00',
      currency: 'USD',
      interval: 'WEEKLY',
    });
    const list = await fresh.get('subscriptions/?page_size=1&status=ACTIVE');
    expect(list.json).toMatchObject({ count: 1, next: null, previous: null });
    expect(list.json.results[0]).toEqual(s.json);
  });
});

describe('subscriptions', () => {
  it('creates with interval_count and start_date, charges when due, pauses, resumes, cancels', async () => {
    const clock = (await api.get('clock/')).json;
    expect(clock.mode).toBe('test');
    const start = new Date(Date.parse(clock.now) + 3_600_000).toISOString();
    const created = await api.post('subscriptions/', {
      customer_email: 'cycle@example.com',
      amount: '7.25',
      currency: 'USD',
      interval: 'WEEKLY',
      interval_count: 2,
      start_date: start,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ interval_count: 2, next_payment_date: start });
    const id = created.json.id as string;

    const before = await api.get(`subscriptions/${id}/`);
    expect(before.status).toBe(200);
    expect(before.json.charges).toEqual([]);

    await advance(7200);
    const run = await api.post('payments/process-recurring/');
    expect(run.status).toBe(200);
    expect(Object.keys(run.json).sort()).toEqual(['charged', 'failed', 'payments', 'succeeded']);
    const mine = run.json.payments.filter(
      (p: { subscription_id: string }) => p.subscription_id === id,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ amount: '7.25', customer_email: 'cycle@example.com' });

    const after = await api.get(`subscriptions/${id}/`);
    expect(after.json.charges.map((c: { id: string }) => c.id)).toEqual([mine[0].id]);
    expect(Date.parse(after.json.next_payment_date)).toBe(Date.parse(start) + 14 * 86_400_000);

    const paused = await api.post(`subscriptions/${id}/pause/`);
    expect(paused.status).toBe(200);
    expect(paused.json.status).toBe('PAUSED');
    expect((await api.post(`subscriptions/${id}/pause/`)).status).toBe(409);
    expect((await api.post(`subscriptions/${id}/resume/`)).json.status).toBe('ACTIVE');
    expect((await api.post(`subscriptions/${id}/cancel/`)).json.status).toBe('CANCELLED');
    expect((await api.post(`subscriptions/${id}/resume/`)).status).toBe(409);
    expect((await api.post('subscriptions/sub_nope/pause/')).status).toBe(404);
    expect((await api.get('subscriptions/sub_nope/')).status).toBe(404);
  });

  it('answers 400 naming the snake_case field', async () => {
    const good = {
      customer_email: 'v@example.com',
      amount: '1.00',
      currency: 'USD',
      interval: 'DAILY',
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, customer_email: 'not-an-email' }, 'customer_email'],
      [{ ...good, interval: 'HOURLY' }, 'interval'],
      [{ ...good, interval_count: 0 }, 'interval_count'],
      [{ ...good, interval: 'DAILY', interval_count: 5000 }, 'interval_count'],
      [{ ...good, start_date: 'tomorrow' }, 'start_date'],
      [{ ...good, amount: 1 }, 'amount'],
      [{ ...good, currency: 'usd' }, 'currency'],
      [{ ...good, customerEmail: 'v@example.com' }, 'customerEmail'],
    ];
    const count = (await api.get('subscriptions/')).json.count;
    for (const [body, field] of cases) {
      const res = await api.post('subscriptions/', body);
      expect(res.status, field).toBe(400);
      expect(res.json.error, field).toMatchObject({ code: 'validation', field });
      if (field !== 'customerEmail') {
        expect(res.json.error.message, field).not.toMatch(/customerEmail|intervalCount|startDate/);
      }
    }
    expect((await api.get('subscriptions/')).json.count).toBe(count);
  });
});

describe('history', () => {
  it('lists, undoes and redoes commands, and answers 409 when there is nothing to do', async () => {
    const own = await startApi();
    try {
      expect((await own.post('history/undo/')).status).toBe(409);
      const p = (
        await own.post('payments/process/', {
          amount: '3.00',
          currency: 'USD',
          customer_email: 'undo@example.com',
          payment_method: 'pm_card_visa',
        })
      ).json;
      const history = await own.get('history/');
      expect(history.status).toBe(200);
      expect(history.json.redo).toEqual([]);
      expect(history.json.undo).toHaveLength(1);
      expect(history.json).toMatchObject({ undo_total: 1, redo_total: 0 });
      expect(history.json.undo[0]).toMatchObject({
        id: expect.any(String),
        label: expect.any(String),
        kind: 'ProcessPayment',
        origin: 'api',
        created_at: expect.stringMatching(ISO),
        barrier: false,
      });

      const undone = await own.post('history/undo/');
      expect(undone.status).toBe(200);
      expect(undone.json.undo).toEqual([]);
      expect(undone.json.redo).toHaveLength(1);
      expect(undone.json).toMatchObject({ undo_total: 0, redo_total: 1 });
      expect((await own.get(`payments/${p.id}/`)).json.status).toBe('REFUNDED');

      const redone = await own.post('history/redo/', {});
      expect(redone.status).toBe(200);
      expect(redone.json.undo).toHaveLength(1);
      expect((await own.post('history/redo/')).status).toBe(409);

      const unknownTarget = await own.post('history/undo/', { to_id: 'h_nope' });
      expect(unknownTarget.status).toBe(404);
      expect(unknownTarget.json.error.field).toBe('to_id');

      // An explicit refund is a barrier: undo stops there.
      const q = (
        await own.post('payments/process/', {
          amount: '4.00',
          currency: 'USD',
          customer_email: 'undo@example.com',
          payment_method: 'pm_card_visa',
        })
      ).json;
      await own.post(`payments/${q.id}/refund/`);
      expect((await own.get('history/')).json.undo[0].barrier).toBe(true);
      const blocked = await own.post('history/undo/');
      expect(blocked.status).toBe(409);
      expect(blocked.json.error.code).toBe('conflict');
    } finally {
      await own.dispose();
    }
  });
});

describe('scheduler and clock', () => {
  it('reports, starts, stops and runs the scheduler', async () => {
    const status = await api.get('scheduler/');
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ running: false, interval_seconds: expect.any(Number) });
    expect(Object.keys(status.json).sort()).toEqual([
      'in_flight',
      'interval_seconds',
      'last_run',
      'last_run_at',
      'next_run_at',
      'running',
    ]);
    expect((await api.post('scheduler/start/')).json.running).toBe(true);
    expect((await api.post('scheduler/stop/')).json.running).toBe(false);
    const run = await api.post('scheduler/run/');
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ charged: expect.any(Number), payments: expect.any(Array) });
  });

  it('advances the test clock by seconds or to an instant, only forward', async () => {
    const before = (await api.get('clock/')).json;
    expect(before).toEqual({ mode: 'test', now: expect.stringMatching(ISO) });
    const moved = await api.post('clock/advance/', { seconds: 3600 });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.json.now) - Date.parse(before.now)).toBe(3_600_000);
    const to = new Date(Date.parse(moved.json.now) + 86_400_000).toISOString();
    expect((await api.post('clock/advance/', { to })).json.now).toBe(to);

    const back = await api.post('clock/advance/', { to: before.now });
    expect(back.status).toBe(400);
    expect(back.json.error.field).toBe('to');
    const neither = await api.post('clock/advance/', {});
    expect(neither.status).toBe(400);
    expect(neither.json.error.field).toBe('seconds');
    const negative = await api.post('clock/advance/', { seconds: -5 });
    expect(negative.json.error.field).toBe('seconds');
  });

  it('answers 409 to advancing the system clock', async () => {
    const system = await startApi({ core: { clock: 'system' } });
    try {
      expect((await system.get('clock/')).json.mode).toBe('system');
      const res = await system.post('clock/advance/', { seconds: 60 });
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('unavailable');
    } finally {
      await system.dispose();
    }
  });
});

describe('bad requests', () => {
  it('answers 400 to malformed JSON, a non-object body and an unknown field', async () => {
    const malformed = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount": "1.00",',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('validation');
    expect(malformed.json.error.message).toMatch(/JSON/);

    for (const body of [[1, 2], 'text', null, 5]) {
      const res = await api.call(`${API}payments/process/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const unknown = await api.post('payments/process/', {
      amount: '1.00',
      currency: 'USD',
      customer_email: 'a@example.com',
      tip: '1.00',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ field: 'tip', message: 'Unknown field: tip' });

    const deep = await api.call(`${API}payments/process/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"amount":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    });
    expect(deep.status).toBe(400);
  });

  it('answers 400 naming customer_email, amount and currency for a bad payment', async () => {
    const good = { amount: '1.00', currency: 'USD', customer_email: 'a@example.com' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, customer_email: 'nope' }, 'customer_email'],
      [{ amount: '1.00', currency: 'USD' }, 'customer_email'],
      [{ ...good, amount: '1.999' }, 'amount'],
      [{ ...good, amount: 99.99 }, 'amount'],
      [{ ...good, amount: '' }, 'amount'],
      [{ ...good, currency: 'XXZ' }, 'currency'],
      [{ ...good, payment_method: 5 }, 'payment_method'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post('payments/process/', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error, JSON.stringify(body)).toMatchObject({ code: 'validation', field });
      expect(res.json.error.message).not.toMatch(/customerEmail|paymentMethod/);
    }
  });

  it('answers 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    for (const path of [`${API}refunds/`, `${API}payments/x/y/z/`, '/command/api']) {
      const missing = await api.call(path);
      expect(missing.status, path).toBe(404);
      expect(missing.json.error.code).toBe('not_found');
    }

    const cases: Array<[string, string, string]> = [
      ['GET', 'payments/process/', 'POST'],
      ['DELETE', 'payments/', 'GET'],
      ['PUT', 'subscriptions/', 'GET, POST'],
      ['POST', 'history/', 'GET'],
      ['GET', 'clock/advance/', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await api.call(API + path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json.error.code).toBe('method_not_allowed');
    }
  });

  it('never answers 500 to arbitrary JSON bodies', async () => {
    const field = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.constantFrom('1.00', '0', 'USD', 'a@b.co'),
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          amount: field,
          currency: field,
          customer_email: field,
          interval: field,
          interval_count: field,
          seconds: field,
          to: field,
        },
        { requiredKeys: [] },
      ),
    );
    const path = fc.constantFrom(
      'payments/process/',
      'payments/pay_x/refund/',
      'subscriptions/',
      'clock/advance/',
      'history/undo/',
    );
    await fc.assert(
      fc.asyncProperty(path, body, async (p, b) => {
        const res = await api.call(API + p, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(b),
        });
        expect(res.status).toBeLessThan(500);
        expect(res.json.error?.code ?? 'ok').not.toBe('internal');
      }),
      { numRuns: 60 },
    );
  });
});
