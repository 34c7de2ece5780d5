// @vitest-environment happy-dom
/**
 * The "Keyboard shortcuts" dialog: `?` opens it outside text fields (in a field it is typed),
 * it lists every shortcut declared in lib/shortcuts.ts, Escape closes it and gives the focus
 * back, and the undo shortcut does nothing behind it.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../src/renderer/src/lib/shortcuts';
import { makeEntry } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

describe('Keyboard shortcuts dialog', () => {
  it('opens with ? and lists every shortcut, Search and undo included', async () => {
    const user = userEvent.setup();
    renderApp();
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(SHORTCUTS.length);
    const text = rows.map((r) => r.textContent);
    expect(text).toContain('Ctrl+K or ⌘KSearch');
    expect(text.some((t) => t?.startsWith('Ctrl+Z or ⌘ZUndo'))).toBe(true);
    expect(text.some((t) => t?.startsWith('?Show the keyboard shortcuts'))).toBe(true);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
  });

  it('is not opened by ? typed in a text field', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'payments' });
    const description = screen.getByLabelText(/Description/);
    await user.type(description, 'why?');
    expect((description as HTMLInputElement).value).toBe('why?');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('closes with Escape and gives the focus back', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'history' });
    const heading = screen.getByRole('heading', { level: 1, name: 'History' });
    heading.focus();
    await user.keyboard('?');
    await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(heading);
  });

  it('keeps Ctrl+Z from undoing while it is open', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo: [makeEntry('u1')] });
    await user.keyboard('?');
    await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    await user.keyboard('{Control>}z{/Control}');
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
