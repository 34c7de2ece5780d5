/**
 * The Idempotency-Key header on POSTs: a repeated request gets the first response (same
 * status, same body) and changes nothing, also after a restart on the same data directory
 * and when the repeats race; the same key with another request is a 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './helpers/api-server';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.dispose());

const body = {
  amount: '42.00',
  currency: 'USD',
  customer_email: 'idem@example.com',
  payment_method: 'pm_card_visa',
};
const count = async (query = '') => (await api.get(`payments/?${query}`)).json.count as number;
const key = (name: string) => ({
  'idempotency-key': `${name}-${Math.random().toString(36).slice(2)}`,
});

describe('Idempotency-Key', () => {
  it('replays the first response and charges once', async () => {
    const k = key('pay');
    const before = await count();
    const entries = async () => (await api.get('history/')).json.undo.length as number;
    const entriesBefore = await entries();
    const first = await api.post('payments/process/', body, k);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same request with its fields in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    for (const again of [body, reordered]) {
      const replay = await api.post('payments/process/', again, k);
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
    }
    expect(await count()).toBe(before + 1);
    expect(await entries()).toBe(entriesBefore + 1);
  });

  it('answers 409 to the same key with another body or path, changing nothing', async () => {
    const k = key('other');
    const first = await api.post('payments/process/', body, k);
    const before = await count();
    const otherBody = await api.post('payments/process/', { ...body, amount: '43.00' }, k);
    expect(otherBody.status).toBe(409);
    expect(otherBody.json.error).toMatchObject({ code: 'conflict', field: 'Idempotency-Key' });
    const otherPath = await api.post(`payments/${first.json.id}/refund/`, {}, k);
    expect(otherPath.status).toBe(409);
    expect(await count()).toBe(before);
    expect((await api.get(`payments/${first.json.id}/`)).json.refunded_amount).toBe('0.00');
  });

  it('replays a declined charge, a refund and an error response without acting again', async () => {
    const declined = { ...body, payment_method: 'pm_card_chargeDeclined' };
    const kd = key('declined');
    const first = await api.post('payments/process/', declined, kd);
    expect(first.json.status).toBe('FAILED');
    const before = await count();
    expect((await api.post('payments/process/', declined, kd)).text).toBe(first.text);
    expect(await count()).toBe(before);

    const paid = (await api.post('payments/process/', body)).json;
    const kr = key('refund');
    const refund = await api.post(`payments/${paid.id}/refund/`, { amount: '2.00' }, kr);
    expect(refund.status).toBe(200);
    const replay = await api.post(`payments/${paid.id}/refund/`, { amount: '2.00' }, kr);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(refund.text);
    expect((await api.get(`payments/${paid.id}/`)).json.refunded_amount).toBe('2.00');

    // A 404 is a response like any other: replayed as it was.
    const kn = key('missing');
    const missing = await api.post('payments/pay_none/refund/', {}, kn);
    expect(missing.status).toBe(404);
    const again = await api.post('payments/pay_none/refund/', {}, kn);
    expect([again.status, again.text]).toEqual([404, missing.text]);
  });

  it('does not keep a validation error: the corrected request may use the key', async () => {
    const k = key('fix');
    const bad = await api.post('payments/process/', { ...body, customer_email: 'nope' }, k);
    expect(bad.status).toBe(400);
    const good = await api.post('payments/process/', body, k);
    expect(good.status).toBe(201);
  });

  it('charges once when the same request races itself: the others replay or are in progress', async () => {
    const k = key('race');
    const before = await count();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post('payments/process/', body, k)),
    );
    const done = answers.filter((a) => a.status === 201);
    const waiting = answers.filter((a) => a.status !== 201);
    expect(done.length).toBeGreaterThan(0);
    expect(new Set(done.map((a) => a.text)).size).toBe(1);
    for (const a of waiting) {
      expect(a.status).toBe(409);
      expect(a.json.error.code).toBe('in_progress');
    }
    expect(await count()).toBe(before + 1);
  });

  it('replays after a restart on the same data directory', async () => {
    const own = await startApi();
    const k = key('restart');
    const first = await own.post(
      'subscriptions/',
      {
        customer_email: 'restart@example.com',
        amount: '9.99',
        currency: 'USD',
        interval: 'MONTHLY',
      },
      k,
    );
    expect(first.status).toBe(201);
    await own.stop();

    const again = await startApi({ dataDir: own.dataDir });
    try {
      const replay = await again.post(
        'subscriptions/',
        {
          customer_email: 'restart@example.com',
          amount: '9.99',
          currency: 'USD',
          interval: 'MONTHLY',
        },
        k,
      );
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect((await again.get('subscriptions/')).json.count).toBe(1);
      const other = {
        customer_email: 'x@example.com',
        amount: '1.00',
        currency: 'USD',
        interval: 'DAILY',
      };
      const conflict = await again.post('subscriptions/', other, k);
      expect(conflict.status).toBe(409);
    } finally {
      await again.dispose();
    }
  });
});
