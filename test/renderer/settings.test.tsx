// @vitest-environment happy-dom
/**
 * The Settings screen over the fake transport: business details for receipts saved with
 * `settings.set`, the scheduler's interval and on/off, validation errors next to their
 * fields (the form's own and the core's), the mock gateway changeable only with the test
 * clock (a desk on the gateway service shows its URL instead), and the data directory shown.
 */
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { goTo } from '../../src/renderer/src/store/navigation';
import { FAKE_DATA_DIR, withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

/** The error shown next to a control (its aria-describedby), or null. */
function errorNextTo(control: HTMLElement): string | null {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
  const error = ids
    .map((id) => document.getElementById(id))
    .find((e) => e?.className === 'field-error');
  return control.getAttribute('aria-invalid') === 'true' ? (error?.textContent ?? null) : null;
}

describe('Settings screen', () => {
  it('shows the stored business details and saves them, trimmed', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'settings',
      settings: {
        schedulerIntervalSeconds: 60,
        schedulerEnabled: true,
        business: { name: 'Old name', address: '', taxId: '' },
      },
    });
    const name = await screen.findByLabelText('Business name');
    expect((name as HTMLInputElement).value).toBe('Old name');
    await user.clear(name);
    await user.type(name, ' Ann’s Bakery ');
    await user.type(screen.getByLabelText('Address'), '1 Main St{Enter}Springfield');
    await user.type(screen.getByLabelText('Tax ID'), 'US-123');
    await user.click(screen.getByRole('button', { name: 'Save business details' }));
    await waitFor(() =>
      expect(fake.api['settings.set']).toHaveBeenCalledWith(
        { business: { name: 'Ann’s Bakery', address: '1 Main St\nSpringfield', taxId: 'US-123' } },
        withKey,
      ),
    );
    expect(await screen.findByText('Business details saved')).toBeTruthy();
    expect(fake.db.settings.business?.name).toBe('Ann’s Bakery');
  });

  it('shows a validation error next to its field and does not save', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings' });
    const interval = await screen.findByLabelText('Interval (seconds)');
    await user.clear(interval);
    await user.type(interval, '0');
    expect(errorNextTo(interval)).toBe('At least 1 second');
    await user.click(screen.getByRole('button', { name: 'Save scheduler settings' }));
    expect(document.activeElement).toBe(interval);
    await user.clear(interval);
    await user.type(interval, '1.5');
    expect(errorNextTo(interval)).toBe('Enter a whole number of seconds');
    const name = screen.getByLabelText('Business name');
    await user.type(name, 'x'.repeat(201));
    expect(errorNextTo(name)).toBe('At most 200 characters');
    expect(fake.api['settings.set']).not.toHaveBeenCalled();
  });

  it('shows an error the core returns next to the field it names', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings' });
    fake.reply('settings.set', () => ({
      ok: false,
      error: {
        code: 'validation',
        field: 'business.taxId',
        message: 'business.taxId: Not a tax id',
      },
    }));
    const taxId = await screen.findByLabelText('Tax ID');
    await user.type(taxId, '???');
    await user.click(screen.getByRole('button', { name: 'Save business details' }));
    await waitFor(() => expect(errorNextTo(taxId)).toBe('Not a tax id'));
    expect(document.activeElement).toBe(taxId);
  });

  it('saves the scheduler interval and on/off, and the scheduler follows', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings' });
    const interval = await screen.findByLabelText('Interval (seconds)');
    const enabled = screen.getByLabelText('Run recurring charges on a timer');
    expect((enabled as HTMLInputElement).checked).toBe(true);
    await user.clear(interval);
    await user.type(interval, '300');
    await user.click(enabled);
    await user.click(screen.getByRole('button', { name: 'Save scheduler settings' }));
    await waitFor(() =>
      expect(fake.api['settings.set']).toHaveBeenCalledWith(
        { schedulerIntervalSeconds: 300, schedulerEnabled: false },
        withKey,
      ),
    );
    expect(fake.db.scheduler).toMatchObject({ intervalSeconds: 300, running: false });
  });

  it('shows the data directory, and the mock gateway read-only with the system clock', async () => {
    const { fake } = renderApp({ screen: 'settings' });
    expect(await screen.findByText(FAKE_DATA_DIR)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Mock gateway' })).toBeTruthy();
    expect(screen.getByText('90%')).toBeTruthy();
    expect(screen.queryByLabelText('Success rate (%)')).toBeNull();
    expect(fake.api['gateway.configure']).not.toHaveBeenCalled();
  });

  it('names the gateway service a desk calls, and offers nothing to change it', async () => {
    const { fake } = renderApp({ clock: 'test' });
    fake.reply('system.info', () => ({
      ok: true,
      data: {
        dataDir: FAKE_DATA_DIR,
        clock: 'test',
        gateway: { kind: 'service', url: 'http://127.0.0.1:8100', configurable: false },
        storage: { writes: 'ok', cause: null, repaired: null },
      },
    }));
    act(() => goTo('settings'));
    expect(await screen.findByRole('heading', { name: 'Gateway service' })).toBeTruthy();
    expect(screen.getByText('http://127.0.0.1:8100')).toBeTruthy();
    expect(screen.getByText(/Backups copy no gateway ledger/)).toBeTruthy();
    expect(screen.queryByLabelText('Success rate (%)')).toBeNull();
  });

  it('changes the mock gateway in test mode, the rate as a percentage', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings', clock: 'test' });
    const rate = await screen.findByLabelText('Success rate (%)');
    expect((rate as HTMLInputElement).value).toBe('90');
    await user.clear(rate);
    await user.type(rate, '150');
    expect(errorNextTo(rate)).toBe('Enter a percentage from 0 to 100');
    await user.clear(rate);
    await user.type(rate, '25');
    const latency = screen.getByLabelText('Mean latency (ms)');
    await user.clear(latency);
    await user.type(latency, '1200');
    await user.click(screen.getByRole('button', { name: 'Apply to the mock gateway' }));
    await waitFor(() =>
      expect(fake.api['gateway.configure']).toHaveBeenCalledWith(
        { successRate: 0.25, latencyMs: 1200 },
        withKey,
      ),
    );
    expect(fake.db.gateway).toEqual({ successRate: 0.25, latencyMs: 1200 });
  });
});
