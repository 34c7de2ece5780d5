/**
 * Reading and driving the Paydesk UI in a Playwright page by roles and labels, the way an
 * operator (or a screen reader) finds things: the main navigation, toasts, history panels,
 * the payments grid. Waits are locator waits, never fixed sleeps.
 */
import type { Locator, Page } from 'playwright-core';

export type ScreenName =
  | 'Dashboard'
  | 'Payments'
  | 'Customers'
  | 'Subscriptions'
  | 'Scheduler'
  | 'History'
  | 'Audit log'
  | 'Settings';

/** Click a screen in the main navigation and wait for its heading. */
export async function goTo(page: Page, screen: ScreenName): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: screen, exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: screen, exact: true }).waitFor();
}

/** The notifications (toasts) that contain `text`. */
export const toasts = (page: Page, text: string | RegExp): Locator =>
  page.getByRole('region', { name: 'Notifications' }).getByRole('status').filter({ hasText: text });

/** Wait for a toast containing `text`. */
export async function seeToast(page: Page, text: string | RegExp): Promise<void> {
  await toasts(page, text).first().waitFor();
}

/** Dismiss every toast (they sit over the forms' buttons and would spoil screenshots). */
export async function dismissToasts(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await close.count()) > 0) {
    await close
      .first()
      .click({ timeout: 2_000 })
      .catch(() => undefined); // It may have expired by itself in the meantime.
  }
}

/** "Undo history" or "Redo history". */
export const historyPanel = (page: Page, direction: 'Undo' | 'Redo'): Locator =>
  page.getByRole('region', { name: `${direction} history` });

/** The rows of the payments grid (header row excluded) that contain `text`. */
export const paymentRows = (page: Page, text: string | RegExp): Locator =>
  page
    .getByRole('grid', { name: 'Payments' })
    .getByRole('row')
    .filter({ hasText: text })
    .filter({ has: page.getByRole('gridcell') });
