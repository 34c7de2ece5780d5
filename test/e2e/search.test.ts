/**
 * End to end: the Search dialog in headless Chromium against `npm run serve`. Payments are
 * made over REST; the operator presses Ctrl+K on the Dashboard, types part of a customer's
 * e-mail, and opens the payment found with Enter: the Payments screen shows it. The payments
 * grid is one Tab stop whose arrows move the active row, and Escape closes the payment.
 * axe finds nothing with the dialog open, nor on the filtered, sorted payments grid.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './helpers/axe';
import { skipWithoutBrowser } from './helpers/browser';
import { openSession, type Session } from './helpers/session';

const SHOTS = join(resolve(__dirname, '../..'), 'test-artifacts/screenshots');
const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Search in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    session = await openSession({
      name: 'search',
      seed: 5,
      successRate: 1,
      latencyMs: 0,
      scheduler: false,
    });
    const pay = (amount: string, email: string, currency = 'USD') =>
      session.api.post('payments/process/', {
        amount,
        currency,
        customer_email: email,
        payment_method: 'pm_card_visa',
      });
    await pay('12.50', 'ann.lee@example.com');
    await pay('99.00', 'bob@shop.io');
    await pay('7.25', 'carol@example.org', 'EUR');
    // axe-core is injected as an inline script, which the UI's CSP refuses.
    page = await session.openPage({ bypassCSP: true });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

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
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    const detail = page.getByRole('region', { name: /\$12\.50/ });
    await detail.waitFor();
    expect(await detail.textContent()).toContain('ann.lee@example.com');
  });

  it('moves in the payments grid with the arrows, and Escape closes the payment', async () => {
    const grid = page.getByRole('grid', { name: 'Payments' });
    // The detail pane can show before the grid's first page arrives; keys pressed on a grid
    // still loading move nothing.
    await expect.poll(() => grid.getByRole('gridcell').count()).toBeGreaterThan(0);
    await grid.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => grid.getAttribute('aria-activedescendant')).toBe('payment-row-1');
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
    expect(await axeViolations(page)).toEqual([]);
  });
});
