/**
 * CSV exports over HTTP against a real core on a generated store of 50,000 payments: the
 * REST endpoints (`GET payments/export.csv`...) take their list's query minus paging and
 * answer RFC 4180 text with the list's rows, as an attachment; bad filters are the list's
 * 400 before any CSV byte; formula-like cells are neutralised; the text is streamed a page
 * at a time (a client that stops reading stops the reading of pages; one that leaves ends
 * it); and the browser's door, `POST /rpc/export/<kind>`, takes the contract's filters.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateStore } from '../../bench/fixtures';
import { EXPORT_PAGE_SIZE } from '../../src/main/core/export';
import { csvHeader } from '../../src/shared/csv-export';
import { csvObjects } from '../helpers/rfc4180';
import { API, TEST_TOKEN, makeDataDir, startApi, type TestApi } from './helpers/api-server';

const GENERATED = 50_000;
const INJECTIONS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', 'a, "b"'];
/** The OWASP rule (the service trims descriptions, so no tab or CR reaches a payment). */
const neutralised = (cell: string): string => (/^[=+\-@]/.test(cell) ? `'${cell}` : cell);

let api: TestApi;
let today: string;

beforeAll(async () => {
  const dataDir = await makeDataDir();
  // No subscriptions: the test makes its own (and payments are what it streams).
  await generateStore(dataDir, {
    payments: GENERATED,
    subscriptions: 0,
    auditEntries: 20,
    seed: 3,
  });
  api = await startApi({ dataDir, core: { gateway: { latencyMs: 0, seed: 7, successRate: 1 } } });
  for (const description of INJECTIONS) {
    const res = await api.post('payments/process/', {
      amount: '12.34',
      currency: 'EUR',
      customer_email: 'mallory@example.com',
      payment_method: 'pm_card_visa',
      description,
    });
    expect(res.status).toBe(201);
  }
  today = ((await api.get('clock/')).json.now as string).slice(0, 10);
}, 120_000);
afterAll(() => api?.dispose());

/** The rows of a CSV answer, after checking its header line. */
function rowsOf(text: string, kind: Parameters<typeof csvHeader>[0]) {
  expect(text.startsWith(csvHeader(kind))).toBe(true);
  return csvObjects(text);
}

