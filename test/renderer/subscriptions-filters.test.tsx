// @vitest-environment happy-dom
/**
 * The subscriptions list's filters and sorts: a status (or those held for review), any part
 * of the e-mail, sortable headers; the Dashboard's "Past due" shows that view in one click.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dashboard, OperationInput } from '../../src/shared/contract';
import { makeSubscription } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

type ListInput = OperationInput<'subscriptions.list'>;

const subscriptions = [
  makeSubscription(1, { customerEmail: 'ann@example.com', amount: 500 }),
  makeSubscription(2, { customerEmail: 'bob@shop.io', status: 'PAST_DUE', amount: 2500 }),
  makeSubscription(3, {
    customerEmail: 'carol@example.org',
    review: { fromPeriod: 1, toPeriod: 5, markedAt: '2026-03-10T12:00:00.000Z' },
  }),
  makeSubscription(4, { customerEmail: 'dan@x.co', status: 'PAUSED' }),
];

const dashboard: Dashboard = {
  currencies: [],
  periods: {
    today: '2026-03-10',
    month: { from: '2026-03-01', to: '2026-03-10' },
    chart: { from: '2026-02-09', to: '2026-03-10' },
  },
  successRate: 0.9,
  paymentsCount: 10,
  activeSubscriptions: 2,
  failedSubscriptions: 1,
};

function rows(): string[] {
  const table = screen.getByRole('table', { name: 'Subscriptions' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('rowheader')[0]?.textContent ?? '');
}

describe('Subscriptions filters', () => {
  it('shows the past-due ones in one click from the Dashboard', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'dashboard', subscriptions, dashboard });
    await user.click(await screen.findByRole('button', { name: /Past due/ }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Subscriptions' })).toBeTruthy();
    await waitFor(() => expect(rows()).toEqual(['bob@shop.io']));
    const last = fake.api['subscriptions.list'].mock.calls.at(-1)?.[0] as ListInput;
    expect(last).toMatchObject({ status: 'PAST_DUE' });
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('PAST_DUE');
  });

  it('filters by status, held for review, part of the e-mail, and sorts by a header', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions', subscriptions });
    await screen.findByText('dan@x.co');
    const last = (): ListInput =>
      fake.api['subscriptions.list'].mock.calls.at(-1)?.[0] as ListInput;
    await user.selectOptions(screen.getByLabelText('Status'), 'Held for review');
    await waitFor(() => expect(rows()).toEqual(['carol@example.org']));
    expect(last()).toMatchObject({ review: true });
    expect(last()).not.toHaveProperty('status');

    await user.selectOptions(screen.getByLabelText('Status'), 'All');
    await user.type(screen.getByLabelText('Customer'), 'EXAMPLE');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().sort()).toEqual(['ann@example.com', 'carol@example.org']);
    expect(last()).toMatchObject({ search: 'EXAMPLE' });

    await user.click(screen.getByRole('button', { name: 'Amount' }));
    await waitFor(() => expect(last()).toMatchObject({ sort: 'amount', order: 'asc' }));
    expect(screen.getByRole('columnheader', { name: 'Amount' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await waitFor(() => expect(rows()).toEqual(['ann@example.com', 'carol@example.org']));
    await user.click(screen.getByRole('button', { name: 'Amount' }));
    await waitFor(() => expect(rows()).toEqual(['carol@example.org', 'ann@example.com']));
  });
});
