// @vitest-environment happy-dom
/**
 * Undo per operator in the UI: the history panels name who ran each entry (the core answers
 * the caller's own stacks), Ctrl+Z asks the core for "my last" (no entry id), and an undo
 * the core refuses because a colleague changed the record since says who and when.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_PAGE } from '../../src/renderer/src/store/history';
import { fail } from '../../src/shared/result';
import { makeEntry, withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

const OTTO = { id: 'opr_otto', name: 'Otto' };
const REFUSED =
  'Cannot undo "Charge $12.50 to ann@example.com": Oona changed payment pay_1 since ("Refund $1.00 to ann@example.com", 2026-03-10 12:34 UTC). Nothing was changed.';

describe('History per operator', () => {
  it('names the operator of each entry', async () => {
    renderApp({
      screen: 'history',
      undo: [makeEntry('u1', { label: 'Charge $12.50 to ann@example.com', operator: OTTO })],
      redo: [makeEntry('r1', { label: 'Pause sub for bo@example.com' })],
    });
    const undo = await screen.findByRole('region', { name: 'Undo history' });
    const [item] = within(undo).getAllByRole('listitem');
    expect(item?.querySelector('.entry-operator')?.textContent).toBe('Otto');
    const redo = screen.getByRole('region', { name: 'Redo history' });
    expect(within(redo).getAllByRole('listitem')[0]?.querySelector('.entry-operator')).toBeNull();
  });

  it('Ctrl+Z asks for my last command; a colleague’s change since is said, naming them', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({
      undo: [makeEntry('u1', { label: 'Charge $12.50 to ann@example.com', operator: OTTO })],
    });
    fake.reply('history.undo', () => fail('conflict', REFUSED));
    await user.keyboard('{Control>}z{/Control}');
    await waitFor(() =>
      expect(fake.api['history.undo']).toHaveBeenCalledWith({ limit: HISTORY_PAGE }, withKey),
    );
    expect(await screen.findByText(REFUSED)).toBeTruthy();
  });
});