describe('GET payments/export.csv', () => {
  it('answers the whole list as an RFC 4180 attachment named after the date', async () => {
    const res = await api.get('payments/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="payments-${today}.csv"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = rowsOf(res.text, 'payments');
    const list = (await api.get('payments/?page_size=1')).json;
    expect(rows).toHaveLength(list.count);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // Newest first, as the list: the first row is the list's first payment.
    expect(rows[0]?.id).toBe(list.results[0].id);
    expect(rows[0]).toMatchObject({ amount: '12.34', currency: 'EUR' });
  });

  it("applies the list's filters and ordering", async () => {
    const list = (await api.get('payments/?status=FAILED&ordering=created_at&page_size=500')).json;
    const res = await api.get('payments/export.csv?status=FAILED&ordering=created_at');
    expect(res.status).toBe(200);
    const rows = rowsOf(res.text, 'payments');
    expect(rows.length).toBe(list.count);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'FAILED')).toBe(true);
    expect(rows.slice(0, list.results.length).map((r) => r.id)).toEqual(
      list.results.map((p: { id: string }) => p.id),
    );
    const created = rows.map((r) => r.created_at ?? '');
    expect([...created].sort()).toEqual(created);
    // The amounts are the list's decimal strings, with the currency beside them.
    expect(rows[0]).toMatchObject({
      amount: list.results[0].amount,
      currency: list.results[0].currency,
    });
  });

  it('neutralises cells that a spreadsheet would run as formulas', async () => {
    const res = await api.get('payments/export.csv?customer_email=mallory@example.com');
    const descriptions = rowsOf(res.text, 'payments').map((r) => r.description);
    expect(descriptions.sort()).toEqual(INJECTIONS.map(neutralised).sort());
  });

  it("refuses bad filters with the list's 400 JSON, before any CSV", async () => {
    const cases: Array<[string, string]> = [
      ['status=LOST', 'status'],
      ['page=2', 'page'],
      ['page_size=10', 'page_size'],
      ['surprise=1', 'surprise'],
      ['ordering=shoe_size', 'ordering'],
    ];
    for (const [query, field] of cases) {
      const res = await api.get(`payments/export.csv?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json.error, query).toMatchObject({ code: 'validation', field });
    }
  });

  it('needs the token, and takes GET only', async () => {
    const anonymous = await api.call(`${API}payments/export.csv`, { noAuth: true });
    expect(anonymous.status).toBe(401);
    const post = await api.post('payments/export.csv', {});
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });
});

/** A GET of an export whose response is read by hand. */
function openStream(path: string): Promise<{ res: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(API + path, api.url), {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      agent: false,
    });
    req.on('response', (res) => resolve({ res, abort: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}

/** A count once it has stopped growing for 300 ms (at most 10 s). */
async function settledCount(count: () => number): Promise<number> {
  let last = count();
  for (let waited = 0; waited < 10_000; waited += 300) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = count();
    if (now === last) return now;
    last = now;
  }
  throw new Error(`still growing after 10 s: ${last}`);
}

const listCalls = (spy: { mock: { calls: unknown[][] } }): number =>
  spy.mock.calls.filter(([name]) => name === 'payments.list').length;

describe('a large export', () => {
  it('is streamed: pages are read as the client takes them, not ahead', async () => {
    const spy = vi.spyOn(api.core, 'call');
    try {
      const { res } = await openStream('payments/export.csv');
      expect(res.statusCode).toBe(200);
      // Read a little, then stop reading for a while.
      await new Promise<void>((resolve) => res.once('data', () => resolve()));
      res.pause();
      const pages = Math.ceil((GENERATED + 100) / EXPORT_PAGE_SIZE);
      // The server goes on until the socket's buffers are full, then waits for the client.
      const readWhilePaused = await settledCount(() => listCalls(spy));
      // Socket buffers take some pages; far from all of them.
      expect(readWhilePaused).toBeLessThan(pages / 2);

      let chunks = 1;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        chunks++;
        bytes += chunk.length;
      });
      res.resume();
      await new Promise((resolve) => res.on('end', resolve));
      expect(chunks).toBeGreaterThan(pages / 2);
      expect(bytes).toBeGreaterThan(GENERATED * 100);
      expect(listCalls(spy)).toBeGreaterThanOrEqual(pages);
    } finally {
      spy.mockRestore();
    }
  });

  it('stops reading when the client leaves, and the server goes on answering', async () => {
    const spy = vi.spyOn(api.core, 'call');
    try {
      const { res, abort } = await openStream('payments/export.csv');
      await new Promise<void>((resolve) => res.once('data', () => resolve()));
      abort();
      const read = await settledCount(() => listCalls(spy));
      expect(read).toBeLessThan(GENERATED / EXPORT_PAGE_SIZE / 2);
      expect((await api.get('health/')).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the other lists', () => {
  it('GET subscriptions/export.csv takes the subscriptions filters', async () => {
    const created = await api.post('subscriptions/', {
      customer_email: 'sam@example.com',
      amount: '9.99',
      currency: 'USD',
      interval: 'MONTHLY',
    });
    expect(created.status).toBe(201);
    const res = await api.get('subscriptions/export.csv?customer_email=sam@example.com');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain(`subscriptions-${today}.csv`);
    expect(rowsOf(res.text, 'subscriptions')).toEqual([
      expect.objectContaining({
        id: created.json.id,
        amount: '9.99',
        currency: 'USD',
        status: 'ACTIVE',
      }),
    ]);
    expect((await api.get('subscriptions/export.csv?status=GONE')).status).toBe(400);
  });

  it('GET audit/export.csv takes the audit filters', async () => {
    const all = rowsOf((await api.get('audit/export.csv')).text, 'audit');
    expect(all.length).toBeGreaterThan(INJECTIONS.length);
    const res = await api.get('audit/export.csv?origin=api&outcome=ok');
    expect(res.status).toBe(200);
    const rows = rowsOf(res.text, 'audit');
    expect(rows.length).toBeGreaterThanOrEqual(INJECTIONS.length);
    expect(rows.every((r) => r.origin === 'api' && r.outcome === 'ok')).toBe(true);
    expect((await api.get('audit/export.csv?origin=martians')).json.error.field).toBe('origin');
  });
});

describe('GET customers/export.csv', () => {
  it('takes the customers filters and sort, one row per customer and currency', async () => {
    const res = await api.get('customers/export.csv?search=mallory&ordering=-net');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain(`customers-${today}.csv`);
    expect(rowsOf(res.text, 'customers')).toEqual([
      expect.objectContaining({ email: 'mallory@example.com', currency: 'EUR', net: '61.70' }),
    ]);
    expect((await api.get('customers/export.csv?ordering=shoe_size')).status).toBe(400);
  });
});

describe("the browser's door: POST /rpc/export/<kind>", () => {
  const rpc = (kind: string, body: unknown, method = 'POST') =>
    api.call(`/rpc/export/${kind}`, { method, body });

  it("takes the list's filters as the contract names them", async () => {
    const res = await rpc('payments', { customerEmail: 'mallory@example.com', order: 'asc' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="payments-${today}.csv"`);
    const rows = rowsOf(res.text, 'payments');
    expect(rows.map((r) => r.description)).toEqual(INJECTIONS.map(neutralised));
  });

  it('answers a refusal as a Result, an unknown list as a 404', async () => {
    const bad = await rpc('payments', { status: 'LOST' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'validation', field: 'status' } });
    const paged = await rpc('payments', { offset: 500 });
    expect(paged.json).toMatchObject({ ok: false, error: { field: 'offset' } });
    expect((await rpc('secrets', {})).status).toBe(404);
    expect((await rpc('payments', undefined, 'GET')).status).toBe(405);
    const anonymous = await api.call('/rpc/export/payments', {
      method: 'POST',
      body: {},
      noAuth: true,
    });
    expect(anonymous.status).toBe(401);
  });

  it('exports customers, one row per customer and currency', async () => {
    const res = await rpc('customers', { search: 'mallory' });
    expect(res.status).toBe(200);
    expect(rowsOf(res.text, 'customers')).toEqual([
      expect.objectContaining({
        email: 'mallory@example.com',
        currency: 'EUR',
        charged: '61.70',
        payments: String(INJECTIONS.length),
      }),
    ]);
  });
});
