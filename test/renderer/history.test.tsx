// @vitest-environment happy-dom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEntry, withKey } from './fake-transport';
import { renderApp } from './render-app';
import { HISTORY_PAGE } from '../../src/renderer/src/store/history';

afterEach(cleanup);

const undo = [
  makeEntry('u3', { label: 'Pause sub for bo@example.com', origin: 'api' }),
  makeEntry('u2', { label: 'Charge $20.00 to ann@example.com', movesMoney: true }),
  makeEntry('u1', { label: 'Refund $5.00 of pay_9', barrier: true, kind: 'RefundPayment' }),
  makeEntry('u0', { label: 'Charge $9.00 to cy@example.com', origin: 'scheduler' }),
];
const redo = [
  makeEntry('r1', { label: 'Resume sub for bo@example.com' }),
  makeEntry('r2', { label: 'Charge $7.00 to di@example.com', movesMoney: true }),
];

function panel(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

describe('History screen', () => {
  it('renders both stacks, newest first, with label, origin and time', async () => {
    renderApp({ screen: 'history', undo, redo });
    await screen.findByRole('heading', { name: 'Undo history' });
    const undoItems = within(panel('Undo history')).getAllByRole('listitem');
    expect(undoItems.map((li) => li.querySelector('.entry-label')?.textContent)).toEqual(
      undo.map((e) => e.label),
    );
    expect(undoItems[0]?.textContent).toContain('API');
    expect(undoItems[3]?.textContent).toContain('Scheduler');
    expect(undoItems[0]?.querySelector('time')?.getAttribute('dateTime')).toBe(undo[0]?.createdAt);
    const redoItems = within(panel('Redo history')).getAllByRole('listitem');
    expect(redoItems.map((li) => li.querySelector('.entry-label')?.textContent)).toEqual(
      redo.map((e) => e.label),
    );
  });

  it('marks a barrier "Cannot be undone" and makes nothing at or below it clickable', async () => {
    renderApp({ screen: 'history', undo, redo });
    const undoPanel = await screen.findByRole('region', { name: 'Undo history' });
    const items = within(undoPanel).getAllByRole('listitem');
    expect(within(items[2] as HTMLElement).getByText('Cannot be undone')).toBeTruthy();
    expect(within(items[0] as HTMLElement).queryByRole('button')).not.toBeNull();
    expect(within(items[1] as HTMLElement).queryByRole('button')).not.toBeNull();
    expect(within(items[2] as HTMLElement).queryByRole('button')).toBeNull();
    expect(within(items[3] as HTMLElement).queryByRole('button')).toBeNull();
  });

  it('undoes the newest entry at once when no money moves', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'history', undo, redo });
    await user.click(await screen.findByRole('button', { name: /Pause sub for bo/ }));
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith(
        { toId: 'u3', limit: HISTORY_PAGE },
        withKey,
      ),
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    // The panels show the new stacks.
    await waitFor(() =>
      expect(within(panel('Redo history')).getAllByRole('listitem')[0]?.textContent).toContain(
        'Pause sub for bo',
      ),
    );
  });

  it('asks before undoing several entries where money moves, then undoes to that entry', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'history', undo, redo });
    await user.click(await screen.findByRole('button', { name: /Charge \$20\.00/ }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/Undo 2 commands/);
    expect(dialog.textContent).toMatch(/Money will move/);
    expect(within(dialog).getByText('Pause sub for bo@example.com')).toBeTruthy();
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Undo' }));
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith(
        { toId: 'u2', limit: HISTORY_PAGE },
        withKey,
      ),
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await screen.findByText(/Undid 2 commands/)).toBeTruthy();
  });

  it('does nothing when the confirmation is dismissed (button or Escape)', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'history', undo, redo });
    await user.click(await screen.findByRole('button', { name: /Charge \$20\.00/ }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }),
    );
    await user.click(screen.getByRole('button', { name: /Charge \$20\.00/ }));
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
  });

  it('redoes up to a clicked redo entry after confirming', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'history', undo, redo });
    await user.click(await screen.findByRole('button', { name: /Charge \$7\.00/ }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/charged again/);
    await user.click(within(dialog).getByRole('button', { name: 'Redo' }));
    await waitFor(() =>
      expect(fake.api['history.redo']).toHaveBeenCalledWith(
        { toId: 'r2', limit: HISTORY_PAGE },
        withKey,
      ),
    );
  });

  it('shows the newest entries of a long history and older ones on demand', async () => {
    const user = userEvent.setup();
    const long = Array.from({ length: 2 * HISTORY_PAGE + 50 }, (_, i) =>
      makeEntry(`h${i}`, { label: `Command ${i}` }),
    );
    renderApp({ screen: 'history', undo: long, redo: [] });
    const undoPanel = await screen.findByRole('region', { name: 'Undo history' });
    const shown = () => within(undoPanel).getAllByRole('listitem');
    expect(shown()).toHaveLength(HISTORY_PAGE);
    expect(shown()[0]?.textContent).toContain('Command 0');
    expect(undoPanel.textContent).toContain('150 older entries not shown.');
    await user.click(within(undoPanel).getByRole('button', { name: 'Show 100 older' }));
    await waitFor(() => expect(shown()).toHaveLength(2 * HISTORY_PAGE));
    await user.click(within(undoPanel).getByRole('button', { name: 'Show 50 older' }));
    await waitFor(() => expect(shown()).toHaveLength(long.length));
    expect(within(undoPanel).queryByRole('button', { name: /older/ })).toBeNull();
    expect(shown()[long.length - 1]?.textContent).toContain(`Command ${long.length - 1}`);
  });

  it('shows empty states and the core’s error when undo is refused', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'history', undo: [undo[0]!], redo: [] });
    expect(await screen.findByText('Nothing to redo.')).toBeTruthy();
    fake.reply('history.undo', () => ({
      ok: false,
      error: { code: 'conflict', message: 'The subscription changed since: cannot undo' },
    }));
    await user.click(screen.getByRole('button', { name: /Pause sub for bo/ }));
    expect(await screen.findByText('The subscription changed since: cannot undo')).toBeTruthy();
  });
});
