/**
 * Properties of the CSV exports' text: any cells, written and read back with an independent
 * RFC 4180 reader (test/helpers/rfc4180.ts), are the cells themselves after the OWASP rule
 * (a single quote before a cell that begins with =, +, -, @, tab or CR, or their full-width
 * forms; nothing else changed), no cell read back begins with such a character, and a
 * payment's row reads back as its fields, amounts in their currency's decimals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvHeader, csvLines, csvText } from '../../src/shared/csv-export';
import type { Payment } from '../../src/shared/domain';
import { maxMinorUnits, parseAmount, toDecimalString } from '../../src/shared/money';
import { csvObjects, parseRfc4180 } from '../helpers/rfc4180';
import { payment } from '../unit/store-fixtures';

const DANGEROUS = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const neutralised = (cell: string): string => (DANGEROUS.test(cell) ? `'${cell}` : cell);

/** Cells of any UTF-16 text, weighted towards what CSV and spreadsheets care about. */
const cell = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", ' ', 'a', '＝'),
    maxLength: 12,
  }),
);
const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), {
  minLength: 1,
  maxLength: 6,
});

describe('CSV text properties', () => {
  it('any cells round-trip through an RFC 4180 reader, neutralised by the OWASP rule', () => {
    fc.assert(
      fc.property(rows, (cells) => {
        // A one-cell row of '' is an empty line, which RFC 4180 reads as one empty field.
        const read = parseRfc4180(csvText(cells));
        expect(read).toEqual(cells.map((row) => row.map(neutralised)));
        for (const row of read) for (const c of row) expect(c).not.toMatch(DANGEROUS);
      }),
      { numRuns: 500 },
    );
  });

  it('a cell that looks like no formula is written unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }).filter((c) => !DANGEROUS.test(c)),
        (c) => {
          expect(parseRfc4180(csvText([[c, 'x']]))[0]?.[0]).toBe(c);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a payment's row reads back as its fields, the amount exact in its currency", () => {
    const currencyAndAmount = fc.constantFrom('USD', 'JPY', 'KWD', 'EUR').chain((currency) =>
      fc.record({
        currency: fc.constant(currency),
        amount: fc.integer({ min: 1, max: maxMinorUnits(currency) }),
      }),
    );
    const onePayment = fc
      .record({
        i: fc.nat({ max: 10_000 }),
        money: currencyAndAmount,
        customerEmail: fc.string({ unit: 'binary', maxLength: 40 }),
        description: fc.option(fc.string({ unit: 'binary', maxLength: 60 })),
      })
      .map(({ i, money, ...fields }): Payment =>
        payment(`pay_${i}`, { ...money, ...fields, refundedAmount: 0 }),
      );
    fc.assert(
      fc.property(fc.array(onePayment, { minLength: 1, maxLength: 5 }), (list) => {
        const read = csvObjects(csvHeader('payments') + csvLines('payments', list));
        expect(read).toHaveLength(list.length);
        read.forEach((row, k) => {
          const p = list[k] as Payment;
          expect(row.amount).toBe(toDecimalString(p.amount, p.currency));
          expect(parseAmount(row.amount ?? '', row.currency ?? '')).toBe(p.amount);
          expect(row.customer_email).toBe(neutralised(p.customerEmail));
          expect(row.description).toBe(p.description === null ? '' : neutralised(p.description));
          expect(row.created_at).toBe(p.createdAt);
        });
      }),
      { numRuns: 200 },
    );
  });
});
