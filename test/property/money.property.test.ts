import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  maxMinorUnits,
  parseAmount,
  toDecimalString,
} from '../../src/shared/money';
import { DomainError } from '../../src/shared/result';

/** One currency per exponent that parseAmount must handle. */
const CURRENCIES = { 0: 'JPY', 2: 'USD', 3: 'KWD' } as const;
const currency = fc.constantFrom(...Object.values(CURRENCIES));

/** A currency with an amount anywhere in 1..max of that currency. */
const currencyAndAmount = currency.chain((code) =>
  fc.tuple(fc.constant(code), fc.integer({ min: 1, max: maxMinorUnits(code) })),
);

/** Strings close to amounts: digits, separators, signs, spaces, letters. */
const amountLike = fc.stringMatching(/^[0-9.,+\-eE xX]{0,14}$/);

describe('money properties', () => {
  it('the table covers exponents 0, 2 and 3', () => {
    for (const [exponent, code] of Object.entries(CURRENCIES)) {
      expect(currencyExponent(code)).toBe(Number(exponent));
    }
  });

  it('parseAmount(toDecimalString(x)) is x for every amount 1..max', () => {
    fc.assert(
      fc.property(currencyAndAmount, ([code, minor]) => {
        expect(parseAmount(toDecimalString(minor, code), code)).toBe(minor);
      }),
    );
  });

  it('the edges of the range round-trip too', () => {
    for (const code of Object.values(CURRENCIES)) {
      for (const minor of [1, 9, 10, 11, 99, 100, 101, maxMinorUnits(code)]) {
        expect(parseAmount(toDecimalString(minor, code), code)).toBe(minor);
      }
    }
  });

  it('whatever the input, parseAmount returns an integer in range or throws a DomainError with the field', () => {
    fc.assert(
      fc.property(
        currency,
        fc.oneof(amountLike, fc.string(), fc.string({ unit: 'binary' })),
        (code, input) => {
          let minor: number;
          try {
            minor = parseAmount(input, code, 'amount');
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).field).toBe('amount');
            expect((error as DomainError).code).toBe('validation');
            return;
          }
          expect(Number.isSafeInteger(minor)).toBe(true);
          expect(minor).toBeGreaterThanOrEqual(1);
          expect(minor).toBeLessThanOrEqual(maxMinorUnits(code));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a string that parses has only digits and at most the currency’s exponent in decimals', () => {
    fc.assert(
      fc.property(currency, fc.oneof(amountLike, fc.string()), (code, input) => {
        let parsed = true;
        try {
          parseAmount(input, code);
        } catch {
          parsed = false;
        }
        if (!parsed) return;
        const match = /^\d+(?:\.(\d+))?$/.exec(input);
        expect(match).not.toBeNull();
        expect((match?.[1] ?? '').length).toBeLessThanOrEqual(currencyExponent(code) ?? -1);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseAmount never returns a fraction, whatever the decimals written', () => {
    fc.assert(
      fc.property(
        currency,
        fc.stringMatching(/^\d{1,8}$/),
        fc.stringMatching(/^\d{0,4}$/),
        (code, whole, fraction) => {
          const input = fraction === '' ? whole : `${whole}.${fraction}`;
          try {
            expect(Number.isInteger(parseAmount(input, code))).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
          }
        },
      ),
    );
  });

  it('an amount with as many decimals as the currency has is read digit for digit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[string, number]>(['USD', 2], ['KWD', 3]),
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.nat(),
        ([code, exponent], whole, rawFraction) => {
          const fraction = String(rawFraction % 10 ** exponent).padStart(exponent, '0');
          expect(parseAmount(`${whole}.${fraction}`, code)).toBe(
            whole * 10 ** exponent + Number(fraction),
          );
        },
      ),
    );
  });
});
