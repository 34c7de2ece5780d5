/**
 * End to end: "Export CSV" in headless Chromium against `npm run serve`. Payments are made
 * over REST (one declined, one whose description looks like a formula); the operator filters
 * the Payments screen to the declined ones and clicks "Export CSV": the browser receives a
 * download named `payments-<date>.csv` holding exactly the rows the table shows, as RFC 4180
 * text with the amounts as decimals beside their currency; no request carried the token in
 * its URL. Then the whole list, where the formula is neutralised, and the audit log's.
 */
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvObjects } from '../helpers/rfc4180';
import { skipWithoutBrowser } from './helpers/browser';
import { openSession, WAIT, type Session } from './helpers/session';
import { goTo, paymentRows, seeToast } from './helpers/ui';

const FORMULA = '=HYPERLINK("http://evil.example","invoice")';

const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Export CSV in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let page: Page;
  let today = '';
  const urls: string[] = [];

  beforeAll(async () => {
    session = await openSession({
      name: 'export',
      seed: 5,
      successRate: 1,
      latencyMs: 0,
      scheduler: false,
    });
    const { api } = session;
    const charges = [
      { amount: '42.50', customer_email: 'ann@example.com', payment_method: 'pm_card_visa' },
      { amount: '1000', currency: 'JPY', customer_email: 'kenji@example.com' },
      {
        amount: '19.99',
        customer_email: 'bob@example.com',
        payment_method: 'pm_card_chargeDeclined',
      },
      { amount: '5.00', customer_email: 'eve@example.com', description: FORMULA },
    ];
    for (const charge of charges) {
      await api.post('payments/process/', { currency: 'USD', ...charge });
    }
    today = ((await api.get('clock/')).now as string).slice(0, 10);

    page = await session.openPage({ acceptDownloads: true }, (opened) =>
      opened.on('request', (request) => urls.push(request.url())),
    );
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  /** Click "Export CSV" and read the download it starts. */
  async function exportCsv(): Promise<{ download: Download; text: string }> {
    const started = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await started;
    const path = await download.path();
    return { download, text: await readFile(path, 'utf8') };
  }

  it('downloads what the filters show on Payments', async () => {
    await goTo(page, 'Payments');
    await expect.poll(() => paymentRows(page, '@example.com').count(), { timeout: WAIT }).toBe(4);
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Failed' });
    await expect.poll(() => paymentRows(page, '@example.com').count(), { timeout: WAIT }).toBe(1);

    const { download, text } = await exportCsv();
    expect(download.suggestedFilename()).toBe(`payments-${today}.csv`);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = csvObjects(text);
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        amount: '19.99',
        currency: 'USD',
        customer_email: 'bob@example.com',
        failure_code: 'card_declined',
      }),
    ]);
    await seeToast(page, `Downloaded payments-${today}.csv`);
  });

  it('exports the whole list, the formula neutralised, the yen without decimals', async () => {
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'All statuses' });
    await expect.poll(() => paymentRows(page, '@example.com').count(), { timeout: WAIT }).toBe(4);
    const rows = csvObjects((await exportCsv()).text);
    expect(rows).toHaveLength(4);
    const byEmail = Object.fromEntries(rows.map((r) => [r.customer_email, r]));
    expect(byEmail['eve@example.com']?.description).toBe(`'${FORMULA}`);
    expect(byEmail['kenji@example.com']).toMatchObject({ amount: '1000', currency: 'JPY' });
    expect(byEmail['ann@example.com']).toMatchObject({ amount: '42.50', status: 'COMPLETED' });
    // The same rows as the REST list, newest first.
    const listed = (await session.api.get('payments/')).results.map((p: { id: string }) => p.id);
    expect(rows.map((r) => r.id)).toEqual(listed);
  });

  it('exports the audit log', async () => {
    await goTo(page, 'Audit log');
    const { download, text } = await exportCsv();
    expect(download.suggestedFilename()).toBe(`audit-${today}.csv`);
    const rows = csvObjects(text);
    expect(rows.filter((r) => r.kind === 'ProcessPayment')).toHaveLength(4);
    expect(rows.find((r) => r.outcome === 'declined')).toMatchObject({ origin: 'api' });
  });

  it('never put the token in a URL (but the one the server printed, opened first)', () => {
    expect(urls[0]).toBe(session.info.uiUrl);
    expect(urls.some((url) => url.includes('/rpc/export/payments'))).toBe(true);
    expect(urls.slice(1).filter((url) => url.includes(session.token))).toEqual([]);
  });
});
