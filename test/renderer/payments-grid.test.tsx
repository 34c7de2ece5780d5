// @vitest-environment happy-dom
/**
 * The payments table as a WAI-ARIA grid: one Tab stop, arrow keys over the rows and the
 * column headers, Home/End, PageUp/PageDown, Enter opens, Escape closes the detail pane, and
 * a clearly marked active and selected row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationInput } from '../../src/shared/contract';
import { makePayment } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

const grid = (): HTMLElement => screen.getByRole('grid', { name: 'Payments' });
const active = (): string | null => grid().getAttribute('aria-activedescendant');
const activeElement = (): HTMLElement | null => {
  const id = active();
  return id === null ? null : document.getElementById(id);
};

function lastList(fake: ReturnType<typeof renderApp>['fake']): OperationInput<'payments.list'> {
  return fake.api['payments.list'].mock.calls.at(-1)?.[0] as OperationInput<'payments.list'>;
}

describe('Payments grid keyboard model', () => {
  it('is one Tab stop: Tab enters the grid, the next Tab leaves it', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments', payments: [makePayment(1), makePayment(2)] });
    await screen.findByText('customer2@example.com');
    // Nothing inside the grid is tabbable: the sort buttons are reached with the arrow keys,
    // and the grid itself is the scroll area (no scrolling body inside it to focus).
    const inside = grid().querySelectorAll(
      'button:not([tabindex="-1"]), a[href], input, select, [tabindex]:not([tabindex="-1"])',
    );
    expect([...inside]).toEqual([]);

    screen.getAllByRole('searchbox')[0]?.focus();
    let guard = 0;
    while (document.activeElement !== grid() && guard++ < 20) await user.tab();
    expect(document.activeElement).toBe(grid());
    await user.tab();
    expect(grid().contains(document.activeElement)).toBe(false);
  });

  it('moves with arrows, Home/End and PageUp/PageDown, and Enter opens the row', async () => {
    const user = userEvent.setup();
    const payments = Array.from({ length: 300 }, (_, i) => makePayment(i));
    renderApp({ screen: 'payments', payments });
    await screen.findByText('customer0@example.com');
    grid().focus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(active()).toBe('payment-row-2');
    await user.keyboard('{ArrowUp}');
    expect(active()).toBe('payment-row-1');
    await user.keyboard('{End}');
    await waitFor(() => expect(active()).toBe('payment-row-299'));
    await user.keyboard('{Home}');
    expect(active()).toBe('payment-row-0');
    await user.keyboard('{PageDown}');
    const afterPage = Number(active()?.replace('payment-row-', ''));
    expect(afterPage).toBeGreaterThan(5);
    await user.keyboard('{PageUp}');
    expect(active()).toBe('payment-row-0');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(await screen.findByRole('region', { name: /\$10\.01/ })).toBeTruthy();
    const row = activeElement() as HTMLElement;
    expect(row.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(grid());
  });

  it('reaches the column headers with the arrows and sorts with Enter', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'payments',
      payments: [makePayment(1), makePayment(2)],
    });
    await screen.findByText('customer2@example.com');
    grid().focus();
    await user.keyboard('{ArrowUp}');
    expect(activeElement()?.getAttribute('role')).toBe('columnheader');
    expect(activeElement()?.textContent).toMatch(/Date/);
    await user.keyboard('{ArrowRight}');
    expect(activeElement()?.textContent).toMatch(/Customer/);
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(lastList(fake)).toMatchObject({ sort: 'customerEmail', order: 'asc' }),
    );
    expect(screen.getByRole('columnheader', { name: /Customer/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    expect(screen.getByRole('columnheader', { name: /Date/ }).getAttribute('aria-sort')).toBe(
      'none',
    );
    await user.keyboard('{ArrowDown}');
    expect(active()).toBe('payment-row-0');
  });

  it('closes the detail pane with Escape and keeps focus in the grid', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments', payments: [makePayment(1), makePayment(2)] });
    await screen.findByText('customer2@example.com');
    grid().focus();
    await user.keyboard('{Enter}');
    await screen.findByRole('region', { name: /\$10\.01/ });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('region', { name: /\$10\.01/ })).toBeNull());
    expect(screen.getByText(/Select a payment/)).toBeTruthy();
    expect(document.activeElement).toBe(grid());

    // Escape inside the pane closes it too, and focus goes back to the grid.
    await user.keyboard('{Enter}');
    const pane = await screen.findByRole('region', { name: /\$10\.01/ });
    within(pane).getByRole('button', { name: 'Close details' }).focus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('region', { name: /\$10\.01/ })).toBeNull());
    expect(document.activeElement).toBe(grid());
  });

  it('marks the active row and the selected row with a background, not only a bar', () => {
    const css = readFileSync(join(__dirname, '../../src/renderer/src/styles/app.css'), 'utf8');
    const rule = (selector: RegExp): string => {
      const m = new RegExp(`${selector.source}\\s*\\{([^}]*)\\}`).exec(css);
      return m?.[1] ?? '';
    };
    expect(rule(/\.ptable:focus(?:-visible)? \.ptable-row\.is-active/)).toMatch(/background:/);
    expect(rule(/\.ptable-row\[aria-selected='true'\]/)).toMatch(/background:/);
  });
});
