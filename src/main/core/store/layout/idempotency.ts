/** How a request's record (idempotency key) is stored: as the object, in the snapshot and the journal. */
import { idempotencyRecord, ORIGINS, type IdempotencyRecord } from '../../../../shared/domain';
import { ERROR_CODES } from '../../../../shared/result';
import { field, layoutOf } from './declare';
import {
  ANY,
  BOOL,
  INSTANT,
  INSTANT_OR_NULL,
  list,
  member,
  nullable,
  object,
  oneOf,
  optional,
  TEXT,
  variants,
} from './encodings';
import { OPERATOR_OR_NULL } from './operators';

const ANSWER = variants(
  'ok',
  [
    { tag: true, members: [member('data', ANY)] },
    {
      tag: false,
      members: [
        member(
          'error',
          object([
            member('code', oneOf(ERROR_CODES)),
            member('message', TEXT),
            member('field', optional(TEXT)),
          ]),
        ),
      ],
    },
  ],
  'object',
);

export const IDEMPOTENCY = layoutOf<IdempotencyRecord>()({
  kind: 'idempotency',
  schema: idempotencyRecord,
  journal: 'object',
  fields: [
    field('key', TEXT),
    field('fingerprint', TEXT),
    field('operation', TEXT),
    field('origin', oneOf(ORIGINS)),
    field('clientKey', BOOL),
    field('targets', list(TEXT)),
    field('createdAt', INSTANT),
    field('finishedAt', INSTANT_OR_NULL),
    field('answer', nullable(ANSWER)),
    field('operator', OPERATOR_OR_NULL),
  ],
});
