// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../src/shared/contract';
import { SCREEN_NAMES, SCREENS } from '../../src/renderer/src/store/navigation';
import { renderApp } from './render-app';

afterEach(cleanup);

const dashboard: Dashboard = {
  currencies: [
    {
      currency: 'USD',
      revenueToday: 12_345,
      refundsToday: 0,
      revenueThisMonth: 1_000_000,
      refundsThisMonth: 500,
      monthlyRecurringRevenue: 19_990,
      daily: [],
    },
    {
      currency: 'JPY',
      revenueToday: 5000,
      refundsToday: 0,
      revenueThisMonth: 5000,
      refundsThisMonth: 0,
      monthlyRecurringRevenue: 0,
      daily: [],
    },
  ],
  periods: {
    today: '2026-03-10',
    month: { from: '2026-03-01', to: '2026-03-10' },
    chart: { from: '2026-02-09', to: '2026-03-10' },
  },
  successRate: 0.875,
  paymentsCount: 42,
  activeSubscriptions: 3,
  failedSubscriptions: 1,
};

describe('Dashboard and live updates', () => {
  it('starts on the Dashboard with an empty state before the first payment', async () => {
    renderApp();
    expect(screen.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(
      within(nav)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(SCREENS.map((s) => SCREEN_NAMES[s]));
    expect(SCREEN_NAMES[SCREENS[0]]).toBe('Dashboard');
    expect(
      within(nav).getByRole('button', { name: 'Dashboard' }).getAttribute('aria-current'),
    ).toBe('page');
    expect(await screen.findByText(/No payments yet/)).toBeTruthy();
  });

  it('shows each currency on its own, formatted for it', async () => {
    renderApp({ dashboard });
    const usd = await screen.findByRole('region', { name: 'USD' });
    // Gross and net (no refunds today).
    expect(within(usd).getAllByText('$123.45')).toHaveLength(2);
    expect(within(usd).getByText('$10,000.00')).toBeTruthy();
    expect(within(usd).getByText('$199.90')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'JPY' })).getAllByText('¥5,000')).toHaveLength(
      4,
    );
    expect(screen.getByText('87.5 %')).toBeTruthy();
  });

  it('refetches the screen shown on a change push, and toasts notices', async () => {
    const { fake } = renderApp({ dashboard });
    await screen.findByRole('region', { name: 'USD' });
    expect(fake.api['dashboard.get']).toHaveBeenCalledTimes(1);
    fake.emit({ type: 'changed', topics: ['history'] });
    fake.emit({ type: 'changed', topics: ['payments'] });
    fake.emit({ type: 'changed', topics: ['payments', 'subscriptions'] });
    await waitFor(() => expect(fake.api['dashboard.get']).toHaveBeenCalledTimes(2));
    expect(fake.api['history.get']).not.toHaveBeenCalled();
    fake.emit({ type: 'notice', level: 'error', message: 'Charge for bo@example.com failed' });
    const toast = await screen.findByText('Charge for bo@example.com failed');
    expect(toast.closest('[role="status"]')).not.toBeNull();
  });

  it('navigates between screens with the nav buttons', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.click(screen.getByRole('button', { name: 'History' }));
    expect(await screen.findByRole('heading', { name: 'Undo history' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Payments' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Payments' })).toBeTruthy();
  });
});
