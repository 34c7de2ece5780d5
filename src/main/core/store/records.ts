/**
 * Validation of stored records and changes: each kind's check is derived from its layout
 * (layout/), whose encodings accept exactly what the zod schemas of src/shared/domain.ts
 * accept (a property test in test/property/store-records.test.ts holds them together).
 *
 * zod is the reference, but parsing 1,000,000 payments with it takes about 2 s on the
 * project's machines, which alone breaks the 1.5 s budget for opening the store; so zod
 * only words the error once a check has failed. One difference: zod strips unknown keys,
 * the checks keep them.
 */
import type { z } from 'zod';
import type { AuditEntry, Payment, Subscription } from '../../../shared/domain';
import type { Change } from '../ports';
import { CHANGE_RECORD } from './journal-codec';
import { LAYOUTS, type Layouts, type RecordKind } from './layout';
import { recordCheck } from './layout/derive';
import { isInstant } from './layout/encodings';

export type { RecordKind } from './layout';
export { isInstant } from './layout/encodings';

/** zod's own words for why `value` does not fit `schema` ("amount: Too small ..."). */
export function describeProblem(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) return 'invalid record';
  const issue = result.error.issues[0];
  if (!issue) return 'invalid record';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

export interface RecordChecks {
  /** null when `value` is a valid record of `kind`, else what is wrong with it. */
  checkRecord(kind: RecordKind, value: unknown): string | null;
  /** null when `value` is a well-formed change (records valid), else what is wrong with it. */
  checkChange(value: unknown): string | null;
}

export function recordChecks(layouts: Layouts = LAYOUTS): RecordChecks {
  const fast = Object.fromEntries(
    Object.values(layouts).map((layout) => [layout.kind, recordCheck(layout)]),
  ) as Record<RecordKind, (v: unknown) => boolean>;

  function checkRecord(kind: RecordKind, value: unknown): string | null {
    if (fast[kind](value)) return null;
    return describeProblem(layouts[kind].schema, value);
  }

  function checkChange(value: unknown): string | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a change';
    const { t, v } = value as { t?: unknown; v?: unknown };
    if (typeof t !== 'string') return 'not a change';
    switch (t as Change['t']) {
      case 'undo.pop':
      case 'redo.pop':
      case 'redo.clear':
        return null;
      case 'undo.remove':
      case 'redo.remove':
        return typeof v === 'string' ? null : `${t}: not an entry id`;
      case 'clock':
        return v === null || isInstant(v) ? null : `clock: not an ISO instant or null`;
      case 'gatewayCursor':
        return typeof v === 'string' ? null : 'gatewayCursor: not text';
      default: {
        const kind = CHANGE_RECORD[t as Change['t']];
        if (kind === undefined) return `unknown change type ${JSON.stringify(t)}`;
        const problem = checkRecord(kind, v);
        return problem === null ? null : `${t}: ${problem}`;
      }
    }
  }

  return { checkRecord, checkChange };
}

const CURRENT = recordChecks();
const check = (kind: RecordKind) => recordCheck(LAYOUTS[kind]);

/** Accepts exactly what `payment.safeParse` accepts. */
export const isPayment = check('payment') as (v: unknown) => v is Payment;
/** Accepts exactly what `subscription.safeParse` accepts. */
export const isSubscription = check('subscription') as (v: unknown) => v is Subscription;
/** Accepts exactly what `auditEntry.safeParse` accepts. */
export const isAuditEntry = check('audit') as (v: unknown) => v is AuditEntry;

/** The current layouts' checks, by kind. */
export const FAST: Readonly<Record<RecordKind, (v: unknown) => boolean>> = {
  payment: isPayment,
  subscription: isSubscription,
  audit: isAuditEntry,
  refund: check('refund'),
  history: check('history'),
  idempotency: check('idempotency'),
  settings: check('settings'),
};

export const checkRecord = CURRENT.checkRecord;
export const checkChange = CURRENT.checkChange;
