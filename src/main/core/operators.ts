/**
 * Operator accounts: who a caller is, from the token they present, and the rules of adding
 * and revoking accounts. Pure apart from the token's randomness; the accounts live in the
 * settings (`Settings.operators`), so every store keeps them as it keeps the settings.
 *
 * A token is 32 random bytes (base64url, after a `pdo_` prefix that says what it is); only
 * its SHA-256 is stored, and a presented token's digest is compared with every account's in
 * constant time. While no admin account exists the server's one API token is the single
 * desk (every right, as before accounts existed); once one exists it is refused, and every
 * request names its operator.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OperatorSession, OperatorView } from '../../shared/contract';
import type { OperatorAccount, OperatorRef, OperatorRole, Settings } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import { newId } from './ids';

/** Who asks, as the door that took the call knows them. */
export type Caller =
  /** The single desk: the desktop app, the scheduler, Paydesk itself. The default. */
  | { kind: 'desk' }
  /** The server's one API token (api-token file, $PAYDESK_API_TOKEN): the desk until an admin exists. */
  | { kind: 'apiToken' }
  /** A bearer token that is not the API token: an operator's own, if any account has it. */
  | { kind: 'token'; token: string };

/** Who the core acts for: the account (null: the desk) and what it may do. */
export interface Principal {
  operator: OperatorRef | null;
  role: OperatorRole;
  account: OperatorAccount | null;
}

const DESK: Principal = { operator: null, role: 'admin', account: null };

/** A new operator token (shown once, never stored). */
export const newOperatorToken = (): string => `pdo_${randomBytes(32).toString('base64url')}`;

/** The SHA-256 of a token, hex: what an account keeps. */
export const tokenHashOf = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const isActive = (a: OperatorAccount): boolean => a.revokedAt === null;

/** Whether an active admin account exists (the API token is then refused). */
export const hasAdmin = (operators: readonly OperatorAccount[]): boolean =>
  operators.some((a) => isActive(a) && a.role === 'admin');

/**
 * The principal of a caller, or an `unauthorized` DomainError: an unknown or revoked token,
 * or the API token once an admin account exists. No caller is the desk.
 */
export function authenticate(
  caller: Caller | undefined,
  operators: readonly OperatorAccount[],
): Principal {
  if (caller === undefined || caller.kind === 'desk') return DESK;
  if (caller.kind === 'apiToken') {
    if (!hasAdmin(operators)) return DESK;
    throw new DomainError(
      'unauthorized',
      'Operator accounts are in use: the API token is refused. Send your own operator token as Authorization: Bearer <token>',
    );
  }
  const digest = Buffer.from(tokenHashOf(caller.token), 'hex');
  let found: OperatorAccount | null = null;
  // Every account is compared, each in constant time.
  for (const account of operators) {
    if (timingSafeEqual(digest, Buffer.from(account.tokenHash, 'hex'))) found = account;
  }
  if (found === null) {
    throw new DomainError(
      'unauthorized',
      'The token is not one of an operator account: send your own operator token as Authorization: Bearer <token>',
    );
  }
  if (!isActive(found)) {
    throw new DomainError('unauthorized', `The token of ${found.name} was revoked`);
  }
  return { operator: refOf(found), role: found.role, account: found };
}

export const refOf = (a: OperatorAccount): OperatorRef => ({ id: a.id, name: a.name });

/** An account as the API shows it (no hash). */
export function viewOf(a: OperatorAccount): OperatorView {
  const { tokenHash: _hash, ...view } = a;
  return view;
}

/** What operators.me answers for a principal. */
export const sessionOf = (
  principal: Principal,
  operators: readonly OperatorAccount[],
): OperatorSession => ({
  operator: principal.account === null ? null : viewOf(principal.account),
  role: principal.role,
  accounts: hasAdmin(operators),
});

/** The settings with a new account, and its token; a name in use by an active account is refused. */
export function withNewAccount(
  settings: Settings,
  name: string,
  role: OperatorRole,
  now: string,
): { settings: Settings; account: OperatorAccount; token: string } {
  const lower = name.toLowerCase();
  if (settings.operators.some((a) => isActive(a) && a.name.toLowerCase() === lower)) {
    throw new DomainError('conflict', `An operator named ${name} already exists`, 'name');
  }
  const token = newOperatorToken();
  const account: OperatorAccount = {
    id: newId('opr'),
    name,
    role,
    tokenHash: tokenHashOf(token),
    createdAt: now,
    revokedAt: null,
  };
  return { settings: { ...settings, operators: [...settings.operators, account] }, account, token };
}

/** The settings with account `id` revoked; the last active admin cannot be. */
export function withRevoked(
  settings: Settings,
  id: string,
  now: string,
): { settings: Settings; account: OperatorAccount } {
  const target = settings.operators.find((a) => a.id === id);
  if (target === undefined) throw new DomainError('not_found', `No operator ${id}`, 'id');
  if (!isActive(target)) {
    throw new DomainError('conflict', `${target.name} was already revoked`, 'id');
  }
  const admins = settings.operators.filter((a) => isActive(a) && a.role === 'admin');
  if (target.role === 'admin' && admins.length === 1) {
    throw new DomainError(
      'conflict',
      `${target.name} is the last admin: add another admin first (or run npm run serve -- --create-admin NAME)`,
      'id',
    );
  }
  const account = { ...target, revokedAt: now };
  return {
    settings: {
      ...settings,
      operators: settings.operators.map((a) => (a.id === id ? account : a)),
    },
    account,
  };
}
