/**
 * Customers through the REST API against a real core: GET customers/ (pages like the other
 * lists, ?search=, ?ordering= on every column, ?currency=) and GET customers/{email}/ (the
 * totals per currency and the timeline), with amounts as decimal strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './helpers/api-server';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ core: { gateway: { latencyMs: 0, seed: 7, successRate: 1 } } });
  const pay = async (body: Record<string, unknown>) => {
    const res = await api.post('payments/process/', {
      currency: 'USD',
      payment_method: 'pm_card_visa',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.json as { id: string };
  };
  const first = await pay({ amount: '25.00', customer_email: 'ann@example.com' });
  await pay({ amount: '10.00', customer_email: 'Ann@Example.com' });
  await pay({
    amount: '7.00',
    customer_email: 'ann@example.com',
    payment_method: 'pm_card_chargeDeclined',
  });
  await pay({ amount: '99.00', customer_email: 'bob@example.com' });
  await pay({ amount: '50.00', currency: 'EUR', customer_email: 'bob@example.com' });
  await pay({ amount: '3.00', currency: 'GBP', customer_email: 'cy@example.org' });
  const refund = await api.post(`payments/${first.id}/refund/`, { amount: '5.00' });
  expect(refund.status).toBe(200);
  const sub = await api.post('subscriptions/', {
    customer_email: 'ann@example.com',
    amount: '12.00',
    currency: 'EUR',
    interval: 'MONTHLY',
  });
  expect(sub.status).toBe(201);
});
afterAll(() => api.dispose());

type Row = { email: string; totals: { currency: string; net: string }[] };
const emails = (body: { results: Row[] }) => body.results.map((c) => c.email);

describe('GET customers/', () => {
  it('lists one row per e-mail, by net in the most used currency, largest first', async () => {
    const res = await api.get('customers/');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ count: 3, next: null, previous: null, currency: 'USD' });
    expect(res.json.currencies).toEqual(['USD', 'EUR', 'GBP']);
    expect(emails(res.json)).toEqual(['bob@example.com', 'ann@example.com', 'cy@example.org']);
    const ann = (res.json.results as Row[]).find((c) => c.email === 'ann@example.com');
    expect(ann).toEqual({
      email: 'ann@example.com',
      payments: 3,
      failed_payments: 1,
      active_subscriptions: 1,
      last_payment_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      totals: [
        {
          currency: 'EUR',
          charged: '0.00',
          refunded: '0.00',
          net: '0.00',
          monthly_recurring_revenue: '12.00',
        },
        {
          currency: 'USD',
          charged: '35.00',
          refunded: '5.00',
          net: '30.00',
          monthly_recurring_revenue: '0.00',
        },
      ],
    });
  });

  it('sorts by any column, in either order, in the currency asked', async () => {
    expect(emails((await api.get('customers/?ordering=email')).json)).toEqual([
      'ann@example.com',
      'bob@example.com',
      'cy@example.org',
    ]);
    expect(emails((await api.get('customers/?ordering=-failed_payments')).json)[0]).toBe(
      'ann@example.com',
    );
    const eur = await api.get('customers/?ordering=-monthly_recurring_revenue&currency=EUR');
    expect(eur.json.currency).toBe('EUR');
    expect(emails(eur.json)[0]).toBe('ann@example.com');
    const bad = await api.get('customers/?ordering=amount');
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('ordering');
  });

  it('searches any part of the e-mail, case-insensitively, and pages', async () => {
    expect(emails((await api.get('customers/?search=EXAMPLE.COM')).json)).toEqual([
      'bob@example.com',
      'ann@example.com',
    ]);
    const page1 = await api.get('customers/?page_size=2&ordering=email');
    expect(page1.json.count).toBe(3);
    expect(emails(page1.json)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(page1.json.next).toMatch(/customers\/\?page_size=2&ordering=email&page=2$/);
    const page2 = await api.get('customers/?page_size=2&ordering=email&page=2');
    expect(emails(page2.json)).toEqual(['cy@example.org']);
    expect((await api.get('customers/?page_size=2&page=3')).status).toBe(404);
  });
});

describe('GET customers/{email}/', () => {
  it('answers the totals and the timeline, newest first, for an e-mail in any case', async () => {
    const res = await api.get(`customers/${encodeURIComponent('ANN@example.com')}/`);
    expect(res.status).toBe(200);
    const c = res.json;
    expect(c).toMatchObject({ email: 'ann@example.com', payments: 3, payments_shown: 3 });
    expect(c.subscriptions).toHaveLength(1);
    const types = (c.timeline as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(['subscription', 'refund', 'payment', 'payment', 'payment']);
    const refund = c.timeline[1].refund;
    expect(refund).toMatchObject({ amount: '5.00', currency: 'USD', status: 'SUCCEEDED' });
    const failed = c.timeline.find(
      (e: { type: string; payment?: { status: string } }) => e.payment?.status === 'FAILED',
    );
    expect(failed.payment).toMatchObject({ amount: '7.00', failure_code: 'card_declined' });
  });

  it('is a 404 naming email for an e-mail without records', async () => {
    const res = await api.get('customers/nobody%40example.com/');
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', field: 'email' });
  });
});
