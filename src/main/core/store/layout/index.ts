/**
 * Every stored kind's layout, by kind: the one declaration of how each is written. To add a
 * field, see ARCHITECTURE.md, "Adding a field".
 */
import { AUDIT } from './audit';
import type { Layout, RecordKind } from './declare';
import { HISTORY } from './history';
import { IDEMPOTENCY } from './idempotency';
import { PAYMENT } from './payment';
import { REFUND } from './refund';
import { SETTINGS } from './settings';
import { SUBSCRIPTION } from './subscription';

export type Layouts = Readonly<Record<RecordKind, Layout>>;

export const LAYOUTS: Layouts = {
  payment: PAYMENT,
  subscription: SUBSCRIPTION,
  refund: REFUND,
  audit: AUDIT,
  history: HISTORY,
  idempotency: IDEMPOTENCY,
  settings: SETTINGS,
};

export type { ColumnSpec, Field, Layout, RecordKind } from './declare';
export { field, layoutOf } from './declare';
export { STATUS_DIGITS } from './payment';
