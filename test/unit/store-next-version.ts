/**
 * A made-up next schema version that adds a field the way ARCHITECTURE.md ("Adding a field")
 * says to: the domain schema, the layout and one migration, nothing else. Payments get a
 * `note` (a body field, and the last of their journal tuple), audit entries a `reviewedBy`
 * (written as objects), both nullable and null in records written before them.
 */
import { z } from 'zod';
import type { StoreOptions } from '../../src/main/core/store/index';
import { field, LAYOUTS, type Layout, type Layouts } from '../../src/main/core/store/layout';
import { TEXT_OR_NULL } from '../../src/main/core/store/layout/encodings';
import { addFields, MIGRATIONS, SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import { auditEntry, payment, type AuditEntry, type Payment } from '../../src/shared/domain';

export const NEXT_VERSION = SCHEMA_VERSION + 1;

/** The domain schemas of the next version. */
export const nextPayment = payment.extend({ note: z.string().nullable() });
export const nextAudit = auditEntry.extend({ reviewedBy: z.string().nullable() });
export type NextPayment = Payment & { note: string | null };
export type NextAudit = AuditEntry & { reviewedBy: string | null };

/** `layout` with `name` added last, nullable text, checked against `schema`. */
function withField(layout: Layout, name: string, schema: z.ZodType): Layout {
  return { ...layout, schema, fields: [...layout.fields, field(name, TEXT_OR_NULL)] };
}

/** The declarations of the next version: copies of today's with the field added. */
export const NEXT_LAYOUTS: Layouts = {
  ...LAYOUTS,
  payment: withField(LAYOUTS.payment, 'note', nextPayment),
  audit: withField(LAYOUTS.audit, 'reviewedBy', nextAudit),
};

/** Its one migration. */
export const NEXT_MIGRATIONS = {
  ...MIGRATIONS,
  [SCHEMA_VERSION]: addFields({ payment: { note: null }, audit: { reviewedBy: null } }),
};

/** openStore's options for a store of the next version. */
export const nextVersion = (): NonNullable<StoreOptions['testing']> => ({
  schemaVersion: NEXT_VERSION,
  migrations: NEXT_MIGRATIONS,
  layouts: NEXT_LAYOUTS,
});
