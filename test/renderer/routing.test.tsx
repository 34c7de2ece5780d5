// @vitest-environment happy-dom
/**
 * The screen in the URL: a hash per screen, the title naming it, a reload staying on it,
 * and Back/Forward moving between screens.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { restoreScreen, screenOfHash } from '../../src/renderer/src/lib/route';
import { setTransport } from '../../src/renderer/src/store/connection';
import { resetStores } from '../../src/renderer/src/store/reset';
import { createFakeTransport } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

const heading = (name: string) => screen.getByRole('heading', { level: 1, name });

/** The page loaded afresh at `hash`, as main.tsx starts it. */
function reloadAt(hash: string) {
  cleanup();
  window.history.replaceState(null, '', `/${hash}`);
  resetStores();
  setTransport(createFakeTransport());
  restoreScreen();
  return render(<App />);
}

describe('the screen in the URL', () => {
  it('puts the screen in the hash and names it in the title', async () => {
    const user = userEvent.setup();
    renderApp();
    expect(window.location.hash).toBe('#/dashboard');
    expect(document.title).toBe('Dashboard — Paydesk');
    await user.click(screen.getByRole('button', { name: 'Audit log' }));
    expect(heading('Audit log')).toBeTruthy();
    expect(window.location.hash).toBe('#/audit');
    expect(document.title).toBe('Audit log — Paydesk');
  });

  it('stays on the screen after a reload', () => {
    reloadAt('#/settings');
    expect(heading('Settings')).toBeTruthy();
    expect(document.title).toBe('Settings — Paydesk');
    reloadAt('#/nonsense');
    expect(heading('Dashboard')).toBeTruthy();
    expect(window.location.hash).toBe('#/dashboard');
  });

  it('moves between screens with Back and Forward', async () => {
    const user = userEvent.setup();
    reloadAt('#/payments');
    await user.click(screen.getByRole('button', { name: 'History' }));
    expect(window.location.hash).toBe('#/history');
    window.history.back();
    await waitFor(() => expect(heading('Payments')).toBeTruthy());
    expect(document.title).toBe('Payments — Paydesk');
    window.history.forward();
    await waitFor(() => expect(heading('History')).toBeTruthy());
  });

  it('reads a screen from the forms a hash takes', () => {
    expect(screenOfHash('#/audit')).toBe('audit');
    expect(screenOfHash('#settings')).toBe('settings');
    expect(screenOfHash('#/payments/pay_1')).toBe('payments');
    expect(screenOfHash('')).toBeNull();
    expect(screenOfHash('#/toString')).toBeNull();
  });
});
