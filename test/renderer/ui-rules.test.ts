import { describe, expect, it } from 'vitest';
import { makeEntry } from './fake-transport';
import { addOneMonthUtc } from '../../src/renderer/src/lib/month';
import { planTo } from '../../src/renderer/src/lib/history-plan';
import { checkPayment, checkSubscription } from '../../src/renderer/src/lib/validation';
import { intervalText, statusText } from '../../src/renderer/src/lib/format';

describe('Advance 1 month', () => {
  it.each([
    ['2026-01-15T10:20:30.000Z', '2026-02-15T10:20:30.000Z'],
    ['2026-01-31T23:59:00.000Z', '2026-02-28T23:59:00.000Z'],
    ['2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['2026-12-31T02:30:00.000Z', '2027-01-31T02:30:00.000Z'],
    ['2026-03-29T02:30:00.000Z', '2026-04-29T02:30:00.000Z'],
  ])('%s → %s', (from, to) => {
    expect(addOneMonthUtc(from)).toBe(to);
  });
});

describe('form rules', () => {
  const payment = {
    amount: '10',
    currency: 'USD',
    customerEmail: 'a@b.co',
    description: '',
    paymentMethod: '',
  };
  it('accepts a valid payment and trims what the operator typed', () => {
    const { input, errors } = checkPayment({
      ...payment,
      amount: ' 10.5 ',
      currency: 'usd',
      description: ' x ',
    });
    expect(errors).toEqual({});
    expect(input).toEqual({
      amount: '10.5',
      currency: 'USD',
      customerEmail: 'a@b.co',
      description: 'x',
    });
  });
  it.each([
    ['amount', { amount: '' }, /required/],
    ['amount', { amount: '0' }, /greater than zero/],
    ['amount', { amount: '1,000' }, /not an amount/],
    ['currency', { currency: 'US' }, /three-letter/],
    ['currency', { currency: 'XYZ' }, /not an ISO-4217/],
    ['customerEmail', { customerEmail: 'nope' }, /email/],
  ] as const)('names the field: %s %o', (field, change, message) => {
    expect(checkPayment({ ...payment, ...change }).errors[field]).toMatch(message);
  });
  it('checks a subscription’s interval count', () => {
    const sub = { ...payment, interval: 'DAILY' as const, intervalCount: '0', startDate: '' };
    expect(checkSubscription(sub).errors.intervalCount).toMatch(/whole number/);
    expect(checkSubscription({ ...sub, intervalCount: '1.5' }).errors.intervalCount).toMatch(
      /whole number/,
    );
    expect(checkSubscription({ ...sub, intervalCount: '3' }).errors).toEqual({});
  });
});

describe('history plans', () => {
  const stack = [
    makeEntry('a'),
    makeEntry('b', { movesMoney: true }),
    makeEntry('c', { barrier: true }),
  ];
  it('asks when money moves or several commands are involved', () => {
    expect(planTo(stack, 'a')).toMatchObject({ needsConfirmation: false, blocked: false });
    expect(planTo(stack, 'b')).toMatchObject({ needsConfirmation: true, movesMoney: true });
    expect(planTo(stack, 'c')?.blocked).toBe(true);
    expect(planTo(stack, 'zzz')).toBeNull();
  });
});

describe('labels', () => {
  it('reads well', () => {
    expect(statusText('PARTIALLY_REFUNDED')).toBe('Partially refunded');
    expect(intervalText('MONTHLY', 1)).toBe('Monthly');
    expect(intervalText('DAILY', 3)).toBe('Every 3 days');
  });
});
