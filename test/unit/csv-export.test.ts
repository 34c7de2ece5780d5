/**
 * The CSV exports' pure parts: each list's columns and cells (decimal amounts beside their
 * currency, ISO instants, nothing as an empty cell), RFC 4180 text (read back with an
 * independent reader), formula-like cells neutralised; the filters an export takes (its
 * list's, without paging); and the page-by-page reading over a fake core: the header
 * first, a page per chunk, a row read twice skipped, bad filters refused before any text.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_PAGE_SIZE, ExportFailed, openCsvExport } from '../../src/main/core/export';
import type { CustomerSummary, OperationName, Page } from '../../src/shared/contract';
import { parseExportFilters } from '../../src/shared/contract';
import {
  CSV_TABLES,
  csvHeader,
  csvLines,
  csvText,
  exportFileName,
} from '../../src/shared/csv-export';
import type { AuditEntry, Payment } from '../../src/shared/domain';
import { fail, ok, type Result } from '../../src/shared/result';
import { csvObjects, parseRfc4180 } from '../helpers/rfc4180';
import { payment, subscription } from './store-fixtures';

const audit = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  id: 'aud_1',
  at: '2026-03-10T12:00:00.000Z',
  origin: 'operator',
  action: 'execute',
  kind: 'ProcessPayment',
  label: 'Charge 10.00 USD',
  outcome: 'ok',
  message: null,
  operator: null,
  ...over,
});

describe('the CSV text', () => {
  it('is RFC 4180: every non-empty cell quoted, quotes doubled, CRLF line ends', () => {
    const text = csvText([
      ['plain', 'with, comma', 'say "hi"', 'two\nlines', 'cr\rin', null, ''],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    ]);
    expect(text).toBe(
      '"plain","with, comma","say ""hi""","two\nlines","cr\rin",,\r\n' +
        '"a","b","c","d","e","f","g"\r\n',
    );
    expect(parseRfc4180(text)).toEqual([
      ['plain', 'with, comma', 'say "hi"', 'two\nlines', 'cr\rin', '', ''],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    ]);
  });

  it('neutralises cells a spreadsheet would run as formulas (OWASP), and only those', () => {
    const cells = [
      '=HYPERLINK("http://evil.example","click")',
      '+1+1',
      '-2+3',
      '@SUM(A1)',
      '\tx',
      '\rx',
      '＝1',
      'a=1',
      ' =1',
      "'=1",
      'ann@example.com',
    ];
    const [read] = parseRfc4180(csvText([cells]));
    expect(read).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      "'+1+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      "'＝1",
      'a=1',
      ' =1',
      "'=1",
      'ann@example.com',
    ]);
  });
});

describe('the columns of each list', () => {
  it('payments: amounts as decimal strings in their currency, ISO instants, null as empty', () => {
    const payments: Payment[] = [
      payment('pay_1', { amount: 9999, refundedAmount: 2500, currency: 'USD' }),
      payment('pay_2', { amount: 500, currency: 'JPY', description: 'Tea, "green"' }),
      payment('pay_3', { amount: 1234, currency: 'BHD', status: 'FAILED', transactionId: null }),
    ];
    const text = csvHeader('payments') + csvLines('payments', payments);
    const rows = csvObjects(text);
    expect(Object.keys(rows[0] ?? {})).toEqual(CSV_TABLES.payments.headers);
    expect(rows.map((r) => [r.amount, r.refunded_amount, r.currency])).toEqual([
      ['99.99', '25.00', 'USD'],
      ['500', '0', 'JPY'],
      ['1.234', '0.000', 'BHD'],
    ]);
    expect(rows[0]).toMatchObject({
      id: 'pay_1',
      created_at: payments[0]?.createdAt,
      status: 'COMPLETED',
      customer_email: 'ada@example.com',
      description: '',
      subscription_id: '',
    });
    expect(rows[1]?.description).toBe('Tea, "green"');
    expect(rows[2]).toMatchObject({ status: 'FAILED', transaction_id: '' });
    expect(rows[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('subscriptions: the amount and its currency, the interval, the missed periods', () => {
    const sub = subscription('sub_1', {
      amount: 1999,
      currency: 'EUR',
      review: { fromPeriod: 3, toPeriod: 7, markedAt: '2026-03-01T00:00:00.000Z' },
      unpaidPeriods: [1, 2],
    });
    const [row] = csvObjects(csvHeader('subscriptions') + csvLines('subscriptions', [sub]));
    expect(row).toMatchObject({
      id: 'sub_1',
      amount: '19.99',
      currency: 'EUR',
      interval: 'MONTHLY',
      interval_count: '1',
      missed_from_period: '3',
      missed_to_period: '7',
      paused_at: '',
      unpaid_periods: '1 2',
    });
  });

  it('customers: one row per currency, never adding amounts of different ones', () => {
    const customer: CustomerSummary = {
      email: 'ann@example.com',
      payments: 3,
      failedPayments: 1,
      activeSubscriptions: 1,
      lastPaymentAt: '2026-03-09T10:00:00.000Z',
      totals: [
        { currency: 'EUR', charged: 5000, refunded: 1000, net: 4000, monthlyRecurringRevenue: 0 },
        { currency: 'JPY', charged: 700, refunded: 0, net: 700, monthlyRecurringRevenue: 700 },
      ],
    };
    const newcomer: CustomerSummary = {
      email: 'bob@example.com',
      payments: 0,
      failedPayments: 0,
      activeSubscriptions: 0,
      lastPaymentAt: null,
      totals: [],
    };
    const rows = csvObjects(csvHeader('customers') + csvLines('customers', [customer, newcomer]));
    expect(rows.map((r) => [r.email, r.currency, r.charged, r.net, r.payments])).toEqual([
      ['ann@example.com', 'EUR', '50.00', '40.00', '3'],
      ['ann@example.com', 'JPY', '700', '700', '3'],
      ['bob@example.com', '', '', '', '0'],
    ]);
  });

  it('audit: one row per currency the entry moved money in, and one when it moved none', () => {
    const entries = [
      audit({ moved: [{ currency: 'USD', charged: 1000, refunded: 250 }] }),
      audit({ id: 'aud_2', outcome: 'declined', message: '-card declined', moved: [] }),
    ];
    const rows = csvObjects(csvHeader('audit') + csvLines('audit', entries));
    expect(rows.map((r) => [r.id, r.currency, r.charged, r.refunded, r.message])).toEqual([
      ['aud_1', 'USD', '10.00', '2.50', ''],
      ['aud_2', '', '', '', "'-card declined"],
    ]);
  });

  it('names the file after the list and the UTC date', () => {
    expect(exportFileName('payments', new Date('2026-03-10T23:30:00-05:00'))).toBe(
      'payments-2026-03-11.csv',
    );
  });
});

describe('the filters of an export', () => {
  it("are its list's, without paging", () => {
    const parsed = parseExportFilters('payments', { status: 'FAILED', order: 'asc' });
    expect(parsed).toMatchObject({ ok: true, data: { status: 'FAILED', order: 'asc' } });
    expect(parsed.ok && Object.keys(parsed.data)).not.toContain('offset');
    expect(parsed.ok && Object.keys(parsed.data)).not.toContain('limit');
    expect(parseExportFilters('payments', undefined)).toMatchObject({ ok: true });
    expect(parseExportFilters('payments', { offset: 10 })).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'offset' },
    });
    expect(parseExportFilters('audit', { limit: 5 })).toMatchObject({
      ok: false,
      error: { field: 'limit' },
    });
    expect(parseExportFilters('payments', { status: 'LOST' })).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'status' },
    });
    expect(parseExportFilters('subscriptions', { surprise: 1 })).toMatchObject({
      ok: false,
      error: { field: 'surprise' },
    });
  });
});

/** A core whose payments.list answers pages of `rows` (changed by `between` after each page). */
function fakeCore(rows: Payment[], between: (page: number) => void = () => {}) {
  const calls: Array<{ name: OperationName; input: Record<string, unknown> }> = [];
  let pages = 0;
  const core = {
    call: async (name: OperationName, raw: unknown): Promise<Result<unknown>> => {
      const input = raw as Record<string, unknown>;
      calls.push({ name, input });
      if (name === 'clock.get') return ok({ mode: 'test', now: '2026-03-10T12:00:00.000Z' });
      if (name !== 'payments.list') return fail('internal', `unexpected ${name}`);
      const offset = input.offset as number;
      const limit = input.limit as number;
      const page: Page<Payment> = {
        total: rows.length,
        offset,
        limit,
        items: rows.slice(offset, offset + limit),
      };
      between(pages++);
      return ok(page);
    },
  };
  // The fake answers what the real core would for these operations.
  return { core: core as Parameters<typeof openCsvExport>[0], calls };
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('reading an export', () => {
  it('reads the list a page at a time with its filters as given, the header first', async () => {
    const rows = Array.from({ length: EXPORT_PAGE_SIZE * 2 + 3 }, (_, i) => payment(`pay_${i}`));
    const { core, calls } = fakeCore(rows);
    const opened = await openCsvExport(core, 'payments', { status: 'COMPLETED' }, 'api');
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.data.fileName).toBe('payments-2026-03-10.csv');
    expect(opened.data.total).toBe(rows.length);
    const chunks = await collect(opened.data.chunks);
    expect(chunks).toHaveLength(4);
    expect(chunks[0]).toBe(csvHeader('payments'));
    const read = csvObjects(chunks.join(''));
    expect(read.map((r) => r.id)).toEqual(rows.map((p) => p.id));
    expect(opened.data.rows()).toBe(rows.length);
    const lists = calls.filter((c) => c.name === 'payments.list').map((c) => c.input);
    expect(lists).toEqual(
      [0, 1, 2].map((page) => ({
        status: 'COMPLETED',
        offset: page * EXPORT_PAGE_SIZE,
        limit: EXPORT_PAGE_SIZE,
      })),
    );
  });

  it('skips a row read again because new rows arrived at the top meanwhile', async () => {
    const rows = Array.from({ length: EXPORT_PAGE_SIZE + 10 }, (_, i) => payment(`pay_${i + 10}`));
    const { core } = fakeCore(rows, (page) => {
      // Three new payments arrive while the first page is being written.
      if (page === 0) rows.unshift(payment('pay_1'), payment('pay_2'), payment('pay_3'));
    });
    const opened = await openCsvExport(core, 'payments', {}, 'api');
    if (!opened.ok) throw new Error(opened.error.message);
    const ids = csvObjects((await collect(opened.data.chunks)).join('')).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(EXPORT_PAGE_SIZE + 10);
  });

  it('refuses bad filters before any text, naming the field', async () => {
    const { core, calls } = fakeCore([]);
    expect(await openCsvExport(core, 'payments', { status: 'LOST' }, 'api')).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'status' },
    });
    expect(calls).toEqual([]);
  });

  it('stops with an error when a later page cannot be read', async () => {
    const rows = Array.from({ length: EXPORT_PAGE_SIZE + 1 }, (_, i) => payment(`pay_${i}`));
    const { core } = fakeCore(rows);
    const failing = {
      call: async (name: OperationName, input: unknown) =>
        (input as { offset?: number }).offset
          ? fail('storage_unavailable', 'The disk went away')
          : core.call(name, input, 'api'),
    };
    const opened = await openCsvExport(
      failing as Parameters<typeof openCsvExport>[0],
      'payments',
      {},
      'api',
    );
    if (!opened.ok) throw new Error(opened.error.message);
    await expect(collect(opened.data.chunks)).rejects.toThrow(ExportFailed);
    expect(opened.data.rows()).toBe(EXPORT_PAGE_SIZE);
  });
});
