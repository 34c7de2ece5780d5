// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

describe('Scheduler screen', () => {
  it('shows the status, runs recurring now, and stops and starts', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'scheduler' });
    expect(await screen.findByText('Running')).toBeTruthy();
    expect(screen.getByText('Every 1 min')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Run recurring now' }));
    await waitFor(() => expect(fake.api['scheduler.run']).toHaveBeenCalledWith({}, withKey));
    expect(await screen.findByText('Recurring run: nothing was due')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(await screen.findByText('Stopped')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(fake.api['scheduler.start']).toHaveBeenCalled());
  });

  it('shows the progress of a run in flight from push events', async () => {
    const { fake } = renderApp({ screen: 'scheduler' });
    await screen.findByText('Running');
    fake.emit({ type: 'progress', done: 3, total: 10 });
    const bar = await screen.findByRole('progressbar');
    expect(bar.getAttribute('value')).toBe('3');
    expect(screen.getByText('Charging 3 of 10')).toBeTruthy();
  });

  it('hides the test clock on the system clock', async () => {
    renderApp({ screen: 'scheduler' });
    await screen.findByText('Running');
    expect(screen.queryByRole('button', { name: 'Advance 1 hour' })).toBeNull();
  });

  it('advances the test clock by an hour, a day, and to the same day next month (UTC)', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'scheduler',
      clock: 'test',
      now: '2026-01-31T23:30:00.000Z',
    });
    await user.click(await screen.findByRole('button', { name: 'Advance 1 hour' }));
    await waitFor(() =>
      expect(fake.api['clock.advance']).toHaveBeenCalledWith({ seconds: 3600 }, withKey),
    );
    await waitFor(() => expect(screen.getByText('(2026-02-01T00:30:00.000Z)')).toBeTruthy());
    await user.click(screen.getByRole('button', { name: 'Advance 1 day' }));
    await waitFor(() =>
      expect(fake.api['clock.advance']).toHaveBeenLastCalledWith({ seconds: 86_400 }, withKey),
    );
    await waitFor(() => expect(screen.getByText('(2026-02-02T00:30:00.000Z)')).toBeTruthy());
    await user.click(screen.getByRole('button', { name: 'Advance 1 month' }));
    await waitFor(() =>
      expect(fake.api['clock.advance']).toHaveBeenLastCalledWith(
        {
          to: '2026-03-02T00:30:00.000Z',
        },
        withKey,
      ),
    );
  });
});
