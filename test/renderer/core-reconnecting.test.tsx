// @vitest-environment happy-dom
/**
 * The desktop app while the shell restarts the core's process: the shell's `connection`
 * push events (through the preload's bridge) show a banner while the core is away, drop it
 * when the core is back, and the `changed` of every topic that follows refetches what is
 * shown. The banner's markup passes axe-core.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANGE_TOPICS } from '../../src/shared/contract';
import { App } from '../../src/renderer/src/App';
import { getTransport } from '../../src/renderer/src/transport';
import { setTransport } from '../../src/renderer/src/store/connection';
import { resetStores } from '../../src/renderer/src/store/reset';
import { createFakeTransport } from './fake-transport';

const TITLE = "Reconnecting to Paydesk's core…";

afterEach(() => {
  cleanup();
  delete window.paydesk;
});

/** The desktop's transport over a fake preload bridge, whose push events the test sends. */
function desktop() {
  const fake = createFakeTransport();
  window.paydesk = {
    ...fake.api,
    subscribe: (listener) => fake.subscribe(listener),
    printToPdf: vi.fn(),
    exportCsv: vi.fn(),
  };
  resetStores();
  setTransport(getTransport());
  return fake;
}

describe('the core restarting, in the desktop app', () => {
  it('shows a banner while the core is away and drops it when it is back; the views refetch', async () => {
    const fake = desktop();
    render(<App />);
    await waitFor(() => expect(fake.api['dashboard.get']).toHaveBeenCalled());
    expect(screen.queryByText(TITLE)).toBeNull();

    act(() => fake.emit({ type: 'connection', state: 'reconnecting' }));
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toContain(TITLE);
    expect(banner.textContent).toMatch(/try again then, nothing will be done twice/);

    const fetched = fake.api['dashboard.get'].mock.calls.length;
    act(() => {
      fake.emit({ type: 'connection', state: 'connected' });
      fake.emit({ type: 'changed', topics: [...CHANGE_TOPICS] });
    });
    expect(screen.queryByText(TITLE)).toBeNull();
    await waitFor(() =>
      expect(fake.api['dashboard.get'].mock.calls.length).toBeGreaterThan(fetched),
    );
  });

  it('knows the state from the start: a window drawn during an outage shows the banner', () => {
    const fake = desktop();
    fake.emit({ type: 'connection', state: 'reconnecting' });
    render(<App />);
    expect(screen.getByRole('alert').textContent).toContain(TITLE);
  });

  it('the banner passes axe-core', async () => {
    const fake = desktop();
    render(<App />);
    act(() => fake.emit({ type: 'connection', state: 'reconnecting' }));
    const banner = screen.getByRole('alert');
    // happy-dom lays nothing out: contrast is checked in Chromium (test/e2e/accessibility).
    const results = await axe.run(banner, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    expect(results.passes.length).toBeGreaterThan(0);
  });
});
