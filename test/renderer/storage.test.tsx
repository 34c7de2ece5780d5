// @vitest-environment happy-dom
/**
 * The store's state on every screen: once it has stopped taking changes (a failed write),
 * a banner says so with the cause on each screen while reads go on; what it repaired at its
 * last start shows until closed; and a payment whose stored body cannot be read is named in
 * its place in the list and on the dashboard, which still answer.
 */
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StorageStatus, SystemInfo } from '../../src/shared/contract';
import { ok } from '../../src/shared/result';
import { App } from '../../src/renderer/src/App';
import { setTransport } from '../../src/renderer/src/store/connection';
import { goTo } from '../../src/renderer/src/store/navigation';
import { resetStores } from '../../src/renderer/src/store/reset';
import { createFakeTransport, EMPTY_DASHBOARD, FAKE_DATA_DIR, makePayment } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

beforeAll(() => fakeLayout(600));
afterEach(cleanup);

const CAUSE =
  'writing /data/paydesk.journal failed (ENOSPC: no space left on device, write). The store ' +
  'accepts no more changes until Paydesk is restarted; nothing it confirmed before is lost.';

function info(storage: StorageStatus): SystemInfo {
  return {
    dataDir: FAKE_DATA_DIR,
    clock: 'test',
    gateway: { kind: 'mock', successRate: 0.9, latencyMs: 0, configurable: true },
    storage,
  };
}

describe('writes stopped', () => {
  it('shows on every screen, with the cause, while reads go on', async () => {
    const { fake } = renderApp({ screen: 'payments', payments: 3 });
    fake.reply('system.info', () => ok(info({ writes: 'stopped', cause: CAUSE, repaired: null })));
    act(() => fake.emit({ type: 'changed', topics: ['storage'] }));
    const banner = await screen.findByRole('alert');
    expect(within(banner).getByText(/Writes are stopped/)).toBeTruthy();
    expect(within(banner).getByText(CAUSE)).toBeTruthy();
    // Reads still work: the list is there.
    expect(await screen.findByText('customer0@example.com')).toBeTruthy();
    for (const other of [
      'dashboard',
      'customers',
      'subscriptions',
      'history',
      'settings',
    ] as const) {
      act(() => goTo(other));
      expect(screen.getByText(/Writes are stopped/)).toBeTruthy();
    }
  });

  it('shows from the start when the store had already stopped, and goes once it takes changes again', async () => {
    const fake = createFakeTransport();
    fake.reply('system.info', () => ok(info({ writes: 'stopped', cause: CAUSE, repaired: null })));
    resetStores();
    setTransport(fake);
    render(<App />);
    expect(await screen.findByText(/Writes are stopped/)).toBeTruthy();
    // Restarted with the cause fixed (the connection comes back: every topic changed).
    fake.reply('system.info', () => ok(info({ writes: 'ok', cause: null, repaired: null })));
    act(() => fake.emit({ type: 'changed', topics: ['storage', 'payments'] }));
    await waitFor(() => expect(screen.queryByText(/Writes are stopped/)).toBeNull());
  });
});

it('shows what the store repaired at its last start until closed', async () => {
  const { fake } = renderApp({ screen: 'dashboard' });
  const repaired =
    '/data/paydesk.journal: its end did not read as a commit (line 12: checksum mismatch); ' +
    'its last 40 bytes were cut and saved as /data/paydesk.journal.cut-20261201-084412-123.';
  fake.reply('system.info', () => ok(info({ writes: 'ok', cause: null, repaired })));
  act(() => fake.emit({ type: 'changed', topics: ['storage'] }));
  expect(await screen.findByText(repaired)).toBeTruthy();
  expect(screen.getByText(/repaired its data at start/)).toBeTruthy();
  await userEvent.click(screen.getByRole('button', { name: 'Close' }));
  expect(screen.queryByText(repaired)).toBeNull();
});

describe('a payment that cannot be read', () => {
  const error =
    '/data/paydesk.json is damaged at line 77: payments[1]: currency: Use a three-letter ' +
    'ISO-4217 code. This payment cannot be read; nothing was changed.';

  it('is named in its place in the list; the rows after it keep theirs', async () => {
    const payments = [0, 1, 2].map((i) => makePayment(i));
    const { fake } = renderApp({ screen: 'payments', payments });
    fake.reply('payments.list', () =>
      ok({
        total: 3,
        offset: 0,
        limit: 100,
        items: [payments[0], payments[2]].filter((p) => p !== undefined),
        unreadable: [{ id: 'pay_broken', error, index: 1 }],
      }),
    );
    act(() => fake.emit({ type: 'changed', topics: ['payments'] }));
    const cell = await screen.findByText(`Payment pay_broken cannot be read: ${error}`);
    const grid = screen.getByRole('grid', { name: 'Payments' });
    const rows = within(grid)
      .getAllByRole('row')
      .filter((r) => r.getAttribute('aria-rowindex') !== '1');
    expect(rows[1]?.contains(cell)).toBe(true);
    expect(within(rows[2] as HTMLElement).getByText('customer2@example.com')).toBeTruthy();
  });

  it('is named on the dashboard, which shows the other figures', async () => {
    const { fake } = renderApp({ screen: 'dashboard' });
    fake.reply('dashboard.get', () =>
      ok({ ...EMPTY_DASHBOARD, paymentsCount: 2, unreadable: [{ id: 'pay_broken', error }] }),
    );
    act(() => fake.emit({ type: 'changed', topics: ['payments'] }));
    expect(await screen.findByText(/One payment cannot be read/)).toBeTruthy();
    expect(screen.getByText(`pay_broken: ${error}`)).toBeTruthy();
    expect(screen.getByText('Payments, all time')).toBeTruthy();
  });
});
