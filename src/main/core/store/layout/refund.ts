/** How a refund is stored: as the object, in the snapshot and in the journal. */
import { REFUND_STATUSES, refund, type Refund } from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import { CURRENCY, INSTANT, MINOR, oneOf, TEXT, TEXT_OR_NULL } from './encodings';

export const REFUND = layoutOf<Refund>()({
  kind: 'refund',
  schema: refund,
  journal: 'object',
  fields: [
    field('id', TEXT),
    field('paymentId', TEXT),
    field('amount', MINOR),
    field('currency', CURRENCY),
    field('status', oneOf(REFUND_STATUSES)),
    field('idempotencyKey', TEXT),
    field('requestKey', TEXT_OR_NULL),
    field('undoOf', TEXT_OR_NULL),
    field('gatewayRefundId', TEXT_OR_NULL),
    field('failureCode', TEXT_OR_NULL),
    field('failureMessage', TEXT_OR_NULL),
    field('createdAt', INSTANT),
    field('updatedAt', INSTANT),
  ],
});
