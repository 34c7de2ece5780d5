// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationInput } from '../../src/shared/contract';
import { makePayment, withKey } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

type ListInput = OperationInput<'payments.list'>;

function listCalls(fake: ReturnType<typeof renderApp>['fake']): ListInput[] {
  return fake.api['payments.list'].mock.calls.map((c) => c[0]);
}

function dataRows(): HTMLElement[] {
  const grid = screen.getByRole('grid', { name: 'Payments' });
  return within(grid)
    .getAllByRole('row')
    .filter((r) => r.getAttribute('aria-rowindex') !== '1');
}

describe('Payments table', () => {
  it('fetches pages as rows come into view, never the whole list of 100,000', async () => {
    const { fake } = renderApp({ screen: 'payments', payments: 100_000 });
    await screen.findByText('customer0@example.com');
    expect(screen.getByText('100,000 payments')).toBeTruthy();
    const rows = dataRows();
    // Only the rows in view (600px / 40px) plus overscan exist in the DOM.
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(within(rows[0] as HTMLElement).getByText('$10.00')).toBeTruthy();
    expect(within(rows[0] as HTMLElement).getByText('Completed')).toBeTruthy();
    expect(listCalls(fake)).toEqual([{ offset: 0, limit: 100, order: 'desc' }]);

    // The grid is the scroll area (its header row, 40px, sticks above the rows).
    const grid = screen.getByRole('grid', { name: 'Payments' });
    grid.scrollTop = 40 + 50_000 * 40;
    fireEvent.scroll(grid);
    await screen.findByText('customer50000@example.com');
    const offsets = listCalls(fake).map((c) => c.offset);
    expect(offsets).toContain(50_000);
    expect(listCalls(fake).every((c) => (c.limit ?? 0) <= 100)).toBe(true);
    expect(offsets.length).toBeLessThan(5);
    expect(dataRows()[0]?.getAttribute('aria-rowindex')).not.toBe('2');
  });

  it('shows the empty state when there are no payments', async () => {
    renderApp({ screen: 'payments', payments: [] });
    expect(await screen.findByText(/No payments yet/)).toBeTruthy();
  });

  it('shows an error with a retry when the list fails', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', payments: [makePayment(1)] });
    fake.reply('payments.list', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'Cannot reach the core' },
    }));
    expect(await screen.findByText('Cannot reach the core')).toBeTruthy();
    fake.reply('payments.list', (input) => ({
      ok: true,
      data: { total: 1, offset: input.offset ?? 0, limit: 100, items: [makePayment(1)] },
    }));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('customer1@example.com')).toBeTruthy();
  });

  it('filters by status and customer, and toggles the date order', async () => {
    const user = userEvent.setup();
    const payments = [
      makePayment(1, { customerEmail: 'ann@example.com' }),
      makePayment(2, { status: 'FAILED', customerEmail: 'bo@example.com' }),
      makePayment(3, { status: 'FAILED', customerEmail: 'ann@example.com' }),
    ];
    const { fake } = renderApp({ screen: 'payments', payments });
    await screen.findByText('bo@example.com');
    await user.selectOptions(screen.getByLabelText('Status'), 'FAILED');
    await waitFor(() => expect(screen.queryAllByText('ann@example.com')).toHaveLength(1));
    expect(listCalls(fake).at(-1)).toMatchObject({ status: 'FAILED', offset: 0 });

    await user.type(screen.getByLabelText('Customer'), 'bo@');
    await waitFor(() => expect(screen.queryByText('ann@example.com')).toBeNull());
    expect(listCalls(fake).at(-1)).toMatchObject({ status: 'FAILED', search: 'bo@' });

    await user.click(screen.getByRole('button', { name: 'Date' }));
    await waitFor(() => expect(listCalls(fake).at(-1)).toMatchObject({ order: 'asc' }));
    expect(screen.getByRole('columnheader', { name: 'Date' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
  });

  it('opens a row with the keyboard and shows its timeline', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments', payments: [makePayment(1), makePayment(2)] });
    await screen.findByText('customer2@example.com');
    screen.getByRole('grid', { name: 'Payments' }).focus();
    await user.keyboard('{ArrowDown}{Enter}');
    const detail = await screen.findByRole('region', { name: /\$10\.02/ });
    const timeline = within(detail).getByRole('list', { name: 'Event timeline' });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringContaining('Created'),
      expect.stringContaining('Charge sent to the gateway'),
      expect.stringContaining('Succeeded (transaction tx_2)'),
    ]);
  });

  it('refetches the rows in view when the core says payments changed', async () => {
    const { fake } = renderApp({ screen: 'payments', payments: [makePayment(1)] });
    await screen.findByText('customer1@example.com');
    fake.db.payments.unshift(makePayment(7));
    fake.emit({ type: 'changed', topics: ['payments'] });
    expect(await screen.findByText('customer7@example.com')).toBeTruthy();
    fake.emit({ type: 'changed', topics: ['subscriptions'] });
    await new Promise((r) => setTimeout(r, 60));
    expect(listCalls(fake)).toHaveLength(2);
  });
});

describe('Refund', () => {
  async function openPayment(user: ReturnType<typeof userEvent.setup>) {
    const rendered = renderApp({
      screen: 'payments',
      payments: [makePayment(1, { amount: 2000 })],
    });
    await user.click(await screen.findByText('customer1@example.com'));
    await screen.findByRole('region', { name: /\$20\.00/ });
    return rendered;
  }

  it('asks for confirmation, saying a refund cannot be undone, then refunds', async () => {
    const user = userEvent.setup();
    const { fake } = await openPayment(user);
    await user.type(screen.getByLabelText('Refund amount'), '5.00');
    await user.click(screen.getByRole('button', { name: 'Refund' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/cannot be undone/);
    expect(dialog.textContent).toMatch(/Refund \$5\.00 to customer1@example\.com/);
    expect(fake.api['payments.refund']).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    await waitFor(() =>
      expect(fake.api['payments.refund']).toHaveBeenCalledWith(
        {
          paymentId: 'pay_1',
          amount: '5.00',
        },
        withKey,
      ),
    );
    expect(await screen.findByText(/\$5\.00 of \$20\.00 refunded so far/)).toBeTruthy();
  });

  it('refunds the rest when the amount is left empty, and not at all when cancelled', async () => {
    const user = userEvent.setup();
    const { fake } = await openPayment(user);
    await user.click(screen.getByRole('button', { name: 'Refund' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }),
    );
    expect(fake.api['payments.refund']).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Refund' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/Refund \$20\.00/);
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    await waitFor(() =>
      expect(fake.api['payments.refund']).toHaveBeenCalledWith({ paymentId: 'pay_1' }, withKey),
    );
  });

  it('refuses more than what is left before asking', async () => {
    const user = userEvent.setup();
    await openPayment(user);
    const input = screen.getByLabelText('Refund amount');
    await user.type(input, '25');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'Refund' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
