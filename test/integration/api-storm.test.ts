/**
 * A bounded request storm against 127.0.0.1: hundreds of concurrent payments and refunds
 * (several racing on the same payment). Afterwards every count agrees: the list holds exactly
 * the payments that were answered 201, and each payment's refunded amount is the sum of the
 * refunds answered 200, none above the payment's amount.
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toDecimalString } from '../../src/shared/money';
import { startApi, type HttpAnswer, type TestApi } from './helpers/api-server';

const PAYMENTS = 300;
const REFUNDS_PER_PAYMENT = 3;
/** Payments with a multiple of 4 get 2.00 (so one of their three 1.00 refunds must fail). */
const amountOf = (i: number): number => (i % 4 === 0 ? 200 : 300 + (i % 50) * 100);

let api: TestApi;
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  agent.destroy();
  await api.dispose();
});

const post = (path: string, body: unknown): Promise<HttpAnswer> =>
  api.call(`/command/api/${path}`, { method: 'POST', body, agent });

async function allPayments(): Promise<Array<Record<string, string>>> {
  const results: Array<Record<string, string>> = [];
  for (let page = 1; ; page++) {
    const res = await api.call(`/command/api/payments/?page_size=500&page=${page}`, { agent });
    results.push(...res.json.results);
    if (res.json.next === null) return results;
  }
}

const cents = (decimal: string): number => Math.round(Number(decimal) * 100);

it(
  'keeps every count consistent under hundreds of concurrent POSTs',
  { timeout: 180_000 },
  async () => {
    const charges = await Promise.all(
      Array.from({ length: PAYMENTS }, (_, i) =>
        post('payments/process/', {
          amount: toDecimalString(amountOf(i), 'USD'),
          currency: 'USD',
          customer_email: `storm${i % 7}@example.com`,
          payment_method: 'pm_card_visa',
        }),
      ),
    );
    const created = charges.filter((r) => r.status === 201).map((r) => r.json);
    expect(charges.filter((r) => r.status !== 201)).toEqual([]);
    expect(created.every((p) => p.status === 'COMPLETED')).toBe(true);

    // Three concurrent 1.00 refunds per payment, racing one another and a second wave of charges.
    const [refunds, more] = await Promise.all([
      Promise.all(
        created.flatMap((p) =>
          Array.from({ length: REFUNDS_PER_PAYMENT }, () =>
            post(`payments/${p.id}/refund/`, { amount: '1.00' }).then((res) => ({ id: p.id, res })),
          ),
        ),
      ),
      Promise.all(
        Array.from({ length: 50 }, () =>
          post('payments/process/', {
            amount: '5.00',
            currency: 'USD',
            customer_email: 'wave@example.com',
            payment_method: 'pm_card_visa',
          }),
        ),
      ),
    ]);
    expect(refunds.every(({ res }) => res.status === 200 || res.status === 409)).toBe(true);
    expect(more.every((r) => r.status === 201)).toBe(true);

    const listed = await allPayments();
    const answered201 = created.length + more.length;
    expect((await api.call('/command/api/payments/', { agent })).json.count).toBe(answered201);
    expect(listed).toHaveLength(answered201);
    expect(new Set(listed.map((p) => p.id))).toEqual(
      new Set([...created, ...more.map((r) => r.json)].map((p) => p.id)),
    );

    const refunded200 = new Map<string, number>();
    for (const { id, res } of refunds) {
      if (res.status === 200) refunded200.set(id, (refunded200.get(id) ?? 0) + 100);
    }
    let expectedTotal = 0;
    for (const p of listed) {
      const amount = cents(p.amount ?? '0');
      const refunded = cents(p.refunded_amount ?? '0');
      expect(refunded, p.id).toBe(refunded200.get(p.id ?? '') ?? 0);
      expect(refunded).toBeLessThanOrEqual(amount);
      expect(p.status, p.id).toBe(
        refunded === 0 ? 'COMPLETED' : refunded === amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
      );
      expectedTotal += refunded;
    }
    // Every 2.00 payment took exactly two refunds; every other payment took all three.
    const small = created.filter((p) => p.amount === '2.00').length;
    expect(expectedTotal).toBe(small * 200 + (created.length - small) * 300);
    expect(refunds.filter(({ res }) => res.status === 409)).toHaveLength(small);
  },
);
