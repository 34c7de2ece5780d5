/**
 * End to end: the real UI in headless Chromium against `npm run serve` (the real CLI as a
 * child process, a fresh data directory, the test clock). One operator's session, in order:
 * a payment is processed and completes; Ctrl+Z refunds it and the History panels move it to
 * redo; Ctrl+Shift+Z charges again; Ctrl+Z inside the Amount field only edits the text; the
 * server restarts on the same data and Ctrl+Z still undoes; a monthly subscription is
 * charged when the test clock advances a month. What the UI shows is cross-checked through
 * the REST API. Screenshots of the main screens go to test-artifacts/screenshots/ (the
 * README's docs/screenshot.png is written when missing or with PAYDESK_UPDATE_SCREENSHOT=1).
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from './helpers/browser';
import { ready, stop, type Ready, type RestClient } from './helpers/serve';
import { openSession, WAIT, type Session } from './helpers/session';
import { dismissToasts, goTo, historyPanel, paymentRows, seeToast, toasts } from './helpers/ui';

const ROOT = resolve(__dirname, '../..');
const SHOTS = join(ROOT, 'test-artifacts/screenshots');
const README_SHOT = join(ROOT, 'docs/screenshot.png');

/** yyyy-mm-dd of an instant, in UTC. */
const utcDate = (iso: string): string => iso.slice(0, 10);

/** The 10th of the month after `iso`, at noon UTC: later than `iso`, far from a month's end. */
function midNextMonth(iso: string): string {
  const d = new Date(iso);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 10, 12)).toISOString();
}

const CHARGE = 'Charge $42.50 to ann@example.com';

// Skipped only on a machine without Chromium and outside CI (the reason is printed); in CI a
// missing browser makes beforeAll fail.
const e2e = describe.skipIf(skipWithoutBrowser());

