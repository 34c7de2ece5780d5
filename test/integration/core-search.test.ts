/**
 * Finding things through the core's `call`: payments.list's filters (e-mail part, amount
 * bounds as decimals in each payment's currency, currency, dates) and sorts, their
 * validation errors, subscriptions.list's search, review filter and sorts, and search.find
 * (a payment by id, by the provider's transaction id, by e-mail part, by exact amount in any
 * currency; customers; subscriptions).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { Payment } from '../../src/shared/domain';
import { must, openTestCore } from '../helpers/core';

let core: Core;
const made: Payment[] = [];

beforeAll(async () => {
  core = await openTestCore();
  const charges = [
    ['12.50', 'USD', 'Ann.Lee@example.com'],
    ['1250', 'JPY', 'bob@shop.io', 'Invoice 2027-014, Garden Design'],
    ['12.50', 'EUR', 'carol@example.org'],
    ['99.99', 'USD', 'ann.lee@example.com'],
    ['5', 'USD', 'dan@other.net'],
  ] as const;
  for (const [amount, currency, customerEmail, description] of charges) {
    made.push(
      await must(core, 'payments.process', {
        amount,
        currency,
        customerEmail,
        paymentMethod: 'pm_card_visa',
        ...(description === undefined ? {} : { description }),
      }),
    );
    await must(core, 'clock.advance', { seconds: 60 });
  }
  await must(core, 'subscriptions.create', {
    customerEmail: 'carol@example.org',
    amount: '20',
    currency: 'EUR',
    interval: 'MONTHLY',
  });
  await must(core, 'subscriptions.create', {
    customerEmail: 'erin@example.net',
    amount: '5',
    currency: 'USD',
    interval: 'WEEKLY',
  });
  return () => core.close();
});

const emails = (page: { items: Payment[] }) => page.items.map((p) => p.customerEmail);

describe('payments.list', () => {
  it('matches any part of the e-mail, any case', async () => {
    const page = await must(core, 'payments.list', { search: 'LEE@' });
    expect(page.total).toBe(2);
    expect(emails(page)).toEqual(['ann.lee@example.com', 'Ann.Lee@example.com']);
  });

  it('bounds the amount as read in each payment’s own currency', async () => {
    const page = await must(core, 'payments.list', { minAmount: '12.5', maxAmount: '12.50' });
    expect(page.items.map((p) => `${p.amount} ${p.currency}`).sort()).toEqual([
      '1250 EUR',
      '1250 USD',
    ]);
    const big = await must(core, 'payments.list', { minAmount: '99', currency: 'USD' });
    expect(big.items.map((p) => p.amount)).toEqual([9999]);
    const yen = await must(core, 'payments.list', { minAmount: '1000' });
    expect(yen.items.map((p) => p.currency)).toEqual(['JPY']);
  });

  it('takes a date range: from included, to excluded, a date standing for its whole day', async () => {
    const from = made[1]?.createdAt as string;
    const to = made[3]?.createdAt as string;
    const page = await must(core, 'payments.list', { from, to, order: 'asc' });
    expect(page.items.map((p) => p.id)).toEqual([made[1]?.id, made[2]?.id]);
    const day = from.slice(0, 10);
    expect((await must(core, 'payments.list', { from: day, to: day })).total).toBe(5);
  });

  it('sorts by each column, ties newest first when descending', async () => {
    const byAmount = await must(core, 'payments.list', { sort: 'amount', order: 'asc' });
    expect(byAmount.items.map((p) => `${p.amount} ${p.currency}`)).toEqual([
      '500 USD',
      '1250 USD',
      '1250 EUR',
      '9999 USD',
      '1250 JPY',
    ]);
    const byEmail = await must(core, 'payments.list', { sort: 'customerEmail', order: 'asc' });
    expect(emails(byEmail)).toEqual([
      'Ann.Lee@example.com',
      'ann.lee@example.com',
      'bob@shop.io',
      'carol@example.org',
      'dan@other.net',
    ]);
    const byCurrency = await must(core, 'payments.list', { sort: 'currency', order: 'desc' });
    expect(byCurrency.items.map((p) => p.currency)).toEqual(['USD', 'USD', 'USD', 'JPY', 'EUR']);
  });

  it('refuses bad bounds and an unknown sort, naming the field', async () => {
    for (const [input, field] of [
      [{ minAmount: '1,5' }, 'minAmount'],
      [{ minAmount: '10', maxAmount: '5' }, 'maxAmount'],
      [{ sort: 'description' }, 'sort'],
      [{ from: 'yesterday' }, 'from'],
      [{ currency: 'usd' }, 'currency'],
    ] as const) {
      const res = await core.call('payments.list', input, 'operator');
      expect(res).toMatchObject({ ok: false, error: { code: 'validation', field } });
    }
  });
});

describe('subscriptions.list', () => {
  it('searches, sorts, and filters those held for review', async () => {
    const found = await must(core, 'subscriptions.list', { search: 'ERIN' });
    expect(found.items.map((s) => s.customerEmail)).toEqual(['erin@example.net']);
    const byAmount = await must(core, 'subscriptions.list', { sort: 'amount', order: 'desc' });
    expect(byAmount.items.map((s) => s.amount)).toEqual([2000, 500]);
    expect((await must(core, 'subscriptions.list', { review: true })).total).toBe(0);
    expect((await must(core, 'subscriptions.list', { review: false })).total).toBe(2);
  });
});

describe('search.find', () => {
  it('finds a payment by its id and by the provider’s transaction id', async () => {
    const p = made[2] as Payment;
    const byId = await must(core, 'search.find', { text: p.id });
    expect(byId.payments[0]?.id).toBe(p.id);
    const byTransaction = await must(core, 'search.find', { text: p.transactionId });
    expect(byTransaction.payments[0]?.id).toBe(p.id);
    const unknown = await must(core, 'search.find', { text: 'txn_000000000000000000000000' });
    expect(unknown.payments).toEqual([]);
  });

  it('finds payments and customers by part of the e-mail, and subscriptions', async () => {
    const found = await must(core, 'search.find', { text: 'carol' });
    expect(found.payments.map((p) => p.customerEmail)).toEqual(['carol@example.org']);
    expect(found.paymentsTotal).toBe(1);
    expect(found.customers.map((c) => c.email)).toEqual(['carol@example.org']);
    expect(found.subscriptions.map((s) => s.customerEmail)).toEqual(['carol@example.org']);
  });

  it('finds a payment by any part of its description, any case', async () => {
    const found = await must(core, 'search.find', { text: 'garden des' });
    expect(found.payments.map((p) => p.customerEmail)).toEqual(['bob@shop.io']);
  });

  it('finds payments of an exact amount in any currency', async () => {
    const found = await must(core, 'search.find', { text: '12.5' });
    expect(found.payments.map((p) => `${p.amount} ${p.currency}`).sort()).toEqual([
      '1250 EUR',
      '1250 USD',
    ]);
    const yen = await must(core, 'search.find', { text: '1250' });
    expect(yen.payments.map((p) => p.currency)).toEqual(['JPY']);
  });
});
