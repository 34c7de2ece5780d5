// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payment } from '../../src/shared/domain';
import type { Result } from '../../src/shared/result';
import { makeEntry, makePayment, withKey } from './fake-transport';
import { renderApp } from './render-app';
import { HISTORY_PAGE } from '../../src/renderer/src/store/history';

afterEach(cleanup);

/** The error text linked to a control through aria-describedby. */
function errorFor(control: HTMLElement): string {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids
    .map((id) => document.getElementById(id))
    .filter((el): el is HTMLElement => el?.classList.contains('field-error') ?? false)
    .map((el) => el.textContent ?? '')
    .join(' ');
}

async function fillValid(user: ReturnType<typeof userEvent.setup>): Promise<void> {
  await user.type(screen.getByLabelText('Amount'), '12.50');
  await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
}

describe('New payment form', () => {
  it('shows an error next to Amount as you type "99.999" for USD, and sends nothing', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    const amount = screen.getByLabelText('Amount');
    await user.type(amount, '99.999');
    expect(amount.getAttribute('aria-invalid')).toBe('true');
    expect(errorFor(amount)).toMatch(/USD has 2 decimal places/);

    await user.type(screen.getByLabelText('Customer email'), 'ann@example.com');
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    expect(fake.api['payments.process']).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(amount);
  });

  it('accepts three decimals for KWD and none for JPY, per the currency', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments' });
    // The form's own Currency (the payments filters have one too).
    const form = within(screen.getByRole('form', { name: 'New payment' }));
    const amount = form.getByLabelText('Amount');
    const currency = form.getByLabelText('Currency');
    await user.type(amount, '1.5');
    await user.clear(currency);
    await user.type(currency, 'jpy');
    expect((currency as HTMLInputElement).value).toBe('JPY');
    expect(errorFor(amount)).toMatch(/JPY has no minor unit/);
    await user.clear(currency);
    await user.type(currency, 'KWD');
    expect(errorFor(amount)).toBe('');
  });

  it('shows an invalid email next to Customer email', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments' });
    const email = screen.getByLabelText('Customer email');
    await user.type(email, 'ann@');
    expect(errorFor(email)).toMatch(/email address/i);
  });

  it('sends exactly the typed input, leaving out empty optional fields', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    await waitFor(() => expect(fake.api['payments.process']).toHaveBeenCalledTimes(1));
    expect(fake.api['payments.process']).toHaveBeenCalledWith(
      {
        amount: '12.50',
        currency: 'USD',
        customerEmail: 'ann@example.com',
      },
      withKey,
    );
  });

  it('sends the description and the chosen test payment method', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fillValid(user);
    await user.type(screen.getByLabelText('Description'), 'Coffee beans');
    await user.selectOptions(screen.getByLabelText('Payment method'), 'pm_card_chargeDeclined');
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    await waitFor(() =>
      expect(fake.api['payments.process']).toHaveBeenCalledWith(
        {
          amount: '12.50',
          currency: 'USD',
          customerEmail: 'ann@example.com',
          description: 'Coffee beans',
          paymentMethod: 'pm_card_chargeDeclined',
        },
        withKey,
      ),
    );
    expect(await screen.findByText(/declined: Your card was declined/)).toBeTruthy();
  });

  it('shows the core rejection next to the field it names', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    fake.reply('payments.process', () => ({
      ok: false,
      error: { code: 'validation', message: 'This customer is blocked', field: 'customerEmail' },
    }));
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const email = screen.getByLabelText('Customer email');
    await waitFor(() => expect(errorFor(email)).toBe('This customer is blocked'));
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(errorFor(screen.getByLabelText('Amount'))).toBe('');
    // Editing the field clears the core's message.
    await user.type(email, 'x');
    expect(errorFor(email)).not.toBe('This customer is blocked');
  });

  it('shows a rejection without a field as a form error', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    fake.reply('payments.process', () => ({
      ok: false,
      error: { code: 'unavailable', message: 'The gateway is down' },
    }));
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The gateway is down');
  });

  it('shows the payment as pending while the gateway works', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    let answer: (r: Result<Payment>) => void = () => undefined;
    fake.reply(
      'payments.process',
      () => new Promise<Result<Payment>>((resolve) => (answer = resolve)),
    );
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const pending = await screen.findByRole('list', { name: 'Payments in progress' });
    expect(within(pending).getByText(/\$12\.50 to ann@example\.com/)).toBeTruthy();
    expect(
      (screen.getByRole('button', { name: 'Process payment' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    answer({ ok: true, data: makePayment(1, { amount: 1250, customerEmail: 'ann@example.com' }) });
    await waitFor(() =>
      expect(screen.queryByRole('list', { name: 'Payments in progress' })).toBeNull(),
    );
    expect((screen.getByLabelText('Amount') as HTMLInputElement).value).toBe('');
  });

  it("toasts the result, and the toast's Undo undoes exactly that command", async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const toast = await screen.findByText('Charged $12.50 to ann@example.com');
    const entryId = fake.db.undo[0]?.id;
    expect(entryId).toBeDefined();
    await user.click(
      within(toast.closest('[role="status"]') as HTMLElement).getByRole('button', { name: 'Undo' }),
    );
    // Money moves: it asks first, and Enter confirms.
    await screen.findByRole('dialog');
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith(
        { toId: entryId, limit: HISTORY_PAGE },
        withKey,
      ),
    );
    expect(await screen.findByText(/Undid: Charge 12.50 USD/)).toBeTruthy();
  });

  it('asks before its Undo when later commands would be undone too, refuses past a refund', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const toast = (await screen.findByText('Charged $12.50 to ann@example.com')).closest(
      '[role="status"]',
    ) as HTMLElement;
    const entryId = fake.db.undo[0]?.id;
    fake.db.undo.unshift(makeEntry('later', { label: 'Pause sub for bo@example.com' }));
    await user.click(within(toast).getByRole('button', { name: 'Undo' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/Undo 2 commands/);
    await user.click(within(dialog).getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith(
        { toId: entryId, limit: HISTORY_PAGE },
        withKey,
      ),
    );

    await user.clear(screen.getByLabelText('Amount'));
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Process payment' }));
    const second = (await screen.findAllByText('Charged $12.50 to ann@example.com'))
      .at(-1)
      ?.closest('[role="status"]') as HTMLElement;
    fake.db.undo.unshift(makeEntry('refund', { label: 'Refund $1.00', barrier: true }));
    await user.click(within(second).getByRole('button', { name: 'Undo' }));
    expect(await screen.findByText(/"Refund \$1\.00" cannot be undone/)).toBeTruthy();
    expect(fake.api['history.undo']).toHaveBeenCalledTimes(1);
  });
});
