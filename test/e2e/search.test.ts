/**
 * End to end: the Search dialog in headless Chromium against `npm run serve`. Payments are
 * made over REST; the operator presses Ctrl+K on the Dashboard, types part of a customer's
 * e-mail, and opens the payment found with Enter: the Payments screen shows it. The payments
 * grid is one Tab stop whose arrows move the active row, and Escape closes the payment.
 * axe finds nothing with the dialog open, nor on the filtered, sorted payments grid.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, skipWithoutBrowser } from './helpers/browser';
import { ready, restClient, serve, stop, type Served } from './helpers/serve';

const WAIT = 20_000;
const SHOTS = join(resolve(__dirname, '../..'), 'test-artifacts/screenshots');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Search in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let tmp = '';
  let served: Served | null = null;
  let browser: Browser | null = null;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser(); // First: in CI a missing browser fails here, at once.
    tmp = await mkdtemp(join(tmpdir(), 'paydesk-e2e-search-'));
    served = serve([
      '--port',
      '0',
      '--data-dir',
      join(tmp, 'data'),
      '--clock',
      'test',
      '--seed',
      '5',
      '--gateway-success-rate',
      '1',
      '--gateway-latency-ms',
      '0',
      '--no-scheduler',
    ]);
    const info = await ready(served);
    const api = restClient(info.apiUrl, (await readFile(info.tokenFile ?? '', 'utf8')).trim());
    const pay = (amount: string, email: string, currency = 'USD') =>
      api.post('payments/process/', {
        amount,
        currency,
        customer_email: email,
        payment_method: 'pm_card_visa',
      });
    await pay('12.50', 'ann.lee@example.com');
    await pay('99.00', 'bob@shop.io');
    await pay('7.25', 'carol@example.org', 'EUR');
    const context = await browser.newContext({
      // axe-core is injected as an inline script, which the UI's CSP refuses.
      bypassCSP: true,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(info.uiUrl);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (served) await stop(served);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** axe-core's violations on the page as it is now (rule: elements). */
  async function violations(): Promise<string[]> {
    if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
      await page.addScriptTag({ content: await readFile(AXE_SOURCE, 'utf8') });
    }
    // A string: the test's own types know no DOM (window.axe is the injected engine).
    const results = (await page.evaluate(
      `window.axe.run(document, { resultTypes: ['violations'] })`,
    )) as { violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> };
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
  }

  it('finds a payment by part of its e-mail with Ctrl+K and opens it', async () => {
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Search' });
    const box = dialog.getByRole('combobox');
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("role")'))
      .toBe('combobox');
    expect(await box.count()).toBe(1);
    await page.keyboard.type('lee@EX');
    const option = dialog.getByRole('option', { name: /\$12\.50 · ann\.lee@example\.com/ });
    await option.waitFor();
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'search-dialog.png') });
    expect(await violations()).toEqual([]);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    const detail = page.getByRole('region', { name: /\$12\.50/ });
    await detail.waitFor();
    expect(await detail.textContent()).toContain('ann.lee@example.com');
  });

  it('moves in the payments grid with the arrows, and Escape closes the payment', async () => {
    const grid = page.getByRole('grid', { name: 'Payments' });
    await grid.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    expect(await grid.getAttribute('aria-activedescendant')).toBe('payment-row-1');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: /\$99\.00/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.screenshot({ path: join(SHOTS, 'payments-grid.png') });
    await page.keyboard.press('Escape');
    await page.getByText('Select a payment to see its details').waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('payments-grid');
    // One Tab stop: the next Tab leaves the grid.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('!!document.activeElement?.closest("[role=grid]")')).toBe(false);

    await page.getByRole('button', { name: 'Amount', exact: true }).click();
    await page
      .getByRole('columnheader', { name: 'Amount' })
      .and(page.locator('[aria-sort="ascending"]'))
      .waitFor();
    const rows = grid.getByRole('row').filter({ has: page.getByRole('gridcell') });
    await expect.poll(async () => (await rows.first().textContent()) ?? '').toContain('€7.25');
    expect(await violations()).toEqual([]);
  });
});
