/**
 * Which operations each role may run (shared/roles.ts), derived from the contract, and who a
 * caller is (core/operators.ts): the desk, the API token until an admin exists, an
 * operator's own token (compared by its hash), a revoked one refused.
 */
import { describe, expect, it } from 'vitest';
import {
  authenticate,
  hasAdmin,
  tokenHashOf,
  withNewAccount,
  withRevoked,
} from '../../src/main/core/operators';
import { CHANGING_OPERATIONS, OPERATION_NAMES, changesOf } from '../../src/shared/contract';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/domain';
import {
  ADMIN_OPERATIONS,
  mayRun,
  operationsOf,
  refusal,
  roleNeeded,
} from '../../src/shared/roles';

const NOW = '2026-03-10T12:00:00.000Z';

describe('the role rules', () => {
  it('a viewer runs exactly the queries that are not an admin’s', () => {
    expect(operationsOf('viewer')).toEqual(
      OPERATION_NAMES.filter((n) => changesOf(n) === undefined && !ADMIN_OPERATIONS.has(n)),
    );
    for (const name of CHANGING_OPERATIONS) expect(mayRun('viewer', name)).toBe(false);
  });

  it('an operator also runs every changing operation but the admin’s', () => {
    expect(mayRun('operator', 'payments.process')).toBe(true);
    expect(mayRun('operator', 'payments.refund')).toBe(true);
    expect(mayRun('operator', 'history.undo')).toBe(true);
    expect(mayRun('operator', 'scheduler.run')).toBe(true);
    expect(mayRun('operator', 'backup.create')).toBe(true);
    for (const name of ADMIN_OPERATIONS) expect(mayRun('operator', name)).toBe(false);
    expect(operationsOf('operator')).toEqual(
      OPERATION_NAMES.filter((n) => !ADMIN_OPERATIONS.has(n)),
    );
  });

  it('an admin runs everything, and the operator accounts and settings are the admin’s', () => {
    expect(operationsOf('admin')).toEqual(OPERATION_NAMES);
    for (const name of [
      'operators.list',
      'operators.create',
      'operators.revoke',
      'settings.set',
      'scheduler.start',
      'scheduler.stop',
    ] as const) {
      expect(roleNeeded(name)).toBe('admin');
    }
    expect(roleNeeded('operators.me')).toBe('viewer');
    expect(roleNeeded('settings.get')).toBe('viewer');
  });

  it('says why an operation is refused', () => {
    expect(refusal('viewer', 'payments.process')).toBe(
      'payments.process needs the operator role: viewers only read',
    );
    expect(refusal('operator', 'operators.create')).toMatch(/needs the admin role/);
  });
});

describe('who a caller is', () => {
  const base: Settings = { ...DEFAULT_SETTINGS, operators: [] };
  const ann = withNewAccount(base, 'Ann', 'admin', NOW);
  const vic = withNewAccount(ann.settings, 'Vic', 'viewer', NOW);
  const accounts = vic.settings;

  it('keeps only the SHA-256 of a new token', () => {
    expect(ann.token).toMatch(/^pdo_[A-Za-z0-9_-]{43}$/);
    expect(ann.account.tokenHash).toBe(tokenHashOf(ann.token));
    expect(JSON.stringify(accounts)).not.toContain(ann.token);
  });

  it('the desk (no caller) and the API token without an admin: every right, no operator', () => {
    expect(authenticate(undefined, accounts.operators)).toMatchObject({
      operator: null,
      role: 'admin',
    });
    const viewerOnly = withNewAccount(base, 'Vic', 'viewer', NOW).settings.operators;
    expect(hasAdmin(viewerOnly)).toBe(false);
    expect(authenticate({ kind: 'apiToken' }, viewerOnly)).toMatchObject({ operator: null });
  });

  it('refuses the API token once an admin exists', () => {
    expect(() => authenticate({ kind: 'apiToken' }, accounts.operators)).toThrow(
      /API token is refused/,
    );
  });

  it('knows an operator by their token, and refuses unknown and revoked ones', () => {
    expect(authenticate({ kind: 'token', token: vic.token }, accounts.operators)).toMatchObject({
      operator: { id: vic.account.id, name: 'Vic' },
      role: 'viewer',
    });
    expect(() =>
      authenticate({ kind: 'token', token: `${vic.token}x` }, accounts.operators),
    ).toThrow(/not one of an operator account/);
    const revoked = withRevoked(accounts, vic.account.id, NOW).settings;
    expect(() => authenticate({ kind: 'token', token: vic.token }, revoked.operators)).toThrow(
      /Vic was revoked/,
    );
  });

  it('refuses a name in use and the revocation of the last admin', () => {
    expect(() => withNewAccount(accounts, 'vic', 'operator', NOW)).toThrow(/already exists/);
    expect(() => withRevoked(accounts, ann.account.id, NOW)).toThrow(/last admin/);
    const two = withNewAccount(accounts, 'Bea', 'admin', NOW).settings;
    expect(withRevoked(two, ann.account.id, NOW).account.revokedAt).toBe(NOW);
    expect(() => withRevoked(accounts, 'opr_none', NOW)).toThrow(/No operator/);
  });
});
