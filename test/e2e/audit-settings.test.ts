/**
 * End to end: the Audit log and Settings screens in headless Chromium against
 * `npm run serve` (a fresh data directory, the test clock). Commands made over REST (a
 * charge, a declined charge, an undo) show in the Audit log with their origin, outcome and
 * the money moved; the outcome filter narrows it; a reload stays on the screen, whose name
 * is the page's title. In Settings the data directory shows, the business details are saved
 * (the core's settings say so), an interval of 0 is refused next to its field, the
 * scheduler's interval and on/off are saved (the REST scheduler follows), "Back up now"
 * lists a backup (as REST does), and the mock gateway's success rate changes the next
 * charge's outcome. `?` opens "Keyboard shortcuts".
 * Screenshots go to test-artifacts/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from './helpers/browser';
import type { RestClient } from './helpers/serve';
import { openSession, type Session } from './helpers/session';
import { goTo, seeToast } from './helpers/ui';

const SHOTS = resolve(__dirname, '../../test-artifacts/screenshots');

const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Audit log and Settings in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let api: RestClient;
  let page: Page;

  const auditRows = () =>
    page
      .getByRole('table', { name: 'Audit log' })
      .getByRole('row')
      .filter({
        has: page.getByRole('cell'),
      });

  beforeAll(async () => {
    session = await openSession({ name: 'settings', seed: 1, successRate: 1, latencyMs: 0 });
    ({ api } = session);
    const pay = (amount: string, method: string) =>
      api.post('payments/process/', {
        amount,
        currency: 'USD',
        customer_email: 'ann@example.com',
        payment_method: method,
      });
    await pay('10.00', 'pm_card_visa');
    await pay('20.00', 'pm_card_chargeDeclined');
    await api.post('history/undo/');

    page = await session.openPage();
    await mkdir(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  it('lists every command with origin, outcome and money moved, declined charges included', async () => {
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await goTo(page, 'Audit log');
    expect(await page.title()).toBe('Audit log — Paydesk');
    expect(new URL(page.url()).hash).toBe('#/audit');
    await page.getByText('3 entries').waitFor();
    const rows = auditRows();
    await expect.poll(() => rows.count()).toBe(3);
    const texts = await rows.allInnerTexts();
    expect(texts[0]).toMatch(/API[\s\S]*Undo: Charge \$10\.00[\s\S]*Done[\s\S]*Refunded \$10\.00/);
    expect(texts[1]).toMatch(/Charge \$20\.00[\s\S]*card_declined[\s\S]*Declined[\s\S]*None/);
    expect(texts[2]).toMatch(/Charge \$10\.00[\s\S]*Done[\s\S]*Charged \$10\.00/);

    await page.getByLabel('Outcome', { exact: true }).selectOption({ label: 'Declined' });
    await page.getByText('1 entry', { exact: true }).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'audit-log.png') });

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    expect(await page.title()).toBe('Audit log — Paydesk');
  });

  it('saves business details and the scheduler settings, refusing an interval of 0', async () => {
    await goTo(page, 'Settings');
    expect(new URL(page.url()).hash).toBe('#/settings');
    await page.getByText(session.dataDir, { exact: true }).waitFor();

    await page.getByLabel('Business name').fill('Northwind Bakery');
    await page.getByLabel('Address').fill('12 Harbour Street\nPortsmouth');
    await page.getByLabel('Tax ID').fill('GB123456789');
    await page.getByRole('button', { name: 'Save business details' }).click();
    await seeToast(page, 'Business details saved');
    expect(await session.rpc('settings.get')).toMatchObject({
      ok: true,
      data: {
        business: {
          name: 'Northwind Bakery',
          address: '12 Harbour Street\nPortsmouth',
          taxId: 'GB123456789',
        },
      },
    });

    const interval = page.getByLabel('Interval (seconds)');
    await interval.fill('0');
    await page.getByRole('button', { name: 'Save scheduler settings' }).click();
    await expect.poll(() => interval.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await interval.getAttribute('aria-describedby')) ?? '').split(' ')[0];
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe('At least 1 second');

    await interval.fill('120');
    await page.getByLabel('Run recurring charges on a timer').uncheck();
    await page.getByRole('button', { name: 'Save scheduler settings' }).click();
    await seeToast(page, 'Scheduler settings saved');
    expect(await api.get('scheduler/')).toMatchObject({ running: false, interval_seconds: 120 });
  });

  it('backs up now from Settings: the backup is listed, and the REST API lists it too', async () => {
    const panel = page.getByRole('region', { name: 'Backups', exact: true });
    await panel.getByText(/No backups yet/).waitFor();
    await panel.getByRole('button', { name: 'Back up now' }).click();
    await seeToast(page, /^Backed up into /);
    const rows = panel.getByRole('table', { name: 'Backups, newest first' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).innerText()).toMatch(/By hand\s+2\s+\d/);
    const listed = await api.get('backup/');
    expect(listed.backups).toHaveLength(1);
    expect(listed.backups[0]).toMatchObject({ kind: 'manual', payments: 2 });
    expect(await panel.innerText()).toContain(`--restore ${listed.backups[0].path}`);
  });

  it('changes the mock gateway in test mode: the next ordinary charge declines', async () => {
    await page.getByLabel('Success rate (%)').fill('0');
    await page.getByRole('button', { name: 'Apply to the mock gateway' }).click();
    await seeToast(page, 'Mock gateway updated');
    const payment = await api.post('payments/process/', {
      amount: '5.00',
      currency: 'USD',
      customer_email: 'bo@example.com',
    });
    expect(payment.status).toBe('FAILED');
    await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
  });

  it('opens "Keyboard shortcuts" with ? and closes it with Escape', async () => {
    await page.getByRole('heading', { level: 1, name: 'Settings' }).click();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Search');
    await page.screenshot({ path: join(SHOTS, 'shortcuts.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});
