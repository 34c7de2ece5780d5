/**
 * GET audit/ over HTTP: every command with its origin, a declined charge included, the money
 * moved as decimal strings, the filters as snake_case query parameters, and pages as the
 * other lists have them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './helpers/api-server';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ core: { gateway: { latencyMs: 0, seed: 7, successRate: 1 } } });
  const pay = (method: string, amount: string) =>
    api.post('payments/process/', {
      amount,
      currency: 'USD',
      customer_email: 'ann@example.com',
      payment_method: method,
    });
  await pay('pm_card_visa', '10.00');
  await pay('pm_card_chargeDeclined', '20.00');
  await api.post('clock/advance/', { seconds: 86_400 });
  await pay('pm_card_visa', '30.00');
  await api.post('history/undo/', {});
});
afterAll(() => api.dispose());

describe('GET audit/', () => {
  it('lists every entry newest first, in snake_case, with the money moved', async () => {
    const res = await api.get('audit/');
    expect(res.status).toBe(200);
    const body = res.json as { count: number; results: Record<string, unknown>[] };
    expect(body.count).toBe(4);
    expect(body.results.map((e) => [e.action, e.origin, e.outcome, e.moved])).toEqual([
      ['undo', 'api', 'ok', [{ currency: 'USD', charged: '0.00', refunded: '30.00' }]],
      ['execute', 'api', 'ok', [{ currency: 'USD', charged: '30.00', refunded: '0.00' }]],
      ['execute', 'api', 'declined', []],
      ['execute', 'api', 'ok', [{ currency: 'USD', charged: '10.00', refunded: '0.00' }]],
    ]);
    expect(Object.keys(body.results[0] ?? {}).sort()).toEqual([
      'action',
      'at',
      'id',
      'kind',
      'label',
      'message',
      'moved',
      'operator',
      'origin',
      'outcome',
    ]);
    // The single desk (the API token, no accounts) is no operator account.
    expect(body.results[0]?.operator).toBeNull();
  });

  it('filters by origin, outcome and time, and pages with links that keep the filters', async () => {
    const declined = (await api.get('audit/?outcome=declined')).json as { count: number };
    expect(declined.count).toBe(1);
    expect(((await api.get('audit/?origin=operator')).json as { count: number }).count).toBe(0);
    const clock = (await api.get('clock/')).json as { now: string };
    const today = clock.now.slice(0, 10);
    const sinceToday = (await api.get(`audit/?from=${today}&ordering=at`)).json as {
      results: { label: string }[];
    };
    expect(sinceToday.results.map((e) => e.label)).toEqual([
      'Charge $30.00 to ann@example.com',
      'Undo: Charge $30.00 to ann@example.com',
    ]);
    const before = (await api.get(`audit/?to=${encodeURIComponent(`${today}T00:00:00Z`)}`))
      .json as { count: number };
    expect(before.count).toBe(2);
    const page = (await api.get('audit/?outcome=ok&page_size=1&page=2')).json as {
      count: number;
      next: string;
      previous: string;
    };
    expect(page.count).toBe(3);
    expect(page.next).toMatch(/\/command\/api\/audit\/?\?outcome=ok&page_size=1&page=3$/);
    expect(page.previous).toMatch(/\/command\/api\/audit\/?\?outcome=ok&page_size=1$/);
  });

  it('answers 400 naming the query parameter that is wrong', async () => {
    for (const [query, field] of [
      ['origin=robot', 'origin'],
      ['outcome=maybe', 'outcome'],
      ['from=yesterday', 'from'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      ['ordering=created_at', 'ordering'],
      ['status=FAILED', 'status'],
    ]) {
      const res = await api.get(`audit/?${query}`);
      expect(res.status, query).toBe(400);
      expect((res.json as { error: { field: string } }).error.field, query).toBe(field);
    }
  });
});
