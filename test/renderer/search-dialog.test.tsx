// @vitest-environment happy-dom
/**
 * The Search dialog (Ctrl/Cmd+K): opens from anywhere, finds payments, customers and
 * subscriptions through search.find and offers commands; arrows and Enter choose, Escape
 * closes and gives the focus back. And the payments filters: what they send to the core.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationInput } from '../../src/shared/contract';
import { makeEntry, makePayment, makeSubscription, withKey } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

const payments = [
  makePayment(1, { customerEmail: 'ann.lee@example.com', amount: 1250 }),
  makePayment(2, { customerEmail: 'bob@shop.io', amount: 500, currency: 'EUR' }),
  makePayment(3, { customerEmail: 'carol@example.org', status: 'FAILED' }),
];

const dialog = (): HTMLElement => screen.getByRole('dialog', { name: 'Search' });
const combobox = (): HTMLElement => within(dialog()).getByRole('combobox');
const activeOption = (): HTMLElement | null => {
  const id = combobox().getAttribute('aria-activedescendant');
  return id === null ? null : document.getElementById(id);
};

describe('Search dialog', () => {
  it('opens with Ctrl+K from anywhere, even a text field, and Escape gives the focus back', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments', payments });
    await screen.findByText('bob@shop.io');
    const customer = screen.getByLabelText('Customer');
    customer.focus();
    await user.keyboard('{Control>}k{/Control}');
    expect(dialog()).toBeTruthy();
    expect(document.activeElement).toBe(combobox());
    expect(combobox().getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Search' })).toBeNull());
    expect(document.activeElement).toBe(customer);
    await user.keyboard('{Meta>}k{/Meta}');
    expect(dialog()).toBeTruthy();
  });

  it('finds a payment by part of its e-mail and opens it with the arrows and Enter', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'dashboard', payments });
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await user.type(combobox(), 'LEE@');
    const option = await within(dialog()).findByRole('option', { name: /\$12\.50 · ann\.lee/ });
    expect(fake.api['search.find']).toHaveBeenLastCalledWith({ text: 'LEE@', limit: 5 });
    expect(within(dialog()).getByRole('group', { name: 'Payments' })).toBeTruthy();
    expect(within(dialog()).getByRole('group', { name: 'Customers' })).toBeTruthy();
    expect(activeOption()).toBe(option);
    expect(option.getAttribute('aria-selected')).toBe('true');
    // Down moves to the customer, Up comes back; Enter opens the payment.
    await user.keyboard('{ArrowDown}');
    expect(activeOption()?.textContent).toMatch(/^ann\.lee@example\.com/);
    await user.keyboard('{ArrowUp}{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Search' })).toBeNull());
    expect(await screen.findByRole('heading', { level: 1, name: 'Payments' })).toBeTruthy();
    expect(await screen.findByRole('region', { name: /\$12\.50/ })).toBeTruthy();
  });

  it('finds a payment by its exact amount, in any currency', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'dashboard', payments });
    await user.keyboard('{Control>}k{/Control}');
    await user.type(combobox(), '5.00');
    expect(await within(dialog()).findByRole('option', { name: /bob@shop\.io/ })).toBeTruthy();
    expect(within(dialog()).queryByRole('option', { name: /carol/ })).toBeNull();
  });

  it('offers commands: screens, Run recurring now, Undo named after what it undoes', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'dashboard',
      payments,
      subscriptions: [makeSubscription(1)],
      undo: [makeEntry('h1', { label: 'Charge 12.50 USD to ann' })],
    });
    await user.keyboard('{Control>}k{/Control}');
    const commands = within(dialog()).getByRole('group', { name: 'Commands' });
    expect(within(commands).getByRole('option', { name: 'Go to Subscriptions' })).toBeTruthy();
    expect(
      await within(commands).findByRole('option', { name: 'Undo Charge 12.50 USD to ann' }),
    ).toBeTruthy();
    expect(within(commands).getByRole('option', { name: 'Export payments as CSV' })).toBeTruthy();

    await user.type(combobox(), 'recurring');
    await waitFor(() => expect(activeOption()?.textContent).toBe('Run recurring now'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(fake.api['scheduler.run']).toHaveBeenCalledWith({}, withKey));

    await user.keyboard('{Control>}k{/Control}');
    await user.type(combobox(), 'undo');
    await waitFor(() => expect(activeOption()?.textContent).toMatch(/^Undo Charge/));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(fake.api['history.undo']).toHaveBeenCalled());
  });

  it('goes to a screen, and wraps around with the arrows', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'dashboard' });
    await user.keyboard('{Control>}k{/Control}');
    await user.type(combobox(), 'go to');
    const options = within(dialog()).getAllByRole('option');
    await user.keyboard('{ArrowUp}');
    expect(activeOption()).toBe(options.at(-1));
    await user.keyboard('{ArrowDown}');
    expect(activeOption()).toBe(options[0]);
    await user.type(combobox(), ' subscr');
    await waitFor(() => expect(activeOption()?.textContent).toBe('Go to Subscriptions'));
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'Subscriptions' })).toBeTruthy();
  });
});

describe('Payments filters', () => {
  type ListInput = OperationInput<'payments.list'>;
  it('send any part of the e-mail, the currency, the amount and date ranges', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', payments });
    await screen.findByText('bob@shop.io');
    const last = (): ListInput => fake.api['payments.list'].mock.calls.at(-1)?.[0] as ListInput;
    const filters = within(screen.getByRole('search', { name: 'Filter payments' }));
    await user.type(filters.getByLabelText('Customer'), 'example');
    await user.type(filters.getByLabelText('Currency'), 'usd');
    await user.type(filters.getByLabelText('Amount from'), '12');
    await user.type(filters.getByLabelText('Amount to'), '12.50');
    await waitFor(() =>
      expect(last()).toMatchObject({
        search: 'example',
        currency: 'USD',
        minAmount: '12',
        maxAmount: '12.50',
      }),
    );
    await waitFor(() => expect(screen.queryByText('carol@example.org')).toBeNull());
    expect(screen.getByText('ann.lee@example.com')).toBeTruthy();

    await user.type(filters.getByLabelText('From'), '2026-03-01');
    await user.type(filters.getByLabelText('To'), '2026-03-10');
    await waitFor(() => expect(last()).toMatchObject({ from: '2026-03-01', to: '2026-03-10' }));

    // An amount that is not one says so and is not sent.
    const calls = fake.api['payments.list'].mock.calls.length;
    await user.clear(filters.getByLabelText('Amount to'));
    await user.type(filters.getByLabelText('Amount to'), '1,5');
    expect(await screen.findByText('Use an amount like 10 or 99.99')).toBeTruthy();
    expect(filters.getByLabelText('Amount to').getAttribute('aria-invalid')).toBe('true');
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.api['payments.list'].mock.calls.length).toBe(calls);

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(screen.getByText('carol@example.org')).toBeTruthy());
    expect((filters.getByLabelText('Customer') as HTMLInputElement).value).toBe('');
  });

  it('sorts by every column header, the second click the other way', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', payments });
    await screen.findByText('bob@shop.io');
    const last = (): ListInput => fake.api['payments.list'].mock.calls.at(-1)?.[0] as ListInput;
    for (const [name, sort] of [
      ['Amount', 'amount'],
      ['Status', 'status'],
      ['Currency', 'currency'],
      ['Customer', 'customerEmail'],
    ] as const) {
      await user.click(screen.getByRole('button', { name }));
      await waitFor(() => expect(last()).toMatchObject({ sort, order: 'asc' }));
      expect(screen.getByRole('columnheader', { name }).getAttribute('aria-sort')).toBe(
        'ascending',
      );
    }
    await user.click(screen.getByRole('button', { name: 'Customer' }));
    await waitFor(() => expect(last()).toMatchObject({ sort: 'customerEmail', order: 'desc' }));
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toMatch(/carol/);
  });
});
