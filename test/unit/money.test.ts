import { describe, expect, it } from 'vitest';
import {
  amountValue,
  currencyExponent,
  formatAmount,
  maxMinorUnits,
  parseAmount,
  parseAmountValue,
  toDecimalString,
} from '../../src/shared/money';
import { DomainError } from '../../src/shared/result';

/** The DomainError that `run` throws (fails the test when it throws nothing or another error). */
function domainErrorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('currencyExponent', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['USD', 2],
    ['EUR', 2],
    ['KWD', 3],
    ['BHD', 3],
  ])('gives %s %i decimal places', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it.each([
    ['COP', 2],
    ['IDR', 2],
    ['HUF', 2],
    ['IQD', 3],
    ['CLF', 4],
  ])('gives %s its ISO-4217 exponent %i even where Intl rounds it differently', (code, exp) => {
    expect(currencyExponent(code)).toBe(exp);
  });

  it.each(['XYZ', 'usd', '', 'US', 'USDD', ' USD', '123'])('does not know %j', (code) => {
    expect(currencyExponent(code)).toBeNull();
  });
});

describe('parseAmount', () => {
  it.each([
    ['99.99', 'USD', 9999],
    ['99.9', 'USD', 9990],
    ['99', 'USD', 9900],
    ['0.01', 'USD', 1],
    ['007.50', 'USD', 750],
    ['500', 'JPY', 500],
    ['1.234', 'KWD', 1234],
    ['1.2', 'KWD', 1200],
    ['99999999.99', 'USD', 9_999_999_999],
    ['99999999', 'JPY', 99_999_999],
  ])('parses %j %s as %i minor units', (input, currency, minor) => {
    expect(parseAmount(input, currency)).toBe(minor);
  });

  it.each([
    ['99.999', 'USD', /2 decimal places/],
    ['1.5', 'JPY', /whole number/],
    ['1.2345', 'KWD', /3 decimal places/],
    ['1e3', 'USD', /not an amount/],
    ['12,50', 'USD', /not an amount/],
    ['', 'USD', /required/],
    [' 5', 'USD', /not an amount/],
    ['5 ', 'USD', /not an amount/],
    ['-1', 'USD', /not an amount/],
    ['+1', 'USD', /not an amount/],
    ['0', 'USD', /greater than zero/],
    ['0.00', 'USD', /greater than zero/],
    ['NaN', 'USD', /not an amount/],
    ['Infinity', 'USD', /not an amount/],
    ['.5', 'USD', /not an amount/],
    ['5.', 'USD', /not an amount/],
    ['0x10', 'USD', /not an amount/],
    ['１２', 'USD', /not an amount/],
    ['100000000', 'USD', /above the maximum/],
    ['100000000', 'JPY', /above the maximum/],
    ['000000000100000000', 'USD', /above the maximum/],
  ])('rejects %j %s, naming the field and the reason', (input, currency, reason) => {
    const error = domainErrorOf(() => parseAmount(input, currency, 'amount'));
    expect(error.code).toBe('validation');
    expect(error.field).toBe('amount');
    expect(error.message).toMatch(reason);
  });

  it('names the field it was given', () => {
    expect(domainErrorOf(() => parseAmount('abc', 'USD', 'refundAmount')).field).toBe(
      'refundAmount',
    );
  });

  it('rejects an unknown currency, naming the currency field', () => {
    const error = domainErrorOf(() => parseAmount('5', 'XYZ'));
    expect(error.field).toBe('currency');
    expect(error.message).toContain('XYZ');
  });

  it('accepts exactly the maximum and nothing above it', () => {
    expect(parseAmount('99999999.99', 'USD')).toBe(maxMinorUnits('USD'));
    expect(parseAmount('99999999.999', 'KWD')).toBe(maxMinorUnits('KWD'));
    expect(() => parseAmount('100000000.00', 'USD')).toThrow(/above the maximum/);
  });
});

describe('toDecimalString', () => {
  it.each([
    [9999, 'USD', '99.99'],
    [1, 'USD', '0.01'],
    [10, 'USD', '0.10'],
    [0, 'USD', '0.00'],
    [500, 'JPY', '500'],
    [1234, 'KWD', '1.234'],
    [5, 'KWD', '0.005'],
    [-250, 'USD', '-2.50'],
  ])('writes %i %s as %j', (minor, currency, text) => {
    expect(toDecimalString(minor, currency)).toBe(text);
  });

  it('refuses a fractional amount', () => {
    expect(() => toDecimalString(1.5, 'USD')).toThrow(RangeError);
  });

  it('refuses an unknown currency', () => {
    expect(() => toDecimalString(100, 'usd')).toThrow(DomainError);
  });
});

describe('formatAmount', () => {
  it.each([
    [9999, 'USD', 'en-US', '$99.99'],
    [500, 'JPY', 'en-US', '¥500'],
    [1234, 'KWD', 'en-US', 'KWD 1.234'],
    [123_456, 'EUR', 'de-DE', '1.234,56 €'],
    [9_999_999_999, 'USD', 'en-US', '$99,999,999.99'],
  ])('formats %i %s for %s as %j', (minor, currency, locale, text) => {
    // ICU separates a currency code from the number with a no-break space.
    expect(formatAmount(minor, currency, locale).replace(/\u00a0/g, ' ')).toBe(text);
  });

  it('keeps every digit of the largest safe integer', () => {
    expect(formatAmount(Number.MAX_SAFE_INTEGER, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });

  it('shows all of a currency’s decimals, even trailing zeros', () => {
    expect(formatAmount(1000, 'USD', 'en-US')).toBe('$10.00');
    expect(formatAmount(1000, 'KWD', 'en-US').replace(/\u00a0/g, ' ')).toBe('KWD 1.000');
  });
});

describe('amount values (one scale for every currency)', () => {
  it('reads an amount as its decimal, whatever the currency', () => {
    expect(amountValue(1000, 'USD')).toBe(100_000);
    expect(amountValue(10, 'JPY')).toBe(100_000);
    expect(amountValue(10_000, 'KWD')).toBe(100_000);
    expect(amountValue(1, 'CLF')).toBe(1);
    expect(parseAmountValue('10')).toBe(100_000);
    expect(parseAmountValue('12.5')).toBe(125_000);
    expect(parseAmountValue('0')).toBe(0);
    expect(parseAmountValue('0.0001')).toBe(1);
  });
  it('refuses what is not a decimal of at most 4 places, naming the field', () => {
    for (const bad of ['', '1,5', '-1', '1.23456', '1e3', 'abc']) {
      expect(domainErrorOf(() => parseAmountValue(bad, 'minAmount')).field).toBe('minAmount');
    }
  });
});
