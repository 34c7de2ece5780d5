// @vitest-environment happy-dom
/**
 * Regressions of the Payments list: the first payment into an empty list must show up, and a
 * payments change seen on another screen must show when Payments is opened again.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePayment } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

const EMPTY = /No payments yet/;

function table(): HTMLElement {
  return screen.getByRole('grid', { name: 'Payments' });
}

/** The table's row showing this customer (the header row excluded). */
async function rowOf(customerEmail: string): Promise<HTMLElement> {
  const cell = await within(table()).findByText(customerEmail);
  const row = cell.closest('[role="row"]');
  if (!(row instanceof HTMLElement)) throw new Error(`No row around ${customerEmail}`);
  return row;
}

function navButton(name: string): HTMLElement {
  return within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name });
}

describe('Payments list regressions', () => {
  it('shows the first payment processed through the form in a list that was empty', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', payments: [] });
    expect(await within(table()).findByText(EMPTY)).toBeTruthy();

    await user.type(screen.getByLabelText('Amount'), '12.50');
    await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    await waitFor(() => expect(fake.api['payments.process']).toHaveBeenCalledTimes(1));

    const row = await rowOf('ann@example.com');
    expect(within(row).getByText('$12.50')).toBeTruthy();
    expect(within(row).getByText('Completed')).toBeTruthy();
    expect(within(table()).queryByText(EMPTY)).toBeNull();
  });

  it('shows the first payment made elsewhere when the core says payments changed', async () => {
    const { fake } = renderApp({ screen: 'payments', payments: [] });
    expect(await within(table()).findByText(EMPTY)).toBeTruthy();

    fake.db.payments.unshift(makePayment(1));
    fake.emit({ type: 'changed', topics: ['payments'] });

    const row = await rowOf('customer1@example.com');
    expect(within(row).getByText('Completed')).toBeTruthy();
    expect(within(table()).queryByText(EMPTY)).toBeNull();
  });

  it('shows a status changed while History was shown once Payments is shown again', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', payments: [makePayment(1)] });
    expect(within(await rowOf('customer1@example.com')).getByText('Completed')).toBeTruthy();

    await user.click(navButton('History'));
    await screen.findByRole('heading', { name: 'Undo history' });
    const historyLoads = fake.api['history.get'].mock.calls.length;

    // An undo/redo in History changes a payment: the core says so with one push event.
    fake.db.payments[0] = makePayment(1, { status: 'REFUNDED', refundedAmount: 1001 });
    fake.emit({ type: 'changed', topics: ['payments', 'history'] });
    // History refetching shows the batched event was handled while History was still shown.
    await waitFor(() =>
      expect(fake.api['history.get'].mock.calls.length).toBeGreaterThan(historyLoads),
    );

    await user.click(navButton('Payments'));
    const row = await rowOf('customer1@example.com');
    await waitFor(() => expect(within(row).getByText('Refunded')).toBeTruthy());
    expect(within(row).queryByText('Completed')).toBeNull();
  });
});
