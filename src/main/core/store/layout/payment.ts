/**
 * How a payment is stored. The journal writes it as a tuple of these fields in this order;
 * the snapshot keeps the fields with a column in the payment columns (columns.ts) and the
 * others, in this order, as the payment's body line (with `inBody` columns: the money is in
 * both). Positions are the file format: a new field goes last (see declare.ts).
 *
 * Encodings that save bytes: `updatedAt` is 0 when it is `createdAt`; an event's `at` is 0
 * for createdAt, 1 for updatedAt; a succeeded event's transactionId is 0 when it is the
 * payment's. Events are tuples `[type, at, ...their fields]`.
 */
import { payment, type Payment, type PaymentStatus } from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import {
  CURRENCY,
  INSTANT,
  int,
  list,
  member,
  MINOR,
  nullable,
  oneOf,
  pooled,
  sameAs,
  TEXT,
  TEXT_OR_NULL,
  variants,
} from './encodings';

/**
 * The statuses in the order of their digits in the status column: part of the file format,
 * whatever order the domain lists them in.
 */
export const STATUS_DIGITS = [
  'PENDING',
  'COMPLETED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const satisfies readonly PaymentStatus[];
/** Fails to compile when the domain has a status with no digit. */
export type EveryStatusHasADigit = Assert<Exclude<PaymentStatus, (typeof STATUS_DIGITS)[number]>>;
type Assert<Missing extends never> = Missing;

const at = member('at', sameAs(INSTANT, 'createdAt', 'updatedAt'));
const common = pooled(TEXT, 'common');

const EVENT = variants(
  'type',
  [
    { tag: 'created', members: [at] },
    { tag: 'charge_attempted', members: [at] },
    { tag: 'timed_out', members: [at] },
    { tag: 'succeeded', members: [at, member('transactionId', sameAs(TEXT, 'transactionId'))] },
    { tag: 'failed', members: [at, member('code', common), member('message', common)] },
    { tag: 'refunded', members: [at, member('amount', MINOR), member('refundId', TEXT)] },
    { tag: 'reconciled', members: [at, member('outcome', oneOf(['COMPLETED', 'FAILED']))] },
  ],
  'tuple',
);

export const PAYMENT = layoutOf<Payment>()({
  kind: 'payment',
  schema: payment,
  journal: 'tuple',
  fields: [
    field('id', TEXT, { kind: 'ids' }),
    field('amount', MINOR, { kind: 'amounts', inBody: true }),
    field('currency', pooled(CURRENCY, 'common'), {
      kind: 'refs',
      list: 'currencies',
      inBody: true,
    }),
    field('customerEmail', pooled(TEXT, 'emails'), { kind: 'refs', list: 'customerEmails' }),
    field('description', TEXT_OR_NULL),
    field('paymentMethod', pooled(TEXT_OR_NULL, 'common')),
    field('status', oneOf(STATUS_DIGITS), { kind: 'digits' }),
    field('transactionId', TEXT_OR_NULL),
    field('failureCode', pooled(TEXT_OR_NULL, 'common')),
    field('failureMessage', pooled(TEXT_OR_NULL, 'common')),
    field('refundedAmount', MINOR, { kind: 'amounts', inBody: true }),
    field('idempotencyKey', TEXT, { kind: 'keys' }),
    field('subscriptionId', TEXT_OR_NULL, { kind: 'refs', list: 'subscriptionIds' }),
    field('period', nullable(int(0)), { kind: 'counts' }),
    field('redoOf', TEXT_OR_NULL),
    field('createdAt', INSTANT, { kind: 'instants' }),
    field('updatedAt', sameAs(INSTANT, 'createdAt')),
    field('events', list(EVENT)),
  ],
});
