// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { makePayment, makeSubscription, withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

function rowOf(email: string): HTMLElement {
  return screen.getByRole('button', { name: email }).closest('tr') as HTMLElement;
}

describe('Subscriptions screen', () => {
  it('lists status, amount, interval and next payment, and shows a pause reason', async () => {
    renderApp({
      screen: 'subscriptions',
      subscriptions: [
        makeSubscription(1, { interval: 'WEEKLY', intervalCount: 2 }),
        makeSubscription(2, { status: 'PAUSED', pauseReason: 'Paused after 4 failed charges' }),
      ],
    });
    const row = await screen.findByRole('row', { name: /member1@example\.com/ });
    expect(within(row).getByText('Active')).toBeTruthy();
    expect(within(row).getByText('€19.99')).toBeTruthy();
    expect(within(row).getByText('Every 2 weeks')).toBeTruthy();
    expect(
      within(rowOf('member2@example.com')).getByText('Paused after 4 failed charges'),
    ).toBeTruthy();
    expect(
      within(rowOf('member2@example.com')).getByRole('button', { name: 'Resume' }),
    ).toBeTruthy();
    expect(within(row).queryByRole('button', { name: 'Resume' })).toBeNull();
  });

  it('shows the empty state', async () => {
    renderApp({ screen: 'subscriptions' });
    expect(await screen.findByText(/No subscriptions yet/)).toBeTruthy();
  });

  it('pauses and resumes at once, and cancels only after confirming', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions', subscriptions: [makeSubscription(1)] });
    await screen.findByRole('button', { name: 'member1@example.com' });
    await user.click(within(rowOf('member1@example.com')).getByRole('button', { name: 'Pause' }));
    await waitFor(() =>
      expect(fake.api['subscriptions.pause']).toHaveBeenCalledWith({ id: 'sub_1' }, withKey),
    );
    await user.click(
      await within(rowOf('member1@example.com')).findByRole('button', { name: 'Resume' }),
    );
    await waitFor(() =>
      expect(fake.api['subscriptions.resume']).toHaveBeenCalledWith({ id: 'sub_1' }, withKey),
    );

    await user.click(
      await within(rowOf('member1@example.com')).findByRole('button', { name: 'Cancel' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Keep subscription' }));
    expect(fake.api['subscriptions.cancel']).not.toHaveBeenCalled();
    await user.click(within(rowOf('member1@example.com')).getByRole('button', { name: 'Cancel' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Cancel subscription',
      }),
    );
    await waitFor(() =>
      expect(fake.api['subscriptions.cancel']).toHaveBeenCalledWith({ id: 'sub_1' }, withKey),
    );
    await waitFor(() =>
      expect(within(rowOf('member1@example.com')).getByText('Cancelled')).toBeTruthy(),
    );
  });

  it('shows a subscription with its charges', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'subscriptions',
      subscriptions: [makeSubscription(1)],
      payments: [
        makePayment(5, { subscriptionId: 'sub_1', period: 0, amount: 1999, currency: 'EUR' }),
      ],
    });
    await user.click(await screen.findByRole('button', { name: 'member1@example.com' }));
    const detail = await screen.findByRole('region', { name: /member1@example\.com/ });
    expect(fake.api['subscriptions.get']).toHaveBeenCalledWith({ id: 'sub_1' });
    const charges = within(detail).getAllByRole('row');
    expect(charges).toHaveLength(2);
    expect(within(charges[1] as HTMLElement).getByText('€19.99')).toBeTruthy();
  });

  it('validates the form and creates a subscription with exactly the right input', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions' });
    const amount = await screen.findByLabelText('Amount');
    await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
    await user.type(amount, '9.999');
    expect(amount.getAttribute('aria-invalid')).toBe('true');
    await user.clear(amount);
    await user.type(amount, '9.99');
    await user.clear(screen.getByLabelText('Currency'));
    await user.type(screen.getByLabelText('Currency'), 'EUR');
    await user.selectOptions(screen.getByLabelText('Interval'), 'WEEKLY');
    await user.clear(screen.getByLabelText('Interval count'));
    await user.type(screen.getByLabelText('Interval count'), '2');
    await user.type(screen.getByLabelText('Start date'), '2026-04-01');
    await user.click(screen.getByRole('button', { name: 'Create subscription' }));
    await waitFor(() =>
      expect(fake.api['subscriptions.create']).toHaveBeenCalledWith(
        {
          customerEmail: 'ann@example.com',
          amount: '9.99',
          currency: 'EUR',
          interval: 'WEEKLY',
          intervalCount: 2,
          startDate: '2026-04-01T00:00:00.000Z',
        },
        withKey,
      ),
    );
    expect(
      await screen.findByText(/Subscription created: ann@example\.com, €9\.99 every 2 weeks/),
    ).toBeTruthy();
  });

  it('shows the core rejection next to the field it names', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'subscriptions' });
    fake.reply('subscriptions.create', () => ({
      ok: false,
      error: { code: 'validation', message: 'Start date is too far ahead', field: 'startDate' },
    }));
    await user.type(await screen.findByLabelText('Customer email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Amount'), '5');
    await user.click(screen.getByRole('button', { name: 'Create subscription' }));
    const start = screen.getByLabelText('Start date');
    await waitFor(() => expect(start.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(`${start.id}-error`)?.textContent).toBe(
      'Start date is too far ahead',
    );
  });

  it('shows missed periods held for review; charging them asks first, skipping does not', async () => {
    const user = userEvent.setup();
    const review = { fromPeriod: 3, toPeriod: 7, markedAt: '2027-01-10T09:00:00.000Z' };
    const { fake } = renderApp({
      screen: 'subscriptions',
      subscriptions: [makeSubscription(1, { review }), makeSubscription(2, { review })],
    });
    await screen.findByRole('button', { name: 'member1@example.com' });
    expect(within(rowOf('member1@example.com')).getByText(/5 missed periods/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'member1@example.com' }));
    const notice = await screen.findByRole('group', { name: /5 missed periods held for review/ });
    expect(within(notice).getByText(/Periods 4 to 8/)).toBeTruthy();
    await user.click(within(notice).getByRole('button', { name: 'Charge missed periods' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/€99\.95 in all/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Not now' }));
    expect(fake.api['subscriptions.chargeMissed']).not.toHaveBeenCalled();
    await user.click(within(notice).getByRole('button', { name: 'Charge missed periods' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Charge missed periods',
      }),
    );
    await waitFor(() =>
      expect(fake.api['subscriptions.chargeMissed']).toHaveBeenCalledWith({ id: 'sub_1' }, withKey),
    );

    await user.click(screen.getByRole('button', { name: 'member2@example.com' }));
    const second = await screen.findByRole('group', { name: /missed periods held for review/ });
    await user.click(within(second).getByRole('button', { name: 'Skip them' }));
    await waitFor(() =>
      expect(fake.api['subscriptions.skipMissed']).toHaveBeenCalledWith({ id: 'sub_2' }, withKey),
    );
    await waitFor(() =>
      expect(screen.queryByRole('group', { name: /missed periods held for review/ })).toBeNull(),
    );
  });
});
