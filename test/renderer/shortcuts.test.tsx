// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeEntry, withKey } from './fake-transport';
import { renderApp } from './render-app';
import { HISTORY_PAGE } from '../../src/renderer/src/store/history';

afterEach(cleanup);

const undo = [makeEntry('u1', { label: 'Pause sub for bo@example.com' })];
const redo = [makeEntry('r1', { label: 'Resume sub for bo@example.com' })];

describe('Undo and redo from the keyboard and the menu', () => {
  it('Ctrl+Z outside a text field undoes the last command', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo, redo });
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
    expect(fake.api['history.redo']).not.toHaveBeenCalled();
  });

  it('Cmd+Z undoes too', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo, redo });
    await user.keyboard('{Meta>}z{/Meta}');
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
  });

  it('Ctrl+Z inside the Amount field is left to the field', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'payments', undo, redo });
    const amount = screen.getByLabelText('Amount');
    await user.type(amount, '12');
    const event = new KeyboardEvent('keydown', {
      key: 'z',
      ctrlKey: true,
      bubbles: true,
      cancelable: true,
    });
    amount.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    await user.keyboard('{Control>}z{/Control}{Control>}{Shift>}z{/Shift}{/Control}');
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
    expect(fake.api['history.redo']).not.toHaveBeenCalled();
  });

  it('leaves selects and contenteditable alone as well', async () => {
    const { fake } = renderApp({ screen: 'payments', undo, redo });
    fireEvent.keyDown(screen.getByLabelText('Status'), { key: 'z', ctrlKey: true });
    const editable = document.createElement('div');
    editable.setAttribute('contenteditable', 'true');
    document.body.append(editable);
    fireEvent.keyDown(editable, { key: 'z', ctrlKey: true });
    editable.remove();
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
  });

  it.each([
    ['Ctrl+Shift+Z', '{Control>}{Shift>}Z{/Shift}{/Control}'],
    ['Cmd+Shift+Z', '{Meta>}{Shift>}Z{/Shift}{/Meta}'],
    ['Ctrl+Y', '{Control>}y{/Control}'],
  ])('%s redoes', async (_name, keys) => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo, redo });
    await user.keyboard(keys);
    await waitFor(() =>
      expect(fake.api['history.redo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
  });

  it('a toast says what was undone, and its Redo button redoes', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo, redo: [] });
    await user.keyboard('{Control>}z{/Control}');
    const toast = (await screen.findByText('Undid: Pause sub for bo@example.com')).closest(
      '[role="status"]',
    ) as HTMLElement;
    await user.click(within(toast).getByRole('button', { name: 'Redo' }));
    await waitFor(() =>
      expect(fake.api['history.redo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
    const redone = (await screen.findByText('Redid: Pause sub for bo@example.com')).closest(
      '[role="status"]',
    ) as HTMLElement;
    await user.click(within(redone).getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(fake.api['history.undo']).toHaveBeenCalledTimes(2));
  });

  it('shows the core’s message when undo fails', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ undo: [], redo });
    await user.keyboard('{Control>}z{/Control}');
    expect(await screen.findByText('Nothing to undo')).toBeTruthy();
    expect(fake.api['history.undo']).toHaveBeenCalledTimes(1);
  });

  it('the native menu asks the renderer: undo outside a field, text undo inside one', async () => {
    const { fake } = renderApp({ screen: 'payments', undo, redo });
    window.dispatchEvent(new CustomEvent('paydesk:menu', { detail: 'undo' }));
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
    window.dispatchEvent(new CustomEvent('paydesk:menu', { detail: 'redo' }));
    await waitFor(() =>
      expect(fake.api['history.redo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );

    const execCommand = vi.fn(() => true);
    Object.defineProperty(document, 'execCommand', { configurable: true, value: execCommand });
    screen.getByLabelText('Amount').focus();
    window.dispatchEvent(new CustomEvent('paydesk:menu', { detail: 'undo' }));
    expect(execCommand).toHaveBeenCalledWith('undo');
    expect(fake.api['history.undo']).toHaveBeenCalledTimes(1);
  });

  it('does nothing while a confirmation dialog is open', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      screen: 'history',
      undo: [makeEntry('m', { label: 'Charge $1.00', movesMoney: true })],
      redo: [],
    });
    await user.click(await screen.findByRole('button', { name: /Charge \$1\.00/ }));
    await screen.findByRole('dialog');
    await user.keyboard('{Control>}z{/Control}');
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
  });
});
