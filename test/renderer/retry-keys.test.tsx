// @vitest-environment happy-dom
/**
 * One idempotency key per intent: a command whose answer was lost (`unavailable`) is retried
 * with the key it was first sent with, so the fake core (which, like the real one, does a
 * call at most once per key) charges, refunds or undoes once. A new intent (an edit, or
 * after a definitive answer) gets a new key.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOST_ANSWER, makeEntry, makePayment } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

type User = ReturnType<typeof userEvent.setup>;

async function fill(user: User, amount: string, email = 'ann@example.com'): Promise<void> {
  await user.clear(screen.getByLabelText('Amount'));
  await user.type(screen.getByLabelText('Amount'), amount);
  await user.clear(screen.getByLabelText('Customer email'));
  await user.type(screen.getByLabelText('Customer email'), email);
}

const processButton = () => screen.getByRole('button', { name: 'Process payment' });

describe('Process payment', () => {
  it('retried after a lost answer, sends the same key and charges once', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fill(user, '12.50');
    fake.loseAnswer('payments.process');
    await user.click(processButton());
    expect((await screen.findByRole('alert')).textContent).toBe(LOST_ANSWER);
    expect(fake.db.payments).toHaveLength(1); // Done, though the form could not know.

    await user.click(processButton());
    expect(await screen.findByText('Charged $12.50 to ann@example.com')).toBeTruthy();
    const [first, retry] = fake.keys('payments.process');
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry).toBe(first);
    expect(fake.db.payments).toHaveLength(1);
    expect(screen.queryByRole('alert')).toBeNull();

    // Answered: the same values typed again are a new payment, with a new key.
    await fill(user, '12.50');
    await user.click(processButton());
    await waitFor(() => expect(fake.db.payments).toHaveLength(2));
    expect(new Set(fake.keys('payments.process')).size).toBe(2);
  });

  it('edited after a lost answer, is a new intent with a new key', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    await fill(user, '12.50');
    fake.loseAnswer('payments.process');
    await user.click(processButton());
    await screen.findByRole('alert');

    await fill(user, '13.00');
    await user.click(processButton());
    expect(await screen.findByText('Charged $13.00 to ann@example.com')).toBeTruthy();
    const [first, edited] = fake.keys('payments.process');
    expect(edited).toBeDefined();
    expect(edited).not.toBe(first);
    expect(fake.db.payments.map((p) => p.amount)).toEqual([1300, 1250]);
  });

  it('says the first try is still running, and asks again with the same key', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    fake.reply('payments.process', () => ({
      ok: false,
      error: { code: 'in_progress', message: 'A request with this key is still running' },
    }));
    await fill(user, '12.50');
    await user.click(processButton());
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /^Still working on the previous request/,
    );
    await user.click(processButton());
    await waitFor(() => expect(fake.api['payments.process']).toHaveBeenCalledTimes(2));
    const [first, again] = fake.keys('payments.process');
    expect(again).toBe(first);
  });

  it('shows storage_unavailable as the core words it, and the next submit is a new intent', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments' });
    const message = 'The data directory cannot be written: disk full';
    fake.reply('payments.process', () => ({
      ok: false,
      error: { code: 'storage_unavailable', message },
    }));
    await fill(user, '12.50');
    await user.click(processButton());
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    await user.click(processButton());
    await waitFor(() => expect(fake.api['payments.process']).toHaveBeenCalledTimes(2));
    const [first, second] = fake.keys('payments.process');
    expect(second).not.toBe(first);
  });
});

describe('Refund', () => {
  it('confirmed again after a lost answer, sends the same key and refunds once', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'payments',
      payments: [makePayment(1, { amount: 2000 })],
    });
    await user.click(await screen.findByText('customer1@example.com'));
    await user.type(await screen.findByLabelText('Refund amount'), '5.00');
    const refund = async (): Promise<void> => {
      await user.click(screen.getByRole('button', { name: 'Refund' }));
      const dialog = await screen.findByRole('dialog');
      await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    };

    fake.loseAnswer('payments.refund');
    await refund();
    expect(await screen.findByText(LOST_ANSWER)).toBeTruthy();
    await refund();
    expect(await screen.findByText(/\$5\.00 of \$20\.00 refunded so far/)).toBeTruthy();
    const [first, retry] = fake.keys('payments.refund');
    expect(retry).toBe(first);
    expect(fake.db.payments[0]?.refundedAmount).toBe(500);
    expect(screen.queryByText(LOST_ANSWER)).toBeNull();

    // A second refund of the same amount is a new intent.
    await user.type(screen.getByLabelText('Refund amount'), '5.00');
    await refund();
    await waitFor(() => expect(fake.db.payments[0]?.refundedAmount).toBe(1000));
    expect(new Set(fake.keys('payments.refund')).size).toBe(2);
  });
});

describe('Undo', () => {
  it('pressed again after a lost answer, sends the same key and undoes once', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      undo: [makeEntry('u2', { label: 'Pause b' }), makeEntry('u1', { label: 'Pause a' })],
    });
    fake.loseAnswer('history.undo');
    await user.keyboard('{Control>}z{/Control}');
    expect(await screen.findByText(LOST_ANSWER)).toBeTruthy();
    expect(fake.db.undo.map((e) => e.id)).toEqual(['u1']); // Done, unknown to the page.

    await user.keyboard('{Control>}z{/Control}');
    expect(await screen.findByText('Undid: Pause b')).toBeTruthy();
    const [first, retry] = fake.keys('history.undo');
    expect(retry).toBe(first);
    expect(fake.db.undo.map((e) => e.id)).toEqual(['u1']);

    // Answered: the next Ctrl+Z is another undo.
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(fake.db.undo).toEqual([]));
    expect(new Set(fake.keys('history.undo')).size).toBe(2);
  });

  it('a Redo after a lost Undo answer is a new intent', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      undo: [makeEntry('u1', { label: 'Pause a' })],
      redo: [makeEntry('r1', { label: 'Resume a' })],
    });
    fake.loseAnswer('history.undo');
    await user.keyboard('{Control>}z{/Control}');
    await screen.findByText(LOST_ANSWER);
    await user.keyboard('{Control>}{Shift>}z{/Shift}{/Control}');
    await waitFor(() => expect(fake.api['history.redo']).toHaveBeenCalledTimes(1));
    expect(fake.keys('history.redo')[0]).not.toBe(fake.keys('history.undo')[0]);
  });
});
