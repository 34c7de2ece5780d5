/**
 * Accessibility end to end: axe-core (the engine of the browsers' own audits) run in
 * headless Chromium on every screen of the navigation, in the light and the dark scheme,
 * with data on the screens (payments of every status with one open, subscriptions past due
 * and with an unpaid period with one open, history entries behind a refund, a run on the
 * Scheduler, a backup in Settings, a confirmation dialog open). Every violation found fails
 * the test, listed with its rule, its screen and the elements concerned. Also checked: the
 * skip link is the first Tab stop, and no chart is an unnamed Tab stop.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAxe } from './helpers/axe';
import { skipWithoutBrowser } from './helpers/browser';
import { openSession, WAIT, type Session } from './helpers/session';

const e2e = describe.skipIf(skipWithoutBrowser());

/** What axe reports of one violation, kept short enough to read in a failure. */
interface Finding {
  screen: string;
  rule: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page as it is now. */
async function axe(page: Page, screen: string): Promise<Finding[]> {
  return (await runAxe(page)).map((v) => ({
    screen,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes
      .slice(0, 5)
      .map((n) => `${n.target.join(' ')}${n.failureSummary ? `: ${n.failureSummary}` : ''}`),
  }));
}

e2e('accessibility (axe-core) on every screen, light and dark', { timeout: 240_000 }, () => {
  let session: Session;
  /** Per scheme, per screen: the violations found (shown by the report test at the end). */
  const found: Finding[] = [];
  /** One line per screen and scheme: the rules it breaks, or none (printed at the end). */
  const summary: string[] = [];

  beforeAll(async () => {
    session = await openSession({
      name: 'a11y',
      seed: 3,
      // Subscriptions (no payment method) fail often: some are past due.
      successRate: 0.3,
      latencyMs: 0,
    });
    await seed(session);
  }, 300_000);

  afterAll(async () => {
    if (summary.length > 0) console.log(`axe-core violations per screen:\n${summary.join('\n')}`);
    await session?.close();
  });

  /** Data on every screen: payments of each kind, subscriptions in trouble, history. */
  async function seed({ api }: Session): Promise<void> {
    const pay = (amount: string, email: string, method: string, currency = 'USD') =>
      api.post('payments/process/', {
        amount,
        currency,
        customer_email: email,
        payment_method: method,
        description: 'Annual plan',
      });
    const first = await pay('42.50', 'ann@example.com', 'pm_card_visa');
    await pay('19.99', 'bob@example.com', 'pm_card_chargeDeclined');
    await pay('7.00', 'tim@example.com', 'pm_card_timeoutAfterCharge');
    await pay('1200', 'yen@example.com', 'pm_card_visa', 'JPY');
    await api.post(`payments/${first.id}/refund/`, { amount: '10.00' });
    await pay('12.00', 'cy@example.com', 'pm_card_visa');
    const subs = [];
    for (let i = 0; i < 8; i++) {
      subs.push(
        await api.post('subscriptions/', {
          customer_email: `member${i}@example.com`,
          amount: '45.00',
          currency: 'USD',
          interval: 'MONTHLY',
          interval_count: i % 2 === 0 ? 1 : 3,
        }),
      );
    }
    await api.post('scheduler/run/', {});
    const pastDue = (await api.get('subscriptions/?status=PAST_DUE')).results;
    if (pastDue.length > 0) {
      // One past-due subscription paused and resumed later: its failed period stays unpaid.
      await api.post(`subscriptions/${pastDue[0].id}/pause/`, {});
      await api.post('clock/advance/', { seconds: 40 * 86_400 });
      await api.post(`subscriptions/${pastDue[0].id}/resume/`, {});
    }
    await pay('30.00', 'dee@example.com', 'pm_card_visa');
    // Settings lists it (Backups).
    await api.post('backup/');
  }

  /** Waits until the screen shows its data (or its empty state), not a loading state. */
  async function settle(page: Page, screen: string): Promise<void> {
    await page.getByRole('heading', { level: 1, name: screen, exact: true }).waitFor();
    const main = page.getByRole('main');
    if (screen === 'Dashboard') await main.getByRole('region', { name: 'USD' }).waitFor();
    if (screen === 'Payments') {
      await main.getByText('ann@example.com').first().waitFor();
      await main.getByText('ann@example.com').first().click();
      await main.getByRole('heading', { name: 'Timeline' }).waitFor();
    }
    if (screen === 'Subscriptions') {
      const unpaid = main.getByText(/unpaid period/).first();
      const target = (await unpaid.count()) > 0 ? unpaid : main.getByText(/member\d@/).first();
      await target.waitFor();
      await main
        .getByRole('button', { name: /^member\d@example\.com$/ })
        .first()
        .click();
      await main.getByRole('heading', { name: 'Charges' }).waitFor();
    }
    if (screen === 'History') {
      await main
        .getByRole('region', { name: 'Undo history' })
        .getByRole('listitem')
        .first()
        .waitFor();
    }
    if (screen === 'Settings') {
      await main.getByRole('table', { name: 'Backups, newest first' }).waitFor();
    }
    if (screen === 'Scheduler')
      await main
        .getByText(/attempted/)
        .first()
        .waitFor();
    // Whatever else loads (a lazy chart, a list): no loading state left.
    await expect.poll(async () => page.getByText(/^Loading/).count(), { timeout: WAIT }).toBe(0);
  }

  /** axe-core's findings on the page as it is now, each a `screen`'s; a line of the summary. */
  async function audit(page: Page, screen: string): Promise<Finding[]> {
    const findings = await axe(page, screen);
    summary.push(`${screen}: ${findings.map((f) => f.rule).join(', ') || 'none'}`);
    return findings;
  }

  async function openPage(
    scheme: 'light' | 'dark',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const page = await session.openPage({
      viewport: { width: 1280, height: 900 },
      colorScheme: scheme,
      // The page's CSP allows only its own scripts: axe is injected by the test.
      bypassCSP: true,
    });
    return { context: page.context(), page };
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no violation on any screen (${scheme})`, async () => {
      const { context, page } = await openPage(scheme);
      try {
        const nav = page.getByRole('navigation', { name: 'Main' });
        const screens = await nav.getByRole('button').allTextContents();
        expect(screens.length).toBeGreaterThanOrEqual(5);
        for (const screen of screens) {
          await nav.getByRole('button', { name: screen, exact: true }).click();
          await settle(page, screen);
          found.push(...(await audit(page, `${screen} (${scheme})`)));
        }
        // A confirmation dialog: undo of the newest command.
        await nav.getByRole('button', { name: 'History', exact: true }).click();
        await settle(page, 'History');
        await page.keyboard.press('Control+z');
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        found.push(...(await audit(page, `Undo confirmation (${scheme})`)));
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        // The search dialog (Ctrl+K), with something typed in it.
        await page.keyboard.press('Control+k');
        const search = page.getByRole('dialog');
        if (
          await search.waitFor({ timeout: 3_000 }).then(
            () => true,
            () => false,
          )
        ) {
          await page.keyboard.type('ann');
          await page.waitForTimeout(500); // its results come as you type
          found.push(...(await audit(page, `Search dialog (${scheme})`)));
          await page.keyboard.press('Escape');
        }
      } finally {
        await context.close();
      }
      const here = found.filter((f) => f.screen.endsWith(`(${scheme})`));
      expect(here, JSON.stringify(here, null, 2)).toEqual([]);
    });
  }

  it('finds no violation when the page asks for its access token', async () => {
    const { browser, info } = session;
    const context = await browser.newContext({ bypassCSP: true, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      const bare = new URL(info.uiUrl);
      bare.searchParams.delete('token');
      await page.goto(bare.href);
      await page.getByRole('textbox', { name: 'Access token' }).waitFor();
      const findings = await audit(page, 'Access token (dark)');
      expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('starts with a skip link, and no chart is an unnamed Tab stop', async () => {
    const { context, page } = await openPage('light');
    try {
      await page.keyboard.press('Tab');
      const first = (await page.evaluate(
        '[document.activeElement.tagName, document.activeElement.textContent]',
      )) as [string, string];
      expect(first).toEqual(['A', 'Skip to main content']);
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
      await page
        .getByRole('main')
        .getByRole('img', { name: /Gross revenue per day in USD/ })
        .waitFor();
      expect(await page.locator('[role="application"]').count()).toBe(0);
      expect(await page.locator('.chart [tabindex="0"], .chart svg[tabindex]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
