// @vitest-environment happy-dom
/**
 * The Customers screen over the fake transport: the list with its totals in one currency,
 * sorting by a column's header (aria-sort follows), the currency, the search field, pages,
 * a customer's page with the timeline, and New payment / New subscription opening those
 * forms with the customer's e-mail filled in.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payment } from '../../src/shared/domain';
import { makePayment, makeSubscription } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

const declined = {
  status: 'FAILED',
  transactionId: null,
  failureCode: 'card_declined',
  failureMessage: 'Your card was declined.',
} as const;

/** ann (USD, and a EUR subscription under another case), bob (USD, EUR), cy (GBP). */
function shop(): { payments: Payment[]; subscriptions: ReturnType<typeof makeSubscription>[] } {
  return {
    payments: [
      makePayment(1, { customerEmail: 'ann@example.com', amount: 2500 }),
      makePayment(2, {
        customerEmail: 'ann@example.com',
        amount: 1000,
        refundedAmount: 1000,
        status: 'REFUNDED',
      }),
      makePayment(3, { customerEmail: 'ann@example.com', amount: 700, ...declined }),
      makePayment(4, { customerEmail: 'bob@example.com', amount: 9900 }),
      makePayment(5, { customerEmail: 'bob@example.com', amount: 5000, currency: 'EUR' }),
      makePayment(6, { customerEmail: 'cy@example.org', amount: 300, currency: 'GBP' }),
    ],
    subscriptions: [makeSubscription(1, { customerEmail: 'ANN@example.com' })],
  };
}

const emails = (): string[] =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('button')[0]?.textContent ?? '');

const header = (name: string): HTMLElement =>
  screen.getByRole('button', { name }).closest('th') as HTMLElement;

function rowOf(email: string): HTMLElement {
  return screen.getByRole('button', { name: email }).closest('tr') as HTMLElement;
}

