/**
 * How a subscription is stored: as the object in the snapshot, as a tuple of these fields in
 * this order in the journal (positions are the file format: a new field goes last).
 */
import {
  INTERVALS,
  SUBSCRIPTION_STATUSES,
  subscription,
  type Subscription,
} from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import {
  CURRENCY,
  INSTANT,
  INSTANT_OR_NULL,
  int,
  list,
  member,
  MINOR,
  nullable,
  object,
  oneOf,
  TEXT,
  TEXT_OR_NULL,
} from './encodings';

export const SUBSCRIPTION = layoutOf<Subscription>()({
  kind: 'subscription',
  schema: subscription,
  journal: 'tuple',
  fields: [
    field('id', TEXT),
    field('customerEmail', TEXT),
    field('amount', MINOR),
    field('currency', CURRENCY),
    field('interval', oneOf(INTERVALS)),
    field('intervalCount', int(1)),
    field('status', oneOf(SUBSCRIPTION_STATUSES)),
    field('billingAnchor', INSTANT),
    field('nextPeriod', MINOR),
    field('nextPaymentDate', INSTANT_OR_NULL),
    field('failedAttempts', MINOR),
    field('retryAt', INSTANT_OR_NULL),
    field('pausedAt', INSTANT_OR_NULL),
    field('pauseReason', TEXT_OR_NULL),
    field('waivedPeriods', list(MINOR)),
    field('createdAt', INSTANT),
    field('updatedAt', INSTANT),
    field(
      'review',
      nullable(
        object([
          member('fromPeriod', MINOR),
          member('toPeriod', MINOR),
          member('markedAt', INSTANT),
        ]),
      ),
    ),
    field('unpaidPeriods', list(MINOR)),
  ],
});
