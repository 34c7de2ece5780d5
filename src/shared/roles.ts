/**
 * Which operations each role may run (the core enforces it, the renderer hides what a role
 * cannot do). A viewer runs the queries; an operator also every operation that changes
 * something (charges, refunds, undo, runs, backups), except the admin's own: the operator
 * accounts and the settings (the scheduler's on/off is a setting, and so are the test clock
 * and the mock gateway's behaviour). An admin runs everything. Derived from the contract:
 * an operation added to it is a viewer's if it is a query, an operator's if it changes
 * something, unless it is named below.
 */
import { changesOf, OPERATION_NAMES, type OperationName } from './contract';
import type { OperatorRole } from './domain';

/** Operations only an admin runs (queries among them: the accounts are the admin's). */
export const ADMIN_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'operators.list',
  'operators.create',
  'operators.revoke',
  'settings.set',
  'scheduler.start',
  'scheduler.stop',
  'clock.advance',
  'gateway.configure',
]);

/** The least role that may run `operation`. */
export function roleNeeded(operation: OperationName): OperatorRole {
  if (ADMIN_OPERATIONS.has(operation)) return 'admin';
  return changesOf(operation) === undefined ? 'viewer' : 'operator';
}

const RANK: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may run `operation`. */
export const mayRun = (role: OperatorRole, operation: OperationName): boolean =>
  RANK[role] >= RANK[roleNeeded(operation)];

/** The operations `role` may run, in the contract's order. */
export const operationsOf = (role: OperatorRole): OperationName[] =>
  OPERATION_NAMES.filter((name) => mayRun(role, name));

const WHAT: Record<OperatorRole, string> = {
  viewer: 'viewers only read',
  operator: 'operators move money but do not manage operators or settings',
  admin: 'admins run everything',
};

/** Why `role` may not run `operation`, for the `forbidden` answer. */
export const refusal = (role: OperatorRole, operation: OperationName): string =>
  `${operation} needs the ${roleNeeded(operation)} role: ${WHAT[role]}`;
