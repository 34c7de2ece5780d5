// @vitest-environment happy-dom
/**
 * "The operator's day" in the UI: one wording of a run's counts, the subscription form's
 * limits and warnings, undo that moves money confirmed with its total, the failed period of
 * a resumed subscription, the charge detail of a subscription charge, and the connection.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEntry, makePayment, makeSubscription, withKey } from './fake-transport';
import { renderApp } from './render-app';
import type { Dashboard } from '../../src/shared/contract';
import { intervalText } from '../../src/renderer/src/lib/format';

afterEach(cleanup);

describe('a run’s counts read the same everywhere', () => {
  it('on the Scheduler screen and in the toast of "Run recurring now"', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'scheduler' });
    fake.db.scheduler = {
      ...fake.db.scheduler,
      lastRunAt: '2026-03-10T11:00:00.000Z',
      lastRun: { charged: 4, succeeded: 2, failed: 2 },
    };
    fake.reply('scheduler.run', () => ({
      ok: true,
      data: {
        charged: 3,
        succeeded: 2,
        failed: 1,
        payments: [makePayment(1), makePayment(2), makePayment(3, { status: 'FAILED' })],
      },
    }));
    await screen.findByText('Running');
    fake.emit({ type: 'changed', topics: ['scheduler'] });
    expect(await screen.findByText(/4 attempted, 2 succeeded, 2 failed/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Run recurring now' }));
    expect(
      await screen.findByText('Recurring run: 3 attempted, 2 succeeded, 1 failed'),
    ).toBeTruthy();
  });
});

describe('interval words', () => {
  it('are the shared ones, capitalized to stand alone', () => {
    expect(intervalText('MONTHLY', 3)).toBe('Every 3 months');
    expect(intervalText('MONTHLY', 1)).toBe('Monthly');
  });
});

describe('the New subscription form', () => {
  it('refuses an interval count the core refuses, as you type', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions' });
    const count = await screen.findByLabelText('Interval count');
    expect(count.getAttribute('max')).toBe('36');
    await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Amount'), '45');
    await user.clear(count);
    await user.type(count, '40');
    await user.click(screen.getByRole('button', { name: 'Create subscription' }));
    await waitFor(() => expect(count.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(`${count.id}-error`)?.textContent).toMatch(/at most 36/);
    expect(fake.api['subscriptions.create']).not.toHaveBeenCalled();
    await user.selectOptions(screen.getByLabelText('Interval'), 'WEEKLY');
    await waitFor(() => expect(count.getAttribute('aria-invalid')).toBeNull());
    expect(count.getAttribute('max')).toBe('156');
  });

  it('tells the start date as the app writes dates', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'subscriptions' });
    await user.type(await screen.findByLabelText('Start date'), '2027-01-31');
    const start = screen.getByLabelText('Start date');
    const hint = document.getElementById(`${start.id}-hint`);
    await waitFor(() => expect(hint?.textContent).toMatch(/Starts 31 Jan 2027/));
  });

  it('warns of a start date in the past with the first charge that will happen', async () => {
    const user = userEvent.setup();
    // The core's clock (a test clock here), not the machine's, says what is past.
    renderApp({ screen: 'subscriptions', clock: 'test', now: '2026-03-10T12:00:00.000Z' });
    await user.type(await screen.findByLabelText('Start date'), '2026-01-31');
    const warning = await screen.findByText(/is in the past/);
    expect(warning.textContent).toMatch(/31 Jan 2026 is in the past/);
    expect(warning.textContent).toMatch(/first charge is on 31 Mar 2026/);
    const start = screen.getByLabelText('Start date');
    expect(start.getAttribute('aria-describedby')).toContain(warning.id);
  });
});

describe('the detail of a subscription charge', () => {
  const at = '2026-03-10T11:00:00.000Z';
  const charge = makePayment(7, {
    subscriptionId: 'sub_1',
    period: 18,
    description: 'Subscription sub_1, period 19',
    paymentMethod: null,
    events: [
      { type: 'created', at },
      { type: 'charge_attempted', at },
      { type: 'timed_out', at },
      { type: 'succeeded', at, transactionId: 'tx_7' },
      { type: 'reconciled', at, outcome: 'COMPLETED' },
    ],
  });

  it('links its subscription, tells its period whole, and names no "none" method', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments', payments: [charge], subscriptions: [makeSubscription(1)] });
    const { selectPayment } = await import('../../src/renderer/src/store/payments');
    selectPayment(charge.id);
    const detail = await screen.findByRole('region', { name: /\$10\.07/ });
    expect(within(detail).queryByText('none')).toBeNull();
    const period = within(detail).getByText('Period').nextElementSibling;
    expect(period?.textContent).toBe('19');
    expect(period?.className ?? '').not.toMatch(/mono/);
    await user.click(within(detail).getByRole('button', { name: /sub_1/ }));
    await screen.findByRole('heading', { name: 'Subscriptions', level: 1 });
    expect(await screen.findByRole('region', { name: /member1@example\.com/ })).toBeTruthy();
  });

  it('tells a time-out, and that the outcome was learnt by looking the charge up', async () => {
    renderApp({ screen: 'payments', payments: [charge] });
    const { selectPayment } = await import('../../src/renderer/src/store/payments');
    selectPayment(charge.id);
    const timeline = await screen.findByRole('list', { name: 'Event timeline' });
    const items = within(timeline)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items.some((t) => /Timed out/.test(t ?? ''))).toBe(true);
    expect(items.some((t) => /learnt by looking the charge up/.test(t ?? ''))).toBe(true);
  });
});

describe('undo and redo that move money', () => {
  const undo = [
    makeEntry('u3', { label: 'Charge $5.00 to bo@example.com', movesMoney: true }),
    makeEntry('u2', { label: 'Charge $20.00 to ann@example.com', movesMoney: true }),
    makeEntry('u1', { label: 'Pause sub for cy@example.com' }),
  ];
  const redo = [
    makeEntry('r1', { label: 'Charge $7.00 to di@example.com (older)', movesMoney: true }),
    makeEntry('r2', { label: 'Charge $8.00 to ed@example.com (newer)', movesMoney: true }),
  ];
  const money = {
    u3: [{ currency: 'USD', amount: 500 }],
    u2: [{ currency: 'USD', amount: 2000 }],
    r1: [{ currency: 'USD', amount: 700 }],
    r2: [{ currency: 'EUR', amount: 800 }],
  };

  it('Ctrl+Z asks first, with the amount; Enter confirms', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo, redo, money });
    await screen.findByRole('heading', { name: 'Dashboard', level: 1 });
    await user.keyboard('{Control>}z{/Control}');
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/\$5\.00/);
    expect(dialog.textContent).toMatch(/refunded/);
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
    expect(document.activeElement?.textContent).toBe('Undo');
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith(
        expect.objectContaining({ toId: 'u3' }),
        withKey,
      ),
    );
  });

  it('the Undo of a toast asks first too', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'payments',
      money: { h_1: [{ currency: 'USD', amount: 1250 }] },
    });
    await user.type(await screen.findByLabelText('Amount'), '12.50');
    await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const toast = (await screen.findByText('Charged $12.50 to ann@example.com')).closest(
      '[role="status"]',
    ) as HTMLElement;
    await user.click(within(toast).getByRole('button', { name: 'Undo' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/\$12\.50/);
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
  });

  it('several steps show the total that will move', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'history', undo, redo, money });
    await user.click(await screen.findByRole('button', { name: /Pause sub for cy/ }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/Undo 3 commands/);
    expect(dialog.textContent).toMatch(/2 charges/);
    expect(dialog.textContent).toMatch(/\$25\.00/);
  });

  it('the Redo dialog lists in the order it redoes, and says so', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'history', undo, redo, money });
    await user.click(await screen.findByRole('button', { name: /ed@example\.com/ }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).not.toMatch(/newest first/);
    expect(dialog.textContent).toMatch(/oldest first/);
    const items = within(dialog)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([redo[0]!.label, redo[1]!.label]);
    expect(dialog.textContent).toMatch(/\$7\.00/);
    expect(dialog.textContent).toMatch(/€8\.00/);
  });
});

describe('a failed period left behind by a resume', () => {
  const sub = makeSubscription(1, { unpaidPeriods: [0], nextPeriod: 2 });

  it('stays in sight, with "Retry now" and "Forgive"', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions', subscriptions: [sub] });
    const row = (await screen.findByRole('button', { name: 'member1@example.com' })).closest('tr');
    expect(row?.textContent).toMatch(/1 unpaid period/);
    await user.click(screen.getByRole('button', { name: 'member1@example.com' }));
    const detail = await screen.findByRole('region', { name: /member1@example\.com/ });
    const notice = within(detail).getByRole('group', { name: /Period 1 was not paid/ });
    await user.click(within(notice).getByRole('button', { name: 'Retry now' }));
    await waitFor(() =>
      expect(fake.api['subscriptions.retryFailed']).toHaveBeenCalledWith(
        { id: 'sub_1', period: 0 },
        withKey,
      ),
    );
    expect(await screen.findByText(/Period 1 of member1@example\.com paid/)).toBeTruthy();
  });

  it('"Forgive" gives it up', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions', subscriptions: [sub] });
    await user.click(await screen.findByRole('button', { name: 'member1@example.com' }));
    const detail = await screen.findByRole('region', { name: /member1@example\.com/ });
    await user.click(within(detail).getByRole('button', { name: 'Forgive' }));
    await waitFor(() =>
      expect(fake.api['subscriptions.forgiveFailed']).toHaveBeenCalledWith(
        { id: 'sub_1', period: 0 },
        withKey,
      ),
    );
    expect(await screen.findByText(/Period 1 of member1@example\.com forgiven/)).toBeTruthy();
  });
});

describe('the Dashboard', () => {
  const dashboard: Dashboard = {
    currencies: [
      {
        currency: 'USD',
        revenueToday: 8800,
        refundsToday: 4400,
        revenueThisMonth: 20_000,
        refundsThisMonth: 4400,
        monthlyRecurringRevenue: 4500,
        daily: [],
      },
    ],
    periods: {
      today: '2026-03-10',
      month: { from: '2026-03-01', to: '2026-03-10' },
      chart: { from: '2026-02-09', to: '2026-03-10' },
    },
    successRate: 0.5,
    paymentsCount: 4,
    activeSubscriptions: 2,
    failedSubscriptions: 1,
  };

  it('shows gross, refunds and net for each period, with its dates', async () => {
    renderApp({ dashboard });
    const usd = await screen.findByRole('region', { name: 'USD' });
    const today = within(usd).getByRole('group', { name: /Today, 10 Mar 2026/ });
    expect(within(today).getByText('Gross').nextElementSibling?.textContent).toBe('$88.00');
    expect(within(today).getByText('Refunds').nextElementSibling?.textContent).toBe('−$44.00');
    expect(within(today).getByText('Net').nextElementSibling?.textContent).toBe('$44.00');
    const month = within(usd).getByRole('group', { name: /This month, 1–10 Mar 2026/ });
    expect(within(month).getByText('Net').nextElementSibling?.textContent).toBe('$156.00');
    expect(usd.textContent).toMatch(/9 Feb – 10 Mar 2026/);
  });

  it('says which figures are all time, and that past-due ones are not active', async () => {
    renderApp({ dashboard });
    await screen.findByRole('region', { name: 'USD' });
    expect(screen.getByText(/Success rate, all time/)).toBeTruthy();
    expect(screen.getByText(/Payments, all time/)).toBeTruthy();
    expect(screen.getByText('Active subscriptions')).toBeTruthy();
    expect(screen.getByText('Past due')).toBeTruthy();
  });

  it('links its figures to the lists they count', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ dashboard });
    await user.click(await screen.findByRole('button', { name: /Payments, all time/ }));
    await screen.findByRole('heading', { name: 'Payments', level: 1 });
    await user.click(screen.getByRole('button', { name: 'Dashboard' }));
    await user.click(await screen.findByRole('button', { name: /Success rate/ }));
    await screen.findByRole('heading', { name: 'Payments', level: 1 });
    await waitFor(() =>
      expect(fake.api['payments.list']).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: 'FAILED' }),
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Dashboard' }));
    await user.click(await screen.findByRole('button', { name: /Active subscriptions/ }));
    await screen.findByRole('heading', { name: 'Subscriptions', level: 1 });
  });
});
