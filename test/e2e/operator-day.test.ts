/**
 * End to end, what only a real layout shows: toasts never cover the forms' buttons (a toast
 * pauses while hovered, so one over "Process payment" kept it unclickable for seconds), and
 * the History with many entries is one scroll area (the wheel past its end never scrolls the
 * window into blank space, the header out of sight).
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from './helpers/browser';
import type { RestClient } from './helpers/serve';
import { openSession, type Session } from './helpers/session';
import { goTo, seeToast } from './helpers/ui';

const e2e = describe.skipIf(skipWithoutBrowser());

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The boxes of the toasts shown now. */
async function toastBoxes(page: Page): Promise<Box[]> {
  const toasts = page.getByRole('region', { name: 'Notifications' }).getByRole('status');
  const boxes: Box[] = [];
  for (const toast of await toasts.all()) {
    const box = await toast.boundingBox();
    if (box) boxes.push(box);
  }
  return boxes;
}

async function expectClearOfToasts(page: Page, button: Locator): Promise<void> {
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  expect(box).not.toBeNull();
  const boxes = await toastBoxes(page);
  expect(boxes.length).toBeGreaterThan(0);
  for (const toast of boxes) expect(overlaps(toast, box as Box)).toBe(false);
  // And the pointer reaches it: nothing lies on top of it.
  await button.click({ trial: true, timeout: 2_000 });
}

e2e('the operator’s day: layout', { timeout: 120_000 }, () => {
  let session: Session;
  let api: RestClient;
  let page: Page;

  beforeAll(async () => {
    session = await openSession({ name: 'day', seed: 1, successRate: 1, latencyMs: 0 });
    ({ api } = session);
    page = await session.openPage({ viewport: { width: 1280, height: 720 } });
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  it('keeps toasts clear of "Process payment" and "Create subscription"', async () => {
    await goTo(page, 'Payments');
    const form = page.getByRole('form', { name: 'New payment' });
    const process = form.getByRole('button', { name: 'Process payment' });
    for (let i = 0; i < 3; i++) {
      await form.getByLabel('Amount', { exact: true }).fill('12.00');
      await form.getByLabel('Currency', { exact: true }).fill('USD');
      await form.getByLabel('Customer email', { exact: true }).fill('toast@example.com');
      // The pointer stays on the button for the next submit, as an operator's does.
      await process.click({ timeout: 2_000 });
      await seeToast(page, 'Charged $12.00 to toast@example.com');
    }
    await expectClearOfToasts(page, process);

    await goTo(page, 'Subscriptions');
    const subscription = page.getByRole('form', { name: 'New subscription' });
    await subscription.getByLabel('Customer email', { exact: true }).fill('toast@example.com');
    await subscription.getByLabel('Amount', { exact: true }).fill('9.00');
    const create = subscription.getByRole('button', { name: 'Create subscription' });
    await create.click({ timeout: 2_000 });
    await seeToast(page, 'Subscription created');
    await expectClearOfToasts(page, create);
  });

  it('scrolls the History in one area: the window never scrolls past the end', async () => {
    // ~70 entries, the oldest out of reach behind a refund (their hidden note included).
    const first = await api.post('payments/process/', {
      amount: '5.00',
      currency: 'USD',
      customer_email: 'early@example.com',
    });
    for (let i = 0; i < 30; i++) {
      await api.post('payments/process/', {
        amount: '1.00',
        currency: 'USD',
        customer_email: `old${i}@example.com`,
      });
    }
    await api.post(`payments/${first.id}/refund/`, {});
    for (let i = 0; i < 36; i++) {
      await api.post('payments/process/', {
        amount: '2.00',
        currency: 'USD',
        customer_email: `new${i}@example.com`,
      });
    }
    await goTo(page, 'History');
    await page
      .getByRole('region', { name: 'Undo history' })
      .getByText('Cannot be undone')
      .first()
      .waitFor();
    const main = page.getByRole('main');
    await main.hover();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 1500);
    await expect
      .poll(() => main.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 1))
      .toBe(true);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 1500);
    // A string: the test's own types know no DOM.
    const scroll = (await page.evaluate(`({
      window: window.scrollY,
      document: document.scrollingElement.scrollHeight,
      viewport: window.innerHeight,
    })`)) as { window: number; document: number; viewport: number };
    expect(scroll.window).toBe(0);
    expect(scroll.document).toBeLessThanOrEqual(scroll.viewport);
    const header = await page.getByRole('banner').boundingBox();
    expect(header?.y).toBe(0);
  });
});
