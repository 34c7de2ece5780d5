/**
 * End to end: receipts in headless Chromium against `npm run serve`. A payment is made over
 * REST and the business details are set over /rpc; the operator opens the payment, clicks
 * "Receipt", and the page is printed with Chromium's own PDF printer (playwright's
 * page.pdf(), the print stylesheet applied, as the desktop's webContents.printToPDF and the
 * browser's "Save as PDF" do). The PDF must be one page, on A4 and on Letter, and its text
 * must hold the business, the amount and the transaction id, and none of the app around it.
 * Then a refund's receipt, and "Save as PDF" opening the browser's print dialog.
 *
 * The PDF's text is read with unpdf (a devDependency: Mozilla's pdf.js in one dependency-free
 * package, running on Node 20): Chromium's PDFs draw text in subset fonts through ToUnicode
 * maps, which no grep of the file can read, and pdftotext is not on every machine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from './helpers/browser';
import type { RestClient } from './helpers/serve';
import { openSession, type Session } from './helpers/session';
import { goTo, paymentRows } from './helpers/ui';

/** The PDFs printed, kept for people to look at. */
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/receipts');
const BUSINESS = {
  name: 'Northwind Bakery Ltd',
  address: '12 Harbour Street\nPortsmouth PO1 2AB',
  taxId: 'GB123456789',
};
const CUSTOMER = 'receipt@example.com';

/** Pages and text of a PDF (pages joined by newlines); kept as test-artifacts/receipts/<name>. */
async function readPdf(bytes: Uint8Array, name: string): Promise<{ pages: number; text: string }> {
  await writeFile(join(ARTIFACTS, name), bytes);
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { totalPages, text } = await extractText(pdf, { mergePages: true });
  return { pages: totalPages, text };
}

const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Receipts in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let api: RestClient;
  let page: Page;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- REST JSON, read field by field
  let payment: any;

  beforeAll(async () => {
    session = await openSession({
      name: 'receipt',
      seed: 3,
      successRate: 1,
      latencyMs: 0,
      scheduler: false,
    });
    await mkdir(ARTIFACTS, { recursive: true });
    ({ api } = session);

    payment = await api.post('payments/process/', {
      amount: '42.00',
      currency: 'USD',
      customer_email: CUSTOMER,
      description: 'Wedding cake tasting',
      payment_method: 'pm_card_visa',
    });
    expect(payment).toMatchObject({ status: 'COMPLETED', amount: '42.00' });
    expect(payment.transaction_id).toMatch(/^txn_/);
    const saved = (await session.rpc('settings.set', { business: BUSINESS })) as {
      ok: boolean;
      error?: { message: string };
    };
    if (!saved.ok) throw new Error(`settings.set failed: ${saved.error?.message}`);

    page = await session.openPage();
    // Time enough for scripts/serve.mjs to build first when out/ is missing.
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  /** Open the payment's details on the Payments screen. */
  async function openPayment(): Promise<void> {
    await goTo(page, 'Payments');
    await paymentRows(page, CUSTOMER).first().click();
    await page.getByRole('heading', { level: 2, name: /^\$42\.00/ }).waitFor();
  }

  it('prints the receipt alone on one page, with the amount and the transaction id', async () => {
    await openPayment();
    await page.getByRole('button', { name: 'Receipt', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Receipt' });
    await dialog.getByText(payment.transaction_id).waitFor();
    await expect
      .poll(() => dialog.getByRole('button', { name: 'Save as PDF' }).isEnabled())
      .toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'receipt-dialog.png') });

    for (const format of ['A4', 'Letter'] as const) {
      const pdf = await readPdf(await page.pdf({ format }), `receipt-${format}.pdf`);
      expect(pdf.pages, format).toBe(1);
      expect(pdf.text).toContain('$42.00');
      expect(pdf.text).toContain(payment.transaction_id);
      for (const fact of [BUSINESS.name, '12 Harbour Street', BUSINESS.taxId, CUSTOMER]) {
        expect(pdf.text).toContain(fact);
      }
      expect(pdf.text).toContain('pm_card_visa');
      expect(pdf.text).toMatch(/Refunds so far\s+None/);
      // Nothing of the app around it: the print stylesheet shows the receipt alone.
      for (const chrome of ['Save as PDF', 'Dashboard', 'Event timeline', 'Close details']) {
        expect(pdf.text).not.toContain(chrome);
      }
    }
  });

  it('"Save as PDF" opens the browser\'s print dialog, naming the PDF after the receipt', async () => {
    // The real dialog cannot be driven headless: record the call and the title it saw.
    // (Page code as strings: the tests are typechecked without the DOM's types.)
    await page.evaluate(
      'window.printed = []; window.print = () => { window.printed.push(document.title); };',
    );
    const title = await page.title();
    await page.getByRole('button', { name: 'Save as PDF' }).click();
    expect(await page.evaluate('window.printed')).toEqual([`receipt-${payment.id}`]);
    expect(await page.title()).toBe(title);

    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Without a receipt open, printing prints the app as before.
    const { text } = await readPdf(await page.pdf({ format: 'A4' }), 'no-receipt-open.pdf');
    expect(text).toContain('Payments');
  });

  it("prints a refund's receipt on one page, with the refund and the refunds so far", async () => {
    const refunded = await api.post(`payments/${payment.id}/refund/`, { amount: '10.00' });
    expect(refunded).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_amount: '10.00' });
    const detail = await api.get(`payments/${payment.id}/`);
    const refund = detail.refunds.find((r: { status: string }) => r.status === 'SUCCEEDED');
    const reference: string = refund.gateway_refund_id;
    expect(reference).toMatch(/^re_/);

    await page.reload();
    await openPayment();
    await page.getByRole('button', { name: /^Refund receipt for \$10\.00/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund receipt' });
    await dialog.getByText(reference).first().waitFor();

    const pdf = await readPdf(await page.pdf({ format: 'A4' }), 'refund-receipt-A4.pdf');
    expect(pdf.pages).toBe(1);
    expect(pdf.text).toContain('Refund receipt');
    expect(pdf.text).toContain('$10.00');
    expect(pdf.text).toContain(reference);
    expect(pdf.text).toContain(payment.transaction_id);
    expect(pdf.text).toMatch(/Net paid\s+\$32\.00/);
  });
});