describe('Customers screen', () => {
  it('lists each customer once with totals in the most used currency, by net, largest first', async () => {
    renderApp({ screen: 'customers', ...shop() });
    await screen.findByRole('button', { name: 'ann@example.com' });
    expect(emails()).toEqual(['bob@example.com', 'ann@example.com', 'cy@example.org']);
    expect(header('Net').getAttribute('aria-sort')).toBe('descending');
    expect(header('Charged').getAttribute('aria-sort')).toBeNull();
    expect((screen.getByRole('combobox', { name: 'Currency' }) as HTMLSelectElement).value).toBe(
      'USD',
    );
    const ann = within(rowOf('ann@example.com'));
    // Charged 25.00 + 10.00, refunded 10.00; the declined 7.00 is a failed charge.
    expect(ann.getByText('$35.00')).toBeTruthy();
    expect(ann.getAllByText('$10.00')).toHaveLength(1);
    expect(ann.getByText('$25.00')).toBeTruthy();
    expect(ann.getByText('Also in EUR')).toBeTruthy();
    const cells = ann.getAllByRole('cell').map((c) => c.textContent);
    expect(cells[3]).toBe('1'); // active subscriptions
    expect(cells[5]).toBe('1'); // failed charges
    // cy pays in GBP only: nothing in USD.
    expect(within(rowOf('cy@example.org')).getAllByText('—').length).toBeGreaterThan(0);
    expect(screen.getByText('3 customers')).toBeTruthy();
  });

  it('sorts by a column when its header is clicked, and reverses it on a second click', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'customers', ...shop() });
    await screen.findByRole('button', { name: 'ann@example.com' });
    await user.click(screen.getByRole('button', { name: 'Customer' }));
    await waitFor(() => expect(header('Customer').getAttribute('aria-sort')).toBe('ascending'));
    expect(header('Net').getAttribute('aria-sort')).toBeNull();
    expect(fake.api['customers.list']).toHaveBeenLastCalledWith(
      expect.objectContaining({ sort: 'email', order: 'asc', offset: 0 }),
    );
    expect(emails()).toEqual(['ann@example.com', 'bob@example.com', 'cy@example.org']);
    await user.click(screen.getByRole('button', { name: 'Customer' }));
    await waitFor(() => expect(header('Customer').getAttribute('aria-sort')).toBe('descending'));
    expect(emails()).toEqual(['cy@example.org', 'bob@example.com', 'ann@example.com']);
    await user.click(screen.getByRole('button', { name: 'Failed charges' }));
    await waitFor(() =>
      expect(header('Failed charges').getAttribute('aria-sort')).toBe('descending'),
    );
    expect(emails()[0]).toBe('ann@example.com');
  });

  it('shows and sorts the amounts in the currency picked', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'customers', ...shop() });
    await screen.findByRole('button', { name: 'ann@example.com' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Currency' }), 'EUR');
    // Charged and net.
    await waitFor(() =>
      expect(within(rowOf('bob@example.com')).getAllByText('€50.00')).toHaveLength(2),
    );
    expect(fake.api['customers.list']).toHaveBeenLastCalledWith(
      expect.objectContaining({ currency: 'EUR', sort: 'net' }),
    );
    expect(emails()[0]).toBe('bob@example.com');
  });

  it('searches by any part of the e-mail', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'customers', ...shop() });
    await screen.findByRole('button', { name: 'ann@example.com' });
    const search = screen.getByRole('searchbox', { name: 'Search customers' });
    await user.type(search, 'EXAMPLE.org');
    await waitFor(() => expect(emails()).toEqual(['cy@example.org']));
    expect(fake.api['customers.list']).toHaveBeenLastCalledWith(
      expect.objectContaining({ search: 'EXAMPLE.org', offset: 0 }),
    );
    await user.clear(search);
    await user.type(search, 'zzz');
    expect(await screen.findByText("No customer's e-mail contains “zzz”.")).toBeTruthy();
  });

  it('moves through pages of 50', async () => {
    const user = userEvent.setup();
    const payments = Array.from({ length: 120 }, (_, i) =>
      makePayment(i, { customerEmail: `c${String(i).padStart(3, '0')}@example.com` }),
    );
    const { fake } = renderApp({ screen: 'customers', payments });
    await screen.findByText('1–50 of 120');
    expect(screen.getByRole('button', { name: 'Previous page' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('51–100 of 120');
    expect(fake.api['customers.list']).toHaveBeenLastCalledWith(
      expect.objectContaining({ offset: 50, limit: 50 }),
    );
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('101–120 of 120');
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);
  });

  it("opens a customer's page: totals per currency and one timeline, newest first", async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'customers', ...shop() });
    await user.click(await screen.findByRole('button', { name: 'ann@example.com' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'ann@example.com' })).toBeTruthy();
    expect(fake.api['customers.get']).toHaveBeenCalledWith({ email: 'ann@example.com' });
    const totals = await screen.findByRole('table', { name: 'Totals per currency' });
    const usd = within(totals).getByRole('row', { name: /USD/ });
    expect(within(usd).getByText('$35.00')).toBeTruthy();
    expect(within(usd).getByText('$25.00')).toBeTruthy();
    const eur = within(totals).getByRole('row', { name: /EUR/ });
    expect(within(eur).getByText('€19.99')).toBeTruthy(); // its monthly recurring revenue
    const items = within(screen.getByRole('list', { name: 'Timeline' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^.*Payment of \$25\.00.*Completed/),
      expect.stringMatching(/Payment of \$10\.00.*Refunded/),
      expect.stringMatching(/Payment of \$7\.00.*Failed.*Your card was declined\./),
      expect.stringMatching(/Subscription started: €19\.99 monthly.*Active/),
    ]);
    await user.click(screen.getByRole('button', { name: 'All customers' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Customers' })).toBeTruthy();
  });

  it('opens the New payment form with the e-mail filled in', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'customers', ...shop() });
    await user.click(await screen.findByRole('button', { name: 'bob@example.com' }));
    await user.click(await screen.findByRole('button', { name: 'New payment' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Payments' })).toBeTruthy();
    const form = screen.getByRole('form', { name: 'New payment' });
    await waitFor(() =>
      expect(within(form).getByRole('textbox', { name: 'Customer email' })).toHaveProperty(
        'value',
        'bob@example.com',
      ),
    );
    expect(document.activeElement).toBe(within(form).getByRole('textbox', { name: 'Amount' }));
  });

  it('opens the New subscription form with the e-mail filled in', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'customers', ...shop() });
    await user.click(await screen.findByRole('button', { name: 'cy@example.org' }));
    await user.click(await screen.findByRole('button', { name: 'New subscription' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Subscriptions' })).toBeTruthy();
    const form = screen.getByRole('form', { name: 'New subscription' });
    await waitFor(() =>
      expect(within(form).getByRole('textbox', { name: 'Customer email' })).toHaveProperty(
        'value',
        'cy@example.org',
      ),
    );
  });

  it('shows the empty state', async () => {
    renderApp({ screen: 'customers' });
    expect(await screen.findByText(/No customers yet/)).toBeTruthy();
  });
});
