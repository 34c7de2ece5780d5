/** How an audit entry is stored: as the object, in the snapshot and the journal. */
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  auditEntry,
  ORIGINS,
  type AuditEntry,
} from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import {
  CURRENCY,
  INSTANT,
  list,
  member,
  MINOR,
  object,
  oneOf,
  optional,
  TEXT,
  TEXT_OR_NULL,
} from './encodings';
import { OPERATOR_OR_NULL } from './operators';

export const AUDIT = layoutOf<AuditEntry>()({
  kind: 'audit',
  schema: auditEntry,
  journal: 'object',
  fields: [
    field('id', TEXT),
    field('at', INSTANT),
    field('origin', oneOf(ORIGINS)),
    field('action', oneOf(AUDIT_ACTIONS)),
    field('kind', TEXT),
    field('label', TEXT),
    field('outcome', oneOf(AUDIT_OUTCOMES)),
    field('message', TEXT_OR_NULL),
    field(
      'moved',
      optional(
        list(
          object([
            member('currency', CURRENCY),
            member('charged', MINOR),
            member('refunded', MINOR),
          ]),
        ),
      ),
    ),
    field('operator', OPERATOR_OR_NULL),
  ],
});