e2e('Paydesk in Chromium against npm run serve', { timeout: 60_000 }, () => {
  let session: Session;
  let api: RestClient;
  let page: Page;
  /** Undo/redo requests the page sent (/rpc/history.undo, /rpc/history.redo). */
  const historyCalls: string[] = [];

  beforeAll(async () => {
    session = await openSession({
      name: 'operator',
      seed: 1,
      // Every charge succeeds unless a test payment method says otherwise; the latency leaves
      // the "Processing" state on screen long enough to be seen.
      successRate: 1,
      latencyMs: 300,
    });
    ({ api } = session);
    // The test clock starts at the real time; move it to a mid-month moment so that
    // "Advance 1 month" never straddles a month's end (31 Jan + 1 month...).
    const clock = await api.get('clock/');
    expect(clock.mode).toBe('test');
    await api.post('clock/advance/', { to: midNextMonth(clock.now) });

    page = await session.openPage({}, (opened) =>
      opened.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (/^\/rpc\/history\.(undo|redo)$/.test(path)) historyCalls.push(path);
      }),
    );
    // Time enough for scripts/serve.mjs to build first when out/ is missing.
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  /** Every payment, from the REST API (the order of equal timestamps is not defined). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- REST JSON, read field by field
  const payments = async (): Promise<any[]> => (await api.get('payments/')).results;
  /** The payment the operator processed first. */
  let firstId = '';

  it('processes a payment: shown as processing, then completed', async () => {
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByText('No payments yet.').first().waitFor();
    // The token left the address bar (it is kept in sessionStorage).
    expect(page.url()).not.toContain('token=');

    await goTo(page, 'Payments');
    await page.getByText('No payments yet.').first().waitFor();
    const form = page.getByRole('form', { name: 'New payment' });
    await form.getByLabel('Amount', { exact: true }).fill('42.50');
    await form.getByLabel('Currency', { exact: true }).fill('USD');
    await form.getByLabel('Customer email', { exact: true }).fill('ann@example.com');
    await form.getByLabel('Description', { exact: true }).fill('Annual plan');
    await form
      .getByLabel('Payment method', { exact: true })
      .selectOption({ label: 'Visa (succeeds)' });

    const processing = page.getByRole('list', { name: 'Payments in progress' });
    // Watched from before the click: the state lasts only as long as the gateway's answer.
    const seenProcessing = processing.waitFor({ state: 'visible' }).then(
      () => true,
      () => false,
    );
    await form.getByRole('button', { name: 'Process payment' }).click();
    expect(await seenProcessing).toBe(true);
    expect(await processing.textContent()).toContain('$42.50 to ann@example.com');

    await seeToast(page, 'Charged $42.50 to ann@example.com');
    await processing.waitFor({ state: 'detached' });
    // The new row appears in the (previously empty) list, and its details open beside it.
    const row = paymentRows(page, 'ann@example.com');
    await expect.poll(() => row.count(), { timeout: WAIT }).toBe(1);
    expect(await row.textContent()).toMatch(/\$42\.50.*Completed/);
    await page.getByRole('heading', { level: 2, name: '$42.50 Completed' }).waitFor();
    await page
      .getByRole('list', { name: 'Event timeline' })
      .getByText(/^Succeeded/)
      .waitFor();

    const [payment, ...others] = await payments();
    expect(others).toEqual([]);
    expect(payment).toMatchObject({
      amount: '42.50',
      currency: 'USD',
      status: 'COMPLETED',
      customer_email: 'ann@example.com',
      description: 'Annual plan',
      payment_method: 'pm_card_visa',
      refunded_amount: '0.00',
    });
    firstId = payment.id;
    const history = await api.get('history/');
    expect(history.undo.map((e: { label: string }) => e.label)).toEqual([CHARGE]);
  });

  it('Ctrl+Z refunds it, and the history panels move it from undo to redo', async () => {
    await goTo(page, 'History');
    const undo = historyPanel(page, 'Undo');
    const redo = historyPanel(page, 'Redo');
    await undo.getByRole('button', { name: CHARGE }).waitFor();
    await redo.getByText('Nothing to redo.').waitFor();

    // The focus is on the screen's heading, not in a text field: the keys mean "undo".
    // Money moves, so it asks first, with the amount; Enter confirms.
    await page.keyboard.press('Control+z');
    await page
      .getByRole('dialog')
      .getByText(/\$42\.50 in all/)
      .waitFor();
    await page.keyboard.press('Enter');
    await seeToast(page, `Undid: ${CHARGE}`);
    await redo.getByRole('button', { name: CHARGE }).waitFor();
    await undo.getByText('Nothing to undo.').waitFor();

    const [payment] = await payments();
    expect(payment).toMatchObject({ status: 'REFUNDED', refunded_amount: '42.50' });
    const history = await api.get('history/');
    expect(history.undo).toEqual([]);
    expect(history.redo.map((e: { label: string }) => e.label)).toEqual([CHARGE]);
  });

  it('Ctrl+Shift+Z charges again (a new payment; the refunded one stays refunded)', async () => {
    await page.keyboard.press('Control+Shift+Z');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Enter');
    await seeToast(page, `Redid: ${CHARGE}`);
    await historyPanel(page, 'Undo').getByRole('button', { name: CHARGE }).waitFor();
    await historyPanel(page, 'Redo').getByText('Nothing to redo.').waitFor();

    const all = await payments();
    expect(all).toHaveLength(2);
    const first = all.find((p) => p.id === firstId);
    const again = all.find((p) => p.id !== firstId);
    expect(first).toMatchObject({ status: 'REFUNDED', refunded_amount: '42.50' });
    expect(again).toMatchObject({
      amount: '42.50',
      currency: 'USD',
      status: 'COMPLETED',
      customer_email: 'ann@example.com',
    });

    await goTo(page, 'Payments');
    const rows = paymentRows(page, 'ann@example.com');
    const statuses = async () =>
      (await rows.allTextContents()).map((text) => /(Completed|Refunded)$/.exec(text)?.[1]).sort();
    await expect.poll(statuses, { timeout: WAIT }).toEqual(['Completed', 'Refunded']);
  });

  it('Ctrl+Z inside the Amount field undoes the typing, not a command', async () => {
    if (!(await page.getByRole('heading', { level: 1, name: 'Payments' }).isVisible())) {
      await goTo(page, 'Payments');
    }
    await dismissToasts(page);
    const historyBefore = await api.get('history/');
    const paymentsBefore = await payments();
    const callsBefore = historyCalls.length;

    const amount = page
      .getByRole('form', { name: 'New payment' })
      .getByLabel('Amount', { exact: true });
    await amount.click();
    await amount.pressSequentially('19.99');
    expect(await amount.inputValue()).toBe('19.99');

    await page.keyboard.press('Control+z');
    // The browser's own text undo took back (some of) the typing.
    const undone = await amount.inputValue();
    expect(undone).not.toBe('19.99');
    expect('19.99'.startsWith(undone)).toBe(true);
    await page.keyboard.press('Control+Shift+Z');
    expect(await amount.inputValue()).toBe('19.99');

    // Nothing reached the history: no request, no toast, the same stacks and payments.
    expect(historyCalls.slice(callsBefore)).toEqual([]);
    expect(await toasts(page, /^(Undid|Redid)/).count()).toBe(0);
    expect(await api.get('history/')).toEqual(historyBefore);
    expect(await payments()).toEqual(paymentsBefore);
    await amount.fill('');
  });

  it('after a restart on the same data directory, Ctrl+Z still undoes', async () => {
    const before = session.served;
    const info = session.info;
    const port = new URL(info.url).port;
    expect(await stop(before)).toBe(0);
    expect(before.output()).toContain('Stopped.');

    // The same port keeps the page's origin, so a reload finds the token in sessionStorage.
    let served = session.serveAgain(port);
    let again: Ready;
    try {
      again = await ready(served);
    } catch (error) {
      if (!/in use/.test(served.output())) throw error;
      console.warn(`port ${port} was taken after the restart: continuing on a new port`);
      served = session.serveAgain(0);
      again = await ready(served);
    }
    // Same data directory, same token file, same token.
    expect(again.tokenFile).toBe(info.tokenFile);
    expect(new URL(again.uiUrl).searchParams.get('token')).toBe(
      new URL(info.uiUrl).searchParams.get('token'),
    );
    if (again.url === info.url) await page.reload();
    else await page.goto(again.uiUrl);
    session.info = again;

    await goTo(page, 'History');
    const redo = historyPanel(page, 'Redo');
    await historyPanel(page, 'Undo').getByRole('button', { name: CHARGE }).waitFor();
    await redo.getByText('Nothing to redo.').waitFor();
    await page.keyboard.press('Control+z');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Enter');
    await seeToast(page, `Undid: ${CHARGE}`);
    await redo.getByRole('button', { name: CHARGE }).waitFor();

    const all = await payments();
    expect(all.map((p) => [p.status, p.refunded_amount])).toEqual([
      ['REFUNDED', '42.50'],
      ['REFUNDED', '42.50'],
    ]);
  });

  it('a monthly subscription is charged when the test clock advances a month', async () => {
    const now: string = (await api.get('clock/')).now;
    // Starts tomorrow: nothing is due until the clock moves.
    const start = utcDate(new Date(Date.parse(now) + 86_400_000).toISOString());

    await goTo(page, 'Subscriptions');
    await page.getByText('No subscriptions yet.').waitFor();
    const form = page.getByRole('form', { name: 'New subscription' });
    await form.getByLabel('Customer email', { exact: true }).fill('bob@example.com');
    await form.getByLabel('Amount', { exact: true }).fill('19.99');
    await form.getByLabel('Currency', { exact: true }).fill('USD');
    await form.getByLabel('Interval', { exact: true }).selectOption({ label: 'Monthly' });
    await form.getByLabel('Interval count', { exact: true }).fill('1');
    await form.getByLabel('Start date', { exact: true }).fill(start);
    await form.getByRole('button', { name: 'Create subscription' }).click();

    await seeToast(page, 'Subscription created: bob@example.com, $19.99 monthly');
    const detail = page.getByRole('region', { name: /^bob@example\.com/ });
    await detail.getByRole('heading', { name: 'bob@example.com Active' }).waitFor();
    await detail.getByText('No charges yet.').waitFor();
    const [sub] = (await api.get('subscriptions/')).results;
    expect(sub).toMatchObject({
      customer_email: 'bob@example.com',
      amount: '19.99',
      interval: 'MONTHLY',
      interval_count: 1,
      status: 'ACTIVE',
      next_payment_date: `${start}T00:00:00.000Z`,
    });

    await goTo(page, 'Scheduler');
    const clockPanel = page.getByRole('region', { name: 'Test clock' });
    await clockPanel.getByText(now).waitFor();
    await clockPanel.getByRole('button', { name: 'Advance 1 month' }).click();
    await seeToast(page, /^Test clock advanced to/);
    const later: string = (await api.get('clock/')).now;
    expect(utcDate(later)).toBe(utcDate(midNextMonth(now)));
    await clockPanel.getByText(later).waitFor();

    // The scheduler catches up at once: the first period's charge appears.
    await goTo(page, 'Subscriptions');
    const charges = detail.getByRole('table').getByRole('row').filter({ hasText: '$19.99' });
    await expect
      .poll(() => charges.allTextContents(), { timeout: WAIT })
      .toEqual([expect.stringMatching(/1\$19\.99Completed$/)]);
    const charged = await api.get(`subscriptions/${sub.id}/`);
    expect(charged.charges).toHaveLength(1);
    expect(charged.charges[0]).toMatchObject({
      amount: '19.99',
      status: 'COMPLETED',
      subscription_id: sub.id,
    });
    // Billed for the first period only; the next one is a month after the start.
    expect(charged.next_payment_date.slice(0, 10)).not.toBe(start);
    expect(charged.next_payment_date > later).toBe(true);
  });

  it('keeps screenshots of the main screens', async () => {
    // Two more payments through the API, so that the screens show some variety.
    const eur = await api.post('payments/process/', {
      amount: '250.00',
      currency: 'EUR',
      customer_email: 'carol@example.com',
      description: 'Consulting, March',
      payment_method: 'pm_card_visa',
    });
    expect(eur.status).toBe('COMPLETED');
    const declined = await api.post('payments/process/', {
      amount: '15.00',
      currency: 'USD',
      customer_email: 'dave@example.com',
      payment_method: 'pm_card_chargeDeclined',
    });
    expect(declined.status).toBe('FAILED');
    await mkdir(SHOTS, { recursive: true });
    const shoot = async (name: string) => {
      await dismissToasts(page);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    };

    await goTo(page, 'Dashboard');
    await page.getByRole('heading', { level: 2, name: 'EUR' }).waitFor();
    await page.getByText('Success rate').waitFor();
    await page.locator('.recharts-surface').first().waitFor(); // the charts have drawn
    await shoot('dashboard');

    await goTo(page, 'Payments');
    await expect.poll(() => paymentRows(page, '@example.com').count(), { timeout: WAIT }).toBe(5);
    await paymentRows(page, 'carol@example.com').click();
    await page.getByRole('heading', { level: 2, name: '€250.00 Completed' }).waitFor();
    await dismissToasts(page);
    await page.screenshot({ path: join(SHOTS, 'readme.png') });
    await shoot('payments');

    await goTo(page, 'Subscriptions');
    await page
      .getByRole('region', { name: /^bob@example\.com/ })
      .getByRole('table')
      .waitFor();
    await shoot('subscriptions');

    await goTo(page, 'Scheduler');
    await page.getByRole('region', { name: 'Test clock' }).waitFor();
    await shoot('scheduler');

    await goTo(page, 'History');
    await historyPanel(page, 'Undo').getByRole('listitem').first().waitFor();
    await shoot('history');

    for (const name of ['dashboard', 'payments', 'subscriptions', 'scheduler', 'history']) {
      expect((await stat(join(SHOTS, `${name}.png`))).size).toBeGreaterThan(10_000);
    }
    // The README's screenshot: the payments screen at 1280×800, small enough to commit.
    const readme = join(SHOTS, 'readme.png');
    expect((await stat(readme)).size).toBeLessThan(300_000);
    if (!existsSync(README_SHOT) || process.env.PAYDESK_UPDATE_SCREENSHOT === '1') {
      await mkdir(join(ROOT, 'docs'), { recursive: true });
      await copyFile(readme, README_SHOT);
    }
  });
});
