// @vitest-environment happy-dom
/**
 * The Settings screen's Operators panel over the fake transport: an admin sees the accounts,
 * adds one (name and role checked as typed; the token shown once, until dismissed) and
 * revokes one after a confirmation; whoever is not an admin sees only who they are. The
 * panel passes axe-core.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { OperatorSession, OperatorView } from '../../src/shared/contract';
import { withKey } from './fake-transport';
import { renderApp } from './render-app';

afterEach(cleanup);

const OLGA: OperatorView = {
  id: 'opr_1',
  name: 'Olga',
  role: 'admin',
  createdAt: '2026-03-01T09:00:00.000Z',
  revokedAt: null,
};
const VERA: OperatorView = {
  id: 'opr_2',
  name: 'Vera',
  role: 'viewer',
  createdAt: '2026-03-02T09:00:00.000Z',
  revokedAt: null,
};
const AS_OLGA: OperatorSession = { operator: OLGA, role: 'admin', accounts: true };

const operatorsPanel = async () =>
  within((await screen.findByRole('heading', { name: 'Operators' })).closest('section')!);

describe('Settings: operators', () => {
  it('lists the accounts for an admin, and says who is signed in', async () => {
    renderApp({
      screen: 'settings',
      session: AS_OLGA,
      operators: [OLGA, { ...VERA, revokedAt: '2026-03-05T09:00:00.000Z' }],
    });
    const panel = await operatorsPanel();
    const table = await panel.findByRole('table', { name: 'Operator accounts' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Olga', 'Vera']);
    expect(rows[0]?.textContent).toContain('Admin');
    expect(within(rows[0]!).getByRole('button', { name: 'Revoke Olga' })).toBeTruthy();
    expect(rows[1]?.textContent).toMatch(/Revoked/);
    expect(within(rows[1]!).queryByRole('button')).toBeNull();
    expect(panel.getByText('Olga', { selector: 'strong' })).toBeTruthy();
  });

  it('adds an operator: checked as typed, the token shown once until dismissed', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings', session: AS_OLGA, operators: [OLGA] });
    const panel = await operatorsPanel();
    await panel.findByRole('table', { name: 'Operator accounts' });
    await user.click(panel.getByRole('button', { name: 'Add operator' }));
    expect(panel.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(fake.api['operators.create']).not.toHaveBeenCalled();

    await user.type(panel.getByLabelText('Name'), '  Vera ');
    await user.selectOptions(panel.getByLabelText('Role'), 'viewer');
    await user.click(panel.getByRole('button', { name: 'Add operator' }));
    await waitFor(() =>
      expect(fake.api['operators.create']).toHaveBeenCalledWith(
        { name: 'Vera', role: 'viewer' },
        withKey,
      ),
    );
    const token = await panel.findByLabelText('Vera’s token');
    expect((token as HTMLInputElement).value).toBe('pdo_fake_token_2');
    expect(await panel.findByRole('rowheader', { name: 'Vera' })).toBeTruthy();

    // A name in use is the core's error, next to the field.
    await user.type(panel.getByLabelText('Name'), 'olga');
    await user.click(panel.getByRole('button', { name: 'Add operator' }));
    expect(await panel.findByText('An operator named olga already exists')).toBeTruthy();

    await user.click(panel.getByRole('button', { name: 'I have copied it' }));
    expect(panel.queryByLabelText('Vera’s token')).toBeNull();
    expect(panel.queryByText('pdo_fake_token_2')).toBeNull();
  });

  it('revokes an account after a confirmation, and not when kept', async () => {
    const user = userEvent.setup();
    const { fake } = renderApp({ screen: 'settings', session: AS_OLGA, operators: [OLGA, VERA] });
    const panel = await operatorsPanel();
    await user.click(await panel.findByRole('button', { name: 'Revoke Vera' }));
    let dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toMatch(/Vera's token stops working/);
    await user.click(within(dialog).getByRole('button', { name: 'Keep' }));
    expect(fake.api['operators.revoke']).not.toHaveBeenCalled();

    await user.click(panel.getByRole('button', { name: 'Revoke Vera' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() =>
      expect(fake.api['operators.revoke']).toHaveBeenCalledWith({ id: 'opr_2' }, withKey),
    );
    await waitFor(() => expect(panel.queryByRole('button', { name: 'Revoke Vera' })).toBeNull());
    expect(await screen.findByText('Revoked Vera')).toBeTruthy();
  });

  it('shows whoever is not an admin only who they are', async () => {
    const { fake } = renderApp({
      screen: 'settings',
      session: { operator: VERA, role: 'viewer', accounts: true },
    });
    const panel = await operatorsPanel();
    expect(await panel.findByText(/Only an admin manages operators/)).toBeTruthy();
    expect(panel.queryByRole('table')).toBeNull();
    expect(panel.queryByRole('button', { name: 'Add operator' })).toBeNull();
    expect(fake.api['operators.list']).not.toHaveBeenCalled();
  });

  it('tells the single desk how accounts change the API token', async () => {
    renderApp({ screen: 'settings' });
    const panel = await operatorsPanel();
    expect(await panel.findByText(/Until an admin account exists/)).toBeTruthy();
    expect(await panel.findByText('No operator accounts yet.')).toBeTruthy();
  });

  it('passes axe-core, with a token shown', async () => {
    const user = userEvent.setup();
    renderApp({ screen: 'settings', session: AS_OLGA, operators: [OLGA, VERA] });
    const panel = await operatorsPanel();
    await user.type(await panel.findByLabelText('Name'), 'Otto');
    await user.click(panel.getByRole('button', { name: 'Add operator' }));
    await panel.findByLabelText('Otto’s token');
    const section = screen.getByRole('heading', { name: 'Operators' }).closest('section')!;
    // happy-dom lays nothing out: contrast is checked in Chromium (test/e2e/accessibility).
    const results = await axe.run(section, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    expect(results.passes.length).toBeGreaterThan(0);
  });
});
