/**
 * End to end: the Customers screen in headless Chromium against `npm run serve`. Payments
 * are made over REST (one e-mail written two ways, a declined charge, a partial refund,
 * three currencies); the operator opens Customers, finds one row per customer sorted by net,
 * searches, opens a customer, reads the totals and the timeline, and clicks "New payment":
 * the New payment form shows with the customer's e-mail filled in. axe finds nothing on the
 * list or on the customer's page.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './helpers/axe';
import { skipWithoutBrowser } from './helpers/browser';
import { openSession, WAIT, type Session } from './helpers/session';
import { goTo } from './helpers/ui';

const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Customers in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    session = await openSession({
      name: 'customers',
      seed: 3,
      successRate: 1,
      latencyMs: 0,
      scheduler: false,
    });
    const { api } = session;
    const pay = (body: Record<string, unknown>) =>
      api.post('payments/process/', { currency: 'USD', payment_method: 'pm_card_visa', ...body });
    const first = await pay({ amount: '25.00', customer_email: 'ann@example.com' });
    await pay({ amount: '10.00', customer_email: 'Ann@Example.com' });
    await pay({
      amount: '7.00',
      customer_email: 'ann@example.com',
      payment_method: 'pm_card_chargeDeclined',
    });
    await pay({ amount: '99.00', customer_email: 'bob@example.com' });
    await pay({ amount: '3.00', currency: 'GBP', customer_email: 'cy@example.org' });
    await api.post(`payments/${first.id as string}/refund/`, { amount: '5.00' });

    // For axe's script only (the page's own CSP refuses inline scripts).
    page = await session.openPage({ bypassCSP: true });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  const table = (): Locator => page.getByRole('table', { name: /^Customers/ });
  const rows = (): Locator =>
    table()
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });
  const emails = async (): Promise<string[]> =>
    (await rows().getByRole('rowheader').allTextContents()).map((t) => t.split('Also')[0] ?? t);

  it('lists one row per customer by net, searches, and opens a customer', async () => {
    await goTo(page, 'Customers');
    await expect
      .poll(emails, { timeout: WAIT })
      .toEqual(['bob@example.com', 'ann@example.com', 'cy@example.org']);
    const net = table().getByRole('columnheader', { name: 'Net' });
    expect(await net.getAttribute('aria-sort')).toBe('descending');
    const ann = rows().filter({ hasText: 'ann@example.com' });
    expect(await ann.getByRole('cell').allTextContents()).toEqual([
      '$35.00',
      '$5.00',
      '$30.00',
      '0',
      '$0.00',
      '1',
      expect.stringMatching(/\d{4}/),
    ]);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Customer', exact: true }).click();
    await expect
      .poll(emails, { timeout: WAIT })
      .toEqual(['ann@example.com', 'bob@example.com', 'cy@example.org']);
    expect(
      await table().getByRole('columnheader', { name: 'Customer' }).getAttribute('aria-sort'),
    ).toBe('ascending');

    await page.getByRole('searchbox', { name: 'Search customers' }).fill('ANN@');
    await expect.poll(emails, { timeout: WAIT }).toEqual(['ann@example.com']);

    await page.getByRole('button', { name: 'ann@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'ann@example.com' }).waitFor();
    const usd = page
      .getByRole('table', { name: 'Totals per currency' })
      .getByRole('row', { name: /USD/ });
    // The heading comes with the page; the totals with the customer's answer, a moment later.
    await expect
      .poll(() => usd.getByRole('cell').allTextContents(), { timeout: WAIT })
      .toEqual(['$35.00', '$5.00', '$30.00', '$0.00']);
    const timeline = page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
    await expect.poll(() => timeline.count(), { timeout: WAIT }).toBe(4);
    const lines = await timeline.allTextContents();
    expect(lines[0]).toMatch(/Refund of \$5\.00.*Succeeded/);
    expect(lines.filter((l) => /Failed.*declined/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^.*Payment of \$(25|10)\.00/.test(l))).toHaveLength(2);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('opens New payment with the e-mail filled in', async () => {
    await page.getByRole('button', { name: 'New payment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    const form = page.getByRole('form', { name: 'New payment' });
    await expect
      .poll(() => form.getByRole('textbox', { name: 'Customer email' }).inputValue())
      .toBe('ann@example.com');
    await expect
      .poll(() => page.evaluate('document.activeElement && document.activeElement.name'))
      .toBe('amount');
  });
});
