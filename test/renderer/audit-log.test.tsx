// @vitest-environment happy-dom
/**
 * The Audit log screen over the fake transport: a virtualized list fetched page by page, the
 * filters sent as `audit.list`'s input (days as the operator's local days), the money each
 * entry moved, a range that ends before it starts named next to "To", and live refetches.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationInput } from '../../src/shared/contract';
import { makeAuditEntry } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

type ListInput = OperationInput<'audit.list'>;
const listCalls = (fake: ReturnType<typeof renderApp>['fake']): ListInput[] =>
  fake.api['audit.list'].mock.calls.map((c) => c[0]);

function dataRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: 'Audit log' });
  return within(table)
    .getAllByRole('row')
    .filter((r) => r.getAttribute('aria-rowindex') !== '1');
}

/** The instant a local day starts, as the screen sends it. */
const localDay = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString();

const entries = [
  makeAuditEntry(1, {
    label: 'Undo: Charge $25.50 to ann@example.com',
    action: 'undo',
    moved: [{ currency: 'USD', charged: 0, refunded: 2550 }],
  }),
  makeAuditEntry(2, {
    label: 'Charge $12.00 to bo@example.com',
    origin: 'api',
    outcome: 'declined',
    message: 'card_declined: Your card was declined.',
    moved: [],
  }),
  makeAuditEntry(3, {
    label: 'Reconcile payment pay_9 with the gateway',
    origin: 'system',
    action: 'reconcile',
    moved: [
      { currency: 'EUR', charged: 1500, refunded: 0 },
      { currency: 'USD', charged: 700, refunded: 0 },
    ],
  }),
  makeAuditEntry(4, { label: 'Pause subscription', moved: undefined }),
];

describe('Audit log screen', () => {
  it('shows a million entries a page at a time, only the rows in view in the DOM', async () => {
    const { fake } = renderApp({ screen: 'audit', audit: 1_000_000 });
    await screen.findByText('Charge $0.00 to customer0@example.com');
    expect(screen.getByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    expect(screen.getByText('1,000,000 entries')).toBeTruthy();
    expect(dataRows().length).toBeGreaterThan(10);
    expect(dataRows().length).toBeLessThan(60);
    expect(listCalls(fake)).toEqual([{ offset: 0, limit: 100 }]);

    const body = document.querySelector('.atable .ptable-body') as HTMLElement;
    body.scrollTop = 700_000 * 40;
    fireEvent.scroll(body);
    await screen.findByText('Charge $700000.00 to customer700000@example.com');
    expect(listCalls(fake).map((c) => c.offset)).toContain(700_000);
    expect(listCalls(fake).length).toBeLessThan(5);
  });

  it('shows origin, outcome, the decline reason and the money moved of each entry', async () => {
    renderApp({ screen: 'audit', audit: entries });
    await screen.findByText('Undo: Charge $25.50 to ann@example.com');
    const cells = (label: string) =>
      within(screen.getByText(label).closest('[role="row"]') as HTMLElement)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells('Undo: Charge $25.50 to ann@example.com').slice(1)).toEqual([
      'Operator',
      'Undo: Charge $25.50 to ann@example.com',
      'Done',
      'Refunded $25.50',
    ]);
    expect(cells('Charge $12.00 to bo@example.com').slice(1)).toEqual([
      'API',
      'Charge $12.00 to bo@example.com — card_declined: Your card was declined.',
      'Declined',
      'None',
    ]);
    expect(cells('Reconcile payment pay_9 with the gateway').slice(1)).toEqual([
      'Start-up',
      'Reconcile payment pay_9 with the gateway',
      'Done',
      'Charged €15.00, Charged $7.00',
    ]);
    expect(cells('Pause subscription')[4]).toBe('Not recorded');
  });

  it('sends the filters to the core and shows what matches', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'audit', audit: entries });
    await screen.findByText('Pause subscription');
    await user.selectOptions(screen.getByLabelText('Origin'), 'Start-up');
    await waitFor(() => expect(dataRows()).toHaveLength(1));
    expect(screen.getByText('Reconcile payment pay_9 with the gateway')).toBeTruthy();
    expect(listCalls(fake).at(-1)).toEqual({ origin: 'system', offset: 0, limit: 100 });

    await user.selectOptions(screen.getByLabelText('Origin'), 'All origins');
    await user.selectOptions(screen.getByLabelText('Outcome'), 'Declined');
    await screen.findByText('1 entry');
    expect(listCalls(fake).at(-1)).toEqual({ outcome: 'declined', offset: 0, limit: 100 });

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-03-10' } });
    await waitFor(() =>
      expect(listCalls(fake).at(-1)).toEqual({
        outcome: 'declined',
        from: localDay(2026, 3, 1),
        // The whole of the 10th, in the operator's time zone.
        to: localDay(2026, 3, 11),
        offset: 0,
        limit: 100,
      }),
    );
  });

  it('names a range that ends before it starts next to "To", and asks nothing', async () => {
    const { fake } = renderApp({ screen: 'audit', audit: entries });
    await screen.findByText('Pause subscription');
    const calls = listCalls(fake).length;
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-10' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-03-01' } });
    const to = screen.getByLabelText('To');
    await waitFor(() => expect(to.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(to.getAttribute('aria-describedby') ?? '');
    expect(error?.textContent).toBe('The end must be on or after the start');
    expect(listCalls(fake)).toHaveLength(calls + 1); // the From change alone
    expect(screen.getByText('Correct the filters to see entries.')).toBeTruthy();
  });

  it('shows an error the core gives for a filter next to its field', async () => {
    const { fake } = renderApp({ screen: 'audit', audit: entries });
    await screen.findByText('Pause subscription');
    fake.reply('audit.list', () => ({
      ok: false,
      error: { code: 'validation', field: 'from', message: 'from: Invalid date' },
    }));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-10' } });
    await waitFor(() =>
      expect(screen.getByLabelText('From').getAttribute('aria-invalid')).toBe('true'),
    );
    expect(screen.getByText('Invalid date')).toBeTruthy();
  });

  it('refetches when the core says the history changed', async () => {
    const { fake } = renderApp({ screen: 'audit', audit: entries });
    await screen.findByText('Pause subscription');
    fake.db.audit.unshift(makeAuditEntry(0, { label: 'Charge $1.00 to new@example.com' }));
    fake.emit({ type: 'changed', topics: ['history'] });
    expect(await screen.findByText('Charge $1.00 to new@example.com')).toBeTruthy();
    expect(screen.getByText('5 entries')).toBeTruthy();
  });
});
